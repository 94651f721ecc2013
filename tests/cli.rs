//! The command line as a user meets it: root discovery, exit codes, quiet
//! and colour conventions, and the explain, graph and new commands.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn platformc(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_platformc"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn minimal() -> tempfile::TempDir {
    fixture_root(&fixtures().join("trees/minimal"))
}

#[test]
fn the_root_is_found_upwards_and_paths_are_shown_from_it() {
    let root = minimal();
    let o = platformc(&root.path().join("services"), &["render"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("output/: "), "{}", stdout(&o));
    let o = platformc(&root.path().join("services"), &["--verbose", "render"]);
    assert!(
        stdout(&o).contains("0 written") && stderr(&o).contains("verify:"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let nowhere = tempfile::tempdir().unwrap();
    let o = platformc(nowhere.path(), &["render"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("no platform.toml"), "{}", stderr(&o));
    let o = platformc(
        root.path(),
        &["--root", "/nonexistent", "--quiet", "render"],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).is_empty());
}

#[test]
fn exit_codes_tell_drift_from_broken_sources() {
    let root = minimal();
    let o = platformc(root.path(), &["--quiet", "render"]);
    assert!(o.status.success() && stdout(&o).is_empty() && stderr(&o).is_empty());
    assert_eq!(platformc(root.path(), &["check"]).status.code(), Some(0));
    fs::write(root.path().join("output/kustomization.yaml"), "edited\n").unwrap();
    assert_eq!(platformc(root.path(), &["check"]).status.code(), Some(1));
    fs::write(root.path().join("services/api.toml"), "description = [\n").unwrap();
    assert_eq!(platformc(root.path(), &["check"]).status.code(), Some(2));
}

#[test]
fn colours_follow_the_flag_and_no_color() {
    let root = minimal();
    fs::write(root.path().join("services/api.toml"), "description = [\n").unwrap();
    let always = platformc(root.path(), &["--color", "always", "check"]);
    assert!(stderr(&always).contains("\u{1b}["), "{}", stderr(&always));
    let never = platformc(root.path(), &["--color", "never", "check"]);
    assert!(!stderr(&never).contains("\u{1b}["));
    let no_color = Command::new(env!("CARGO_BIN_EXE_platformc"))
        .arg("check")
        .current_dir(root.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stderr(&no_color).contains("\u{1b}["));
}

#[test]
fn every_code_is_explained_by_the_command() {
    let root = minimal();
    for code in platformc::diag::codes::all() {
        let o = platformc(root.path(), &["explain", &code.to_lowercase()]);
        assert!(o.status.success(), "{code}");
        assert!(stdout(&o).starts_with(&format!("{code}: ")), "{code}");
    }
}

#[test]
fn explain_a_service_lists_its_edges_and_files() {
    let root = minimal();
    let o = platformc(root.path(), &["explain", "db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("used by:    api (postgresql)"), "{text}");
    assert!(text.contains("data/db/statefulset.yaml"), "{text}");
    let o = platformc(root.path(), &["explain", "dbb"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("did you mean `db`?"), "{}", stderr(&o));
}

#[test]
fn the_graph_has_every_service_and_edge() {
    let root = minimal();
    let loaded = platformc::load_checked(root.path()).unwrap();
    let mermaid = stdout(&platformc(root.path(), &["graph"]));
    let dot = stdout(&platformc(root.path(), &["graph", "--format", "dot"]));
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(dot.starts_with("digraph platform {"), "{dot}");
    for s in &loaded.services {
        assert!(dot.contains(&format!("\"{}\";", s.name)), "{dot}");
        for d in &s.file.depends_on {
            let edge = format!(
                "\"{}\" -> \"{}\" [label=\"{}\"];",
                s.name,
                d.service.get_ref(),
                d.port
                    .as_ref()
                    .map_or("completes first", |p| p.get_ref().as_str())
            );
            assert!(dot.contains(&edge), "{dot}");
        }
    }
}

#[test]
fn a_new_service_renders_and_passes_check() {
    let root = minimal();
    let o = platformc(root.path(), &["new", "service", "billing"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.path().join("services/billing.toml").exists());
    let o = platformc(root.path(), &["render"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(platformc(root.path(), &["check"]).status.code(), Some(0));
    let again = platformc(root.path(), &["new", "service", "billing"]);
    assert!(stderr(&again).contains("exists already"));
    let bad = platformc(root.path(), &["new", "service", "x", "--category", "ap"]);
    assert!(
        stderr(&bad).contains("unknown category `ap`"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn switching_engines_says_what_to_do_before_merging() {
    let root = tempfile::tempdir().unwrap();
    fs::copy(
        repo_root().join("platform.toml"),
        root.path().join("platform.toml"),
    )
    .unwrap();
    for dir in ["services", "releases"] {
        if repo_root().join(dir).exists() {
            copy_dir(&repo_root().join(dir), &root.path().join(dir));
        }
    }
    assert!(platformc(root.path(), &["render"]).status.success());
    // A new service scaffolded in Orbit passes check as it is.
    let o = platformc(root.path(), &["new", "service", "billing"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = platformc(root.path(), &["render"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p = root.path().join("platform.toml");
    let text = fs::read_to_string(&p).unwrap();
    fs::write(
        &p,
        text.replace("engines = [\"argocd\"]", "engines = [\"flux\"]"),
    )
    .unwrap();
    let o = platformc(root.path(), &["render"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Argo CD no longer deploys this platform")
            && stderr(&o).contains("Switching engines"),
        "{}",
        stderr(&o)
    );
}
