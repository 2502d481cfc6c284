//! The `kpiroll` binary: parse the command line, run it, exit with its status.

use clap::Parser;

fn main() -> std::process::ExitCode {
    kpiroll::cli::run(kpiroll::cli::Cli::parse())
}
