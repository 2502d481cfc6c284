//! The inputs found: folders walked (each once, links inside them not followed), lock
//! and hidden files (a leading dot, or Windows' hidden mark) passed over, only regular
//! files read (links, pipes and devices listed as skipped with their reason), in path
//! order.

use std::path::{Path, PathBuf};

use super::sniff;
use crate::error::Error;
use crate::problem::{Location, ProblemKind, Report, Skip, Unreadable};

/// A path not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: Skip,
}

/// The inputs expanded: the files to read (sorted by path) and what was skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

/// Expands folders into the files kpiroll reads, sorted by path; what is skipped (see
/// [`find_inputs`]) is listed in `report`: a file in a folder that is no table kpiroll
/// reads (a PDF, a Word document, an image) with its extension; a link, a named pipe or
/// a device as not taken.
///
/// # Errors
/// A path given on the command line that does not exist.
pub fn expand_inputs(inputs: &[PathBuf], report: &mut Report) -> Result<Vec<PathBuf>, Error> {
    let found = find_inputs(inputs)?;
    for Skipped { path, why } in found.skipped {
        let kind = match why {
            Skip::NotATable => ProblemKind::NotATable {
                ext: sniff::extension(&path),
            },
            why => ProblemKind::Skipped { why },
        };
        report.push(Location::file(&path), kind);
    }
    Ok(found.files)
}

/// The files to read among `inputs`, sorted by path, and what is skipped, with why.
///
/// Only regular files are read. A path named on the command line is taken as named
/// (a link to a file or folder is followed); inside a folder, links are not followed
/// and each folder is walked once, so a walk ends whatever links and mounts it meets.
/// A link, a named pipe, a device with a table's extension, a link to a folder, a
/// folder reached twice and a file that is no table are listed in [`Inputs::skipped`].
///
/// # Errors
/// A path given on the command line that does not exist.
pub fn find_inputs(inputs: &[PathBuf]) -> Result<Inputs, Error> {
    let mut found = Inputs::default();
    let mut walked = Walked::default();
    for input in inputs {
        let Ok(meta) = std::fs::metadata(input) else {
            return Err(Error::InputNotFound {
                path: input.clone(),
            });
        };
        if meta.is_dir() {
            if walked.first_time(input, &meta) {
                walk(input, &mut found, &mut walked);
            }
        } else if meta.is_file() {
            found.files.push(input.clone());
        } else {
            found.skipped.push(Skipped {
                path: input.clone(),
                why: Skip::NotRegular,
            });
        }
    }
    found.files.sort();
    found.files.dedup();
    found.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    found.skipped.dedup();
    Ok(found)
}

/// The folders walked, by identity, not by name: device and inode on Unix; elsewhere
/// (Windows) the full path with links and `..` resolved, so `R7` and `.\R7` are one folder.
#[derive(Default)]
pub(super) struct Walked(std::collections::HashSet<FolderId>);

#[cfg(unix)]
type FolderId = (u64, u64);
#[cfg(not(unix))]
type FolderId = std::path::PathBuf;

impl Walked {
    /// Whether the folder at `path` (`meta` its metadata) is met for the first time (and
    /// note it).
    fn first_time(&mut self, path: &Path, meta: &std::fs::Metadata) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            self.0.insert((meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            self.0
                .insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
        }
    }
}

/// Whether Windows marks the entry hidden, as it does Excel's `~$` lock files,
/// `desktop.ini` and `Thumbs.db`: passed over like a dot-file elsewhere, never reported.
#[cfg(windows)]
fn hidden(entry: &std::fs::DirEntry) -> bool {
    use std::os::windows::fs::MetadataExt;
    /// FILE_ATTRIBUTE_HIDDEN
    const HIDDEN: u32 = 0x2;
    entry
        .metadata()
        .is_ok_and(|meta| meta.file_attributes() & HIDDEN != 0)
}

/// Elsewhere a hidden file is a dot-file, known by its name.
#[cfg(not(windows))]
fn hidden(_: &std::fs::DirEntry) -> bool {
    false
}

pub(super) fn walk(dir: &Path, found: &mut Inputs, walked: &mut Walked) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.starts_with("~$") || hidden(&entry) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let table = sniff::EXTENSIONS.contains(&sniff::extension(&path).as_str());
        let skip = |why| Skipped {
            path: path.clone(),
            why,
        };
        if kind.is_symlink() {
            // listed when it would have been read: a table's name, or a folder (or a
            // link that leads nowhere, round in a loop)
            let target = std::fs::metadata(&path);
            let folder = match &target {
                Ok(meta) => meta.is_dir(),
                Err(_) => true,
            };
            found.skipped.push(skip(if table || folder {
                Skip::Link
            } else {
                Skip::NotATable
            }));
        } else if kind.is_dir() {
            match entry.metadata() {
                Ok(meta) if walked.first_time(&path, &meta) => walk(&path, found, walked),
                Ok(_) => found.skipped.push(skip(Skip::Loop)),
                Err(_) => {}
            }
        } else if table && kind.is_file() {
            found.files.push(path);
        } else if table {
            found.skipped.push(skip(Skip::NotRegular));
        } else {
            found.skipped.push(skip(Skip::NotATable));
        }
    }
}

/// Opens a file to read only if it is a regular file, without waiting on a named pipe
/// put there since the folder was walked (opened non-blocking, checked once open).
pub(super) fn read_regular(path: &Path) -> Result<Vec<u8>, ProblemKind> {
    let io = |e: std::io::Error| ProblemKind::Unreadable {
        why: Unreadable::Io,
        detail: e.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let mut file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ProblemKind::Skipped {
            why: Skip::NotRegular,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(io)?;
    Ok(bytes)
}
