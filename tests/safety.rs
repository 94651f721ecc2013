//! The output tree is safe (issue 14's reproducers): render never writes or
//! deletes outside output/, one writer at a time, crash-clean, and `check`
//! sees every difference; sources read the same on every checkout, and
//! every file under services/ is accounted for.

#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;
use platformc::layout::{CHECKSUMS, PENDING};

fn minimal() -> tempfile::TempDir {
    fixture_root(&fixtures().join("trees/minimal"))
}

fn platformc(root: &Path, command: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_platformc"));
    c.arg("--root")
        .arg(root)
        .arg(command)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(root: &Path, command: &str) -> Output {
    platformc(root, command).output().unwrap()
}

fn render(root: &Path) {
    let o = run(root, "render");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn drift(root: &Path) -> platformc::output::Drift {
    let tree = platformc::compile(root).unwrap();
    platformc::output::diff(&root.join("output"), &tree).unwrap()
}

/// A directory outside the platform with a file in it.
fn victim() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bashrc");
    fs::write(&file, "precious\n").unwrap();
    (dir, file)
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(fs::read(path).unwrap()))
}

#[test]
fn a_crafted_checksum_line_through_a_link_deletes_nothing_outside() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    let (dir, file) = victim();
    symlink(dir.path(), out.join("evil")).unwrap();
    // Even with the victim's real digest, and a zero one.
    let mut sums = fs::read_to_string(out.join(CHECKSUMS)).unwrap();
    sums.push_str(&format!("{}  evil/bashrc\n", sha256(&file)));
    sums.push_str(&format!("{}  evil/.bashrc\n", "0".repeat(64)));
    fs::write(out.join(CHECKSUMS), sums).unwrap();
    let o = run(root.path(), "render");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious\n");
    // check names the link as a file platformc did not write.
    assert!(drift(root.path()).foreign.contains(&"evil".to_string()));
}

#[test]
fn a_linked_directory_in_the_tree_is_refused_and_its_target_untouched() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    let (dir, file) = victim();
    fs::remove_dir_all(out.join("base")).unwrap();
    symlink(dir.path(), out.join("base")).unwrap();
    let o = run(root.path(), "render");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("base") && err.contains("symbolic link"),
        "{err}"
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious\n");
    let d = drift(root.path());
    assert_eq!(
        d.misplaced,
        vec![("base".to_string(), "a symbolic link".to_string())],
        "{d}"
    );
}

#[test]
fn stale_files_behind_a_linked_directory_are_not_deleted() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    // The data category's files, moved outside and linked back in.
    let outside = tempfile::tempdir().unwrap();
    copy_dir(&out.join("data"), outside.path());
    fs::remove_dir_all(out.join("data")).unwrap();
    symlink(outside.path(), out.join("data")).unwrap();
    fs::remove_file(root.path().join("services/db.toml")).unwrap();
    fs::write(
        root.path().join("services/api.toml"),
        fs::read_to_string(root.path().join("services/api.toml"))
            .unwrap()
            .split("[[depends_on]]")
            .next()
            .unwrap(),
    )
    .unwrap();
    render(root.path());
    assert!(outside.path().join("db/statefulset.yaml").exists());
}

#[test]
fn a_dangling_link_in_place_of_a_generated_file_is_replaced() {
    let root = minimal();
    render(root.path());
    let file = root.path().join("output/apps/api/service.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::remove_file(&file).unwrap();
    symlink("/nonexistent/target", &file).unwrap();
    assert!(
        drift(root.path())
            .misplaced
            .contains(&("apps/api/service.yaml".into(), "a symbolic link".into()))
    );
    render(root.path());
    assert!(
        !fs::symlink_metadata(&file)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
    assert!(drift(root.path()).is_clean());
}

#[test]
fn check_sees_every_difference_and_never_aborts() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    fs::write(out.join("apps/api/notes.yaml"), "mine: true\n").unwrap();
    fs::set_permissions(
        out.join("apps/api/deployment.yaml"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    // A file swapped for a link to identical content.
    let svc = out.join("apps/api/service.yaml");
    let copy = root.path().join("service-copy.yaml");
    fs::copy(&svc, &copy).unwrap();
    fs::remove_file(&svc).unwrap();
    symlink(&copy, &svc).unwrap();
    // A file replaced by a directory.
    let pvc = out.join("data/db/pvc.yaml");
    fs::remove_file(&pvc).unwrap();
    fs::create_dir(&pvc).unwrap();
    fs::write(pvc.join("inside"), "x").unwrap();
    let d = drift(root.path());
    assert_eq!(d.foreign, vec!["apps/api/notes.yaml"], "{d}");
    assert_eq!(d.modes, vec!["apps/api/deployment.yaml"], "{d}");
    assert!(
        d.misplaced
            .contains(&("apps/api/service.yaml".into(), "a symbolic link".into()))
    );
    assert!(
        d.misplaced
            .contains(&("data/db/pvc.yaml".into(), "a directory".into()))
    );
    // The command line reports drift with exit code 1.
    let o = run(root.path(), "check");
    assert_eq!(o.status.code(), Some(1));
    // render repairs what it owns, and refuses the directory it cannot.
    let o = run(root.path(), "render");
    assert!(!o.status.success());
    fs::remove_dir_all(&pvc).unwrap();
    render(root.path());
    let d = drift(root.path());
    assert_eq!(d.foreign, vec!["apps/api/notes.yaml"], "{d}");
    assert!(d.modes.is_empty() && d.misplaced.is_empty(), "{d}");
}

/// Edits every file's header: the owner appears in all of them.
fn toggle_owner(root: &Path, round: usize) {
    let p = root.join("platform.toml");
    let text = fs::read_to_string(&p).unwrap();
    let owner = text.lines().find(|l| l.starts_with("owner")).unwrap();
    fs::write(
        &p,
        text.replace(owner, &format!("owner = \"team-{round}\"")),
    )
    .unwrap();
}

#[test]
fn two_renders_at_once_leave_a_correct_tree() {
    let root = minimal();
    render(root.path());
    for round in 0..8 {
        toggle_owner(root.path(), round);
        let a = platformc(root.path(), "render").spawn().unwrap();
        let b = platformc(root.path(), "render").spawn().unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success() && b.status.success(), "round {round}");
        let d = drift(root.path());
        assert!(d.is_clean(), "round {round}: {d}");
    }
}

#[test]
fn concurrent_renders_are_serialised() {
    let root = minimal();
    render(root.path());
    for round in 0..6 {
        toggle_owner(root.path(), round);
        let children: Vec<_> = (0..3)
            .map(|_| platformc(root.path(), "render").spawn().unwrap())
            .collect();
        for c in children {
            assert!(c.wait_with_output().unwrap().status.success());
        }
        assert!(drift(root.path()).is_clean(), "round {round}");
        let sums = root.path().join("output").join(CHECKSUMS);
        let o = Command::new("sha256sum")
            .args(["--check", "--quiet"])
            .arg(&sums)
            .current_dir(root.path().join("output"))
            .output();
        if let Ok(o) = o {
            assert!(o.status.success(), "round {round}");
        }
    }
}

#[test]
fn a_render_killed_mid_write_is_repaired_by_the_next() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    for round in 0..12 {
        toggle_owner(root.path(), round);
        let mut child = platformc(root.path(), "render").spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis((round as u64 * 7) % 40));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the kill left, check does not say "up to date" unless it is.
        let d = drift(root.path());
        let leftovers = read_tree(&out)
            .iter()
            .any(|(p, _)| p.ends_with(".platformc-tmp") || p.ends_with(PENDING));
        assert!(!(leftovers && d.is_clean()), "round {round}: {d}");
        render(root.path());
        let d = drift(root.path());
        assert!(d.is_clean(), "round {round}: {d}");
        assert!(
            !read_tree(&out)
                .iter()
                .any(|(p, _)| p.contains("platformc-tmp"))
        );
    }
}

#[test]
fn leftovers_of_an_interrupted_render_are_reported_and_cleaned() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    fs::write(
        out.join("apps/api/.deployment.yaml.1-0.platformc-tmp"),
        "half",
    )
    .unwrap();
    fs::write(out.join(PENDING), "").unwrap();
    let d = drift(root.path());
    assert_eq!(d.leftovers.len(), 2, "{d}");
    render(root.path());
    assert!(drift(root.path()).is_clean());
    assert!(!out.join(PENDING).exists());
}

/// Renders with writes limited to `bytes` per file: a real I/O error (EFBIG)
/// in the middle of the write, even as root.
fn render_with_file_size_limit(root: &Path, bytes: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = platformc(root, "render");
    // SAFETY: setrlimit and signal are async-signal-safe.
    unsafe {
        c.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    c.output().unwrap()
}

#[test]
fn an_io_error_mid_write_leaves_no_false_checksum_file() {
    let root = minimal();
    render(root.path());
    let out = root.path().join("output");
    // Two replicas to three changes the deployment (about 3 KB): the
    // pending record (under 3 KB) fits the limit, the deployment does not.
    let api = root.path().join("services/api.toml");
    let text = fs::read_to_string(&api).unwrap();
    fs::write(&api, text.replace("replicas = 2", "replicas = 3")).unwrap();
    let o = render_with_file_size_limit(root.path(), 2900);
    assert!(!o.status.success(), "the limit did not bite");
    // The checksum file, if present, never lies about the tree.
    if out.join(CHECKSUMS).exists() {
        let sums = Command::new("sha256sum")
            .args(["--check", "--quiet", CHECKSUMS])
            .current_dir(&out)
            .output()
            .unwrap();
        assert!(sums.status.success());
    }
    assert!(!drift(root.path()).is_clean());
    render(root.path());
    assert!(drift(root.path()).is_clean());
}

#[test]
fn crlf_sources_compile_to_the_same_bytes() {
    let lf = platformc::compile(&repo_root()).unwrap();
    let copy = tempfile::tempdir().unwrap();
    let crlf = |from: &Path, to: &Path| {
        let text = fs::read_to_string(from).unwrap();
        fs::write(to, text.replace('\n', "\r\n")).unwrap();
    };
    crlf(
        &repo_root().join("platform.toml"),
        &copy.path().join("platform.toml"),
    );
    for dir in ["services", "releases"] {
        fs::create_dir(copy.path().join(dir)).unwrap();
        for e in fs::read_dir(repo_root().join(dir)).unwrap() {
            let e = e.unwrap();
            crlf(&e.path(), &copy.path().join(dir).join(e.file_name()));
        }
    }
    for dir in ["secrets"] {
        if repo_root().join(dir).exists() {
            copy_dir(&repo_root().join(dir), &copy.path().join(dir));
        }
    }
    let tree = platformc::compile(copy.path()).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(tree == lf, "CRLF sources compile to other bytes");
}

fn error_of(root: &Path) -> String {
    match platformc::compile(root) {
        Ok(_) => panic!("compiled"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn every_entry_of_services_is_accounted_for() {
    let root = minimal();
    let services = root.path().join("services");
    symlink(services.join("db.toml"), services.join("linked.toml")).unwrap();
    use std::os::unix::ffi::OsStrExt;
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.toml");
    fs::write(services.join(odd), "x").unwrap();
    let err = error_of(root.path());
    assert!(
        err.contains("services/linked.toml is a symbolic link"),
        "{err}"
    );
    assert!(err.contains("is not valid UTF-8"), "{err}");
}

#[test]
fn a_file_that_is_not_utf8_is_reported_at_the_bad_byte() {
    let root = minimal();
    let mut bytes = fs::read(root.path().join("services/api.toml")).unwrap();
    let at = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    let line2: Vec<u8> = b"# caf\xe9\n".to_vec();
    bytes.splice(at..at, line2);
    fs::write(root.path().join("services/api.toml"), bytes).unwrap();
    let err = error_of(root.path());
    assert!(err.contains("services/api.toml:2:6"), "{err}");
}

#[test]
fn a_newline_in_a_header_field_stays_a_comment() {
    let root = minimal();
    let p = root.path().join("platform.toml");
    let text = fs::read_to_string(&p).unwrap();
    let owner = text.lines().find(|l| l.starts_with("owner")).unwrap();
    fs::write(
        &p,
        text.replace(owner, "owner = \"\"\"team\nplatform\"\"\""),
    )
    .unwrap();
    let tree = platformc::compile(root.path()).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(tree["apps/api/deployment.yaml"].contains("# Owner: team platform\n"));
}
