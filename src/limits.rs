//! How much of one input kpiroll reads (`templates/limits.toml`, each limit changeable
//! for one run): a file beyond a limit is that file's refusal, never the run's end.
//! Read by the profile, applied by the readers (and by `kpiroll serve` to what a page
//! uploads).

/// How much of an input is considered (`templates/limits.toml`, overridable per run); a
/// city's limits.toml that leaves one out gets the built-in value.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_rows: u32,
    pub max_cols: u16,
    /// cells covered by merged areas, all areas of all sheets of a file together
    pub max_merged_cells: u64,
    /// text and cells held from one file (shared strings included), in MiB
    pub max_text_mib: u64,
    /// uncompressed size of any one part of an xlsx / ods, in MiB
    pub max_part_mib: u64,
    /// uncompressed size of the parts read from one file, all together (a part read
    /// twice counts twice), in MiB
    pub max_read_mib: u64,
    /// input files in one run (also the files one upload of `kpiroll serve` may hold)
    pub max_files: usize,
    /// `kpiroll serve`: the largest file one upload may hold, in MiB
    pub max_upload_mib: u64,
    /// `kpiroll serve`: all the files of one upload together, in MiB
    pub max_upload_total_mib: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // every row of an Excel sheet: a national book (140,000 KPI rows in page
            // blocks) is one sheet, and the grid is sparse, so blank rows cost nothing
            max_rows: 1_048_576,
            max_cols: 256,
            max_merged_cells: 1_000_000,
            max_text_mib: 256,
            max_part_mib: 256,
            max_read_mib: 512,
            max_files: 20_000,
            max_upload_mib: 64,
            max_upload_total_mib: 1024,
        }
    }
}
