//! The hostile corpus (examples/make_hostile.rs) through `kpiroll check`, each file
//! beside a good return, within 512 MiB of memory and a watchdog of 5 s: refused with its
//! reason named, or taken; never an abort, a panic or a hang, and the good return beside
//! it read exactly as when it is read alone.
//!
//! Memory is the check's peak resident size, as GNU time measures it (`/usr/bin/time`,
//! whose fresh process starts the check: a child's peak would otherwise include this
//! test process's own memory), with the address space capped at twice that so a runaway
//! allocation aborts at once instead of eating the machine. The cap is not the measure
//! itself: mimalloc reserves address space ahead of use and keeps freed memory mapped a
//! while, so a check holding 300 MiB can have 600 MiB of address space mapped.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Work;

#[allow(dead_code)]
#[path = "../../examples/make_hostile.rs"]
pub mod make_hostile;

use make_hostile::{cases, Expect, GOOD_NAME};

/// The memory one check may hold at its peak.
const MEMORY_KIB: i64 = 512 * 1024;
/// The address space one check may map (see the module's doc).
const ADDRESS_SPACE_KIB: i64 = 2 * MEMORY_KIB;
/// How long one check may take.
const WATCHDOG: Duration = Duration::from_secs(5);

/// Writes the corpus (and the good return) into `dir`.
pub fn write_corpus(dir: &Path) {
    std::fs::write(dir.join(GOOD_NAME), make_hostile::good()).unwrap();
    for case in cases() {
        std::fs::write(dir.join(case.name), (case.make)()).unwrap();
    }
}

/// `kpiroll --lang en check files…` in `dir` under the address-space cap and the
/// watchdog: (exit status, stdout, stderr, seconds, peak memory in KiB). A check still
/// running at the watchdog is killed and fails the test; so does one ended by a signal.
fn capped_check(dir: &Path, files: &[&str]) -> (i32, String, String, f64, i64) {
    use std::os::unix::process::CommandExt;
    let peak = dir.join(".peak");
    let script = format!(
        "ulimit -v {ADDRESS_SPACE_KIB} && exec /usr/bin/time -f %M -o \"$PEAK\" \"$0\" \"$@\""
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_kpiroll"))
        .args(["--lang", "en", "check"])
        .args(files)
        .current_dir(dir)
        .env("PEAK", &peak)
        .env_remove("KPIROLL_TEMPLATES")
        .process_group(0)
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
            // SAFETY: a signal to the process group this test started
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            child.wait().unwrap();
            panic!("kpiroll check {files:?} still running after {WATCHDOG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = start.elapsed().as_secs_f64();
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    // time says how its command ended, then the peak (KiB) on its last line
    let report = std::fs::read_to_string(&peak).expect("time's report");
    assert!(
        !report.contains("signal"),
        "kpiroll check {files:?}: {report} (an abort)\n{stderr}"
    );
    let kib = report.lines().last().and_then(|l| l.trim().parse().ok());
    let code = status.code().expect("time exits");
    (code, stdout, stderr, seconds, kib.expect("a peak in KiB"))
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
    let (code, alone, stderr, _, _) = capped_check(dir, &[GOOD_NAME]);
    assert_eq!(code, 0, "the good return alone: {stderr}");
    let good = block(&alone, GOOD_NAME);
    assert_eq!(good.len(), 2, "one table: {alone}");
    assert!(good[1].contains(", 2 rows"), "{alone}");
    let mut failures = Vec::new();
    for case in cases() {
        let (code, stdout, stderr, seconds, kib) = capped_check(dir, &[GOOD_NAME, case.name]);
        let mut fail = |what: String| failures.push(format!("{}: {what}", case.name));
        if kib > MEMORY_KIB {
            fail(format!("{} MiB at its peak", kib / 1024));
        }
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
        eprintln!("{:>6.2} s {:>5} MiB  {}", seconds, kib / 1024, case.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
