//! Every custom resource in output/ (and in the tree fixtures), and in every
//! environment as kustomize builds it, validates against its operator's
//! published JSON schema, read from ../shared/crd-schemas: types, unknown
//! fields, required fields, enums and bounds. The schemas are not copied
//! into the project.

mod common;

use std::fs;

use common::schema::{check_built_environments, check_tree, schemas_dir, validate};
use common::*;
use serde_json::Value;

#[test]
fn custom_resources_match_their_operators_schemas() {
    let Some(schemas) = schemas_dir() else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "../shared/crd-schemas is missing"
        );
        eprintln!("SKIP: ../shared/crd-schemas not found");
        return;
    };
    let mut all = Vec::new();
    let (n, errors) = check_tree(&repo_root().join("output"), &schemas);
    assert!(n >= 16, "only {n} custom resources were checked");
    all.extend(errors);
    all.extend(check_built_environments(&repo_root().join("output"), &schemas).1);
    for case in fs::read_dir(fixtures().join("trees")).unwrap() {
        let expected = case.unwrap().path().join("expected");
        all.extend(check_tree(&expected, &schemas).1);
        all.extend(check_built_environments(&expected, &schemas).1);
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn the_validator_catches_a_misspelt_field() {
    let Some(schemas) = schemas_dir() else { return };
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(schemas.join("gateway.networking.k8s.io/httproute_v1.json")).unwrap(),
    )
    .unwrap();
    let doc = serde_json::json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "x"},
        "spec": {"parentRefs": [{"name": "gw", "sectionNme": "https"}]}
    });
    let mut errors = Vec::new();
    validate(&schema, &doc, "doc", &mut errors);
    assert!(
        errors.iter().any(|e| e.contains("sectionNme")),
        "{errors:?}"
    );
}
