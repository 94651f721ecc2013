//! `cargo xtask scan`: runs the checkov scanner (a pinned version, installed
//! from PyPI into target/checkov-venv on first use) over what would be
//! applied — output/ and each environment's overlay, built with `kubectl
//! kustomize` (an overlay's patches are not manifests by themselves) — and
//! fails on any finding. Findings the platform accepts are skipped in the manifests
//! themselves, each with its reason (`checkov.io/skip` annotations generated
//! from platform.toml's scanner exceptions and the services' exceptions).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

const CHECKOV: &str = "checkov==3.3.30";

pub fn run(root: &Path) -> Result<()> {
    let venv = root.join("target/checkov-venv");
    let checkov = venv.join("bin/checkov");
    if !checkov.exists() {
        eprintln!("installing {CHECKOV} into {}", venv.display());
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()?
            .success()
            && Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", CHECKOV])
                .status()?
                .success();
        if !ok {
            bail!("could not install {CHECKOV} (python3 with venv and pip are needed)");
        }
    }
    let built = root.join("target/scan");
    let _ = std::fs::remove_dir_all(&built);
    std::fs::create_dir_all(&built)?;
    let mut targets = vec![("platform".to_string(), root.join("output"))];
    if let Ok(envs) = std::fs::read_dir(root.join("output/overlays")) {
        let mut envs: Vec<_> = envs.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        envs.sort();
        for env in envs {
            let name = env
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            targets.push((name, env));
        }
    }
    for (name, dir) in &targets {
        let o = Command::new("kubectl")
            .arg("kustomize")
            .arg(dir)
            .output()
            .context("cannot run kubectl (needed to build the overlays)")?;
        if !o.status.success() {
            bail!(
                "kubectl kustomize {} failed:\n{}",
                dir.display(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::fs::write(built.join(format!("{name}.yaml")), o.stdout)?;
    }
    let out = Command::new(&checkov)
        .args([
            "--framework",
            "kubernetes",
            "--quiet",
            "--compact",
            "--output",
            "json",
            "--directory",
        ])
        .arg(&built)
        .current_dir(root)
        .output()
        .context("cannot run checkov")?;
    let report: Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "checkov printed no report:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let reports = match report {
        Value::Array(v) => v,
        v => vec![v],
    };
    let mut failed = 0;
    for r in &reports {
        let s = &r["summary"];
        println!(
            "checkov {}: {} passed, {} failed, {} skipped with a stated reason, {} resources",
            s["checkov_version"].as_str().unwrap_or("?"),
            s["passed"],
            s["failed"],
            s["skipped"],
            s["resource_count"]
        );
        for f in r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            failed += 1;
            println!(
                "  {} {}: {} ({})",
                f["check_id"].as_str().unwrap_or("?"),
                f["file_path"].as_str().unwrap_or("?"),
                f["check_name"].as_str().unwrap_or("?"),
                f["resource"].as_str().unwrap_or("?")
            );
        }
    }
    if failed > 0 {
        bail!(
            "{failed} scanner findings: fix them, or state why in platform.toml [[scanner_exceptions]] or the service's [[exceptions]]"
        );
    }
    Ok(())
}
