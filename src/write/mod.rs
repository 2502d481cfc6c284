//! Stage 4, write: model → workbooks. [`styles`] holds every cell format, [`book`] lays
//! out the city's table ([`crate::output`] puts files in place safely); [`sheetxml`] gathers the big
//! sheets' cells as XML and [`package`] splices them into what rust_xlsxwriter saved.

pub mod book;
pub mod deflate;
pub mod diff_report;
pub mod form;
pub mod package;
pub mod sheetxml;
pub mod styles;
pub mod working;
