//! `cargo xtask <command>`: the repository's own tasks.
//!
//! - `render`: compile platform.toml and services/ into output/.
//! - `check`: the drift check; fails when output/ is not what the sources
//!   compile to.
//! - `scan`: the checkov scanner over output/; fails on any finding.
//! - `bench [DIR]`: render synthetic platforms of 20, 200 and 2000 services
//!   into DIR and report time, memory and the `cp -r` floor.

mod bench;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use platformc::cli::{Cli, Command, run};

pub(crate) fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let command = match args.first().map(String::as_str) {
        Some("render") => Command::Render,
        Some("check") => Command::Check,
        Some("scan") => {
            return match scan::run(&root) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        Some("bench") => {
            return match bench::run(&args[1..]) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <render | check | scan | bench [DIR] [--sizes 20,200,2000] [--keep]>\n\n  render  compile platform.toml and services/ into output/\n  check   fail if output/ differs from what the sources compile to\n  scan    run the checkov scanner over output/ (installs it on first use)\n  bench   measure synthetic platforms rendered into DIR (default: a temporary directory)"
            );
            return ExitCode::FAILURE;
        }
    };
    let cli = Cli {
        root,
        out: None,
        command,
    };
    run(&cli, "cargo xtask render")
}
