//! The dependency rules of `docs/ARCHITECTURE.md`, read from the manifests: what each crate
//! of ours may depend on among our crates, and who may use the database libraries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

/// The member directories named in the workspace manifest.
fn members() -> Vec<String> {
    let manifest =
        std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("workspace manifest");
    let start = manifest.find("members = [").expect("a members list");
    let end = start + manifest[start..].find(']').expect("the list ends");
    manifest[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// A manifest's package name and the names in its `[dependencies]` table.
fn dependencies(member: &str) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(workspace_root().join(member).join("Cargo.toml"))
        .expect("member manifest");
    let mut section = String::new();
    let mut name = String::new();
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
            continue;
        }
        if section == "[package]"
            && let Some(value) = line.strip_prefix("name = ")
        {
            name = value.trim_matches('"').to_owned();
        }
        if section == "[dependencies]" && !line.is_empty() && !line.starts_with('#') {
            let key = line
                .split(['=', '.', ' '])
                .next()
                .expect("a dependency name");
            names.push(key.to_owned());
        }
    }
    (name, names)
}

/// Our crates: every workspace member, by package name, with its dependencies.
fn ours() -> BTreeMap<String, Vec<String>> {
    members()
        .iter()
        .map(|member| dependencies(member))
        .collect()
}

/// The application crates: every member that implements the module contract (depends on
/// `crm-module`), other than the server that lists them and the tests that drive it.
fn application_crates(ours: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    ours.iter()
        .filter(|(name, deps)| {
            deps.iter().any(|d| d == "crm-module")
                && !["crm-server", "crm-tests"].contains(&name.as_str())
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// What each library crate of ours may depend on among ours (the architecture's code map);
/// `None` for the application crates (the layers only) and for the server and the tests.
fn allowed(crate_name: &str) -> Option<&'static [&'static str]> {
    Some(match crate_name {
        "sid-model" | "tmf-apis" | "crm-bench" => &[],
        "crm-store" => &["tmf-apis", "sid-model"],
        "crm-auth" => &["tmf-apis"],
        "crm-events" => &["tmf-apis", "crm-store"],
        "crm-module" => &["tmf-apis", "crm-store", "crm-auth", "sid-model"],
        _ => return None,
    })
}

#[test]
fn crates_depend_only_on_what_the_architecture_allows() {
    const LAYERS: &[&str] = &["sid-model", "tmf-apis", "crm-store", "crm-module"];
    let ours = ours();
    let applications = application_crates(&ours);
    assert!(
        applications.len() >= 3,
        "the application crates are found by their contract: {applications:?}"
    );
    for (name, deps) in &ours {
        let internal: Vec<&String> = deps.iter().filter(|d| ours.contains_key(*d)).collect();
        let allowed = match allowed(name) {
            Some(allowed) => allowed,
            None if applications.contains(name) => LAYERS,
            // The server lists the application crates; the tests drive the server.
            None if ["crm-server", "crm-tests"].contains(&name.as_str()) => continue,
            None => panic!("{name} is not in the architecture's code map"),
        };
        for dependency in internal {
            assert!(
                allowed.contains(&dependency.as_str()),
                "{name} must not depend on {dependency} (docs/ARCHITECTURE.md): \
                 an application crate reaches another through a hook"
            );
        }
    }
    // Only the server lists application crates; every other crate, the tests included,
    // reaches them through the module contract.
    for (name, deps) in &ours {
        if name != "crm-server" {
            for dependency in deps {
                assert!(
                    !applications.contains(dependency),
                    "{name} depends on the application crate {dependency}"
                );
            }
        }
    }
}

#[test]
fn the_database_libraries_are_the_stores_alone() {
    for member in members() {
        let (name, deps) = dependencies(&member);
        for library in ["sea-orm", "sea-orm-migration", "sqlx"] {
            if deps.iter().any(|d| d == library) {
                let allowed = match library {
                    // The tests look underneath the API; the bench measures raw SQL baselines.
                    "sea-orm" => ["crm-store", "crm-tests"].contains(&name.as_str()),
                    "sqlx" => ["crm-store", "crm-bench"].contains(&name.as_str()),
                    _ => name == "crm-store",
                };
                assert!(
                    allowed,
                    "{name} must not depend on {library}: go through crm-store"
                );
            }
        }
    }
}
