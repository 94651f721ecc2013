//! A validator for the OpenAPI v3 subset CRD schemas use, reading the
//! operators' schemas from ../shared/crd-schemas (never copied here).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{read_tree, repo_root};

pub fn schemas_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/crd-schemas");
    dir.is_dir().then_some(dir)
}

/// Errors of `v` against the OpenAPI v3 subset CRDs use.
pub fn validate(schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => true,
        };
        let int_or_string = schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
        if !ok && !(int_or_string && (v.is_string() || v.is_i64())) {
            errors.push(format!("{path}: expected {t}, found {v}"));
            return;
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(v)
    {
        errors.push(format!("{path}: {v} is not one of {values:?}"));
    }
    if let (Some(max), Some(s)) = (schema.get("maxLength").and_then(Value::as_u64), v.as_str())
        && s.chars().count() as u64 > max
    {
        errors.push(format!("{path}: longer than {max}"));
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        errors.push(format!("{path}: below {min}"));
    }
    if let (Some(max), Some(n)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64())
        && n > max
    {
        errors.push(format!("{path}: above {max}"));
    }
    if let Some(obj) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str()
                && !obj.contains_key(r)
            {
                errors.push(format!("{path}: missing required field {r}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        let preserve =
            schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        for (k, child) in obj {
            let p = format!("{path}.{k}");
            if let Some(s) = props.and_then(|p| p.get(k)) {
                validate(s, child, &p, errors);
            } else if let Some(a) = additional.filter(|a| a.is_object()) {
                validate(a, child, &p, errors);
            } else if props.is_some() && !preserve && additional != Some(&Value::Bool(true)) {
                errors.push(format!("{p}: unknown field"));
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, child) in arr.iter().enumerate() {
            validate(items, child, &format!("{path}[{i}]"), errors);
        }
    }
}

/// Checks every custom resource of a tree; an overlay's patches are partial
/// documents, checked as their environments build them
/// ([`check_built_environments`]).
pub fn check_tree(dir: &Path, schemas: &Path) -> (usize, Vec<String>) {
    let docs = read_tree(dir)
        .into_iter()
        .filter(|(rel, _)| {
            rel.ends_with(".yaml") && !rel.rsplit('/').next().unwrap().starts_with("patch-")
        })
        .map(|(rel, bytes)| {
            let doc: Value = serde_saphyr::from_str(&String::from_utf8(bytes).unwrap()).unwrap();
            (rel, doc)
        })
        .collect();
    check_docs(docs, schemas)
}

/// Checks the custom resources of every environment of a tree, as `kubectl
/// kustomize overlays/<env>` builds them; none without kubectl.
pub fn check_built_environments(dir: &Path, schemas: &Path) -> (usize, Vec<String>) {
    let Ok(envs) = fs::read_dir(dir.join("overlays")) else {
        return (0, vec![]);
    };
    let mut docs = Vec::new();
    for env in envs {
        let env = env.unwrap().path();
        let Some(built) = super::built(&env) else {
            return (0, vec![]);
        };
        let name = env.file_name().unwrap().to_string_lossy().into_owned();
        for (i, d) in built.into_iter().enumerate() {
            docs.push((format!("overlays/{name} (document {i})"), d));
        }
    }
    check_docs(docs, schemas)
}

fn check_docs(docs: Vec<(String, Value)>, schemas: &Path) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut errors = Vec::new();
    for (rel, doc) in docs {
        let api = doc["apiVersion"].as_str().unwrap_or("");
        let Some((group, version)) = api.split_once('/') else {
            continue;
        };
        let kind = doc["kind"].as_str().unwrap_or("").to_lowercase();
        let file = schemas.join(group).join(format!("{kind}_{version}.json"));
        if !schemas.join(group).is_dir() {
            continue;
        }
        let Ok(text) = fs::read_to_string(&file) else {
            errors.push(format!(
                "{rel}: no schema for {api} {kind} in {}",
                file.display()
            ));
            continue;
        };
        let schema: Value = serde_json::from_str(&text).unwrap();
        validate(&schema, &doc, &rel, &mut errors);
        checked += 1;
    }
    (checked, errors)
}
