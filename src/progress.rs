//! Progress bars on stderr, hidden when stderr is not a terminal (pipes, tests, CI).

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Redraws a second: enough for a person to see it move; more only costs the terminal
/// (the benchmark measures the bar's cost beside a run without it).
const DRAWS: u8 = 4;

/// A bar of `len` steps labelled `what`; hidden unless stderr is a terminal, and for a
/// single step (last year's book is read beside the returns: one bar, not two).
pub fn bar(len: u64, what: &str) -> ProgressBar {
    if len <= 1 || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr_with_hz(DRAWS));
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// A spinner labelled `what` for a step with no count (merging, writing a workbook);
/// hidden unless stderr is a terminal. Call `finish_and_clear` when done.
pub fn spinner(what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(DRAWS));
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(what.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(1000 / u64::from(DRAWS)));
    spinner
}

/// A stage's wall time, printed to stderr when it ends if `KPIROLL_TIMINGS` is set
/// (`just bench` and BENCHMARKS.md use it to say where the time goes).
pub struct Stage {
    what: &'static str,
    started: std::time::Instant,
}

/// Starts timing `what`; the time is printed when the returned guard is dropped.
pub fn stage(what: &'static str) -> Stage {
    Stage {
        what,
        started: std::time::Instant::now(),
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if std::env::var_os("KPIROLL_TIMINGS").is_some() {
            // resident memory now and at its peak so far (Linux; blank elsewhere)
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let mib = |field: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(field))
                    .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                    .map_or_else(String::new, |kib| format!("{} MiB", kib / 1024))
            };
            // a closed stderr is not a reason to stop the run
            let _ = writeln!(
                std::io::stderr(),
                "kpiroll: {} {:.3} s (resident {}, peak {})",
                self.what,
                self.started.elapsed().as_secs_f64(),
                mib("VmRSS:"),
                mib("VmHWM:")
            );
        }
    }
}
