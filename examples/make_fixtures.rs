//! Writes the ingest fixtures into a folder (fixtures/ingest/ in the repository):
//!
//! - `return.xlsx`: a department's return as they send it (instruction sheet first, title
//!   rows, the header on row 5 under a merged section row, merged group cells, a project
//!   merged over two KPI rows, full-width digits, `96.4%`, `-`, a formula, a second
//!   基本目標 block with its own header row);
//! - `keys.xlsx`: 事務事業番号 typed every way people type them (line breaks, each dash,
//!   spaces) and two typed into number cells;
//! - `broken/`: files that cannot be taken, each for its own reason: cut in half, a zip
//!   that is no workbook, empty, no header row, a required column deleted.
//!
//! The .xls / .ods copies and `broken/encrypted.xlsx` are made from these by
//! `just fixtures-ingest` (LibreOffice, msoffcrypto-tool); see fixtures/README.md.
//!
//! Usage: `cargo run --release --example make_fixtures -- fixtures/ingest`

use std::path::Path;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet,
    XlsxError,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/ingest".to_string());
    write_all(Path::new(&dir))?;
    println!("wrote the ingest fixtures into {dir}/");
    Ok(())
}

/// Writes every generated fixture into `dir` (and `dir/broken`).
pub fn write_all(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let broken = dir.join("broken");
    std::fs::create_dir_all(&broken)?;
    let good = return_book(Shape::Whole)?;
    std::fs::write(dir.join("return.xlsx"), &good)?;
    std::fs::write(dir.join("keys.xlsx"), keys_book()?)?;
    // a return whose copy stopped half way
    std::fs::write(broken.join("truncated.xlsx"), &good[..good.len() / 2])?;
    std::fs::write(broken.join("not-a-workbook.xlsx"), plain_zip()?)?;
    std::fs::write(broken.join("empty.xlsx"), b"")?;
    std::fs::write(broken.join("no-header.xlsx"), return_book(Shape::NoHeader)?)?;
    std::fs::write(
        broken.join("missing-column.xlsx"),
        return_book(Shape::NoTarget)?,
    )?;
    Ok(())
}

/// The header row of the return: the 資料2-2 columns, spelled as a department's form may
/// spell them (所管課, 事業番号, K P I, 令和7年度実績値).
pub const HEADERS: [&str; 13] = [
    "数値目標",
    "施策番号",
    "施策",
    "施策KPI",
    "所管課",
    "事業名",
    "事業番号",
    "事業概要",
    "K P I",
    "単位",
    "目標値",
    "令和7年度実績値",
    "備考",
];

/// How much of the return to write.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// the return as sent
    Whole,
    /// the header rows deleted
    NoHeader,
    /// the 目標値 column deleted
    NoTarget,
}

/// A value cell of the return.
#[derive(Clone, Copy)]
pub enum V {
    /// typed as text
    T(&'static str),
    /// a number cell with its format code
    N(f64, &'static str),
    /// a formula and its cached result
    F(&'static str, f64),
}

/// One KPI row: project columns (所管課, 事業名, 事業番号, 事業概要), then KPI, 単位, 目標値,
/// 実績値, 備考. Project columns of a project's second KPI row are merged with the first.
pub struct Kpi {
    pub project: Option<[&'static str; 4]>,
    pub kpi: &'static str,
    pub unit: &'static str,
    pub target: V,
    pub actual: V,
    pub remarks: &'static str,
}

fn kpi(
    project: Option<[&'static str; 4]>,
    kpi: &'static str,
    unit: &'static str,
    target: V,
    actual: V,
    remarks: &'static str,
) -> Kpi {
    Kpi {
        project,
        kpi,
        unit,
        target,
        actual,
        remarks,
    }
}

/// A 施策 group: (数値目標 or "" to leave it merged from above, 施策番号, 施策, 施策KPI) and
/// its KPI rows.
pub struct Group {
    pub goal_targets: &'static str,
    pub measure: [&'static str; 3],
    pub rows: Vec<Kpi>,
}

/// The return's 基本目標 blocks: the section row's text and its 施策 groups.
pub fn blocks() -> Vec<(&'static str, Vec<Group>)> {
    use V::{F, N, T};
    vec![
        (
            "基本目標Ⅰ 地域を元気にするしごとづくり",
            vec![
                Group {
                    goal_targets: "市内事業所数",
                    measure: ["①", "①創業の支援", "創業支援による創業数"],
                    rows: vec![
                        kpi(
                            Some([
                                "産学振興課",
                                "スマートアプリコンテスト事業",
                                "４３２－５",
                                "スマートアプリの開発コンテストを実施し、市内学生・エンジニア・IT企業等との交流の場を創出する",
                            ]),
                            "コンテストのエントリー件数",
                            "件",
                            T("１００"),
                            T("１０５"),
                            "課名変更",
                        ),
                        kpi(
                            Some([
                                "産学振興課",
                                "先端情報技術開発支援事業",
                                "432-9",
                                "ブロックチェーン技術を活用した\n新製品や新技術の開発に係る事業費を補助",
                            ]),
                            "事業採択数",
                            "件",
                            N(5.0, "General"),
                            N(2.0, "0"),
                            "",
                        ),
                        kpi(
                            None,
                            "補助金交付件数",
                            "件",
                            T("-"),
                            T("１２"),
                            "KPI変更 令和7年度から2つ目のKPIを追加",
                        ),
                        kpi(
                            Some([
                                "産学振興課",
                                "新産業創出支援センター(トライバレーセンター)管理運営事業",
                                "433-1",
                                "新しい産業・ビジネスの起業を考えている方へ低額の使用料でオフィスを提供",
                            ]),
                            "入居率",
                            "%",
                            T("90%"),
                            T("96.4%"),
                            "",
                        ),
                    ],
                },
                Group {
                    goal_targets: "",
                    measure: [
                        "②",
                        "②地場企業の育成・企業立地の促進",
                        "支援による就職者数",
                    ],
                    rows: vec![
                        kpi(
                            Some([
                                "企業誘致推進課",
                                "企業誘致推進事業",
                                "421-3",
                                "企業の誘致を実現することで雇用の創出を図る。",
                            ]),
                            "誘致企業数",
                            "社",
                            N(1.0, "General"),
                            F("=2+3", 5.0),
                            "",
                        ),
                        kpi(
                            Some([
                                "産学振興課 都市計画課",
                                "空家等流通プラットフォーム構築事業",
                                "652-6 432-10",
                                "空家等の流通を促すプラットフォームを構築する",
                            ]),
                            "利用者数",
                            "人",
                            T("5,000"),
                            // the one value whose text depends on its number format:
                            // .xlsx shows 1,234; .xls and .ods give the number only (1234)
                            N(1234.0, "#,##0"),
                            "",
                        ),
                    ],
                },
            ],
        ),
        (
            "基本目標Ⅱ 結婚・出産・子育ての希望をかなえる",
            vec![Group {
                goal_targets: "出生数",
                measure: ["①", "①結婚・出産・子育ての支援", "子育て支援の満足度"],
                rows: vec![
                    kpi(
                        Some([
                            "子育て支援課",
                            "子育て相談事業",
                            "511-22他",
                            "子育ての悩みに応じる相談窓口を設ける",
                        ]),
                        "相談件数",
                        "件",
                        T("1,000"),
                        T("107% (16/14)"),
                        "",
                    ),
                    kpi(
                        Some([
                            "子育て支援課",
                            "子育てサロン事業",
                            "512-3",
                            "親子が集う場を設ける",
                        ]),
                        "参加者数",
                        "人",
                        T("—"),
                        T("集計中"),
                        "【事業休止】 年度途中で休止",
                    ),
                ],
            }],
        ),
    ]
}

/// A fixed creation time, so the same code writes the same bytes.
fn properties() -> Result<DocProperties, XlsxError> {
    Ok(DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 1)?))
}

/// The return, as bytes of an .xlsx.
pub fn return_book(shape: Shape) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties()?);
    let guide = wb.add_worksheet().set_name("記入要領")?;
    guide.write_string(0, 0, "記入要領")?;
    guide.write_string(
        2,
        0,
        "1. 「入力」シートの実績値の列に、令和7年度の実績を記入してください。",
    )?;
    guide.write_string(3, 0, "2. 事務事業番号は 411-6 の形で記入してください。")?;
    guide.write_string(4, 0, "3. 該当しない場合は「-」を記入してください。")?;
    guide.set_column_width(0, 80)?;

    let ws = wb.add_worksheet().set_name("入力")?;
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let head = cell.clone().set_background_color("D9D9D9");
    let section = Format::new().set_bold().set_font_size(12);
    // columns left out of this shape
    let drop: Vec<u16> = match shape {
        Shape::NoTarget => vec![10],
        _ => Vec::new(),
    };
    let columns: Vec<u16> = (0..HEADERS.len() as u16)
        .filter(|c| !drop.contains(c))
        .collect();
    // where a column of the layout lands once columns are left out
    let at = |c: u16| -> Option<u16> { columns.iter().position(|x| *x == c).map(|p| p as u16) };
    let last = columns.len() as u16 - 1;
    ws.write_string(
        0,
        0,
        "令和７年度 まち・ひと・しごと創生総合戦略 KPI 実績調査票",
    )?;
    ws.write_string(1, 0, "担当課：産学振興課・企業誘致推進課・子育て支援課")?;
    let mut r = 3u32;
    for (title, groups) in blocks() {
        ws.merge_range(r, 0, r, last, title, &section)?;
        r += 1;
        if shape != Shape::NoHeader {
            for c in &columns {
                ws.write_string_with_format(r, at(*c).unwrap(), HEADERS[*c as usize], &head)?;
            }
            r += 1;
        }
        let mut goal_start: Option<(u32, &str)> = None;
        for group in groups {
            let first = r;
            let height = group.rows.len() as u32;
            if !group.goal_targets.is_empty() {
                // 数値目標 merged over every group it covers
                if let Some((top, text)) = goal_start.take() {
                    put_merged(ws, top, first - 1, at(0).unwrap(), text, &cell)?;
                }
                goal_start = Some((first, group.goal_targets));
            }
            // 施策 columns merged over the group's rows
            for (i, text) in group.measure.iter().enumerate() {
                let c = at(1 + i as u16).unwrap();
                put_merged(ws, first, first + height - 1, c, text, &cell)?;
            }
            let mut i = 0;
            while i < group.rows.len() {
                let row = &group.rows[i];
                let project = row.project.expect("a group starts with a project");
                // a project's further KPI rows: project columns merged over them
                let span = 1 + group.rows[i + 1..]
                    .iter()
                    .take_while(|k| k.project.is_none())
                    .count() as u32;
                for (j, text) in project.iter().enumerate() {
                    let c = at(4 + j as u16).unwrap();
                    put_merged(ws, r, r + span - 1, c, text, &cell)?;
                }
                for k in &group.rows[i..i + span as usize] {
                    ws.write_string_with_format(r, at(8).unwrap(), k.kpi, &cell)?;
                    ws.write_string_with_format(r, at(9).unwrap(), k.unit, &cell)?;
                    for (c, v) in [(10u16, k.target), (11, k.actual)] {
                        let Some(c) = at(c) else { continue };
                        match v {
                            V::T(t) => ws.write_string_with_format(r, c, t, &cell)?,
                            V::N(x, code) => ws.write_number_with_format(
                                r,
                                c,
                                x,
                                &cell.clone().set_num_format(code),
                            )?,
                            V::F(f, x) => ws.write_formula_with_format(
                                r,
                                c,
                                Formula::new(f).set_result(x.to_string()),
                                &cell,
                            )?,
                        };
                    }
                    let remarks = at(12).unwrap();
                    ws.write_string_with_format(r, remarks, k.remarks, &cell)?;
                    r += 1;
                }
                i += span as usize;
            }
        }
        if let Some((top, text)) = goal_start {
            put_merged(ws, top, r - 1, at(0).unwrap(), text, &cell)?;
        }
    }
    for (c, width) in [12, 4, 14, 14, 12, 18, 9, 40, 20, 6, 9, 10, 14]
        .iter()
        .enumerate()
    {
        if let Some(c) = at(c as u16) {
            ws.set_column_width(c, *width)?;
        }
    }
    wb.save_to_buffer()
}

/// A text over rows `first..=last` of column `c`: merged when more than one row.
fn put_merged(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    c: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if last > first {
        ws.merge_range(first, c, last, c, text, format)?;
    } else {
        ws.write_string_with_format(first, c, text, format)?;
    }
    Ok(())
}

/// The keys return: a plain sheet (section row, header row), one project per row, each
/// 事業番号 typed another way. Rows 3–11 are taken; the two number cells are refused.
pub fn keys_book() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties()?);
    let ws = wb.add_worksheet().set_name("入力")?;
    let wrap = Format::new().set_text_wrap();
    ws.write_string(0, 0, "基本目標Ⅰ 地域を元気にするしごとづくり")?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(1, c as u16, *h)?;
    }
    ws.write_string(2, 0, "市内事業所数")?;
    ws.write_string(2, 1, "①")?;
    ws.write_string(2, 2, "①創業の支援")?;
    ws.write_string(2, 3, "創業支援による創業数")?;
    for (i, key) in KEYS.iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_string(r, 4, "産学振興課")?;
        ws.write_string(r, 5, format!("事業{}", i + 1))?;
        match key {
            Key::Text(t) => ws.write_string_with_format(r, 6, *t, &wrap)?,
            Key::Number(x, code) => {
                ws.write_number_with_format(r, 6, *x, &Format::new().set_num_format(*code))?
            }
        };
        ws.write_string(r, 8, "件数")?;
        ws.write_string(r, 9, "件")?;
        ws.write_number(r, 10, 10.0)?;
        ws.write_number(r, 11, i as f64 + 1.0)?;
    }
    wb.save_to_buffer()
}

/// A 事業番号 cell of the keys return.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    Text(&'static str),
    /// typed into a number cell: the value and the cell's format
    Number(f64, &'static str),
}

/// The keys return's 事業番号 cells, from row 3 down.
pub const KEYS: [Key; 11] = [
    Key::Text("411-6\n"),          // Alt+Enter after the number
    Key::Text("421-\n7"),          // a line break inside the number
    Key::Text("652-6\n432-10"),    // a joint project, one number a line
    Key::Text("432－5"),           // FULLWIDTH HYPHEN-MINUS
    Key::Text("432−9"),            // MINUS SIGN
    Key::Text("433‐1"),            // HYPHEN
    Key::Text("433ー3"),           // KATAKANA PROLONGED SOUND MARK
    Key::Text("442 - 1"),          // spaces around the dash
    Key::Text("４４２　－　５"),   // full-width digits, ideographic spaces
    Key::Number(461.2, "0"),       // 461.2 typed into a `0` cell: shows 461
    Key::Number(422.2, "General"), // 422.2 typed into a General cell
];

/// A zip that is not a workbook (a folder of notes zipped and named .xlsx).
fn plain_zip() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().last_modified_time(zip::DateTime::default());
    zip.start_file("メモ.txt", options)?;
    zip.write_all("実績は後日送ります。\n".as_bytes())?;
    Ok(zip.finish()?.into_inner())
}
