//! The `kpiroll` binary: parse the command line, run it, exit with its status.

/// mimalloc, not the system allocator: faster for the many small strings of a run, and
/// it gives freed memory back (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tune_memory();
    // Windows: a double-click or a drop onto kpiroll.exe is no typed command line
    #[cfg(windows)]
    return kpiroll::cli::desktop::start(&std::env::args_os().collect::<Vec<_>>());
    #[cfg(not(windows))]
    kpiroll::cli::run(kpiroll::cli::help::parse())
}

/// Memory from the system, taken in small pages and kept a while once freed. A run
/// allocates and frees gigabytes in small pieces (every cell of every return); with
/// transparent huge pages on (Debian's default, `always`), each region mimalloc gave back
/// and touched again cost a fresh 2 MiB page zeroed by the kernel: a fifth of the CPU
/// of a national run went to `clear_page`. Measured at L (`KPIROLL_MEMORY=system` keeps
/// the system's and mimalloc's defaults, to compare): see the README's performance section.
fn tune_memory() {
    if std::env::var_os("KPIROLL_MEMORY").is_some_and(|v| v == "system") {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and changes only this
    // process's page policy; a failure leaves the default
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // SAFETY: setting an option of the allocator, before the threads start
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
    }
}

/// How long freed memory stays with the process before it goes back to the system
/// (mimalloc's default is 10 ms).
const PURGE_DELAY_MS: std::os::raw::c_long = 1000;
/// `mi_option_purge_delay` in mimalloc.h (v2 and v3; libmimalloc-sys does not name it)
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
