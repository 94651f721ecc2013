use std::process::ExitCode;

use clap::Parser;
use platformc::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    run(&cli, "platformc render")
}
