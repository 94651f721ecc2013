//! What `render` and `check` do to an output directory: only changed files
//! are written, stale generated files are removed, foreign files are never
//! touched, and an error leaves everything as it was.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use platformc::output;

fn minimal() -> tempfile::TempDir {
    fixture_root(&fixtures().join("trees/minimal"))
}

fn render(root: &Path) -> output::WriteReport {
    let tree = platformc::compile(root).unwrap();
    output::write(&root.join("output"), &tree).unwrap()
}

fn drift(root: &Path) -> output::Drift {
    let tree = platformc::compile(root).unwrap();
    output::diff(&root.join("output"), &tree).unwrap()
}

#[test]
fn rerendering_unchanged_sources_touches_nothing() {
    let root = minimal();
    let first = render(root.path());
    assert!(!first.written.is_empty());
    let before = mtimes(&root.path().join("output"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = render(root.path());
    assert!(
        again.written.is_empty() && again.removed.is_empty(),
        "{again}"
    );
    assert_eq!(mtimes(&root.path().join("output")), before);
    assert!(drift(root.path()).is_clean());
}

#[test]
fn a_hand_edit_is_reported_by_name_and_repaired_by_render() {
    let root = minimal();
    render(root.path());
    let file = root.path().join("output/apps/api/deployment.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace("replicas: 2", "replicas: 3")).unwrap();

    let d = drift(root.path());
    assert_eq!(d.changed.len(), 1, "{d}");
    assert_eq!(d.changed[0].0, "apps/api/deployment.yaml");
    assert!(
        d.changed[0].1.contains("-  replicas: 3"),
        "{}",
        d.changed[0].1
    );
    assert!(
        d.changed[0].1.contains("+  replicas: 2"),
        "{}",
        d.changed[0].1
    );

    let report = render(root.path());
    assert_eq!(report.written, vec!["apps/api/deployment.yaml".to_string()]);
    assert!(drift(root.path()).is_clean());
}

#[test]
fn a_deleted_file_is_reported_missing() {
    let root = minimal();
    render(root.path());
    fs::remove_file(root.path().join("output/data/db/pvc.yaml")).unwrap();
    let d = drift(root.path());
    assert_eq!(d.added, vec!["data/db/pvc.yaml".to_string()]);
}

#[test]
fn removing_a_service_removes_its_files_and_nothing_else() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    fs::write(out.join("NOTES.md"), "mine\n").unwrap();
    fs::write(out.join("apps/api/extra.yaml"), "mine: true\n").unwrap();

    fs::remove_file(root.path().join("services/api.toml")).unwrap();
    let d = drift(root.path());
    assert!(
        d.removed.contains(&"apps/api/deployment.yaml".to_string()),
        "{d}"
    );
    assert!(
        !d.removed
            .iter()
            .any(|p| p.contains("extra") || p.contains("NOTES"))
    );

    let report = render(root.path());
    assert!(
        report
            .removed
            .contains(&"apps/api/service.yaml".to_string())
    );
    assert!(!out.join("apps/api/deployment.yaml").exists());
    assert_eq!(fs::read_to_string(out.join("NOTES.md")).unwrap(), "mine\n");
    assert!(
        out.join("apps/api/extra.yaml").exists(),
        "a foreign file was removed"
    );
    // check reports the files platformc did not write, and nothing else.
    let d = drift(root.path());
    assert_eq!(d.foreign, vec!["NOTES.md", "apps/api/extra.yaml"], "{d}");
    d.foreign
        .iter()
        .for_each(|p| fs::remove_file(out.join(p)).unwrap());
    assert!(drift(root.path()).is_clean());
}

#[test]
fn a_removed_service_takes_its_emptied_directory_with_it() {
    let root = minimal();
    render(root.path());
    fs::remove_file(root.path().join("services/api.toml")).unwrap();
    render(root.path());
    let out = root.path().join("output");
    assert!(!out.join("apps/api").exists());
    assert!(!out.join("apps").exists());
    assert!(out.join("data/db").exists());
}

#[test]
fn an_error_leaves_the_output_exactly_as_it_was() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    let before = read_tree(&out);
    let times = mtimes(&out);
    fs::write(root.path().join("services/api.toml"), "description = [\n").unwrap();
    let cli = render_cli(root.path());
    assert_eq!(
        platformc::cli::run(&cli, "render"),
        std::process::ExitCode::from(platformc::cli::EXIT_INVALID)
    );
    let touched = tree_differences(&read_tree(&out), &before);
    assert!(touched.is_empty(), "output/ was touched: {touched:?}");
    assert_eq!(mtimes(&out), times);
}

#[test]
fn the_checksum_file_verifies_with_sha256sum() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    let Ok(o) = std::process::Command::new("sha256sum")
        .args(["--check", "--quiet", platformc::layout::CHECKSUMS])
        .current_dir(&out)
        .output()
    else {
        eprintln!("SKIP: sha256sum is not installed");
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
