//! The hostile corpus (examples/make_hostile.rs) through `kpiroll check`, each file
//! beside a good return, under a memory cap (512 MiB of address space) and a watchdog
//! (5 s): refused with its reason named, or taken; never an abort, a panic or a hang, and
//! the good return beside it read exactly as when it is read alone.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Work;

#[allow(dead_code)]
#[path = "../../examples/make_hostile.rs"]
pub mod make_hostile;

use make_hostile::{cases, Expect, GOOD_NAME};

/// The address space kpiroll may use for one check.
const MEMORY_KIB: u64 = 512 * 1024;
/// How long one check may take.
const WATCHDOG: Duration = Duration::from_secs(5);

/// Writes the corpus (and the good return) into `dir`.
pub fn write_corpus(dir: &Path) {
    std::fs::write(dir.join(GOOD_NAME), make_hostile::good()).unwrap();
    for case in cases() {
        std::fs::write(dir.join(case.name), (case.make)()).unwrap();
    }
}

/// `kpiroll --lang en check files…` in `dir` under the memory cap and the watchdog:
/// (exit status, stdout, stderr, seconds). A check still running at the watchdog is
/// killed and fails the test.
fn capped_check(dir: &Path, files: &[&str]) -> (i32, String, String, f64) {
    let script = format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\"");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_kpiroll"))
        .args(["--lang", "en", "check"])
        .args(files)
        .current_dir(dir)
        .env_remove("KPIROLL_TEMPLATES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    // the pipes are drained on threads of their own (a full pipe would stall the check)
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > WATCHDOG {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("kpiroll check {files:?} still running after {WATCHDOG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = start.elapsed().as_secs_f64();
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    let code = status.code().unwrap_or_else(|| {
        panic!("kpiroll check {files:?} ended by a signal ({status:?}): an abort\n{stderr}")
    });
    (code, stdout, stderr, seconds)
}

/// The lines `check` prints for `file`: its path line and the indented table lines under
/// it.
fn block(stdout: &str, file: &str) -> Vec<String> {
    let mut lines = stdout.lines().skip_while(|l| *l != file);
    let mut out: Vec<String> = lines.next().into_iter().map(str::to_string).collect();
    out.extend(
        lines
            .take_while(|l| l.starts_with("  "))
            .map(str::to_string),
    );
    out
}

#[test]
fn every_hostile_file_is_refused_or_read_in_bounded_time_and_memory() {
    let work = Work::new();
    let dir = work.dir.path();
    write_corpus(dir);
    let (code, alone, stderr, _) = capped_check(dir, &[GOOD_NAME]);
    assert_eq!(code, 0, "the good return alone: {stderr}");
    let good = block(&alone, GOOD_NAME);
    assert_eq!(good.len(), 2, "one table: {alone}");
    assert!(good[1].contains(", 2 rows"), "{alone}");
    let mut failures = Vec::new();
    for case in cases() {
        let (code, stdout, stderr, seconds) = capped_check(dir, &[GOOD_NAME, case.name]);
        let mut fail = |what: String| failures.push(format!("{}: {what}", case.name));
        if stderr.contains("panicked") {
            fail(format!("a panic\n{stderr}"));
        }
        if block(&stdout, GOOD_NAME) != good {
            fail(format!(
                "the good return read differently beside it\n{stdout}"
            ));
        }
        match case.expect {
            Expect::Refused(says) => {
                let line = stderr.lines().find(|l| l.starts_with(case.name));
                if code != 1 || !line.is_some_and(|l| l.contains(says)) {
                    fail(format!(
                        "expected refused saying «{says}», exit {code}\n{stderr}"
                    ));
                }
            }
            Expect::Taken => {
                let mut mine = block(&stdout, case.name);
                if let Some(path) = mine.first_mut() {
                    *path = GOOD_NAME.to_string();
                }
                if code != 0 || mine != good {
                    fail(format!(
                        "expected taken as the good return, exit {code}\n{stdout}\n{stderr}"
                    ));
                }
            }
        }
        eprintln!("{:>6.2} s  {}", seconds, case.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
