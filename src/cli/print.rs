//! What the command line prints, and how: results to stdout, errors and
//! progress to stderr, styled with anstyle and stripped of their styles
//! where colours are off (anstream decides: `--color`, NO_COLOR,
//! CLICOLOR_FORCE, a terminal or not); `--quiet` keeps errors only,
//! `--verbose` adds every file and each stage's time.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anstyle::Style;
use anyhow::Result;

use super::Cli;
use crate::diag::{Diagnostics, Palette};
use crate::output::{Drift, WriteReport};
use crate::render::Tree;

/// Prints to stderr, without styles unless colours are on there.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        if anstream::AutoStream::choice(&std::io::stderr()) == anstream::ColorChoice::Never {
            std::eprintln!("{}", anstream::adapter::strip_str(&text));
        } else {
            std::eprintln!("{text}");
        }
    }};
}

/// Prints to stdout, without styles unless colours are on there.
macro_rules! println {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        if anstream::AutoStream::choice(&std::io::stdout()) == anstream::ColorChoice::Never {
            std::println!("{}", anstream::adapter::strip_str(&text));
        } else {
            std::println!("{text}");
        }
    }};
}

/// A run that has not finished after this long says what it is doing.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);

pub struct Printer {
    quiet: bool,
    verbose: bool,
}

impl Printer {
    pub fn new(cli: &Cli) -> Printer {
        let choice = match cli.color {
            clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
            clap::ColorChoice::Always => anstream::ColorChoice::Always,
            clap::ColorChoice::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
        Printer {
            quiet: cli.quiet,
            verbose: cli.verbose,
        }
    }

    /// The output directory as the user knows it: relative to the root when
    /// inside it (`output`), else as given.
    pub fn shown_out(&self, root: &Path, out: &Path) -> String {
        out.strip_prefix(root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| out.display().to_string())
    }

    /// Compiles, saying so when it takes a while, and timing each stage
    /// under `--verbose`.
    pub fn compile(&self, root: &Path) -> Result<Tree> {
        let (done, waiting) = mpsc::channel::<()>();
        let quiet = self.quiet;
        let shown = root.display().to_string();
        std::thread::scope(|s| {
            s.spawn(move || {
                if waiting.recv_timeout(PROGRESS_AFTER).is_err() && !quiet {
                    eprintln!("compiling {shown}…");
                }
            });
            let verbose = self.verbose;
            let result = crate::compile_timed(root, &mut |stage, took| {
                if verbose {
                    eprintln!("  {stage}: {} ms", took.as_millis());
                }
            });
            let _ = done.send(());
            result
        })
    }

    pub fn written(&self, out: &str, r: &WriteReport) {
        if self.quiet {
            return;
        }
        if self.verbose {
            for p in &r.written {
                println!("  wrote   {out}/{p}");
            }
            for p in &r.removed {
                println!("  removed {out}/{p}");
            }
        }
        for p in &r.kept {
            eprintln!(
                "{}: kept {out}/{p}: no longer generated, but edited since; remove it yourself",
                warning()
            );
        }
        for p in &r.cleaned {
            println!("  cleaned {out}/{p} (left by an interrupted render)");
        }
        println!(
            "{out}/: {} written, {} removed, {} unchanged",
            r.written.len(),
            r.removed.len(),
            r.unchanged
        );
    }

    /// An engine's whole directory went away: the cluster still runs what
    /// it deployed, and must be handed over before the change is merged.
    pub fn engine_removed(&self, engine: &str, out: &str, dir: &str, files: usize) {
        eprintln!(
            "{}: {engine} no longer deploys this platform: its {files} files under {out}/{dir}/ were removed. Before merging, detach what it deployed so nothing is pruned: see \"Switching engines\" in {out}/README.md",
            warning()
        );
    }

    pub fn up_to_date(&self, out: &str, files: usize) {
        if !self.quiet {
            println!("{out}/ is up to date ({files} files)");
        }
    }

    pub fn drift(&self, out: &str, drift: &Drift, fix_hint: &str) {
        if !self.quiet {
            println!("{drift}");
        }
        eprintln!(
            "{}: {out}/ is not what the sources compile to; run `{fix_hint}` and commit the result",
            error_label()
        );
    }

    pub fn created(&self, path: &str, fix_hint: &str) {
        if !self.quiet {
            println!("created {path}: describe the service, then run `{fix_hint}`");
        }
    }

    pub fn explanation(&self, code: &str, title: &str, text: &str) {
        let bold = Style::new().bold();
        println!("{bold}{code}: {title}{bold:#}\n\n{text}");
    }

    pub fn error(&self, e: &anyhow::Error) {
        match e.downcast_ref::<Diagnostics>() {
            Some(d) => {
                let mut text = String::new();
                let _ = d.write(&mut text, &Palette::colored());
                eprintln!("{text}");
            }
            None => eprintln!("{}: {e:#}", error_label()),
        }
    }
}

fn error_label() -> String {
    let red = Palette::colored().error;
    format!("{red}error{red:#}")
}

fn warning() -> String {
    let yellow = Style::new()
        .fg_color(Some(anstyle::AnsiColor::BrightYellow.into()))
        .bold();
    format!("{yellow}warning{yellow:#}")
}
