//! Stage 4, write: model → workbooks. [`styles`] holds every cell format, [`book`] lays
//! out the city's table, [`output`] puts files in place safely.

pub mod book;
pub mod diff_report;
pub mod form;
pub mod output;
pub mod styles;
pub mod working;
