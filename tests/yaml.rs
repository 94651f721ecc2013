//! The rendered YAML says exactly what the plan says. Every document of
//! Orbit and of every tree fixture, written with platformc's scalar rule
//! (plain where safe, quoted where a reader would misread), reads back as the
//! same document with every scalar JSON-quoted, the form no YAML reader can
//! misread: with serde-saphyr (YAML 1.2) and with PyYAML (YAML 1.1, what
//! checkov reads with; go-yaml v2 behind `kubectl apply` shares its implicit
//! types). And the YAML-hostile fixture's values survive `kubectl kustomize`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use minijinja::{Environment, Error, UndefinedBehavior, Value};
use platformc::ir::Resource;
use platformc::render::{TEMPLATES, render_file};

/// JSON, with the characters YAML 1.1 takes for line breaks escaped (JSON
/// leaves them raw, and PyYAML would fold them to spaces).
fn json(value: &Value) -> Result<String, Error> {
    serde_json::to_string(value)
        .map(|s| {
            s.replace('\u{85}', "\\u0085")
                .replace('\u{2028}', "\\u2028")
                .replace('\u{2029}', "\\u2029")
        })
        .map_err(|e| Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// A document with the inline patches of a Component (YAML text the
/// template writes itself, its scalars through the same filters) replaced
/// by what they say.
fn parsed(text: &str) -> serde_json::Value {
    let mut doc: serde_json::Value = serde_saphyr::from_str(text).unwrap();
    if doc["kind"] == "Component" {
        for p in doc["patches"].as_array_mut().into_iter().flatten() {
            let inline: serde_json::Value =
                serde_saphyr::from_str(p["patch"].as_str().unwrap()).unwrap();
            p["patch"] = inline;
        }
    }
    doc
}

/// The templates with every value written as JSON: the reference.
fn json_quoting() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_filter("yaml", |v: Value| json(&v));
    env.add_filter("block", |v: Value, _indent: usize| json(&v));
    env.add_filter("yaml_tree", |v: Value, _indent: usize| {
        json(&v).map(|s| format!(" {s}"))
    });
    for (name, source) in TEMPLATES {
        env.add_template(name, source).unwrap();
    }
    env
}

/// Every platform root to render: this repository and each tree fixture.
fn roots() -> Vec<(String, PathBuf, Option<tempfile::TempDir>)> {
    let mut roots = vec![("orbit".to_string(), repo_root(), None)];
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures().join("trees"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let dir = fixture_root(&case);
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        roots.push((name, dir.path().to_path_buf(), Some(dir)));
    }
    roots
}

/// Both renderings of every YAML document of a root: (path, idiomatic,
/// reference).
fn renderings(root: &Path) -> Vec<(String, String, String)> {
    let (loaded, mut diags) = platformc::load::load(root);
    let loaded = loaded.expect("the platform loads");
    platformc::check::check(&loaded, &mut diags);
    assert!(diags.is_empty(), "{diags}");
    let ours = platformc::render::environment().unwrap();
    let reference = json_quoting();
    platformc::plan::plan(&loaded)
        .files
        .iter()
        .filter(|f| f.path.ends_with(".yaml") && !matches!(f.resource, Resource::Verbatim(_)))
        .map(|f| {
            (
                f.path.clone(),
                render_file(&ours, f).unwrap(),
                render_file(&reference, f).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_document_reads_back_as_its_json_quoted_reference() {
    let ours_dir = tempfile::tempdir().unwrap();
    let reference_dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, root, _keep) in roots() {
        for (path, ours, reference) in renderings(&root) {
            count += 1;
            let (a, b) = (parsed(&ours), parsed(&reference));
            if a != b {
                failures.push(format!("{name}/{path}: YAML 1.2 reads\n{a}\nnot\n{b}"));
            }
            let rel = format!("{name}/{path}");
            for (dir, text) in [(&ours_dir, &ours), (&reference_dir, &reference)] {
                let file = dir.path().join(&rel);
                fs::create_dir_all(file.parent().unwrap()).unwrap();
                fs::write(file, text).unwrap();
            }
        }
    }
    assert!(count > 300, "only {count} documents were compared");
    failures.extend(pyyaml_differences(ours_dir.path(), reference_dir.path()));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Files PyYAML (YAML 1.1) reads differently in `ours` and `reference`.
/// Without PyYAML: a failure under CI=true, else a skip.
fn pyyaml_differences(ours: &Path, reference: &Path) -> Vec<String> {
    let script = r#"
import os, sys, yaml
ours, ref = sys.argv[1], sys.argv[2]
for root, _, files in os.walk(ref):
    for f in sorted(files):
        r = os.path.join(root, f)
        o = os.path.join(ours, os.path.relpath(r, ref))
        a = list(yaml.safe_load_all(open(o, encoding="utf-8")))
        b = list(yaml.safe_load_all(open(r, encoding="utf-8")))
        for doc in a + b:
            if doc.get("kind") == "Component":
                for p in doc["patches"]:
                    p["patch"] = yaml.safe_load(p["patch"])
        if a != b:
            print(os.path.relpath(r, ref) + ": YAML 1.1 reads " + repr(a) + " not " + repr(b))
"#;
    let available = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return vec!["PyYAML is not installed: CI must install it (see .ci/run)".into()];
        }
        eprintln!("SKIP: PyYAML is not installed; the YAML 1.1 read-back was not checked");
        return vec![];
    }
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(ours)
        .arg(reference)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn hostile_values_survive_kustomize() {
    let case = fixtures().join("trees/yaml-hostile");
    let root = fixture_root(&case);
    let source: toml::Table =
        toml::from_str(&fs::read_to_string(case.join("services/edge.toml")).unwrap()).unwrap();
    let tree = platformc::compile(root.path()).unwrap();
    let out = root.path().join("output");
    platformc::output::write(&out, &tree).unwrap();
    let Some(built) = kustomize_build(&out.join("apps/edge")) else {
        return;
    };
    let docs: Vec<serde_json::Value> = built
        .split("\n---\n")
        .map(|d| serde_saphyr::from_str(d).unwrap())
        .collect();
    let data = |name: &str| {
        docs.iter()
            .find(|d| d["metadata"]["name"] == name)
            .map(|d| d["data"].clone())
            .unwrap()
    };
    let env = source["env"].as_table().unwrap();
    assert!(env.len() > 50);
    for (k, v) in env {
        assert_eq!(data("edge-config")[k], v.as_str().unwrap(), "env {k}");
    }
    let files = source["config_files"][0]["files"].as_table().unwrap();
    for (k, v) in files {
        assert_eq!(data("edge-files")[k], v.as_str().unwrap(), "file {k}");
    }
}

/// `kubectl kustomize dir`; None (a skip) without kubectl outside CI.
fn kustomize_build(dir: &Path) -> Option<String> {
    let failures = kustomize_all(dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}
