//! Stage 4, write: model → workbooks. [`styles`] holds every cell format; [`page`] the
//! page every sheet is printed on and each sheet's shell; [`layout`] lays out the city's
//! table, [`cells`] writes its cells, [`marks`] the working book's marks on it, and
//! [`book`] makes the book of it ([`crate::output`] puts files in place safely);
//! [`xlsx`] writes the books and working books, big sheets and all, part by part.

pub mod book;
pub mod cells;
pub mod diff_render;
pub mod diff_report;
pub mod form;
pub mod layout;
pub mod marks;
pub mod page;
pub mod styles;
pub mod workbook;
pub mod working;
pub mod xlsx;
