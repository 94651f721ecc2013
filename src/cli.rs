//! The command line: `render` writes the tree, `check` compares it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "platformc",
    version,
    about = "Compile a typed platform description into a Kubernetes GitOps tree",
    long_about = "Compile platform.toml and services/*.toml into plain YAML under output/: \
                  a Kustomize tree with one resource per file, every file verified, \
                  byte-identical on every machine."
)]
pub struct Cli {
    /// Directory holding platform.toml and services/.
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,
    /// Output directory [default: <root>/output].
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile the sources and write the output tree (only files that changed).
    Render,
    /// Compile the sources and fail if the output tree differs (writes nothing).
    Check,
}

impl Cli {
    fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("output"))
    }
}

/// Exit code of a check that found the tree stale.
pub const EXIT_DRIFT: u8 = 1;
/// Exit code of sources with errors (diagnostics printed).
pub const EXIT_INVALID: u8 = 2;
/// Exit code of a run that could not read or write what it needed.
pub const EXIT_IO: u8 = 3;

/// Runs a parsed command line; errors are printed. Exit codes: 0 done (or
/// up to date), 1 drift, 2 invalid sources, 3 an I/O failure.
pub fn run(cli: &Cli, fix_hint: &str) -> ExitCode {
    match execute(cli, fix_hint) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(EXIT_DRIFT),
        Err(e) => {
            eprintln!("{e:#}");
            if e.downcast_ref::<crate::diag::Diagnostics>().is_some() {
                ExitCode::from(EXIT_INVALID)
            } else {
                ExitCode::from(EXIT_IO)
            }
        }
    }
}

fn execute(cli: &Cli, fix_hint: &str) -> Result<bool> {
    let tree = crate::compile(&cli.root)?;
    let out = cli.out_dir();
    match cli.command {
        Command::Render => {
            let report = crate::output::write(&out, &tree)?;
            println!("{report}");
            Ok(true)
        }
        Command::Check => {
            let drift = crate::output::diff(&out, &tree)?;
            if drift.is_clean() {
                println!("{} is up to date ({} files)", out.display(), tree.len());
                Ok(true)
            } else {
                println!("{drift}");
                eprintln!(
                    "error: {} is not what the sources compile to; run `{fix_hint}` and commit the result",
                    out.display()
                );
                Ok(false)
            }
        }
    }
}
