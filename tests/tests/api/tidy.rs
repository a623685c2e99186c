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

const OURS: [&str; 13] = [
    "sid-model",
    "tmf-apis",
    "crm-store",
    "crm-auth",
    "crm-module",
    "crm-events",
    "customer-information",
    "customer-order",
    "customer-problem",
    "crm-server",
    "crm-bench",
    "crm-tests",
    "crm-fixtures",
];

const APPLICATION_CRATES: [&str; 3] =
    ["customer-information", "customer-order", "customer-problem"];

/// What each crate of ours may depend on among ours (the architecture's code map).
fn allowed(crate_name: &str) -> Option<&'static [&'static str]> {
    const LAYERS: &[&str] = &["sid-model", "tmf-apis", "crm-store", "crm-module"];
    Some(match crate_name {
        "sid-model" | "tmf-apis" | "crm-bench" => &[],
        "crm-store" => &["tmf-apis", "sid-model"],
        "crm-auth" => &["tmf-apis"],
        "crm-events" => &["tmf-apis", "crm-store"],
        "crm-module" => &["tmf-apis", "crm-store", "crm-auth"],
        "customer-information" | "customer-order" | "customer-problem" => LAYERS,
        // The server lists the application crates; the tests drive the server.
        "crm-server" | "crm-tests" => return None,
        other => panic!("{other} is not in the architecture's code map"),
    })
}

#[test]
fn crates_depend_only_on_what_the_architecture_allows() {
    let mut seen = BTreeMap::new();
    for member in members() {
        let (name, deps) = dependencies(&member);
        let ours: Vec<&String> = deps.iter().filter(|d| OURS.contains(&d.as_str())).collect();
        if let Some(allowed) = allowed(&name) {
            for dependency in &ours {
                assert!(
                    allowed.contains(&dependency.as_str()),
                    "{name} must not depend on {dependency} (docs/ARCHITECTURE.md)"
                );
            }
        }
        // No application crate depends on another, whatever the table says.
        if APPLICATION_CRATES.contains(&name.as_str()) {
            for dependency in &ours {
                assert!(
                    !APPLICATION_CRATES.contains(&dependency.as_str()),
                    "{name} depends on the application crate {dependency}: use a hook"
                );
            }
        }
        seen.insert(name, deps);
    }
    assert!(seen.len() >= 12, "{:?}", seen.keys());
    // Only the server lists application crates; every other crate reaches them through the
    // module contract. The one exception: the black-box tests judge order moves through the
    // API against customer-order's own rule of the order lifecycle (`apply_request`).
    for (name, deps) in &seen {
        if name != "crm-server" && !APPLICATION_CRATES.contains(&name.as_str()) {
            for dependency in deps {
                let oracle = name == "crm-tests" && dependency == "customer-order";
                assert!(
                    oracle || !APPLICATION_CRATES.contains(&dependency.as_str()),
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
