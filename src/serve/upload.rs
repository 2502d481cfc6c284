//! An upload streamed into a run's folder, within `limits.toml`: each file at most
//! `max_upload_mib`, all together at most `max_upload_total_mib`, at most `max_files`
//! returns. A file beyond a bound is refused by its name (nothing of it kept) and the
//! others are taken, as a file beyond a reading limit is.
//!
//! The returns keep the folders they were dropped with (`returns/健康課/R7.xlsx`), so
//! the run reads them in the order the command line reads that folder; a name that
//! would lead out of the run's folder is refused.

use std::path::{Path, PathBuf};

use axum::extract::multipart::{Field, Multipart};
use tokio::io::AsyncWriteExt;

use crate::profile::Profile;

/// The part names of the page's form.
pub mod part {
    pub const YEAR: &str = "year";
    pub const PREV: &str = "prev";
    pub const PREV_FROM_SETTINGS: &str = "prev_from_settings";
    pub const RENAMES: &str = "renames";
    pub const RENAMES_FROM_SETTINGS: &str = "renames_from_settings";
    pub const RETURNS: &str = "returns";
}

/// What an upload brought.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub year: String,
    /// last year's book, saved in the run's `prev/`
    pub prev: Option<PathBuf>,
    pub prev_from_settings: bool,
    /// the renames file, saved in the run's `renames/`
    pub renames: Option<PathBuf>,
    pub renames_from_settings: bool,
    /// returns saved in the run's `returns/`
    pub returns: usize,
    /// (the name as sent, why it was not taken)
    pub refused: Vec<(String, String)>,
}

/// Why an upload stopped as a whole.
#[derive(Debug)]
pub enum Stopped {
    /// the request went over the bound of the whole body, or broke off
    Body(String),
    /// the run's folder could not be written
    Write(PathBuf, std::io::Error),
}

/// The bound of a request's body: every file up to the total, one more file's worth
/// for the one that crosses it, and a MiB for the form's other parts.
pub fn body_limit(profile: &Profile) -> usize {
    let l = &profile.limits;
    let mib = l
        .max_upload_total_mib
        .saturating_add(l.max_upload_mib)
        .saturating_add(1);
    usize::try_from(mib.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX)
}

/// Streams the form's parts into `run`.
///
/// # Errors
/// The body broke off or went over [`body_limit`]; the run's folder cannot be written.
pub async fn receive(
    multipart: &mut Multipart,
    run: &Path,
    profile: &Profile,
) -> Result<Received, Stopped> {
    let limits = &profile.limits;
    let per_file = limits.max_upload_mib.saturating_mul(1024 * 1024);
    let total_max = limits.max_upload_total_mib.saturating_mul(1024 * 1024);
    let mut received = Received::default();
    let mut total: u64 = 0;
    let mut over_total = false;
    let body = |e: axum::extract::multipart::MultipartError| Stopped::Body(e.body_text());
    while let Some(mut field) = multipart.next_field().await.map_err(body)? {
        let name = field.name().unwrap_or_default().to_string();
        let Some(sent) = field.file_name().map(str::to_string) else {
            let text = field.text().await.map_err(body)?;
            match name.as_str() {
                part::YEAR => received.year = text.trim().to_string(),
                part::PREV_FROM_SETTINGS => received.prev_from_settings = !text.is_empty(),
                part::RENAMES_FROM_SETTINGS => received.renames_from_settings = !text.is_empty(),
                _ => {}
            }
            continue;
        };
        if sent.is_empty() {
            continue;
        }
        let (folder, relative) = match name.as_str() {
            part::PREV => ("prev", last_name(&sent)),
            part::RENAMES => ("renames", last_name(&sent)),
            part::RETURNS => ("returns", safe_relative(&sent)),
            _ => continue,
        };
        let refuse = |id: &str, max: String| profile.message(id, &[("max", &max)]);
        let Some(relative) = relative else {
            received
                .refused
                .push((sent, profile.message("web.upload_bad_name", &[])));
            continue;
        };
        if folder == "returns" && received.returns >= limits.max_files {
            let why = refuse("web.upload_too_many", limits.max_files.to_string());
            received.refused.push((sent, why));
            continue;
        }
        if over_total {
            let why = refuse(
                "web.upload_total_too_large",
                limits.max_upload_total_mib.to_string(),
            );
            received.refused.push((sent, why));
            continue;
        }
        let path = run.join(folder).join(&relative);
        let kept = save(
            &mut field,
            &path,
            per_file,
            total_max - total.min(total_max),
        )
        .await?;
        match kept {
            Saved::Kept(bytes) => {
                total += bytes;
                match folder {
                    "prev" => received.prev = Some(path),
                    "renames" => received.renames = Some(path),
                    _ => received.returns += 1,
                }
            }
            Saved::TooLarge => received.refused.push((
                sent,
                refuse("web.upload_too_large", limits.max_upload_mib.to_string()),
            )),
            Saved::OverTotal => {
                over_total = true;
                received.refused.push((
                    sent,
                    refuse(
                        "web.upload_total_too_large",
                        limits.max_upload_total_mib.to_string(),
                    ),
                ));
            }
        }
    }
    Ok(received)
}

enum Saved {
    Kept(u64),
    TooLarge,
    OverTotal,
}

/// Writes one part to `path`, at most `max` bytes and at most `room` (what is left of
/// the total); a part beyond either is removed and the rest of it read past.
async fn save(field: &mut Field<'_>, path: &Path, max: u64, room: u64) -> Result<Saved, Stopped> {
    let write = |e| Stopped::Write(path.to_path_buf(), e);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(write)?;
    }
    let mut file = tokio::fs::File::create(path).await.map_err(write)?;
    let mut bytes: u64 = 0;
    let mut over = None;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| Stopped::Body(e.body_text()))?
    {
        if over.is_some() {
            continue;
        }
        bytes += chunk.len() as u64;
        if bytes > max {
            over = Some(Saved::TooLarge);
        } else if bytes > room {
            over = Some(Saved::OverTotal);
        } else {
            file.write_all(&chunk).await.map_err(write)?;
        }
    }
    if let Some(over) = over {
        drop(file);
        let _ = tokio::fs::remove_file(path).await;
        return Ok(over);
    }
    file.flush().await.map_err(write)?;
    Ok(Saved::Kept(bytes))
}

/// The last part of a sent name (`C:\\書類\\R6.xlsx` → `R6.xlsx`).
fn last_name(sent: &str) -> Option<PathBuf> {
    let name = sent.rsplit(['/', '\\']).next()?;
    safe_relative(name)
}

/// A sent name (`returns/健康課/R7.xlsx`, either slash) as a path inside its folder:
/// none when a part leads out (`..`), is a drive (`C:`) or holds a control character.
pub fn safe_relative(sent: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in sent.split(['/', '\\']) {
        if part.is_empty() || part == "." {
            continue;
        }
        if part == ".." || part.contains(':') || part.chars().any(char::is_control) {
            return None;
        }
        out.push(part);
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_name_stays_inside_its_folder() {
        assert_eq!(
            safe_relative("returns/健康課/R7.xlsx"),
            Some(PathBuf::from("returns/健康課/R7.xlsx"))
        );
        assert_eq!(
            safe_relative("a\\b.tsv"),
            Some(PathBuf::from("a").join("b.tsv"))
        );
        assert_eq!(
            safe_relative("/etc/passwd"),
            Some(PathBuf::from("etc/passwd"))
        );
        for bad in ["../x.xlsx", "a/../../x", "C:\\x.xlsx", "a\u{0}b", "", "./"] {
            assert_eq!(safe_relative(bad), None, "{bad:?}");
        }
        assert_eq!(
            last_name("C:\\書類\\R6.xlsx"),
            Some(PathBuf::from("R6.xlsx"))
        );
    }
}
