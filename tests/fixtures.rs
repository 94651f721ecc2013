//! Data-driven tests: every folder under tests/fixtures/errors holds sources
//! and the exact diagnostics they produce (expected.txt); every folder under
//! tests/fixtures/trees holds sources and the exact tree they compile to
//! (expected/). `UPDATE_EXPECT=1 cargo test` rewrites the expectations.

mod common;

use std::fs;
use std::path::PathBuf;

use common::*;

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(fixtures().join(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no fixtures under {kind}");
    v
}

#[test]
fn every_error_fixture_gives_its_diagnostics_and_writes_nothing() {
    let mut failures = Vec::new();
    for case in cases("errors") {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let root = fixture_root(&case);
        let out = root.path().join("output");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("keep.yaml"), "untouched: true\n").unwrap();
        let before = read_tree(&out);

        let cli = render_cli(root.path());
        let code = platformc::cli::run(&cli, "render");
        let err = match platformc::compile(root.path()) {
            Ok(_) => {
                failures.push(format!("{name}: compiled without error"));
                continue;
            }
            Err(e) => format!("{e:#}\n"),
        };
        assert_eq!(
            code,
            std::process::ExitCode::from(platformc::cli::EXIT_INVALID),
            "{name}: exit code"
        );
        let touched = tree_differences(&read_tree(&out), &before);
        assert!(
            touched.is_empty(),
            "{name}: output/ was touched: {touched:?}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");

        let expected_path = case.join("expected.txt");
        if updating() {
            fs::write(&expected_path, &err).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != err {
            failures.push(format!("{name}:\n--- expected\n{expected}\n--- got\n{err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_tree_fixture_compiles_to_its_expected_tree() {
    let mut failures = Vec::new();
    for case in cases("trees") {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let root = fixture_root(&case);
        let tree = match platformc::compile(root.path()) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: {e:#}"));
                continue;
            }
        };
        let expected_dir = case.join("expected");
        if updating() {
            let _ = fs::remove_dir_all(&expected_dir);
            platformc::output::write(&expected_dir, &tree).unwrap();
            continue;
        }
        let got: Vec<(String, Vec<u8>)> = tree
            .iter()
            .map(|(p, c)| (p.clone(), c.as_bytes().to_vec()))
            .collect();
        let want = read_tree(&expected_dir);
        if got != want {
            let drift = platformc::output::diff(&expected_dir, &tree).unwrap();
            failures.push(format!("{name}:\n{drift}"));
        }
        failures.extend(kustomize_all(&expected_dir));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A ConfigMap over 1 MiB (the API server's limit) is refused: generated
/// here rather than committed as a 1 MiB fixture.
#[test]
fn a_configmap_over_one_mib_is_refused() {
    let case = fixtures().join("errors/later-wave-dependency");
    let root = fixture_root(&case);
    let web = root.path().join("services/web.toml");
    let text = fs::read_to_string(&web).unwrap();
    let big = "x".repeat(1024 * 1024);
    fs::write(&web, format!("{text}\n[env]\nBLOB = \"{big}\"\n")).unwrap();
    let err = format!("{:#}", platformc::compile(root.path()).unwrap_err());
    assert!(
        err.contains("error[E0315]: the service's ConfigMap (`env`) holds 1048580 bytes"),
        "{}",
        &err[..err.len().min(2000)]
    );
}
