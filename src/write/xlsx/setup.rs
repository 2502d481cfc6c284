//! The setters kpiroll's writer and rust_xlsxwriter share, as traits, so that one
//! function dresses a sheet or marks a workbook for either (the book's print setup is
//! the forms' and the diff report's too).

use super::{Workbook, Worksheet, XlsxError, ZIP_LEVEL};

/// A workbook's fixed properties and defined names.
pub trait BookSetup {
    /// A workbook-wide defined name; `formula` as Excel shows it (`="working"`).
    ///
    /// # Errors
    /// A name Excel refuses.
    fn define_name(&mut self, name: &str, formula: &str) -> Result<(), XlsxError>;
    /// The date the workbook says it was created (and, for kpiroll's own writer, the
    /// zip level every kpiroll workbook is saved with).
    ///
    /// # Errors
    /// A date that is not one.
    fn set_creation_date(&mut self, year: u16, month: u8, day: u8) -> Result<(), XlsxError>;
}

impl BookSetup for Workbook {
    fn define_name(&mut self, name: &str, formula: &str) -> Result<(), XlsxError> {
        Workbook::define_name(self, name, formula).map(|_| ())
    }

    fn set_creation_date(&mut self, year: u16, month: u8, day: u8) -> Result<(), XlsxError> {
        Workbook::set_creation_date(self, year, month, day).map(|_| ())
    }
}

impl BookSetup for rust_xlsxwriter::Workbook {
    fn define_name(&mut self, name: &str, formula: &str) -> Result<(), XlsxError> {
        rust_xlsxwriter::Workbook::define_name(self, name, formula).map(|_| ())
    }

    fn set_creation_date(&mut self, year: u16, month: u8, day: u8) -> Result<(), XlsxError> {
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(year, month, day)?;
        self.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&date));
        self.set_zip_compression_level(ZIP_LEVEL);
        Ok(())
    }
}

/// A sheet's shell: its name, widths, panes, filter, print titles, page breaks and print
/// setup.
pub trait SheetSetup {
    /// # Errors
    /// A name Excel refuses.
    fn set_name(&mut self, name: &str) -> Result<(), XlsxError>;
    /// # Errors
    /// A column beyond Excel's grid.
    fn set_column_width(&mut self, col: u16, width: f64) -> Result<(), XlsxError>;
    /// # Errors
    /// A cell beyond Excel's grid.
    fn set_freeze_panes(&mut self, row: u32, col: u16) -> Result<(), XlsxError>;
    /// # Errors
    /// An area beyond Excel's grid or upside down.
    fn autofilter(&mut self, r0: u32, c0: u16, r1: u32, c1: u16) -> Result<(), XlsxError>;
    /// # Errors
    /// Rows beyond Excel's grid or upside down.
    fn set_repeat_rows(&mut self, first: u32, last: u32) -> Result<(), XlsxError>;
    /// # Errors
    /// More breaks than Excel keeps.
    fn set_page_breaks(&mut self, rows: &[u32]) -> Result<(), XlsxError>;
    fn set_paper_size(&mut self, paper: u8);
    fn set_landscape(&mut self);
    fn set_print_fit_to_pages(&mut self, width: u16, height: u16);
    fn set_print_center_horizontally(&mut self, enable: bool);
    fn set_margins(
        &mut self,
        left: f64,
        right: f64,
        top: f64,
        bottom: f64,
        header: f64,
        footer: f64,
    );
    fn set_header(&mut self, header: &str);
    fn set_footer(&mut self, footer: &str);
}

/// Both writers' sheets alike: each setter is the sheet's own.
macro_rules! sheet_setup_of {
    ($sheet:ty) => {
        impl SheetSetup for $sheet {
            fn set_name(&mut self, name: &str) -> Result<(), XlsxError> {
                <$sheet>::set_name(self, name).map(|_| ())
            }
            fn set_column_width(&mut self, col: u16, width: f64) -> Result<(), XlsxError> {
                <$sheet>::set_column_width(self, col, width).map(|_| ())
            }
            fn set_freeze_panes(&mut self, row: u32, col: u16) -> Result<(), XlsxError> {
                <$sheet>::set_freeze_panes(self, row, col).map(|_| ())
            }
            fn autofilter(&mut self, r0: u32, c0: u16, r1: u32, c1: u16) -> Result<(), XlsxError> {
                <$sheet>::autofilter(self, r0, c0, r1, c1).map(|_| ())
            }
            fn set_repeat_rows(&mut self, first: u32, last: u32) -> Result<(), XlsxError> {
                <$sheet>::set_repeat_rows(self, first, last).map(|_| ())
            }
            fn set_page_breaks(&mut self, rows: &[u32]) -> Result<(), XlsxError> {
                <$sheet>::set_page_breaks(self, rows).map(|_| ())
            }
            fn set_paper_size(&mut self, paper: u8) {
                <$sheet>::set_paper_size(self, paper);
            }
            fn set_landscape(&mut self) {
                <$sheet>::set_landscape(self);
            }
            fn set_print_fit_to_pages(&mut self, width: u16, height: u16) {
                <$sheet>::set_print_fit_to_pages(self, width, height);
            }
            fn set_print_center_horizontally(&mut self, enable: bool) {
                <$sheet>::set_print_center_horizontally(self, enable);
            }
            fn set_margins(
                &mut self,
                left: f64,
                right: f64,
                top: f64,
                bottom: f64,
                header: f64,
                footer: f64,
            ) {
                <$sheet>::set_margins(self, left, right, top, bottom, header, footer);
            }
            fn set_header(&mut self, header: &str) {
                <$sheet>::set_header(self, header);
            }
            fn set_footer(&mut self, footer: &str) {
                <$sheet>::set_footer(self, footer);
            }
        }
    };
}

sheet_setup_of!(Worksheet);
sheet_setup_of!(rust_xlsxwriter::Worksheet);
