//! The official TM Forum v4 specification files and JSON Schema validators of their
//! definitions, for response and event conformance tests.
//!
//! The specs are read from `../shared/tmf-specs` beside the repository when it exists (CI),
//! else from the copies shipped in `crates/customer-information/specs`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use jsonschema::Validator;
use serde_json::Value;

/// This crate's directory.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The official specs beside the repository (present in CI).
pub fn official_dir() -> PathBuf {
    manifest_dir().join("../../shared/tmf-specs")
}

/// The directories of the copies shipped with the product: every application crate's
/// `specs/`.
pub fn shipped_dirs() -> Vec<PathBuf> {
    let crates = manifest_dir().join("../crates");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&crates)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path().join("specs"))
                .filter(|dir| dir.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// The shipped copy of a spec file, wherever the product ships it.
pub fn shipped_path(file: &str) -> Option<PathBuf> {
    shipped_dirs()
        .into_iter()
        .map(|dir| dir.join(file))
        .find(|path| path.is_file())
}

/// Where a spec file is read from: the official copy when the repository sits beside it,
/// else the product's own.
pub fn spec_path(file: &str) -> PathBuf {
    let official = official_dir().join(file);
    if official.is_file() {
        return official;
    }
    shipped_path(file).unwrap_or(official)
}

/// Reads a spec file.
pub fn load_spec(file: &str) -> Value {
    let path = spec_path(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read spec {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("spec {} is not JSON: {e}", path.display()))
}

static SPECS: LazyLock<Mutex<HashMap<&'static str, Arc<Value>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// A spec file, read once.
pub fn spec(file: &'static str) -> Arc<Value> {
    let mut specs = SPECS.lock().expect("spec cache lock");
    specs
        .entry(file)
        .or_insert_with(|| Arc::new(load_spec(file)))
        .clone()
}

/// Compiled validators by (spec file, definition).
type Validators = HashMap<(&'static str, &'static str), Arc<Validator>>;

static VALIDATORS: LazyLock<Mutex<Validators>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// A draft 4 validator for `definition`: the whole Swagger document with a top-level
/// `$ref` to the definition, so that every `#/definitions/...` resolves against the root.
pub fn validator(file: &'static str, definition: &'static str) -> Arc<Validator> {
    let document = spec(file);
    let mut cache = VALIDATORS.lock().expect("validator cache lock");
    cache
        .entry((file, definition))
        .or_insert_with(|| {
            assert!(
                document["definitions"].get(definition).is_some(),
                "{file} has no definition '{definition}'"
            );
            let mut schema = document.as_ref().clone();
            schema
                .as_object_mut()
                .expect("a Swagger document is an object")
                .insert(
                    "$ref".to_owned(),
                    Value::String(format!("#/definitions/{definition}")),
                );
            Arc::new(jsonschema::draft4::new(&schema).unwrap_or_else(|e| {
                panic!("{file}#/definitions/{definition} does not compile: {e}")
            }))
        })
        .clone()
}

/// Every violation of `instance` against the definition, one line each.
pub fn violations(file: &'static str, definition: &'static str, instance: &Value) -> Vec<String> {
    let validator = validator(file, definition);
    validator
        .iter_errors(instance)
        .map(|e| {
            format!(
                "at '{}': {} (schema: {})",
                e.instance_path(),
                e,
                e.schema_path()
            )
        })
        .collect()
}

/// Asserts that `instance` conforms to the definition.
#[track_caller]
pub fn assert_conforms(file: &'static str, definition: &'static str, instance: &Value, what: &str) {
    let found = violations(file, definition, instance);
    assert!(
        found.is_empty(),
        "{what}: the response does not conform to {file}#/definitions/{definition}:\n  {}\nbody: {}",
        found.join("\n  "),
        serde_json::to_string_pretty(instance).unwrap_or_default()
    );
}
