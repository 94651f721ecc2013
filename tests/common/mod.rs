//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod schema;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A platform root made of a fixture's files, with the shared
/// `tests/fixtures/platform.toml` unless the fixture brings its own.
pub fn fixture_root(case: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if !case.join("platform.toml").exists() {
        fs::copy(
            fixtures().join("platform.toml"),
            dir.path().join("platform.toml"),
        )
        .unwrap();
    }
    for entry in fs::read_dir(case).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "expected" || name == "expected.txt" {
            continue;
        }
        let target = dir.path().join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
    fs::create_dir_all(dir.path().join("services")).unwrap();
    dir
}

/// Every file under `dir`, relative, `/`-separated, sorted, with contents.
pub fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The paths whose presence or bytes differ between two trees, for an
/// assertion message that names them (never the bytes).
pub fn tree_differences(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) -> Vec<String> {
    let a: std::collections::BTreeMap<_, _> = a.iter().map(|(p, c)| (p, c)).collect();
    let b: std::collections::BTreeMap<_, _> = b.iter().map(|(p, c)| (p, c)).collect();
    let mut paths: Vec<&&String> = a.keys().chain(b.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| a.get(**p) != b.get(**p))
        .map(|p| p.to_string())
        .collect()
}

/// Modification times of every file under `dir`.
pub fn mtimes(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    read_tree(dir)
        .into_iter()
        .map(|(rel, _)| {
            let t = fs::metadata(dir.join(&rel)).unwrap().modified().unwrap();
            (rel, t)
        })
        .collect()
}

/// The command line `platformc --quiet --root <root> render`.
pub fn render_cli(root: &Path) -> platformc::cli::Cli {
    use clap::Parser;
    platformc::cli::Cli::parse_from([
        "platformc",
        "--quiet",
        "--root",
        root.to_str().unwrap(),
        "render",
    ])
}

/// Whether expected files should be rewritten instead of compared.
pub fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

/// Runs `kubectl kustomize` on every Kustomization directory under `dir`;
/// returns the failures. Without kubectl: a failure under CI=true, else a skip.
pub fn kustomize_all(dir: &Path) -> Vec<String> {
    let available = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return vec!["kubectl is not installed: CI must install it (see .ci/run)".into()];
        }
        eprintln!("SKIP: kubectl is not installed; kustomize builds were not checked");
        return vec![];
    }
    let mut failures = Vec::new();
    for (rel, bytes) in read_tree(dir) {
        if !rel.ends_with("kustomization.yaml") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        if text.contains("\nkind: Component\n") {
            continue;
        }
        let sub = dir.join(&rel);
        let sub = sub.parent().unwrap();
        let out = Command::new("kubectl")
            .arg("kustomize")
            .arg(sub)
            .output()
            .unwrap();
        if !out.status.success() {
            failures.push(format!("{rel}: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    failures
}

/// What `kubectl kustomize` builds of a directory (an environment's
/// overlay), document by document; None without kubectl.
pub fn built(dir: &Path) -> Option<Vec<serde_json::Value>> {
    let o = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .ok()?;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    Some(
        text.split("\n---\n")
            .map(|d| serde_saphyr::from_str(d).unwrap())
            .collect(),
    )
}
