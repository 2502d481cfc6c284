//! `kpiroll demo`: the whole available cycle on the bundled fixtures, so a new user sees
//! every output in one command: the seed (R6 table as text) → the R6 book → exports →
//! the R7 forms (one per 課) → the R7 returns of `fixtures/R7/returns` (standing in for
//! the filled forms) → the consolidated R7 book (with 変更点, 取込ログ, 提出状況) → the
//! council handout → the R6 → R7 diff (達成率, grades).

use std::path::{Path, PathBuf};

use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;
use crate::renames::Renames;
use crate::write::output::write_atomic;

/// The R7 returns and renames of the repository's fixtures (the demo needs the source
/// tree for them; the seed is compiled in).
const R7_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/R7");

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
    println!("1. 元の表（R6, テキスト）          {}", seed.display());

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
    println!("2. R6 のブック（{taken} 行）           {}", book.display());

    for ext in ["json", "csv", "parquet"] {
        let out = dir.join(format!("R6.{ext}"));
        let o = pipeline::export(&book, &out, true, true, profile)?;
        note(Status::of(&o.report));
        println!("3. 書き出し（{ext}）                {}", out.display());
    }

    let fixtures = Path::new(R7_FIXTURES);
    let returns_src = fixtures.join("returns");
    if !returns_src.is_dir() {
        println!(
            "（{} がないため、R7 の集計は省きました）",
            returns_src.display()
        );
        return Ok(status);
    }
    let renames = Renames::load(&fixtures.join("renames.toml"))?;
    let forms = dir.join("R7_forms");
    let rolled = pipeline::rollover(
        &book,
        FiscalYear(2025),
        &forms,
        &renames,
        None,
        None,
        true,
        profile,
    )?;
    println!(
        "4. R7 の各課への様式（{} 課）        {}",
        rolled.forms.len(),
        forms.display()
    );

    // the departments' filled returns: the fixture's, as if typed into those forms
    let returns = dir.join("R7_returns");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&returns_src)
        .map_err(|source| Error::Write {
            path: returns_src.clone(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for f in &files {
        let bytes = std::fs::read(f).map_err(|source| Error::Write {
            path: f.clone(),
            source,
        })?;
        write_atomic(
            &returns.join(f.file_name().unwrap_or_default()),
            &bytes,
            true,
        )?;
    }
    println!(
        "5. R7 の各課の提出（{} ファイル）     {}",
        files.len(),
        returns.display()
    );

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
    let changed = done.consolidated.changed_rows();
    println!(
        "6. R7 のブック（変更 {changed} 行、変更点・取込ログ・提出状況つき） {}",
        r7.display()
    );

    let handout = dir.join("資料2-2_R7.xlsx");
    let o = pipeline::handout(&r7, &handout, true, profile)?;
    note(Status::of(&o.report));
    println!("7. 議会配布用（一覧のみ）           {}", handout.display());

    let diff_out = dir.join("R6-R7_diff.xlsx");
    let (diff, report) = pipeline::diff(
        &[book.clone(), r7.clone()],
        Some(&fixtures.join("renames.toml")),
        profile,
    )?;
    print_report(&report, profile);
    note(Status::of(&report));
    pipeline::write_diff(&diff, &diff_out, true, profile)?;
    let c = diff.counts();
    println!(
        "8. R6 → R7 の比較（変更 {} 行・追加 {} 行・削除 {} 行、達成率と評価つき） {}",
        c.changed,
        c.added,
        c.removed,
        diff_out.display()
    );
    Ok(status)
}
