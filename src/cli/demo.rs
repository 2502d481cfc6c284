//! `kpiroll demo`: the whole available cycle on the bundled fixtures, so a new user sees
//! every output in one command: the seed (R6 table as text) → the R6 book → exports →
//! the R7 forms (one per 課) → the R7 returns of `fixtures/R7/returns` (standing in for
//! the filled forms) → the consolidated R7 book (with 変更点, 取込ログ, 提出状況) → the
//! council handout → the R6 → R7 diff (達成率, grades).
//!
//! Unlike the other commands, which make one pipeline call each, the demo walks the
//! cycle stage by stage and so calls the pipeline several times.
//!
//! Everything the demo reads is inside the binary (the seed, the R7 returns and
//! renames), so an installed or copied binary runs the whole cycle anywhere.

use std::path::PathBuf;

use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::output::write_atomic;
use crate::pipeline;
use crate::profile::Profile;
use crate::renames::Renames;

/// The R7 returns of `fixtures/R7/returns`, compiled in: (file name, bytes).
macro_rules! r7_returns {
    ($($name:literal,)*) => {
        &[$((
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/R7/returns/", $name)),
        ),)*]
    };
}

/// The R7 returns (a test checks the list is the whole folder).
const R7_RETURNS: &[(&str, &[u8])] = r7_returns!(
    "こども家庭課.tsv",
    "まちづくり推進課.tsv",
    "スポーツ振興課.tsv",
    "企業誘致推進課.tsv",
    "企画政策室.tsv",
    "保育課.tsv",
    "健幸保健課.tsv",
    "医療保険課.tsv",
    "各支所市民窓口課.tsv",
    "商工観光課.tsv",
    "国際政策課.tsv",
    "学校教育課.tsv",
    "市民活動支援課.tsv",
    "市民課.tsv",
    "建設政策課.tsv",
    "教育総務課.tsv",
    "特産品振興・ふるさと応援課.tsv",
    "生涯学習課.tsv",
    "産業イノベーション課.tsv",
    "税務課.tsv",
    "行政管理課.tsv",
    "農林振興課.tsv",
    "都市計画課.tsv",
    "高齢者支援課.tsv",
);

/// The R7 組織改正 of `fixtures/R7/renames.toml`, compiled in.
const R7_RENAMES: &[u8] = include_bytes!("../../fixtures/R7/renames.toml");

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
    let mut status = Status::Ok;
    let mut note = |s: Status| {
        if s == Status::Refused {
            status = Status::Refused;
        }
    };
    let seed = dir.join("資料2-2_R6.txt");
    write_atomic(&seed, crate::SEED_R6, true)?;
    step(profile, "seed", &[], &seed);

    let book = dir.join("R6.xlsx");
    let outcome = pipeline::consolidate(
        std::slice::from_ref(&seed),
        FiscalYear(2024),
        &book,
        true,
        profile,
    )?;
    print_report(&outcome.report, profile);
    note(Status::of(&outcome.report));
    let (_, taken, _, _) = outcome.counts();
    step(profile, "book", &[("rows", &taken.to_string())], &book);

    for ext in ["json", "csv", "parquet"] {
        let out = dir.join(format!("R6.{ext}"));
        let o = pipeline::export(&book, &out, true, true, profile)?;
        note(Status::of(&o.report));
        step(profile, "export", &[("format", ext)], &out);
    }

    let renames_file = dir.join("renames.toml");
    write_atomic(&renames_file, R7_RENAMES, true)?;
    let renames = Renames::load(&renames_file)?;
    let forms = dir.join("R7_forms");
    let rolled = pipeline::rollover(
        &book,
        FiscalYear(2025),
        &forms,
        &renames,
        None,
        None,
        None,
        true,
        profile,
    )?;
    let count = rolled.forms.len().to_string();
    step(profile, "forms", &[("forms", &count)], &forms);

    // the departments' filled returns: the fixture's, as if typed into those forms
    let returns = dir.join("R7_returns");
    for (name, bytes) in R7_RETURNS {
        write_atomic(&returns.join(name), bytes, true)?;
    }
    let files = R7_RETURNS.len().to_string();
    step(profile, "returns", &[("files", &files)], &returns);

    let r7 = dir.join("R7.xlsx");
    let done = pipeline::consolidate_with_prev(
        std::slice::from_ref(&returns),
        &book,
        &renames,
        FiscalYear(2025),
        profile,
    )?;
    print_report(&done.outcome.report, profile);
    note(Status::of(&done.outcome.report));
    pipeline::write_working(&done, &r7, true, profile)?;
    let changed = done.consolidated.changed_rows().to_string();
    let sheets = ["sheet_changes", "sheet_log", "sheet_status"]
        .map(|id| profile.message(id, &[]))
        .join(&profile.message("demo.sheet_separator", &[]));
    step(
        profile,
        "working",
        &[("changed", &changed), ("sheets", &sheets)],
        &r7,
    );

    let handout = dir.join("資料2-2_R7.xlsx");
    let o = pipeline::handout(&r7, &handout, true, profile)?;
    note(Status::of(&o.report));
    step(profile, "handout", &[], &handout);

    let diff_out = dir.join("R6-R7_diff.xlsx");
    let (diff, report) = pipeline::diff(&[book.clone(), r7.clone()], Some(&renames_file), profile)?;
    print_report(&report, profile);
    note(Status::of(&report));
    pipeline::write_diff(&diff, &diff_out, true, profile)?;
    let c = diff.counts();
    let counts = [c.changed, c.added, c.removed].map(|n| n.to_string());
    step(
        profile,
        "diff",
        &[
            ("changed", &counts[0]),
            ("added", &counts[1]),
            ("removed", &counts[2]),
        ],
        &diff_out,
    );
    Ok(status)
}

/// One step's line on stdout: the catalogue's `demo.<id>`, filled, with where it wrote.
fn step(profile: &Profile, id: &str, args: &[(&str, &str)], path: &std::path::Path) {
    let path = path.display().to_string();
    let mut args = args.to_vec();
    args.push(("path", &path));
    let line = profile.message(&format!("demo.{id}"), &args);
    outln!("{}", crate::problem::shown(&line));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_returns_are_the_whole_fixture_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/R7/returns");
        let mut on_disk: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .expect("fixtures/R7/returns")
            .map(|e| {
                let e = e.expect("entry");
                let name = e.file_name().to_string_lossy().to_string();
                (name, std::fs::read(e.path()).expect("read"))
            })
            .collect();
        on_disk.sort();
        let compiled: Vec<(String, Vec<u8>)> = R7_RETURNS
            .iter()
            .map(|(n, b)| ((*n).to_string(), b.to_vec()))
            .collect();
        assert_eq!(compiled, on_disk);
    }
}
