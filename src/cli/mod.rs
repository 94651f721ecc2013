//! The command line: `render` writes the tree, `check` compares it,
//! `explain` explains a diagnostic code or a service, `graph` prints the
//! dependency graph, `new service` scaffolds a service file.
//!
//! Conventions: the platform's root is found upwards from the working
//! directory (or given with `--root`); paths are printed relative to it;
//! `--quiet` prints errors only, `--verbose` every file and each stage's
//! time; `--color` (auto honours NO_COLOR and CLICOLOR_FORCE). Exit codes:
//! 0 done or up to date, 1 drift, 2 errors in the sources, 3 an I/O failure.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{ColorChoice, Parser, Subcommand, ValueEnum};

mod explain;
mod print;
mod scaffold;

use print::Printer;

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
    /// The platform's root, holding platform.toml [default: the nearest
    /// directory upwards from here that holds one].
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
    /// Output directory [default: <root>/output].
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
    /// Print errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every file, and the time of each stage.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to colour messages (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile the sources and write the output tree (only files that changed).
    Render,
    /// Compile the sources and fail if the output tree differs (writes nothing).
    Check,
    /// Explain a diagnostic code (`E0108`), or a service: its edges both
    /// ways, wave, namespace, and every file generated for it.
    Explain { subject: String },
    /// Print the dependency graph (Mermaid, or DOT for Graphviz).
    Graph {
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Create a source file from a scaffold that renders and passes check.
    New {
        #[command(subcommand)]
        what: New,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Subcommand)]
pub enum New {
    /// `services/<name>.toml`: one HTTP port, a health check, resources.
    Service {
        name: String,
        /// Its category [default: the platform's last, the latest wave].
        #[arg(long)]
        category: Option<String>,
    },
}

/// Exit code of a check that found the tree stale.
pub const EXIT_DRIFT: u8 = 1;
/// Exit code of sources with errors (diagnostics printed).
pub const EXIT_INVALID: u8 = 2;
/// Exit code of a run that could not read or write what it needed.
pub const EXIT_IO: u8 = 3;

/// What a successful run found.
enum Outcome {
    Done,
    Drift,
}

/// Runs a parsed command line; errors are printed. `fix_hint` is the
/// command that brings a stale tree up to date.
pub fn run(cli: &Cli, fix_hint: &str) -> ExitCode {
    let printer = Printer::new(cli);
    match execute(cli, &printer, fix_hint) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Drift) => ExitCode::from(EXIT_DRIFT),
        Err(e) => {
            let invalid = e.downcast_ref::<crate::diag::Diagnostics>().is_some();
            printer.error(&e);
            ExitCode::from(if invalid { EXIT_INVALID } else { EXIT_IO })
        }
    }
}

fn execute(cli: &Cli, p: &Printer, fix_hint: &str) -> Result<Outcome> {
    if let Command::Explain { subject } = &cli.command
        && let Some((title, text)) = crate::diag::codes::explain(subject)
    {
        p.explanation(&subject.to_ascii_uppercase(), &title, &text);
        return Ok(Outcome::Done);
    }
    let root = find_root(cli.root.as_deref())?;
    let out = cli.out.clone().unwrap_or_else(|| root.join("output"));
    let shown = p.shown_out(&root, &out);
    match &cli.command {
        Command::Render => {
            let tree = p.compile(&root)?;
            let report = crate::output::write(&out, &tree)?;
            p.written(&shown, &report);
            for (dir, engine) in [
                (crate::layout::ARGOCD_DIR, "Argo CD"),
                (crate::layout::FLUX_DIR, "Flux"),
            ] {
                let prefix = format!("{dir}/");
                let removed = report.removed.iter().filter(|f| f.starts_with(&prefix));
                let gone = !tree.keys().any(|f| f.starts_with(&prefix));
                if let (n @ 1.., true) = (removed.count(), gone) {
                    p.engine_removed(engine, &shown, dir, n);
                }
            }
            Ok(Outcome::Done)
        }
        Command::Check => {
            let tree = p.compile(&root)?;
            let drift = crate::output::diff(&out, &tree)?;
            if drift.is_clean() {
                p.up_to_date(&shown, tree.len());
                Ok(Outcome::Done)
            } else {
                p.drift(&shown, &drift, fix_hint);
                Ok(Outcome::Drift)
            }
        }
        Command::Explain { subject } => {
            explain::service(&root, subject)?;
            Ok(Outcome::Done)
        }
        Command::Graph { format } => {
            let loaded = crate::load_checked(&root)?;
            let graph = crate::plan::graph(&loaded);
            print!(
                "{}",
                crate::render::graph(&graph, matches!(format, GraphFormat::Dot))?
            );
            Ok(Outcome::Done)
        }
        Command::New {
            what: New::Service { name, category },
        } => {
            let created = scaffold::service(&root, name, category.as_deref())?;
            p.created(&created, fix_hint);
            Ok(Outcome::Done)
        }
    }
}

/// The platform's root: `--root` as given, else the nearest directory
/// upwards from the working directory that holds platform.toml.
fn find_root(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(root) = given {
        if !root.join(crate::layout::PLATFORM_FILE).is_file() {
            bail!(
                "{} holds no {}: pass the platform's root with --root",
                root.display(),
                crate::layout::PLATFORM_FILE
            );
        }
        return Ok(root.to_path_buf());
    }
    let cwd = std::env::current_dir()?;
    for dir in cwd.ancestors() {
        if dir.join(crate::layout::PLATFORM_FILE).is_file() {
            return Ok(dir.to_path_buf());
        }
    }
    bail!(
        "no {} in {} or any directory above it: run platformc inside a platform, or pass --root",
        crate::layout::PLATFORM_FILE,
        cwd.display()
    )
}
