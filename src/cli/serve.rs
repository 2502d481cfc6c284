//! `kpiroll serve`: the clerks' local web page ([`crate::serve`]), started from the
//! command line.

use std::path::Path;

use super::Status;
use crate::error::Error;
use crate::profile::Profile;

/// Starts the web page on 127.0.0.1 and opens it in the default browser; runs until
/// Ctrl+C. The page's texts are the catalogue's `[web]` block.
///
/// Examples:
///   kpiroll serve
///   kpiroll serve --port 8717 --no-open
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The port to listen on; a free one by default.
    #[arg(long)]
    pub port: Option<u16>,
    /// Do not open the browser (the address is printed).
    #[arg(long)]
    pub no_open: bool,
}

/// Runs the command: the server in the working folder until Ctrl+C.
///
/// # Errors
/// The port cannot be bound, the server cannot run.
pub fn run(args: Args, profile: &Profile, templates: Option<&Path>) -> Result<Status, Error> {
    let options = crate::serve::Options {
        port: args.port,
        open: !args.no_open,
        dir: std::path::PathBuf::from("."),
    };
    crate::serve::start(&options, profile, templates)?;
    Ok(Status::Ok)
}
