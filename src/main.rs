//! The `kpiroll` binary: parse the command line, run it, exit with its status.

use clap::Parser;

/// mimalloc, not the system allocator: faster for the many small strings of a run, and
/// it gives freed memory back (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kpiroll::cli::run(kpiroll::cli::Cli::parse())
}
