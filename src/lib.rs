//! kpiroll: the planning office's yearly KPI cycle for a strategy table shaped like
//! 資料2-2, as a library. The `kpiroll` binary is a thin CLI over [`pipeline`].
//!
//! Data flows one way, one module per stage:
//! files → [`read`] (sniff, grid, header, table) → [`model`] rows → [`merge`] →
//! [`consolidate`] (this year × last year) / [`diff`] → [`write`](mod@write) (styles,
//! book, the big sheets' XML, the diff's texts) / [`export`]. Everything
//! city-specific comes from the [`profile`] (the TOML files in `templates/`); problems
//! with inputs are collected as located [`problem::Problem`]s, fatal ones are
//! [`error::Error`]s.

pub mod cli;
pub mod compare;
pub mod consolidate;
pub mod diff;
pub mod error;
pub mod export;
pub mod join;
pub mod libreoffice;
pub mod limits;
pub mod merge;
pub mod model;
pub mod numfmt;
pub mod output;
pub mod pipeline;
pub mod problem;
pub mod profile;
pub mod progress;
pub mod read;
pub mod renames;
pub mod rollover;
pub mod row_text;
pub mod serve;
pub mod templates;
pub mod text;
pub mod value;
pub mod write;

/// The bundled fixture: the city's FY R6 table as text (the seed).
pub const SEED_R6: &[u8] = include_bytes!("../fixtures/R6/資料2-2_R6.txt");
