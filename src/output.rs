//! Writing outputs safely: to a temporary file in the target folder, renamed into place,
//! so a reader never sees half a file; an existing output is kept unless `--force`, and
//! only a regular file is ever replaced (never a device, a pipe or a folder).
//!
//! The temporary file is named `.kpiroll-XXXXXX.tmp` and locked while it is written. A
//! run killed while writing leaves it behind: the next write into that folder removes
//! such files of kpiroll's own naming that are regular files, untouched for
//! [`STALE_AFTER`] and not locked by a writer still at work.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::error::Error;

/// How long a temporary file of kpiroll's naming is left alone before it is taken for
/// a killed run's.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// The temporary file's name: this prefix, six letters or digits, this suffix.
const TEMP_PREFIX: &str = ".kpiroll-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether `name` is a temporary file of kpiroll's naming (also the earlier naming,
/// without the suffix).
pub fn is_own_temp(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(TEMP_PREFIX) else {
        return false;
    };
    let rest = rest.strip_suffix(TEMP_SUFFIX).unwrap_or(rest);
    rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// An existing output is kept unless `force` ([`Error::OutputExists`]); one that is not
/// a regular file (a device, a named pipe, a folder) is never replaced
/// ([`Error::OutputNotRegular`]).
///
/// # Errors
/// As above.
pub fn refuse_existing(path: &Path, force: bool) -> Result<(), Error> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if !meta.is_file() {
        return Err(Error::OutputNotRegular {
            path: path.to_path_buf(),
        });
    }
    refuse_overwrite(path, force)
}

/// An existing file at `path` is kept unless `force` ([`Error::OutputExists`]), whatever
/// it is: for a run that checks all its outputs before writing any, and leaves a path
/// that is no regular file to fail on its own when it is written.
///
/// # Errors
/// As above.
pub fn refuse_overwrite(path: &Path, force: bool) -> Result<(), Error> {
    if !force && path.exists() {
        return Err(Error::OutputExists {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Whether two paths name the same file (device and inode: links and other spellings
/// of the same path included). A path that does not exist is no file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// [`Error::OutputExists`] when `path` exists and `force` is false;
/// [`Error::OutputNotRegular`] when it is not a regular file; [`Error::OutputInUse`]
/// when the file there cannot be replaced (open in Excel); [`Error::Write`] when the
/// folder cannot be written.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    refuse_existing(path, force)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let write_err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(write_err)?;
    remove_stale_temps(dir);
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(6);
    // the mode a plain new file gets (0666 less the umask), not a temporary file's 0600:
    // the book is shared with colleagues, not private to whoever ran kpiroll
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(write_err)?;
    // held until the file is renamed into place or removed: a run in the same folder
    // meanwhile leaves it alone
    lock(tmp.as_file());
    tmp.write_all(bytes).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    // checked again just before the rename: nothing but a regular file is replaced
    refuse_existing(path, force)?;
    tmp.persist(path).map_err(|e| replace_err(path, e.error))?;
    Ok(())
}

/// Why the finished file could not take the place of `path`: [`Error::OutputInUse`]
/// when a file is there and the system refuses to replace it (on Windows, a workbook
/// open in Excel: access denied, or a sharing or lock violation), else
/// [`Error::Write`].
fn replace_err(path: &Path, source: std::io::Error) -> Error {
    // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
    let in_use = cfg!(windows) && matches!(source.raw_os_error(), Some(32 | 33));
    if (in_use || source.kind() == std::io::ErrorKind::PermissionDenied) && path.is_file() {
        Error::OutputInUse {
            path: path.to_path_buf(),
            source,
        }
    } else {
        Error::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Takes an exclusive lock on `file` without waiting; whether it was taken.
fn lock(file: &std::fs::File) -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor this process holds open; it only sets a lock
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        true
    }
}

/// Removes temporary files a killed run left in `dir` (see the module doc). Anything
/// else, and anything in doubt, is left.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_own_temp) {
            continue;
        }
        // a regular file itself, not a link to one
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !old {
            continue;
        }
        let path = entry.path();
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            libc::O_NOFOLLOW | libc::O_NONBLOCK,
        );
        let Ok(file) = options.open(&path) else {
            continue;
        };
        if file.metadata().is_ok_and(|m| m.is_file()) && lock(&file) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_there_the_system_will_not_replace_is_in_use_else_the_folder_is_unwritable() {
        let dir = tempfile::tempdir().unwrap();
        let there = dir.path().join("book.xlsx");
        std::fs::write(&there, b"x").unwrap();
        let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(matches!(
            replace_err(&there, denied()),
            Error::OutputInUse { path, .. } if path == there
        ));
        // nothing there to replace: the folder's fault
        assert!(matches!(
            replace_err(&dir.path().join("new.xlsx"), denied()),
            Error::Write { .. }
        ));
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(matches!(replace_err(&there, full), Error::Write { .. }));
    }

    #[cfg(unix)]
    #[test]
    fn outputs_get_the_mode_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        let out = dir.path().join("out.xlsx");
        write_atomic(&out, b"x", false).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), mode(&plain));
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        write_atomic(&path, b"one", false).unwrap();
        assert!(matches!(
            write_atomic(&path, b"two", false),
            Err(Error::OutputExists { .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn stale_temporary_files_of_its_own_naming_go_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        let make = |name: &str, age: std::time::SystemTime| {
            let path = dir.path().join(name);
            let file = std::fs::File::create(&path).unwrap();
            file.set_modified(age).unwrap();
            path
        };
        let stale = make(".kpiroll-a1B2c3.tmp", old);
        let stale_earlier = make(".kpiroll-Zz9yY8", old);
        let fresh = make(".kpiroll-q1w2e3.tmp", std::time::SystemTime::now());
        let other = make(".kpiroll-notes.txt", old);
        let locked = make(".kpiroll-l0cked.tmp", old);
        let held = std::fs::File::open(&locked).unwrap();
        assert!(lock(&held));
        // the lock is set on the file after its times
        std::fs::File::options()
            .write(true)
            .open(&locked)
            .unwrap()
            .set_modified(old)
            .unwrap();
        write_atomic(&dir.path().join("out.xlsx"), b"x", false).unwrap();
        assert!(!stale.exists() && !stale_earlier.exists());
        assert!(fresh.exists() && other.exists() && locked.exists());
        drop(held);
        assert!(is_own_temp(".kpiroll-a1B2c3.tmp") && !is_own_temp(".kpiroll-a1B2c.tmp"));
    }
}
