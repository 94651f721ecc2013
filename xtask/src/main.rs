//! `cargo xtask <command>`: the repository's own tasks.
//!
//! - any platformc command (`render`, `check`, `explain`, `graph`, `new`),
//!   with its flags: the platform is found upwards from the working
//!   directory, so `cargo xtask render` in examples/orion renders ORION.
//! - `scan`: the checkov scanner over output/; fails on any finding.
//! - `bench [DIR]`: render synthetic platforms of 20, 200 and 2000 services
//!   into DIR and report time, memory and the `cp -r` floor.

mod bench;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use platformc::cli::{Cli, run};

pub(crate) fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let task = |result: anyhow::Result<()>| match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    };
    match args.first().map(String::as_str) {
        Some("scan") => task(scan::run(&root)),
        Some("bench") => task(bench::run(&args[1..])),
        None | Some("help") => {
            eprintln!(
                "usage: cargo xtask <platformc command and flags | scan | bench [DIR] [--sizes 20,200,2000] [--keep]>\n\n  render, check, explain, graph, new …  platformc itself (`cargo xtask render --help`); the platform is found upwards from here\n  scan    run the checkov scanner over output/ (installs it on first use)\n  bench   measure synthetic platforms rendered into DIR (default: a temporary directory)"
            );
            ExitCode::FAILURE
        }
        Some(_) => {
            let cli = Cli::parse_from(std::iter::once("platformc".to_string()).chain(args));
            run(&cli, "cargo xtask render")
        }
    }
}
