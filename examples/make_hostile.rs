//! Writes the hostile corpus into a folder: small crafted files that once hung kpiroll,
//! ended the whole run or were read wrong, each beside what `kpiroll check` must do with
//! it (refuse it with a located reason, or take its rows), in bounded time and memory.
//!
//! Each case is one function returning the file's bytes, listed in [`cases`] with its
//! file name and expected outcome; a new family of cases adds its functions and rows
//! there (the file name's extension says the format). Everything is deterministic: the
//! same bytes on every run. The files start from one small return ([`GOOD`]: a header
//! and two KPI rows) with something hostile added, so a refusal names only what was
//! added.
//!
//! Usage: `cargo run --release --example make_hostile -- target/hostile` (or
//! `just hostile`, which then runs `kpiroll check` on each file).

use std::io::Write;
use std::path::Path;

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/hostile".to_string());
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(GOOD_NAME), good())?;
    for case in cases() {
        std::fs::write(dir.join(case.name), (case.make)())?;
        println!("{}\t{:?}\t{}", case.name, case.expect, case.what);
    }
    Ok(())
}

/// What `kpiroll check` must do with a case's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// refused (exit 1), its line naming the file and saying this (the English message,
    /// `--lang en`)
    Refused(&'static str),
    /// taken: the return's rows read as the good file's (exit 0)
    Taken,
}

/// One file of the corpus.
pub struct Case {
    /// its file name in the corpus folder
    pub name: &'static str,
    pub expect: Expect,
    /// what it holds, in a line
    pub what: &'static str,
    pub make: fn() -> Vec<u8>,
}

/// The good return written beside the corpus.
pub const GOOD_NAME: &str = "good.xlsx";

/// Every case, in the order `just hostile` runs them.
pub fn cases() -> Vec<Case> {
    use Expect::*;
    let case = |name, expect, what, make| Case {
        name,
        expect,
        what,
        make,
    };
    vec![
        // .ods and .xls: repeats, spaces and merged areas counted per file, sheets laid
        // out by calamine priced first
        case(
            "ods_repeat_dos.ods",
            Refused("holds more text and cells"),
            ".ods: a value repeated over 999,999,999 rows x 999,999,999 columns (calamine's issue_594_dos.ods)",
            ods_xls::ods_repeat_dos,
        ),
        case(
            "ods_repeat_inside.ods",
            Refused("holds more text and cells"),
            ".ods: a value repeated over 200,000 rows x 256 columns",
            ods_xls::ods_repeat_inside,
        ),
        case(
            "ods_overlapping_value_spans.ods",
            Refused("merged areas cover more cells"),
            ".ods: 10,000 rows each with a value spanning 250,000 rows",
            ods_xls::ods_overlapping_value_spans,
        ),
        case(
            "ods_spaces_repeated.ods",
            Refused("holds more text and cells"),
            ".ods: 2.8 MB of repeated-space elements in a cell repeated over 4 x 1,024 cells",
            ods_xls::ods_spaces_repeated,
        ),
        case(
            "ods_spaces_cells.ods",
            Refused("holds more text and cells"),
            ".ods: 10,000 cells of 30,720 spaces each from repeated-space elements",
            ods_xls::ods_spaces_cells,
        ),
        case(
            "ods_long_text_repeated.ods",
            Refused("holds more text and cells"),
            ".ods: a 30,000-character cell repeated over 256 x 4,000 cells",
            ods_xls::ods_long_text_repeated,
        ),
        case(
            "ods_merged_tables.ods",
            Refused("merged areas cover more cells"),
            ".ods: 100 tables of one 998,400-cell merged area each",
            ods_xls::ods_merged_tables,
        ),
        case(
            "xls_far_values.xls",
            Refused("holds more text and cells"),
            ".xls: ten sheets each with a value at IV65536",
            ods_xls::xls_far_values,
        ),
        case(
            "xls_declared_far.xls",
            Refused("holds more text and cells"),
            ".xls: ten sheets whose DIMENSIONS declare A1:IV65536",
            ods_xls::xls_declared_far,
        ),
        // merged areas
        case(
            "merge_listed_1000_times.xlsx",
            Taken,
            "one 500,000-cell merged area listed 1,000 times on a memo sheet",
            merge_listed_1000_times,
        ),
        case(
            "merge_1000_overlapping.xlsx",
            Refused("merged areas cover more cells"),
            "1,000 different 500,000-cell merged areas overlapping",
            merge_1000_overlapping,
        ),
        case(
            "merge_100_sheets.xlsx",
            Refused("merged areas cover more cells"),
            "100 sheets, each one merged area of 1,000,000 cells",
            merge_100_sheets,
        ),
        case(
            "merge_empty_column.xlsx",
            Taken,
            "an empty merged column N20:N1048576 beside the table",
            merge_empty_column,
        ),
        // long tokens
        case(
            "shared_string_64mb.xlsx",
            Taken,
            "one shared string of 64 MB, shown on a memo sheet",
            shared_string_64mb,
        ),
        case(
            "shared_string_200mb.xlsx",
            Taken,
            "one shared string of 200 MB, not shown",
            shared_string_200mb,
        ),
        case(
            "styles_comment_64mb.xlsx",
            Taken,
            "a comment of 64 MB in styles.xml",
            styles_comment_64mb,
        ),
        case(
            "workbook_attribute_60mb.xlsx",
            Taken,
            "an attribute of 60 MB in workbook.xml",
            workbook_attribute_60mb,
        ),
        case(
            "sheet_text_100mb.xlsx",
            Refused("more text and cells than the limit"),
            "three sheets, each an inline string of 100 MB in a cell",
            sheet_text_100mb,
        ),
        // number formats
        case(
            "numfmt_million_zeros.xlsx",
            Taken,
            "a number format of 1,000,000 zeros on three number cells",
            numfmt_million_zeros,
        ),
        case(
            "numfmt_million_decimals.xlsx",
            Taken,
            "a number format of 1,000,000 decimals on 10,000 number cells",
            numfmt_million_decimals,
        ),
        // the size of what is read, per file
        case(
            "twenty_sheets_one_part.xlsx",
            Refused("inflate to"),
            "twenty sheet entries pointing at one 250 MB part",
            twenty_sheets_one_part,
        ),
        case(
            "three_sheets_one_part.xlsx",
            Refused("inflate to"),
            "three sheet entries pointing at one 200 MB part",
            three_sheets_one_part,
        ),
        case(
            "names_8mb_500_sheets.xlsx",
            Taken,
            "a defined name of 8 MB and 500 sheets",
            names_8mb_500_sheets,
        ),
        case(
            "empty_strings_50m.xlsx",
            Refused("shared strings (xl/sharedStrings.xml) exceed"),
            "50 million empty shared strings",
            empty_strings_50m,
        ),
        case(
            "one_string_many_cells.xlsx",
            Refused("more text and cells than the limit"),
            "a 30 KB shared string shown in 30,000 cells",
            one_string_many_cells,
        ),
        // not well-formed
        case(
            "unclosed_t.xlsx",
            Refused("not well-formed XML"),
            "an inline string whose <t> is not closed before the next cell",
            unclosed_t,
        ),
        case(
            "unclosed_t_shared.xlsx",
            Refused("not well-formed XML"),
            "a shared string whose <t> is not closed",
            unclosed_t_shared,
        ),
        case(
            "char_ref_zero.xlsx",
            Refused("not well-formed XML"),
            "&#0; in a shared string",
            char_ref_zero,
        ),
        case(
            "control_char.xlsx",
            Refused("not well-formed XML"),
            "a raw U+0001 in a cell's text",
            control_char,
        ),
        case(
            "noncharacter.xlsx",
            Refused("not well-formed XML"),
            "a raw U+FFFE in a cell's text",
            noncharacter,
        ),
        case(
            "sheet_cut_short.xlsx",
            Refused("not well-formed XML"),
            "a sheet whose XML stops inside sheetData",
            sheet_cut_short,
        ),
        // error values
        case(
            "spill_calc_memo.xlsx",
            Taken,
            "#SPILL! and #CALC! on a memo sheet",
            spill_calc_memo,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// The good return, and workbooks built from parts

pub const HEADER: [&str; 13] = [
    "数値目標",
    "",
    "",
    "KPI",
    "担当課",
    "事業名",
    "事務事業番号",
    "事業概要",
    "KPI",
    "単位",
    "目標値",
    "R6実績値",
    "備考",
];

const ROWS: [[&str; 13]; 2] = [
    [
        "目標",
        "①",
        "①施策",
        "指標",
        "産学振興課",
        "創業支援",
        "411-6",
        "概要",
        "件数",
        "件",
        "5",
        "3",
        "",
    ],
    [
        "目標",
        "①",
        "①施策",
        "指標",
        "産学振興課",
        "販路開拓",
        "411-7",
        "概要二",
        "社数",
        "社",
        "12",
        "10",
        "",
    ],
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn column(mut c: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII")
}

/// The return's rows (header on row 1), numbers as number cells, texts inline.
fn table_rows() -> String {
    let mut xml = String::new();
    let rows = std::iter::once(&HEADER).chain(ROWS.iter());
    for (r, row) in rows.enumerate() {
        xml.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, text) in row.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let at = format!("{}{}", column(c), r + 1);
            if r > 0 && text.parse::<f64>().is_ok() {
                xml.push_str(&format!("<c r=\"{at}\"><v>{text}</v></c>"));
            } else {
                xml.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    escape(text)
                ));
            }
        }
        xml.push_str("</row>");
    }
    xml
}

/// A worksheet's XML: its rows and what follows sheetData (merged areas).
fn sheet(rows: &str, after: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData>{after}</worksheet>"
    )
}

/// The return's sheet, with `extra_rows` below the table and `after` after sheetData.
fn table_sheet(extra_rows: &str, after: &str) -> String {
    sheet(&format!("{}{extra_rows}", table_rows()), after)
}

/// A part's content: pieces written one after the other, each `times` times (a part of
/// 250 MB is written without being held).
struct Content(Vec<(Vec<u8>, usize)>);

impl Content {
    fn text(text: impl Into<String>) -> Content {
        Content(vec![(text.into().into_bytes(), 1)])
    }

    fn then(mut self, piece: impl Into<Vec<u8>>, times: usize) -> Content {
        self.0.push((piece.into(), times));
        self
    }
}

/// A workbook: its sheets (name → part, in order), the parts (path → content), and
/// what else workbook.xml holds after `<sheets>` (defined names).
struct Book {
    sheets: Vec<(String, String)>,
    parts: Vec<(String, Content)>,
    workbook_extra: String,
    workbook_attr: String,
}

impl Book {
    /// The good return as one sheet, 入力.
    fn good() -> Book {
        Book::with_table(table_sheet("", ""))
    }

    /// A book whose first sheet (入力) is `table`.
    fn with_table(table: String) -> Book {
        Book {
            sheets: vec![("入力".to_string(), "worksheets/sheet1.xml".to_string())],
            parts: vec![("xl/worksheets/sheet1.xml".to_string(), Content::text(table))],
            workbook_extra: String::new(),
            workbook_attr: String::new(),
        }
    }

    /// Adds a sheet named `name` with its own part.
    fn sheet(mut self, name: &str, xml: Content) -> Book {
        let n = self.parts.len() + 1;
        let target = format!("worksheets/sheet{n}.xml");
        self.sheets.push((name.to_string(), target.clone()));
        self.parts.push((format!("xl/{target}"), xml));
        self
    }

    fn part(mut self, path: &str, content: Content) -> Book {
        self.parts.push((path.to_string(), content));
        self
    }

    fn bytes(self) -> Vec<u8> {
        let mut targets: Vec<&String> = Vec::new();
        for (_, target) in &self.sheets {
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        let id = |target: &String| targets.iter().position(|t| *t == target).expect("listed") + 1;
        let rels: String = targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                format!(
                    "<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"{t}\"/>",
                    i + 1
                )
            })
            .collect();
        let sheets: String = self
            .sheets
            .iter()
            .enumerate()
            .map(|(i, (name, target))| {
                format!(
                    "<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
                    escape(name),
                    i + 1,
                    id(target)
                )
            })
            .collect();
        let workbook = Content::text(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><workbookPr{}/><sheets>{sheets}</sheets>",
            self.workbook_attr
        ))
        .then(self.workbook_extra.into_bytes(), 1)
        .then("</workbook>", 1);
        let mut parts = vec![
            (
                "[Content_Types].xml".to_string(),
                Content::text(CONTENT_TYPES),
            ),
            ("_rels/.rels".to_string(), Content::text(ROOT_RELS)),
            (
                "xl/_rels/workbook.xml.rels".to_string(),
                Content::text(format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>"
                )),
            ),
            ("xl/workbook.xml".to_string(), workbook),
        ];
        parts.extend(self.parts);
        zip_of(parts)
    }
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>";
const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

/// A zip of the parts, deflated (fast: a 250 MB part of one repeated piece compresses to
/// a few hundred KB either way), with a fixed date.
fn zip_of(parts: Vec<(String, Content)>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default());
    for (name, content) in parts {
        zip.start_file(name, options).expect("zip member");
        for (piece, times) in content.0 {
            // a small piece repeated is written 64 KiB at a time
            let batch = (65_536 / piece.len().max(1)).clamp(1, times.max(1));
            let block = piece.repeat(batch);
            for _ in 0..times / batch {
                zip.write_all(&block).expect("zip write");
            }
            for _ in 0..times % batch {
                zip.write_all(&piece).expect("zip write");
            }
        }
    }
    zip.finish().expect("zip").into_inner()
}

/// Shared strings of these pieces (each piece's XML is written as given).
fn shared(content: Content) -> Content {
    Content::text(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    )
    .then_all(content)
    .then("</sst>", 1)
}

impl Content {
    fn then_all(mut self, other: Content) -> Content {
        self.0.extend(other.0);
        self
    }
}

/// The good return.
pub fn good() -> Vec<u8> {
    Book::good().bytes()
}

const MB: usize = 1 << 20;

// ---------------------------------------------------------------------------------------
// Merged areas

fn memo_with_merges(merges: Content) -> Content {
    Content::text(sheet(
        "<row r=\"100\"><c r=\"A100\" t=\"inlineStr\"><is><t>メモ</t></is></c></row>",
        "<mergeCells>",
    ))
    .strip_tail("</worksheet>")
    .then_all(merges)
    .then("</mergeCells></worksheet>", 1)
}

impl Content {
    /// Drops `tail` from the end of the first piece (to go on writing inside it).
    fn strip_tail(mut self, tail: &str) -> Content {
        let first = &mut self.0[0].0;
        assert!(first.ends_with(tail.as_bytes()));
        first.truncate(first.len() - tail.len());
        self
    }
}

fn merge_listed_1000_times() -> Vec<u8> {
    let merges = Content(vec![(b"<mergeCell ref=\"A100:E100099\"/>".to_vec(), 1000)]);
    Book::good().sheet("メモ", memo_with_merges(merges)).bytes()
}

fn merge_1000_overlapping() -> Vec<u8> {
    let merges: Vec<(Vec<u8>, usize)> = (0..1000)
        .map(|i| {
            let piece = format!("<mergeCell ref=\"A100:E{}\"/>", 100_099 + i);
            (piece.into_bytes(), 1)
        })
        .collect();
    Book::good()
        .sheet("メモ", memo_with_merges(Content(merges)))
        .bytes()
}

fn merge_100_sheets() -> Vec<u8> {
    let mut book = Book::good();
    for i in 0..100 {
        // 1,000,000 cells: A100:J100099
        let merges = Content::text("<mergeCell ref=\"A100:J100099\"/>");
        book = book.sheet(&format!("メモ{i}"), memo_with_merges(merges));
    }
    book.bytes()
}

fn merge_empty_column() -> Vec<u8> {
    Book::with_table(table_sheet(
        "",
        "<mergeCells count=\"1\"><mergeCell ref=\"N20:N1048576\"/></mergeCells>",
    ))
    .bytes()
}

// ---------------------------------------------------------------------------------------
// Long tokens

/// A memo sheet showing shared string 0 in A1.
fn memo_showing_string() -> Content {
    Content::text(sheet(
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>",
        "",
    ))
}

fn one_long_string(bytes: usize) -> Content {
    shared(
        Content::text("<si><t>")
            .then("あいうえおかきくけこ", bytes / 30)
            .then("</t></si>", 1),
    )
}

fn shared_string_64mb() -> Vec<u8> {
    Book::good()
        .sheet("メモ", memo_showing_string())
        .part("xl/sharedStrings.xml", one_long_string(64 * MB))
        .bytes()
}

fn shared_string_200mb() -> Vec<u8> {
    Book::good()
        .part("xl/sharedStrings.xml", one_long_string(200 * MB))
        .bytes()
}

fn styles_comment_64mb() -> Vec<u8> {
    let styles = Content::text(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><!--",
    )
    .then("comment ", 8 * MB)
    .then("--><cellXfs count=\"1\"><xf numFmtId=\"0\"/></cellXfs></styleSheet>", 1);
    Book::good().part("xl/styles.xml", styles).bytes()
}

fn workbook_attribute_60mb() -> Vec<u8> {
    let mut book = Book::good();
    book.workbook_attr = format!(" codeName=\"{}\"", "x".repeat(60 * MB));
    book.bytes()
}

fn sheet_text_100mb() -> Vec<u8> {
    let mut book = Book::good();
    for i in 0..3 {
        let memo = Content::text(sheet("", ""))
            .strip_tail("</sheetData></worksheet>")
            .then("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>", 1)
            .then("y", 100 * MB)
            .then("</t></is></c></row></sheetData></worksheet>", 1);
        book = book.sheet(&format!("メモ{i}"), memo);
    }
    book.bytes()
}

// ---------------------------------------------------------------------------------------
// Number formats

fn styles_with_code(code: &str) -> Content {
    Content::text(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"{code}\"/></numFmts><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
    ))
}

/// A memo sheet of `n` number cells in format 1, ten to a row.
fn memo_numbers(n: usize) -> Content {
    let mut rows = String::new();
    for i in 0..n {
        let (r, c) = (i / 10 + 1, i % 10);
        if c == 0 {
            rows.push_str(&format!("<row r=\"{r}\">"));
        }
        rows.push_str(&format!(
            "<c r=\"{}{r}\" s=\"1\"><v>{}.5</v></c>",
            column(c),
            i + 1
        ));
        if c == 9 || i + 1 == n {
            rows.push_str("</row>");
        }
    }
    Content::text(sheet(&rows, ""))
}

fn numfmt_million_zeros() -> Vec<u8> {
    Book::good()
        .sheet("メモ", memo_numbers(3))
        .part("xl/styles.xml", styles_with_code(&"0".repeat(1_000_000)))
        .bytes()
}

fn numfmt_million_decimals() -> Vec<u8> {
    let code = format!("#,##0.{}", "0".repeat(1_000_000));
    Book::good()
        .sheet("メモ", memo_numbers(10_000))
        .part("xl/styles.xml", styles_with_code(&code))
        .bytes()
}

// ---------------------------------------------------------------------------------------
// The size of what is read, per file

/// A worksheet padded with a comment to about `bytes`.
fn padded_sheet(bytes: usize) -> Content {
    Content::text(sheet("", "<!--").replace("</worksheet>", ""))
        .then("padding ", bytes / 8)
        .then("--></worksheet>", 1)
}

fn sheets_one_part(listings: usize, bytes: usize) -> Vec<u8> {
    let mut book = Book::good().sheet("メモ", padded_sheet(bytes));
    let target = book.sheets[1].1.clone();
    for i in 1..listings {
        book.sheets.push((format!("メモ{i}"), target.clone()));
    }
    book.bytes()
}

fn twenty_sheets_one_part() -> Vec<u8> {
    sheets_one_part(20, 250 * MB)
}

fn three_sheets_one_part() -> Vec<u8> {
    sheets_one_part(3, 200 * MB)
}

fn names_8mb_500_sheets() -> Vec<u8> {
    let mut book = Book::good().sheet("メモ", Content::text(sheet("", "")));
    let target = book.sheets[1].1.clone();
    for i in 1..500 {
        book.sheets.push((format!("メモ{i}"), target.clone()));
    }
    book.workbook_extra = format!(
        "<definedNames><definedName name=\"長い名前\">\"{}\"</definedName></definedNames>",
        "z".repeat(8 * MB)
    );
    book.bytes()
}

fn empty_strings_50m() -> Vec<u8> {
    Book::good()
        .part(
            "xl/sharedStrings.xml",
            shared(Content(vec![(b"<si/>".to_vec(), 50_000_000)])),
        )
        .bytes()
}

fn one_string_many_cells() -> Vec<u8> {
    let mut rows = String::new();
    for r in 1..=3000 {
        rows.push_str(&format!("<row r=\"{r}\">"));
        for c in 0..10 {
            rows.push_str(&format!("<c r=\"{}{r}\" t=\"s\"><v>0</v></c>", column(c)));
        }
        rows.push_str("</row>");
    }
    let strings = shared(
        Content::text("<si><t>")
            .then("長い文字列", 2000)
            .then("</t></si>", 1),
    );
    Book::good()
        .sheet("メモ", Content::text(sheet(&rows, "")))
        .part("xl/sharedStrings.xml", strings)
        .bytes()
}

// ---------------------------------------------------------------------------------------
// Not well-formed

/// The return with `cell` (a cell's XML) put into H3 (事業概要 of its second row), and
/// the rest of its row after it.
fn table_with_h3(cell: &str) -> Vec<u8> {
    let rows = table_rows();
    let at = rows.find("<c r=\"H3\"").expect("H3");
    let end = at + rows[at..].find("</c>").expect("H3 ends") + 4;
    let rows = format!("{}{cell}{}", &rows[..at], &rows[end..]);
    Book::with_table(sheet(&rows, "")).bytes()
}

fn unclosed_t() -> Vec<u8> {
    table_with_h3("<c r=\"H3\" t=\"inlineStr\"><is><t>概要二</is></c>")
}

fn unclosed_t_shared() -> Vec<u8> {
    let rows = table_rows();
    let at = rows.find("<c r=\"H3\"").expect("H3");
    let end = at + rows[at..].find("</c>").expect("H3 ends") + 4;
    let rows = format!(
        "{}<c r=\"H3\" t=\"s\"><v>0</v></c><c r=\"N3\" t=\"s\"><v>1</v></c>{}",
        &rows[..at],
        &rows[end..]
    );
    Book::with_table(sheet(&rows, ""))
        .part(
            "xl/sharedStrings.xml",
            shared(Content::text("<si><t>概要二</si><si><t>メモ</t></si>")),
        )
        .bytes()
}

fn char_ref_zero() -> Vec<u8> {
    let rows = table_rows().replace(
        "<c r=\"H3\" t=\"inlineStr\"><is><t>概要二</t></is></c>",
        "<c r=\"H3\" t=\"s\"><v>0</v></c>",
    );
    Book::with_table(sheet(&rows, ""))
        .part(
            "xl/sharedStrings.xml",
            shared(Content::text("<si><t>概要&#0;二</t></si>")),
        )
        .bytes()
}

fn control_char() -> Vec<u8> {
    table_with_h3("<c r=\"H3\" t=\"inlineStr\"><is><t>概要\u{1}二</t></is></c>")
}

fn noncharacter() -> Vec<u8> {
    table_with_h3("<c r=\"H3\" t=\"inlineStr\"><is><t>概要\u{FFFE}二</t></is></c>")
}

fn sheet_cut_short() -> Vec<u8> {
    let xml = table_sheet("", "");
    let cut = xml.find("</sheetData>").expect("sheetData");
    Book::with_table(xml[..cut].to_string()).bytes()
}

// ---------------------------------------------------------------------------------------
// Error values

fn spill_calc_memo() -> Vec<u8> {
    let memo = sheet(
        "<row r=\"1\"><c r=\"A1\" t=\"e\"><f>SEQUENCE(3)</f><v>#SPILL!</v></c><c r=\"B1\" t=\"e\"><f>FILTER(A1:A2,A1:A2&gt;5)</f><v>#CALC!</v></c></row>",
        "",
    );
    Book::good().sheet("メモ", Content::text(memo)).bytes()
}

/// The .ods and .xls cases: ODF's `content.xml` in a zip, and BIFF8 records in a minimal
/// compound file, written from their description.
pub mod ods_xls {
    use std::io::Write;

    /// The seed's header (the good return's) and one row.
    pub use super::HEADER;
    pub const ROW: [&str; 13] = [
        "目標",
        "①",
        "①施策",
        "指標",
        "課",
        "事業",
        "411-6",
        "概要",
        "件数",
        "件",
        "5",
        "3",
        "",
    ];

    /// A string cell of `content.xml`.
    pub fn text_cell(text: &str) -> String {
        if text.is_empty() {
            return "<table:table-cell/>".to_string();
        }
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
        )
    }

    /// A row of string cells.
    pub fn text_row(cells: &[&str]) -> String {
        let cells: String = cells.iter().map(|c| text_cell(c)).collect();
        format!("<table:table-row>{cells}</table:table-row>")
    }

    /// A table (sheet) of `content.xml`.
    pub fn table(name: &str, rows: &str) -> String {
        format!(r#"<table:table table:name="{name}">{rows}</table:table>"#)
    }

    /// Writes an .ods whose spreadsheet body is `body` (tables).
    pub fn ods(body: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
    <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.3"><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
        );
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        let deflated = zip::write::SimpleFileOptions::default();
        zip.start_file("META-INF/manifest.xml", deflated).unwrap();
        zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?>
    <manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        )
        .unwrap();
        zip.start_file("content.xml", deflated).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    /// The header and the row, then `extra` rows.
    pub fn return_rows(extra: &str) -> String {
        format!("{}{}{extra}", text_row(&HEADER), text_row(&ROW))
    }

    /// A value repeated over 999,999,999 rows × 999,999,999 columns (calamine's
    /// issue_594_dos.ods).
    pub fn ods_repeat_dos() -> Vec<u8> {
        let rows = return_rows(
            r#"<table:table-row table:number-rows-repeated="999999999"><table:table-cell table:number-columns-repeated="999999999" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>"#,
        );
        ods(&table("入力", &rows))
    }

    /// A value repeated within the limits, but over 200,000 rows × 256 columns.
    pub fn ods_repeat_inside() -> Vec<u8> {
        let rows = return_rows(
            r#"<table:table-row table:number-rows-repeated="200000"><table:table-cell table:number-columns-repeated="256" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#,
        );
        ods(&table("入力", &rows))
    }

    /// 10,000 rows, each with a blank cell spanning 250,000 rows (the areas overlap; blank,
    /// they fill nothing).
    pub fn ods_overlapping_spans() -> Vec<u8> {
        let span = r#"<table:table-row><table:table-cell table:number-rows-spanned="250000"/></table:table-row>"#;
        let rows = return_rows(&span.repeat(10_000));
        ods(&table("入力", &rows))
    }

    /// 10,000 rows, each with a value spanning 250,000 rows in column N (past the table).
    pub fn ods_overlapping_value_spans() -> Vec<u8> {
        let span = r#"<table:table-row><table:table-cell table:number-columns-repeated="13"/><table:table-cell table:number-rows-spanned="250000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
        let rows = return_rows(&span.repeat(10_000));
        ods(&table("入力", &rows))
    }

    /// `<text:s text:c="1024"/>` 2,800 times in a cell (2.8 MB of spaces) repeated over
    /// 4 rows × 1,024 columns.
    pub fn ods_spaces_repeated() -> Vec<u8> {
        let spaces = r#"<text:s text:c="1024"/>"#.repeat(2_800);
        let rows = return_rows(&format!(
            r#"<table:table-row table:number-rows-repeated="4"><table:table-cell table:number-columns-repeated="1024" office:value-type="string"><text:p>a{spaces}b</text:p></table:table-cell></table:table-row>"#
        ));
        ods(&table("入力", &rows))
    }

    /// 10,000 cells (100 rows of 100) of 30,720 spaces each, none repeated: 300 MB of
    /// spaces from 7 MB of XML (a few kilobytes zipped).
    pub fn ods_spaces_cells() -> Vec<u8> {
        let spaces = r#"<text:s text:c="1024"/>"#.repeat(30);
        let cell = format!(
            r#"<table:table-cell office:value-type="string"><text:p>a{spaces}b</text:p></table:table-cell>"#
        );
        let row = format!("<table:table-row>{}</table:table-row>", cell.repeat(100));
        ods(&table("入力", &return_rows(&row.repeat(100))))
    }

    /// One cell of 300,000 × 1,024 spaces: 300 MB of text in one cell (kept up to 1 MiB,
    /// blank all the same).
    pub fn ods_spaces_one_cell() -> Vec<u8> {
        let spaces = r#"<text:s text:c="1024"/>"#.repeat(300_000);
        let rows = return_rows(&format!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>{spaces}</text:p></table:table-cell></table:table-row>"#
        ));
        ods(&table("入力", &rows))
    }

    /// A 30,000-character cell repeated over 256 columns × 4,000 rows.
    pub fn ods_long_text_repeated() -> Vec<u8> {
        let rows = return_rows(&format!(
            r#"<table:table-row table:number-rows-repeated="4000"><table:table-cell table:number-columns-repeated="256" office:value-type="string"><text:p>{}</text:p></table:table-cell></table:table-row>"#,
            "x".repeat(30_000)
        ));
        ods(&table("入力", &rows))
    }

    /// 100 tables, each one cell spanning 3,900 rows × 256 columns (each under the
    /// merged cells' limit alone).
    pub fn ods_merged_tables() -> Vec<u8> {
        let mut body = table("入力", &return_rows(""));
        let area = r#"<table:table-row><table:table-cell table:number-rows-spanned="3900" table:number-columns-spanned="256" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
        for i in 0..100 {
            body.push_str(&table(&format!("S{i}"), area));
        }
        ods(&body)
    }

    /// Five rows, the first with a table inside its 事業概要 cell (valid ODF).
    pub fn ods_sub_table() -> Vec<u8> {
        let inner = table(
            "inner",
            &format!(
                "{}{}",
                text_row(&["サブ表の見出し", "411-9"]),
                text_row(&["サブ表の文字", "9"])
            ),
        );
        let mut rows = text_row(&HEADER);
        for i in 0..5 {
            let key = format!("411-{}", i + 1);
            let mut cells: Vec<String> = ROW.iter().map(|c| text_cell(c)).collect();
            cells[6] = text_cell(&key);
            if i == 0 {
                cells[7] = format!(
                    r#"<table:table-cell office:value-type="string"><text:p>概要</text:p>{inner}</table:table-cell>"#
                );
            }
            rows.push_str(&format!(
                "<table:table-row>{}</table:table-row>",
                cells.concat()
            ));
        }
        ods(&table("入力", &rows))
    }

    /// A good return as .ods.
    pub fn ods_good() -> Vec<u8> {
        ods(&table("入力", &return_rows("")))
    }

    /// One BIFF record.
    pub fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend(typ.to_le_bytes());
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
    }

    /// BOF of BIFF8: the globals (0x0005) or a worksheet (0x0010).
    pub fn bof(out: &mut Vec<u8>, kind: u16) {
        let mut data = Vec::new();
        data.extend(0x0600u16.to_le_bytes());
        data.extend(kind.to_le_bytes());
        data.extend(0x0DBBu16.to_le_bytes());
        data.extend(0x07CCu16.to_le_bytes());
        data.extend([0u8; 8]);
        record(out, 0x0809, &data);
    }

    /// An XLUnicodeString (16-bit length, UTF-16).
    pub fn xl_string(text: &str) -> Vec<u8> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut out = (units.len() as u16).to_le_bytes().to_vec();
        out.push(1);
        for u in units {
            out.extend(u.to_le_bytes());
        }
        out
    }

    /// A sheet's cells: (row, column, text) written as LABEL, numbers as NUMBER.
    pub type XlsCell = (u16, u16, String);

    /// A sheet: its name, its DIMENSIONS (first row, last row + 1, first col, last col + 1)
    /// and its cells.
    pub struct XlsSheet {
        pub name: String,
        pub dimensions: (u32, u32, u16, u16),
        pub cells: Vec<XlsCell>,
    }

    /// The BIFF8 workbook stream for these sheets.
    pub fn biff8(sheets: &[XlsSheet]) -> Vec<u8> {
        let mut globals = Vec::new();
        bof(&mut globals, 0x0005);
        record(&mut globals, 0x0042, &1200u16.to_le_bytes()); // CodePage: UTF-16
        let mut bound_at = Vec::new();
        for sheet in sheets {
            bound_at.push(globals.len() + 4);
            let units: Vec<u16> = sheet.name.encode_utf16().collect();
            let mut data = vec![0u8; 4];
            data.extend([0, 0, units.len() as u8, 1]);
            for u in units {
                data.extend(u.to_le_bytes());
            }
            record(&mut globals, 0x0085, &data);
        }
        record(&mut globals, 0x000A, &[]);
        let mut stream = globals;
        for (sheet, at) in sheets.iter().zip(bound_at) {
            let pos = stream.len() as u32;
            stream[at..at + 4].copy_from_slice(&pos.to_le_bytes());
            bof(&mut stream, 0x0010);
            let (r0, r1, c0, c1) = sheet.dimensions;
            let mut dims = Vec::new();
            dims.extend(r0.to_le_bytes());
            dims.extend(r1.to_le_bytes());
            dims.extend(c0.to_le_bytes());
            dims.extend(c1.to_le_bytes());
            dims.extend([0, 0]);
            record(&mut stream, 0x0200, &dims);
            for (r, c, text) in &sheet.cells {
                let mut data = Vec::new();
                data.extend(r.to_le_bytes());
                data.extend(c.to_le_bytes());
                data.extend(0u16.to_le_bytes());
                match text.parse::<f64>() {
                    Ok(x) => {
                        data.extend(x.to_le_bytes());
                        record(&mut stream, 0x0203, &data);
                    }
                    Err(_) => {
                        data.extend(xl_string(text));
                        record(&mut stream, 0x0204, &data);
                    }
                }
            }
            record(&mut stream, 0x000A, &[]);
        }
        stream
    }

    /// Writes a compound file (version 3, 512-byte sectors) holding one `Workbook` stream:
    /// sector 0 the allocation table, sector 1 the directory, the stream after them (at
    /// least 4,096 bytes, so that it lives in regular sectors).
    pub fn xls(sheets: &[XlsSheet]) -> Vec<u8> {
        const FREE: u32 = 0xFFFF_FFFF;
        const END: u32 = 0xFFFF_FFFE;
        let mut stream = biff8(sheets);
        let len = stream.len().max(4096);
        stream.resize(len.div_ceil(512) * 512, 0);
        let n = stream.len() / 512;
        assert!(n + 2 <= 128, "one sector of the allocation table");
        let mut header = Vec::new();
        header.extend([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        header.extend([0u8; 16]);
        header.extend(0x003Eu16.to_le_bytes());
        header.extend(3u16.to_le_bytes());
        header.extend(0xFFFEu16.to_le_bytes());
        header.extend(9u16.to_le_bytes());
        header.extend(6u16.to_le_bytes());
        header.extend([0u8; 6]);
        header.extend(0u32.to_le_bytes()); // directory sectors (0 in version 3)
        header.extend(1u32.to_le_bytes()); // allocation table sectors
        header.extend(1u32.to_le_bytes()); // first directory sector
        header.extend(0u32.to_le_bytes());
        header.extend(4096u32.to_le_bytes());
        header.extend(END.to_le_bytes()); // no mini allocation table
        header.extend(0u32.to_le_bytes());
        header.extend(END.to_le_bytes()); // no DIFAT sectors
        header.extend(0u32.to_le_bytes());
        header.extend(0u32.to_le_bytes()); // the allocation table is sector 0
        while header.len() < 512 {
            header.extend(FREE.to_le_bytes());
        }
        let mut fat = vec![0xFFFF_FFFDu32, END];
        for i in 0..n {
            fat.push(if i + 1 == n { END } else { (i + 3) as u32 });
        }
        fat.resize(128, FREE);
        let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
            let mut e = vec![0u8; 128];
            let units: Vec<u16> = name.encode_utf16().collect();
            for (i, u) in units.iter().enumerate() {
                e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
            e[0x40..0x42].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
            e[0x42] = kind;
            e[0x43] = 1;
            e[0x44..0x48].copy_from_slice(&FREE.to_le_bytes());
            e[0x48..0x4C].copy_from_slice(&FREE.to_le_bytes());
            e[0x4C..0x50].copy_from_slice(&child.to_le_bytes());
            e[0x74..0x78].copy_from_slice(&start.to_le_bytes());
            e[0x78..0x7C].copy_from_slice(&size.to_le_bytes());
            e
        };
        let mut dir = entry("Root Entry", 5, 1, END, 0);
        dir.extend(entry("Workbook", 2, FREE, 2, len as u32));
        dir.resize(512, 0);
        for chunk in dir.chunks_mut(128).skip(2) {
            chunk[0x44..0x50].copy_from_slice(&[0xFF; 12]);
        }
        let mut out = header;
        out.extend(fat.iter().flat_map(|x| x.to_le_bytes()));
        out.extend(dir);
        out.extend(stream);
        out
    }

    /// The header and the row as cells of a sheet.
    pub fn xls_return_cells() -> Vec<XlsCell> {
        let mut cells = Vec::new();
        for (r, row) in [HEADER, ROW].iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    cells.push((r as u16, c as u16, (*text).to_string()));
                }
            }
        }
        cells
    }

    /// A good return as .xls.
    pub fn xls_good() -> Vec<u8> {
        xls(&[XlsSheet {
            name: "入力".to_string(),
            dimensions: (0, 2, 0, 13),
            cells: xls_return_cells(),
        }])
    }

    /// Ten sheets, each with a value at IV65536 (the last cell of an .xls sheet).
    pub fn xls_far_values() -> Vec<u8> {
        let sheets: Vec<XlsSheet> = (0..10)
            .map(|i| {
                let mut cells = if i == 0 {
                    xls_return_cells()
                } else {
                    Vec::new()
                };
                cells.push((65_535, 255, "1".to_string()));
                XlsSheet {
                    name: format!("S{}", i + 1),
                    dimensions: (0, 65_536, 0, 256),
                    cells,
                }
            })
            .collect();
        xls(&sheets)
    }

    /// The return, its DIMENSIONS record declaring A1:IV65536 ten sheets over (the cells
    /// themselves in A1:M2).
    pub fn xls_declared_far() -> Vec<u8> {
        let sheets: Vec<XlsSheet> = (0..10)
            .map(|i| XlsSheet {
                name: format!("S{}", i + 1),
                dimensions: (0, 65_536, 0, 256),
                cells: if i == 0 {
                    xls_return_cells()
                } else {
                    vec![(0, 0, "x".to_string())]
                },
            })
            .collect();
        xls(&sheets)
    }
}
