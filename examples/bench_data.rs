//! The benchmark's workloads: seeded, so the same command gives the same files.
//!
//! ```sh
//! cargo run --release --example bench_data -- target/bench S M L
//! ```
//!
//! For each scale (S: 30 returns × 3 rows, M: 300 × 50, L: 1,741 × 80) it writes, under
//! `OUT/<scale>/`:
//! - `returns/NNNN_<課>.xlsx`: this year's (R7) returns, shaped like real ones: a title and
//!   a 担当者 row above the header on row 3, an instruction sheet first in some, headers
//!   spelled two ways, section rows, merged group and project cells (or "same as above"
//!   blanks), numbers as text, full-width digits, `-`, `%`, number cells with formats,
//!   the odd `集計中`, carried-over and department-set flags in 備考, formatted empty rows;
//! - `prev-src/chunk-NN.tsv`: last year's (R6) table as text in the seed's shape, from
//!   which `kpiroll consolidate --year R6` writes last year's book `prev.xlsx` (the
//!   `bench-data` recipe does that);
//! - `expected.json`: the counts `kpiroll consolidate --year R7 --prev prev.xlsx returns`
//!   must report: rows read, last year's rows, new, not returned, changed.
//!
//! Last year's book differs from the returns the way a real year does: about 10 % of the
//! rows changed (課, 事業名, 事業概要, KPI, 単位 or 目標値), about 1 % new projects, about
//! 1 % of last year's projects not returned, and many spellings that differ without a
//! change of meaning (`1000` / `１，０００` / a `#,##0` number cell, `96.4` / `96.4%`
//! with 単位 %, `-` / `－`, `ＩＴ` / `IT`), which must not count as changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// splitmix64: small, seeded, the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// true with probability p
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Scale {
    name: &'static str,
    returns: usize,
    rows: usize,
}

const SCALES: [Scale; 3] = [
    Scale {
        name: "S",
        returns: 30,
        rows: 3,
    },
    Scale {
        name: "M",
        returns: 300,
        rows: 50,
    },
    Scale {
        name: "L",
        returns: 1741,
        rows: 80,
    },
];

const GOALS: [(&str, &str, &str); 4] = [
    ("Ⅰ", "地域を元気にするしごとづくり", "市内事業所数"),
    ("Ⅱ", "子育て世代に選ばれるまちづくり", "合計特殊出生率"),
    ("Ⅲ", "安心して暮らし続けられる地域づくり", "転入者数"),
    ("Ⅳ", "ひとが集う魅力あるまちづくり", "観光入込客数"),
];
const MEASURE_NOS: [&str; 4] = ["①", "②", "③", "④"];
const MEASURES: [[(&str, &str); 4]; 4] = [
    [
        ("創業の支援", "創業支援による創業数"),
        ("地場企業の育成・企業立地の促進", "支援による就職者数"),
        ("国際経済交流の推進", "海外への進出参加セミナー等"),
        ("農林業の振興", "新規就農者数"),
    ],
    [
        ("妊娠・出産への支援", "妊婦健診受診率"),
        ("子育て環境の充実", "待機児童数"),
        ("教育の充実", "全国学力調査の平均正答率"),
        ("若い世代の定住促進", "子育て世帯の転入数"),
    ],
    [
        ("健康づくりの推進", "特定健診受診率"),
        ("地域防災力の向上", "自主防災組織の結成率"),
        ("高齢者の生活支援", "介護予防教室参加者数"),
        ("公共交通の確保", "コミュニティバス利用者数"),
    ],
    [
        ("観光の振興", "観光客数"),
        ("文化・スポーツの振興", "施設利用者数"),
        ("移住・定住の促進", "移住相談件数"),
        ("シティプロモーション", "SNSフォロワー数"),
    ],
];
const KINDS: [&str; 24] = [
    "企画政策",
    "産学振興",
    "商工観光",
    "農林振興",
    "都市計画",
    "子育て支援",
    "健幸保健",
    "生涯学習",
    "学校教育",
    "市民活動支援",
    "高齢者支援",
    "国際政策",
    "企業誘致推進",
    "建設政策",
    "保育",
    "スポーツ振興",
    "文化振興",
    "防災安全",
    "地域福祉",
    "環境保全",
    "まちづくり推進",
    "観光振興",
    "情報政策",
    "税務",
];
const PLACE_A: [&str; 20] = [
    "北", "南", "東", "西", "中", "上", "下", "新", "本", "大", "小", "高", "若", "松", "桜", "山",
    "川", "森", "浜", "野",
];
const PLACE_B: [&str; 20] = [
    "田", "原", "沢", "崎", "岡", "島", "宮", "浦", "津", "谷", "瀬", "見", "野", "里", "丘", "江",
    "城", "町", "根", "尾",
];
const SUBJECTS: [&str; 20] = [
    "新規就農者",
    "中小企業",
    "創業者",
    "ＩＴ人材",
    "子育て世帯",
    "高齢者",
    "地域公共交通",
    "観光客",
    "移住希望者",
    "地元ブランド",
    "空き家",
    "商店街",
    "自主防災組織",
    "スポーツ団体",
    "文化施設",
    "若者",
    "留学生",
    "健康づくり",
    "地域コミュニティ",
    "学校図書館",
];
const ACTIONS: [&str; 12] = [
    "支援",
    "育成",
    "活性化推進",
    "誘致",
    "交流促進",
    "情報発信",
    "環境整備",
    "定住促進",
    "連携推進",
    "人材確保",
    "魅力向上",
    "利用促進",
];
const PHRASES: [&str; 12] = [
    "市内事業者の取組を支援し、地域経済の活性化を図る。",
    "関係機関と連携し、相談体制を充実させる。",
    "補助金を交付することにより、事業者の負担を軽減する。",
    "セミナーや講座を開催し、知識と技能の向上を図る。",
    "ホームページやSNSで情報を発信し、認知度を高める。",
    "地域住民との交流拠点を整備し、参加者の増加を図る。",
    "専門家を派遣して、個別の課題解決を支援する。",
    "施設の管理運営を行い、利用者の利便性を高める。",
    "大学や企業との協定に基づき、共同研究を推進する。",
    "アンケート調査を実施し、次年度の事業に反映させる。",
    "広域の自治体と連携し、効率的な事業運営を図る。",
    "対象者への訪問や電話により、きめ細かな支援を行う。",
];
const METRICS: [(&str, &str); 10] = [
    ("参加者数", "人"),
    ("相談件数", "件"),
    ("補助件数", "件"),
    ("支援企業数", "社"),
    ("開催回数", "回"),
    ("認定数", "品"),
    ("利用者数", "人"),
    ("満足度", "%"),
    ("達成率", "%"),
    ("登録団体数", "団体"),
];
const SECOND_METRICS: [(&str, &str); 4] = [
    ("延べ利用者数", "人"),
    ("新規登録数", "件"),
    ("継続率", "%"),
    ("成約件数", "件"),
];

/// How a value is written in a return.
#[derive(Clone, Debug)]
enum Cell {
    Text(String),
    Number(f64, &'static str),
}

/// One KPI row of a project.
#[derive(Clone, Debug)]
struct Kpi {
    kpi6: String,
    kpi7: String,
    unit6: String,
    unit7: String,
    target6: String,
    target7: Cell,
    actual6: String,
    actual7: Cell,
    remarks7: String,
    /// a KPI-level change (KPI, 単位, 目標値)
    changed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// in both years
    Both,
    /// only this year: 新規
    New,
    /// only last year: 未提出
    Gone,
}

#[derive(Clone, Debug)]
struct Project {
    fate: Fate,
    dept: usize,
    measure: usize,
    key: String,
    depts6: String,
    depts7: String,
    name6: String,
    name7: String,
    summary6: String,
    summary7: String,
    /// a project-level change (課, 事業名, 事業概要): every KPI row of it changed
    changed: bool,
    kpis: Vec<Kpi>,
}

fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
            ',' => '，',
            '.' => '．',
            '%' => '％',
            _ => c,
        })
        .collect()
}

fn with_commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn dept_name(d: usize) -> String {
    let kind = KINDS[d % KINDS.len()];
    let town = d / KINDS.len();
    if town == 0 {
        format!("{kind}課")
    } else {
        let a = PLACE_A[town % PLACE_A.len()];
        let b = PLACE_B[(town / PLACE_A.len()) % PLACE_B.len()];
        format!("{a}{b}{kind}課")
    }
}

/// A value (目標値 or 実績値): last year's text and this year's cell, equal in meaning.
fn value(rng: &mut Rng, unit: &str) -> (String, Cell, f64) {
    if rng.chance(0.04) {
        let dash = if rng.chance(0.5) { "-" } else { "－" };
        return ("-".to_string(), Cell::Text(dash.to_string()), f64::NAN);
    }
    if unit == "%" {
        let tenths = 300 + rng.below(700);
        let text = format!("{}.{}", tenths / 10, tenths % 10);
        let x = tenths as f64 / 10.0;
        let cell = match rng.below(3) {
            0 => Cell::Text(format!("{text}%")),
            1 => Cell::Text(fullwidth(&format!("{text}%"))),
            _ => Cell::Text(text.clone()),
        };
        return (text, cell, x);
    }
    let n = match rng.below(4) {
        0 => 1 + rng.below(20),
        1 => 10 + rng.below(300),
        2 => 100 + rng.below(5_000),
        _ => 1_000 + rng.below(60_000),
    } as u64;
    let last = if n >= 1000 && rng.chance(0.5) {
        with_commas(n)
    } else {
        n.to_string()
    };
    let cell = match rng.below(5) {
        0 => Cell::Text(with_commas(n)),
        1 => Cell::Text(fullwidth(&with_commas(n))),
        2 => Cell::Number(n as f64, "#,##0"),
        3 => Cell::Number(n as f64, "0"),
        _ => Cell::Text(n.to_string()),
    };
    (last, cell, n as f64)
}

fn make_kpi(rng: &mut Rng, second: bool, first_kpi: &str) -> Kpi {
    let subject = rng.pick(&SUBJECTS[..]);
    let (metric, unit) = if second {
        *rng.pick(&SECOND_METRICS[..])
    } else {
        *rng.pick(&METRICS[..])
    };
    let mut kpi = format!("{subject}の{metric}");
    if kpi == first_kpi {
        kpi.push_str("（累計）");
    }
    let (target6, target7, _) = value(rng, unit);
    let (actual6, _, _) = value(rng, unit);
    let actual7 = if rng.chance(0.003) {
        Cell::Text("集計中".to_string())
    } else {
        value(rng, unit).1
    };
    let remarks7 = match rng.below(100) {
        0 | 1 => "【事業休止】 年度途中で休止".to_string(),
        2..=4 => "KPI変更".to_string(), // carried over from last year: recomputed
        5..=7 => "次年度に事業内容を見直し予定".to_string(),
        _ => String::new(),
    };
    Kpi {
        kpi6: kpi.clone(),
        kpi7: kpi,
        unit6: unit.to_string(),
        unit7: unit.to_string(),
        target6,
        target7,
        actual6,
        actual7,
        remarks7,
        changed: false,
    }
}

fn make_project(rng: &mut Rng, dept: usize, kpis: usize) -> Project {
    let subject = rng.pick(&SUBJECTS[..]);
    let action = rng.pick(&ACTIONS[..]);
    let name = format!("{subject}{action}事業");
    // ＩＴ in last year's name, IT this year: NFKC makes them one
    let name7 = name.replace("ＩＴ", "IT");
    let mut summary = String::new();
    for _ in 0..1 + rng.below(3) {
        summary.push_str(PHRASES[rng.below(PHRASES.len())]);
    }
    let mut list: Vec<Kpi> = Vec::new();
    for k in 0..kpis {
        let first = list
            .first()
            .map_or("", |f: &Kpi| f.kpi6.as_str())
            .to_string();
        list.push(make_kpi(rng, k > 0, &first));
    }
    Project {
        fate: Fate::Both,
        dept,
        measure: rng.below(16),
        key: String::new(),
        depts6: dept_name(dept),
        depts7: dept_name(dept),
        name6: name,
        name7,
        summary6: summary.clone(),
        summary7: summary,
        changed: false,
        kpis: list,
    }
}

/// Applies one change to a project in both years (about 10 % of rows end up changed).
fn change(rng: &mut Rng, p: &mut Project, returns: usize) {
    match rng.below(6) {
        0 => {
            // a joint project now: another 課 added
            p.depts7 = format!("{} {}", p.depts6, dept_name((p.dept + 1) % returns.max(2)));
            p.changed = true;
        }
        1 => {
            p.name7 = format!("{}（拡充）", p.name7);
            p.changed = true;
        }
        2 => {
            p.summary7 = format!("{}対象を市外在住者にも拡大した。", p.summary7);
            p.changed = true;
        }
        which => {
            let i = rng.below(p.kpis.len());
            let k = &mut p.kpis[i];
            match which {
                3 => k.kpi7 = format!("{}（累計）", k.kpi7),
                4 => {
                    k.unit7 = if k.unit6 == "人" { "人・回" } else { "人" }.to_string();
                }
                _ => {
                    k.target6 = "12,345".to_string();
                    k.target7 = Cell::Text("15,000".to_string());
                }
            }
            k.changed = true;
        }
    }
}

/// The whole year pair of one scale.
fn generate(scale: &Scale, seed: u64) -> Vec<Project> {
    let mut rng = Rng::new(seed);
    let mut projects = Vec::new();
    for d in 0..scale.returns {
        let mut mine = Vec::new();
        let mut left = scale.rows;
        while left > 0 {
            let kpis = if left >= 2 && rng.chance(0.3) { 2 } else { 1 };
            left -= kpis;
            let mut p = make_project(&mut rng, d, kpis);
            if rng.chance(0.01) {
                p.fate = Fate::New;
            } else if rng.chance(0.113) {
                change(&mut rng, &mut p, scale.returns);
            }
            mine.push(p);
            // a project of last year's that this 課 does not return
            if rng.chance(0.0075) {
                let kpis = 1 + usize::from(rng.chance(0.3));
                let mut gone = make_project(&mut rng, d, kpis);
                gone.fate = Fate::Gone;
                mine.push(gone);
            }
        }
        // in a return, projects come in the strategy's order
        mine.sort_by_key(|p| p.measure);
        projects.extend(mine);
    }
    // every scale has at least one new and one not-returned project
    if !projects.iter().any(|p| p.fate == Fate::New) {
        if let Some(p) = projects
            .iter_mut()
            .find(|p| p.fate == Fate::Both && !p.changed)
        {
            p.fate = Fate::New;
        }
    }
    if !projects.iter().any(|p| p.fate == Fate::Gone) {
        let mut gone = make_project(&mut rng, 0, 1);
        gone.fate = Fate::Gone;
        let at = projects
            .iter()
            .position(|p| p.dept == 0 && p.measure >= gone.measure)
            .unwrap_or(0);
        projects.insert(at, gone);
    }
    for (i, p) in projects.iter_mut().enumerate() {
        p.key = format!("{}-{}", 100 + i / 999, i % 999 + 1);
    }
    projects
}

fn goal_of(measure: usize) -> usize {
    measure / 4
}

fn section(goal: usize) -> String {
    format!("基本目標{} {}", GOALS[goal].0, GOALS[goal].1)
}

/// Last year's table as seed-shaped text, `rows_per_chunk` rows a file, rows grouped
/// by 基本目標 (the book's order).
fn write_prev_src(dir: &Path, projects: &[Project]) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut order: Vec<&Project> = projects.iter().filter(|p| p.fate != Fate::New).collect();
    order.sort_by_key(|p| goal_of(p.measure)); // stable: 課 order within a goal
    let header = "数値目標\t\t\tKPI\t担当課\t事業名\t事務事業番号\t事業概要\tKPI\t単位\t目標値\tR6実績値\t備考";
    let mut rows = 0;
    for (n, chunk) in order.chunks(8_000).enumerate() {
        let mut text = String::from("【資料 2 -2】\n\n");
        let mut goal = usize::MAX;
        for p in chunk {
            let g = goal_of(p.measure);
            if g != goal {
                goal = g;
                let _ = write!(text, "\n{}\n{header}\n", section(g));
            }
            let m = p.measure % 4;
            for k in &p.kpis {
                let _ = writeln!(
                    text,
                    "{}\t{}\t{}{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t",
                    GOALS[g].2,
                    MEASURE_NOS[m],
                    MEASURE_NOS[m],
                    MEASURES[g][m].0,
                    MEASURES[g][m].1,
                    p.depts6,
                    p.name6,
                    p.key,
                    p.summary6,
                    k.kpi6,
                    k.unit6,
                    k.target6,
                    k.actual6,
                );
                rows += 1;
            }
        }
        std::fs::write(dir.join(format!("chunk-{n:02}.tsv")), text)?;
    }
    Ok(rows)
}

/// Headers of a return: the book's own (blank 施策 headers, KPI twice) or another
/// spelling with the year in brackets.
const HEADERS_BOOK: [&str; 13] = [
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
    "R7実績値",
    "備考",
];
const HEADERS_OTHER: [&str; 13] = [
    "基本目標の数値目標",
    "施策番号",
    "施策名",
    "施策KPI",
    "所管課",
    "事務事業名",
    "事業番号",
    "事業の概要",
    "Ｋ Ｐ Ｉ",
    "単位",
    "目標値",
    "実績値（R7）",
    "備考",
];

struct Formats {
    cell: Format,
    numbers: Vec<(&'static str, Format)>,
    title: Format,
    header: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            numbers: ["#,##0", "0"]
                .into_iter()
                .map(|code| (code, cell.clone().set_num_format(code)))
                .collect(),
            title: Format::new().set_bold().set_font_size(14),
            header: cell.clone().set_bold().set_background_color(0xD9D9D9),
            cell,
        }
    }
    fn number(&self, code: &str) -> &Format {
        self.numbers
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(&self.cell, |(_, f)| f)
    }
}

fn put(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(t) => ws.write_string_with_format(r, c, t, &f.cell)?,
        Cell::Number(x, code) => ws.write_number_with_format(r, c, *x, f.number(code))?,
    };
    Ok(())
}

/// Writes `text` over rows `first..=last` of column `c`: one merged cell, or the text in
/// the first row and blanks ("same as above") below when `merge` is off.
fn span(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    c: u16,
    text: &str,
    merge: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    if last > first && merge {
        ws.merge_range(first, c, last, c, text, &f.cell)?;
    } else {
        ws.write_string_with_format(first, c, text, &f.cell)?;
        for r in first + 1..=last {
            ws.write_blank(r, c, &f.cell)?;
        }
    }
    Ok(())
}

/// One department's return.
fn write_return(
    path: &Path,
    dept: usize,
    projects: &[&Project],
    seed: u64,
) -> Result<(), XlsxError> {
    let mut rng = Rng::new(seed ^ (dept as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let f = Formats::new();
    let mut wb = Workbook::new();
    if rng.chance(0.35) {
        let ws = wb.add_worksheet().set_name("記入要領")?;
        ws.write_string_with_format(0, 0, "記入要領", &f.title)?;
        ws.write_string(2, 0, "1. 黄色のセルに令和7年度の実績値を記入してください。")?;
        ws.write_string(
            3,
            0,
            "2. 事業名・KPIを変更した場合は備考に理由を記入してください。",
        )?;
        ws.write_string(4, 0, "3. 提出期限：令和8年5月15日")?;
    }
    let other = rng.chance(0.5);
    let merge = rng.chance(0.7);
    let headers = if other { &HEADERS_OTHER } else { &HEADERS_BOOK };
    let name = dept_name(dept);
    let ws = wb
        .add_worksheet()
        .set_name(if other { "様式" } else { "入力" })?;
    ws.merge_range(
        0,
        0,
        0,
        6,
        &format!("令和7年度 総合戦略 具体的事業 KPI実績調査票（{name}）"),
        &f.title,
    )?;
    ws.write_string(1, 0, "担当者：")?;
    ws.write_string(1, 4, format!("内線：{}", 1000 + rng.below(9000)))?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &f.header)?;
    }
    for (c, w) in [12, 4, 14, 14, 12, 18, 9, 40, 20, 6, 9, 10, 14]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    let mut r: u32 = 3;
    let mut i = 0;
    while i < projects.len() {
        let goal = goal_of(projects[i].measure);
        ws.merge_range(r, 0, r, 12, &section(goal), &f.title)?;
        r += 1;
        let goal_first = r;
        while i < projects.len() && goal_of(projects[i].measure) == goal {
            let measure = projects[i].measure;
            let (m_no, (m_name, m_kpi)) = (MEASURE_NOS[measure % 4], MEASURES[goal][measure % 4]);
            let measure_first = r;
            while i < projects.len() && projects[i].measure == measure {
                let p = projects[i];
                let last = r + p.kpis.len() as u32 - 1;
                for (c, text) in [(4, &p.depts7), (5, &p.name7), (6, &p.key), (7, &p.summary7)] {
                    span(ws, r, last, c, text, merge, &f)?;
                }
                for k in &p.kpis {
                    ws.write_string_with_format(r, 8, &k.kpi7, &f.cell)?;
                    ws.write_string_with_format(r, 9, &k.unit7, &f.cell)?;
                    put(ws, r, 10, &k.target7, &f)?;
                    put(ws, r, 11, &k.actual7, &f)?;
                    ws.write_string_with_format(r, 12, &k.remarks7, &f.cell)?;
                    r += 1;
                }
                i += 1;
            }
            let last = r - 1;
            span(ws, measure_first, last, 1, m_no, merge, &f)?;
            span(
                ws,
                measure_first,
                last,
                2,
                &format!("{m_no}{m_name}"),
                merge,
                &f,
            )?;
            span(ws, measure_first, last, 3, m_kpi, merge, &f)?;
        }
        span(ws, goal_first, r - 1, 0, GOALS[goal].2, merge, &f)?;
    }
    // formatted empty rows under the table, as forms have
    for e in r..r + 15 {
        for c in 0..13 {
            ws.write_blank(e, c, &f.cell)?;
        }
    }
    wb.save(path)
}

fn json_counts(scale: &Scale, projects: &[Project], prev_rows: usize, files: usize) -> String {
    let rows = |fate: Fate| -> usize {
        projects
            .iter()
            .filter(|p| p.fate == fate)
            .map(|p| p.kpis.len())
            .sum()
    };
    let changed: usize = projects
        .iter()
        .filter(|p| p.fate == Fate::Both)
        .map(|p| {
            if p.changed {
                p.kpis.len()
            } else {
                p.kpis.iter().filter(|k| k.changed).count()
            }
        })
        .sum();
    let read = rows(Fate::Both) + rows(Fate::New);
    let text_values = projects
        .iter()
        .filter(|p| p.fate != Fate::Gone)
        .flat_map(|p| &p.kpis)
        .filter(|k| matches!(&k.actual7, Cell::Text(t) if t == "集計中"))
        .count();
    format!(
        concat!(
            "{{\n  \"scale\": \"{}\",\n  \"files\": {},\n  \"rows_read\": {},\n",
            "  \"prev_rows\": {},\n  \"book_rows\": {},\n  \"new\": {},\n",
            "  \"not_returned\": {},\n  \"changed\": {},\n  \"text_values\": {}\n}}\n"
        ),
        scale.name,
        files,
        read,
        prev_rows,
        prev_rows + rows(Fate::New),
        rows(Fate::New),
        rows(Fate::Gone),
        changed,
        text_values,
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: bench_data OUT_DIR [S] [M] [L]");
        std::process::exit(2);
    };
    let wanted: Vec<&str> = if args.len() > 1 {
        args[1..].iter().map(String::as_str).collect()
    } else {
        vec!["S", "M"]
    };
    for (n, scale) in SCALES.iter().enumerate() {
        if !wanted.contains(&scale.name) {
            continue;
        }
        let started = std::time::Instant::now();
        let seed = 20_250_401 + n as u64;
        let projects = generate(scale, seed);
        let dir = out.join(scale.name);
        let _ = std::fs::remove_dir_all(&dir);
        let returns = dir.join("returns");
        std::fs::create_dir_all(&returns).expect("create the returns folder");
        let prev_rows = write_prev_src(&dir.join("prev-src"), &projects).expect("write prev-src");
        let mut by_dept: Vec<Vec<&Project>> = vec![Vec::new(); scale.returns];
        for p in projects.iter().filter(|p| p.fate != Fate::Gone) {
            by_dept[p.dept].push(p);
        }
        by_dept.par_iter().enumerate().for_each(|(d, mine)| {
            let path = returns.join(format!("{:04}_{}.xlsx", d + 1, dept_name(d)));
            write_return(&path, d, mine, seed).expect("write a return");
        });
        let json = json_counts(scale, &projects, prev_rows, scale.returns);
        std::fs::write(dir.join("expected.json"), &json).expect("write expected.json");
        eprintln!(
            "{}: {} returns, {} in {:.1} s",
            scale.name,
            scale.returns,
            json.replace('\n', " "),
            started.elapsed().as_secs_f64()
        );
    }
}
