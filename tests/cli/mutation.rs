//! Mutation test: real files truncated, with bytes flipped, and with zip members
//! dropped; `kpiroll check` on each must end with status 0 or 1, never a panic, and name
//! the file when it refuses it. Seeded and bounded: `KPIROLL_MUTATIONS` cases (default
//! 240; `just fuzz` runs thousands).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::common::{Work, R7_FORMS, SEED};

/// A small deterministic generator (xorshift), so every run mutates the same way.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn drop_member(bytes: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let skip = rng.below(zip.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        if i == skip {
            continue;
        }
        let mut f = zip.by_index(i).ok()?;
        let name = f.name().ok()?.to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).ok()?;
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .ok()?;
        out.write_all(&data).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// One mutant of `bytes`: cut short, bytes flipped, or a zip member dropped.
fn mutate(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, &'static str) {
    let mut m = bytes.to_vec();
    let how = match rng.below(3) {
        0 => {
            m.truncate(rng.below(bytes.len()));
            "truncated"
        }
        1 => {
            for _ in 0..1 + rng.below(16) {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
            "flipped"
        }
        _ => match drop_member(bytes, rng) {
            Some(d) => {
                m = d;
                "member dropped"
            }
            None => {
                m.truncate(bytes.len() / 2);
                "truncated"
            }
        },
    };
    (m, how)
}

fn bases(work: &Work) -> Vec<PathBuf> {
    crate::common::r6_book(work);
    work.run_status(&R7_FORMS, 0);
    let mut files = vec![
        work.path("R6.xlsx"),
        work.path("forms/R7_都市計画課.xlsx"),
        PathBuf::from(SEED),
    ];
    let ingest = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ingest");
    if let Ok(entries) = std::fs::read_dir(&ingest) {
        let mut more: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("xls" | "ods")))
            .collect();
        more.sort();
        files.extend(more);
    }
    files
}

#[test]
fn mutated_files_are_refused_or_read_never_a_panic() {
    let cases: usize = std::env::var("KPIROLL_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(240);
    let work = Work::new();
    let bases = bases(&work);
    let originals: Vec<(PathBuf, Vec<u8>)> = bases
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        .collect();
    let mut rng = Rng(0x6b70_6972_6f6c_6c21);
    let dir = work.path("mutants");
    std::fs::create_dir_all(&dir).unwrap();
    let mut refused = 0;
    for case in 0..cases {
        let (base, bytes) = &originals[case % originals.len()];
        let (m, how) = mutate(bytes, &mut rng);
        let ext = base.extension().unwrap().to_string_lossy().to_string();
        let name = format!("case{case:04}.{ext}");
        let path = dir.join(&name);
        std::fs::write(&path, &m).unwrap();
        let out = work.run(&["check", "--year", "R6", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "{name} ({how} {}): {stderr}",
            base.display()
        );
        match out.status.code() {
            Some(0) => {}
            Some(1) => {
                refused += 1;
                assert!(
                    stderr.contains(&name),
                    "{name} ({how}) named in the message: {stderr}"
                );
            }
            other => panic!(
                "{name} ({how} {}): status {other:?}\n{stderr}",
                base.display()
            ),
        }
        std::fs::remove_file(&path).unwrap();
    }
    assert!(
        refused > cases / 4,
        "most mutants are refused ({refused} of {cases})"
    );
}

/// The same mutants of the xlsx bases read in-process by kpiroll's own reader and by
/// calamine: where the own reader takes a file, calamine reads the same cells, or both
/// refuse it. (Where the own reader hands a file over, calamine is what reads it, so
/// the two cannot differ.)
#[test]
fn mutated_xlsx_read_by_both_readers_alike() {
    use kpiroll::read::grid::Limits;
    use kpiroll::read::{workbook, xlsx};
    let cases: usize = std::env::var("KPIROLL_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(240)
        * 4;
    let work = Work::new();
    let originals: Vec<(PathBuf, Vec<u8>)> = bases(&work)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .chain(["return.xlsx", "keys.xlsx"].iter().map(|f| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/ingest")
                .join(f)
        }))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let limits = Limits::default();
    let mut rng = Rng(0x6469_6666_6572_656e);
    let (mut taken, mut handed_over) = (0, 0);
    for case in 0..cases {
        let (base, bytes) = &originals[case % originals.len()];
        let (m, how) = mutate(bytes, &mut rng);
        let what = format!("case {case} ({how} {})", base.display());
        let Ok(own) = xlsx::read_xlsx(&m, &limits) else {
            handed_over += 1;
            continue;
        };
        let calamine = workbook::read_xlsx_calamine(&m, &limits);
        if own.iter().any(|g| g.over.is_some()) {
            assert!(
                calamine.map_or(true, |g| g.iter().any(|g| g.over.is_some())),
                "{what}: over a budget in kpiroll's reader, read by calamine"
            );
            continue;
        }
        let calamine = calamine
            .unwrap_or_else(|e| panic!("{what}: read by kpiroll's reader, calamine: {e:?}"));
        assert_eq!(own.len(), calamine.len(), "{what}: sheets");
        for (f, s) in own.iter().zip(&calamine) {
            assert_eq!(f.sheet, s.sheet, "{what}: sheet names");
            assert_eq!(f.rows, s.rows, "{what}: cells of {:?}", f.sheet);
            assert_eq!(f, s, "{what}: merged areas or names of {:?}", f.sheet);
        }
        taken += 1;
    }
    eprintln!(
        "{cases} xlsx mutants: {taken} read alike by both readers, {handed_over} handed over"
    );
    assert!(taken > 0 && handed_over > 0, "both paths were tried");
}
