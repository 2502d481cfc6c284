//! `kpiroll demo`: the whole available cycle on the bundled fixture, so a new user sees
//! every output in one command: seed (R6 text) → R6 book → exports.

use std::path::PathBuf;

use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;
use crate::write::output::write_atomic;

/// Runs the cycle on the bundled fixtures and prints where it wrote what. The folder is
/// the demo's own: its files are replaced on every run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write into.
    #[arg(short, long, default_value = "kpiroll-demo")]
    pub output: PathBuf,
}

/// Runs the command.
///
/// # Errors
/// The folder cannot be written.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let dir = &args.output;
    let seed = dir.join("資料2-2_R6.txt");
    write_atomic(&seed, crate::SEED_R6, true)?;
    println!("1. 元の表（R6, テキスト）      {}", seed.display());

    let book = dir.join("R6.xlsx");
    let outcome = pipeline::consolidate(&[seed.clone()], FiscalYear(2024), &book, true, profile)?;
    print_report(&outcome.report, profile);
    let (_, taken, _, _) = outcome.counts();
    println!("2. R6 のブック（{taken} 行）       {}", book.display());

    let mut status = Status::of(&outcome.report);
    for ext in ["json", "csv", "parquet"] {
        let out = dir.join(format!("R6.{ext}"));
        let o = pipeline::export(&book, &out, true, profile)?;
        if Status::of(&o.report) == Status::Refused {
            status = Status::Refused;
        }
        println!("3. 書き出し（{ext}）            {}", out.display());
    }
    Ok(status)
}
