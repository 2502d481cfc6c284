//! kpiroll's own xlsx reader (src/read/xlsx.rs) against calamine's reading of the same
//! files: every xlsx in fixtures/, every kind of book kpiroll writes, and hand-written
//! workbooks with each construct a department's Excel or LibreOffice may save. Where the
//! fast reader reads a file, its sheets must be calamine's to the cell (text, number,
//! error flag, merged areas, defined names); where it hands a file over, calamine reads it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use kpiroll::read::grid::{Grid, Limits};
use kpiroll::read::{workbook, xlsx};

use crate::common::{diff_r6_r7, r7_book, Work};

/// Both readers on `bytes`: the fast one's grids, checked equal to calamine's.
fn both(bytes: &[u8], what: &str) -> Result<Vec<Grid>, xlsx::Unsupported> {
    let limits = Limits::default();
    let fast = xlsx::read_xlsx(bytes, &limits);
    if let Ok(fast) = &fast {
        let slow = workbook::read_xlsx_calamine(bytes, &limits)
            .unwrap_or_else(|e| panic!("{what}: the fast reader read it, calamine says {e:?}"));
        assert_eq!(fast.len(), slow.len(), "{what}: sheets");
        for (f, s) in fast.iter().zip(&slow) {
            assert_eq!(f.sheet, s.sheet, "{what}: sheet names");
            assert_eq!(f.rows, s.rows, "{what}: cells of {:?}", f.sheet);
            assert_eq!(f, s, "{what}: merged areas or names of {:?}", f.sheet);
        }
    }
    fast
}

fn xlsx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            xlsx_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xlsx" || e == "xlsm") {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_and_every_book_kpiroll_writes_reads_as_calamine_reads_it() {
    let work = Work::new();
    r7_book(&work);
    work.run_status(&["handout", "R7.xlsx", "-o", "handout.xlsx"], 0);
    diff_r6_r7(&work, "diff.xlsx");
    work.run_status(&["rollover", "R7.xlsx", "--year", "R8", "-o", "forms"], 0);
    let mut files = Vec::new();
    xlsx_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
        &mut files,
    );
    xlsx_files(work.dir.path(), &mut files);
    files.sort();
    let mut fast = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        if both(&bytes, &file.display().to_string()).is_ok() {
            fast.push(file.file_name().unwrap().to_string_lossy().to_string());
        }
    }
    // what departments and kpiroll write is read by the fast reader, not handed over
    for name in [
        "return.xlsx",                    // rust_xlsxwriter, the ingest fixture
        "keys.xlsx",                      // keys typed every way
        "sangaku_hand.xlsx",              // made by hand in LibreOffice Calc
        "みなみ市_KPI評価シート_R6.xlsx", // openpyxl, two header rows, a cover sheet
        "R6.xlsx",                        // kpiroll's book
        "R7.xlsx",                        // the working book: notes, highlights, three lists
        "handout.xlsx",
        "diff.xlsx",
    ] {
        assert!(
            fast.contains(&name.to_string()),
            "{name} handed over: {fast:?}"
        );
    }
    let forms = fast.iter().filter(|f| f.starts_with("R8_")).count();
    assert!(
        forms >= 10,
        "rollover forms read by the fast reader: {forms}"
    );
    // and a file that is no workbook is handed over (calamine says what is wrong)
    let broken = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ingest/broken/truncated.xlsx"
    ))
    .unwrap();
    assert!(both(&broken, "truncated").is_err());
}

/// A workbook of hand-written parts (the zip's members and their XML as given).
fn workbook_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="入力&amp;確認" sheetId="1" r:id="rId1"/><sheet name="隠し" sheetId="2" state="hidden" r:id="rId2"/></sheets><definedNames><definedName name="kpiroll_課">"産学振興課 &amp; 文化課"</definedName></definedNames></workbook>"#;
const STYLES: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="#,##0.0"/><numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="166" formatCode="&quot;約&quot;0&quot;人&quot;"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="3" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/><xf numFmtId="166"/><xf numFmtId="10"/></cellXfs></styleSheet>"##;
const SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>事務事業番号</t></si><si><r><rPr><b/></rPr><t>創業</t></r><r><t xml:space="preserve"> の支援</t></r><rPh sb="0" eb="2"><t>ソウギョウ</t></rPh><phoneticPr fontId="1"/></si><si><t>  前後の空白  </t></si><si><t xml:space="preserve">  残す空白 </t></si><si><t>改行_x000D_
あり &lt;&amp;&gt; &#x5186; &#20870;</t></si><si/></sst>"#;

fn sheet1(rows: &str, after: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:H9"/><sheetData>{rows}</sheetData>{after}</worksheet>"#
    )
}

const ROWS: &str = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>
<row r="2"><c r="A2" s="1"><v>1234567</v></c><c r="B2" s="2"><v>96.44</v></c><c r="C2" s="3"><v>45000</v></c><c r="D2" s="4"><v>45000.5</v></c><c r="E2" s="5"><v>12</v></c><c r="F2" s="6"><v>0.1234</v></c><c r="G2"><v>1.5E-3</v></c><c r="H2" s="99"><v>7</v></c></row>
<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="e"><v>#N/A</v></c><c r="D3" t="str"><f>A1&amp;"x"</f><v>式 &amp; 値</v></c><c r="E3" t="inlineStr"><is><t>インライン_x005F_x000D_</t></is></c><c r="F3" t="d"><v>2025-04-01T00:00:00</v></c><c r="G3" s="1"/><c r="H3"><f>1+1</f><v>2</v></c></row>
<row><c t="s"><v>0</v></c><c><v>5</v></c><c r="E4"><v>-3</v></c><c><v>4</v></c></row>
<row r="6"/>
<row r="7" spans="1:3"><c r="A7" t="inlineStr"><is><r><t>リッチ</t></r><r><rPr><i/></rPr><t>テキスト</t></r></is></c><c r="B7" t="s"><v>4</v></c></row>
<row r="9"><c r="A9"><v>   </v></c><c r="B9" t="inlineStr"><is><t></t></is></c></row>"#;

fn edge_book(rows: &str, after: &str) -> Vec<u8> {
    let sheet = sheet1(rows, after);
    let hidden = sheet1(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>隠れた表</t></is></c></row>"#,
        "",
    );
    workbook_of(&[
        ("_rels/.rels", ROOT_RELS),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/styles.xml", STYLES),
        ("xl/sharedStrings.xml", SHARED),
        ("xl/worksheets/sheet1.xml", &sheet),
        ("xl/worksheets/sheet2.xml", &hidden),
    ])
}

#[test]
fn each_construct_a_workbook_may_hold_reads_as_calamine_reads_it() {
    let merges =
        r#"<mergeCells count="2"><mergeCell ref="A7:A8"/><mergeCell ref="G7:H9"/></mergeCells>"#;
    let bytes = edge_book(ROWS, merges);
    let grids = both(&bytes, "edge cases").expect("the fast reader reads it");
    // the hidden sheet is not read; the defined name is on the sheet, decoded
    assert_eq!(grids.len(), 1);
    let g = &grids[0];
    assert_eq!(g.sheet.as_deref(), Some("入力&確認"));
    assert_eq!(
        g.workbook_names,
        vec![(
            "kpiroll_課".to_string(),
            "\"産学振興課 & 文化課\"".to_string()
        )]
    );
    // shared strings: runs joined, the furigana left out, spaces as Excel keeps them,
    // escapes and entities decoded; an empty one is a blank cell
    assert_eq!(g.text(0, 1), "創業 の支援");
    assert_eq!(g.text(0, 2), "前後の空白");
    assert_eq!(g.text(0, 3), "  残す空白 ");
    assert_eq!(g.text(0, 4), "改行\r\nあり <&> 円 円");
    assert_eq!(g.text(0, 5), "");
    // numbers through their formats; dates as their serial number; no style is General
    assert_eq!(g.text(1, 0), "1,234,567");
    assert_eq!(g.text(1, 1), "96.4");
    assert_eq!(g.text(1, 2), "45000");
    assert_eq!(g.text(1, 3), "45000.5");
    assert_eq!(g.text(1, 4), "約12人");
    assert_eq!(g.text(1, 5), "12.34%");
    assert_eq!(g.text(1, 6), "0.0015");
    assert_eq!(g.text(1, 7), "7");
    assert_eq!(g.get(1, 0).unwrap().number, Some(1_234_567.0));
    // booleans, errors, a formula's text, inline text, an ISO date, a formula's number
    assert_eq!(g.text(2, 0), "TRUE");
    assert_eq!(g.text(2, 1), "FALSE");
    assert!(g.get(2, 2).unwrap().error);
    assert_eq!(g.text(2, 2), "#N/A");
    assert_eq!(g.text(2, 3), "式 & 値");
    assert_eq!(g.text(2, 4), "インライン_x000D_");
    assert_eq!(g.text(2, 5), "2025-04-01T00:00:00");
    assert_eq!(g.text(2, 7), "2");
    // a row and cells without positions follow the ones before them
    assert_eq!(g.text(3, 0), "事務事業番号");
    assert_eq!(g.text(3, 1), "5");
    assert_eq!(g.text(3, 4), "-3");
    assert_eq!(g.text(3, 5), "4");
    // rich inline text; merged areas fill from their top-left cell
    assert_eq!(g.text(6, 0), "リッチテキスト");
    assert_eq!(g.text(7, 0), "リッチテキスト");
    assert!(g.is_merged(7, 0));
    // an area whose top-left cell is blank fills nothing, in both readers
    assert_eq!(g.text(8, 7), "");
    assert!(!g.is_merged(8, 7));
}

#[test]
fn prefixed_tags_and_pretty_printed_xml_read_the_same() {
    let rows = r#"
  <x:row r="1">
    <x:c r="A1" t="s">
      <x:v>0</x:v>
    </x:c>
    <x:c r="B1" s="1"><x:v>2500</x:v></x:c>
  </x:row>
  <!-- a comment -->
"#;
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:sheetData>{rows}</x:sheetData>
<x:mergeCells><x:mergeCell ref="A1:A2"/></x:mergeCells></x:worksheet>"#
    );
    let shared = r#"<?xml version="1.0"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:si><x:t>番号</x:t></x:si></x:sst>"#;
    let bytes = workbook_of(&[
        ("_rels/.rels", ROOT_RELS),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/styles.xml", STYLES),
        ("xl/sharedStrings.xml", shared),
        ("xl/worksheets/sheet1.xml", &sheet),
        ("xl/worksheets/sheet2.xml", &sheet1("", "")),
    ]);
    let grids = both(&bytes, "prefixed").expect("the fast reader reads it");
    assert_eq!(grids[0].text(0, 0), "番号");
    assert_eq!(grids[0].text(0, 1), "2,500");
    assert!(grids[0].is_merged(1, 0));
    assert_eq!(grids[0].text(1, 0), "番号");
}

#[test]
fn what_the_fast_reader_does_not_handle_is_read_by_calamine() {
    for (what, rows) in [
        (
            "CDATA",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>"#,
        ),
        (
            "an unknown cell type",
            r#"<row r="1"><c r="A1" t="x"><v>1</v></c></row>"#,
        ),
        (
            "an unknown element in a cell",
            r#"<row r="1"><c r="A1"><v>1</v><extLst/></c></row>"#,
        ),
        (
            "an unknown entity",
            r#"<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>"#,
        ),
        (
            "a number calamine reads its own way",
            r#"<row r="1"><c r="A1"><v>inf</v></c></row>"#,
        ),
    ] {
        let bytes = edge_book(rows, "");
        assert!(both(&bytes, what).is_err(), "{what}: handed over");
        // and kpiroll reads the file (or refuses it) through calamine, as before
        assert_eq!(
            workbook::read_xlsx(&bytes, &Limits::default()),
            workbook::read_xlsx_calamine(&bytes, &Limits::default()),
            "{what}: read by calamine"
        );
    }
    // a CDATA text calamine reads is read through it in the end
    let bytes = edge_book(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>"#,
        "",
    );
    let grids = workbook::read_xlsx(&bytes, &Limits::default()).expect("calamine reads it");
    assert_eq!(grids[0].text(0, 0), "a<b");
}

#[test]
fn a_cell_without_a_style_shows_in_the_first_format_never_as_a_date() {
    // a workbook whose default cell format is #,##0 (the first xf), and one whose first
    // format is a date: a number cell without `s` reads as kpiroll's calamine path reads
    // it in both (the date code shown as its text: that path's reading, kept as it is)
    for (first, shown) in [("3", "1,234"), ("14", "mm-dd-yy")] {
        let styles = format!(
            r#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="1"><xf numFmtId="{first}"/></cellXfs></styleSheet>"#
        );
        let sheet = sheet1(r#"<row r="1"><c r="A1"><v>1234</v></c></row>"#, "");
        let bytes = workbook_of(&[
            ("_rels/.rels", ROOT_RELS),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/styles.xml", &styles),
            ("xl/worksheets/sheet1.xml", &sheet),
        ]);
        let grids = both(&bytes, first).expect("read");
        assert_eq!(grids[0].text(0, 0), shown, "first format {first}");
    }
}

#[test]
fn a_far_stray_cell_costs_one_cell_in_the_fast_reader_too() {
    let bytes = edge_book(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        "",
    );
    let grids = both(&bytes, "far cell").expect("read");
    assert_eq!(grids[0].clipped, Some((1_048_575, 16_383)));
    assert_eq!(grids[0].rows.len(), 1);
}

/// Whether a reading refused the file: an error, or a sheet over a budget.
fn refused(read: &Result<Vec<Grid>, impl std::fmt::Debug>) -> bool {
    read.as_ref()
        .map_or(true, |grids| grids.iter().any(|g| g.over.is_some()))
}

#[test]
fn every_hostile_file_reads_as_calamine_reads_it_or_both_refuse() {
    use crate::hostile::make_hostile::cases;
    // Where the two differ, and why that is right:
    // - spill_calc_memo.xlsx: calamine knows only the seven classic error values and
    //   fails the whole sheet on `#SPILL!` / `#CALC!`; kpiroll's reader takes them as
    //   error values (what Excel shows), and reads the file itself, so the file is taken.
    let differ = ["spill_calc_memo.xlsx"];
    let limits = Limits::default();
    for case in cases().into_iter().filter(|c| c.name.ends_with(".xlsx")) {
        let bytes = (case.make)();
        let own = xlsx::read_xlsx(&bytes, &limits);
        let calamine = workbook::read_xlsx_calamine(&bytes, &limits);
        let name = case.name;
        if differ.contains(&name) {
            assert!(
                own.is_ok() && !refused(&own),
                "{name}: read by kpiroll's reader"
            );
            assert!(
                calamine.is_err(),
                "{name}: calamine now reads it: {calamine:?}"
            );
            continue;
        }
        match (&own, refused(&own)) {
            // handed over or over a budget: calamine's path refuses it too
            (_, true) => assert!(
                refused(&calamine),
                "{name}: refused by kpiroll's reader ({:?}), read by calamine",
                own.as_ref().err()
            ),
            (Ok(own), false) => {
                let calamine = calamine.unwrap_or_else(|e| {
                    panic!("{name}: read by kpiroll's reader, calamine: {e:?}")
                });
                assert_eq!(own.len(), calamine.len(), "{name}: sheets");
                for (f, s) in own.iter().zip(&calamine) {
                    assert_eq!(f.rows, s.rows, "{name}: cells of {:?}", f.sheet);
                    assert_eq!(f, s, "{name}: merged areas or names of {:?}", f.sheet);
                }
            }
            (Err(_), false) => unreachable!("an error is a refusal"),
        }
    }
}
