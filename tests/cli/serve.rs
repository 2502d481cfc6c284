//! `kpiroll serve` in a real browser: headless Chromium driven over WebDriver
//! (chromedriver) uploads last year's book and the R7 returns (with one broken return
//! and a PDF among them), reads every problem and 提出状況 from the page, makes every
//! output from the page and fetches it as the page's download link gives it, and
//! compares each with what the command line writes for the same inputs: byte for byte,
//! and the books read back cell by cell. Screenshots of each screen go to
//! `target/screens/`.
//!
//! Skipped (loudly) only when chromedriver is missing and `KPIROLL_REQUIRE_BROWSER` is
//! not set; `.ci/run` installs Chromium and sets it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::common::{
    kpiroll_in, r6_book, r7_args, read_sheet, returns_copy, Work, RENAMES, RETURNS,
};

/// Ends a child process when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// chromedriver, or `None` (the test is then skipped, unless the browser is required).
fn chromedriver() -> Option<PathBuf> {
    match on_path("chromedriver") {
        Some(p) => Some(p),
        None if std::env::var_os("KPIROLL_REQUIRE_BROWSER").is_some() => {
            panic!("KPIROLL_REQUIRE_BROWSER is set but chromedriver is not on the PATH (apt-get install chromium chromium-driver)")
        }
        None => {
            eprintln!(
                "\n!!!!!!!! SKIPPED: the browser test of kpiroll serve needs chromedriver \
                 (apt-get install chromium chromium-driver); set KPIROLL_REQUIRE_BROWSER=1 \
                 to make its absence a failure !!!!!!!!\n"
            );
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `kpiroll serve --no-open` in `dir`; its URL, read from what it says on stderr.
fn serve(dir: &Path) -> (Running, String, std::sync::mpsc::Receiver<String>) {
    serve_with(dir, &[])
}

/// `kpiroll ARGS serve --no-open` in `dir`.
fn serve_with(dir: &Path, args: &[&str]) -> (Running, String, std::sync::mpsc::Receiver<String>) {
    let mut child = kpiroll_in(dir)
        .args(args)
        .args(["serve", "--no-open"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kpiroll serve starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let running = Running(child);
    let mut said = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no URL from kpiroll serve; it said: {said:?}"));
        if let Some(at) = line.find("http://127.0.0.1:") {
            break line[at..].split_whitespace().next().unwrap().to_string();
        }
        said.push(line);
    };
    (running, url, rx)
}

/// What the server said on stderr as it started, up to its URL and a little after.
fn said_lines(rx: &std::sync::mpsc::Receiver<String>) -> Vec<String> {
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_millis(300)) {
        lines.push(line);
    }
    lines
}

async fn browser(downloads: &Path) -> (Running, Client) {
    let driver = chromedriver().expect("checked");
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let running = Running(child);
    let mut options = serde_json::json!({
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,1400", "--lang=ja", "--hide-scrollbars"
        ],
        "prefs": {
            "download.default_directory": downloads.display().to_string(),
            "download.prompt_for_download": false
        }
    });
    if let Some(chromium) = on_path("chromium") {
        options["binary"] = serde_json::json!(chromium.display().to_string());
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..100 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&webdriver)
            .await
        {
            Ok(client) => return (running, client),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no WebDriver session: {last:?}");
}

async fn screenshot(client: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screens");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Waits up to `seconds` for an element of the page matching `css`.
async fn wait_for(client: &Client, css: &str, seconds: u64) -> Element {
    client
        .wait()
        .at_most(Duration::from_secs(seconds))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

/// The page's element `css`.
async fn element(client: &Client, css: &str) -> Element {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

/// Types `keys` into the page's element `css` (a file input: the file's path).
async fn type_into(client: &Client, css: &str, keys: &str) {
    element(client, css).await.send_keys(keys).await.unwrap();
}

/// Clicks the page's element `css`.
async fn click(client: &Client, css: &str) {
    element(client, css).await.click().await.unwrap();
}

/// The text of the element `css` inside `parent`.
async fn text_in(parent: &Element, css: &str) -> String {
    parent
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn text_of(client: &Client, css: &str) -> String {
    element(client, css).await.text().await.unwrap()
}

/// The text of the page's element `css` once it is no longer `before`, or as it is after
/// `seconds`.
async fn text_once_changed(client: &Client, css: &str, before: &str, seconds: u64) -> String {
    let until = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        let text = text_of(client, css).await;
        if text != before || std::time::Instant::now() > until {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The bytes behind a link of the page, fetched by the page itself.
async fn fetched(client: &Client, href: &str) -> Vec<u8> {
    let script = r#"
        const [href, done] = arguments;
        fetch(href).then(r => r.arrayBuffer()).then(b => done(Array.from(new Uint8Array(b))));
    "#;
    let value = client
        .execute_async(script, vec![serde_json::json!(href)])
        .await
        .expect("fetch in the page");
    value
        .as_array()
        .expect("bytes")
        .iter()
        .map(|v| u8::try_from(v.as_u64().unwrap()).unwrap())
        .collect()
}

/// Presses an output's button and waits for its download link; the link's bytes.
async fn make(client: &Client, what: &str) -> (String, Vec<u8>) {
    let css = format!(".output[data-what=\"{what}\"]");
    click(client, &format!("{css} button")).await;
    let link = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(&format!("{css} .result a")))
        .await
        .unwrap_or_else(|_| panic!("{what}: no download link"));
    let href = link.attr("href").await.unwrap().unwrap();
    let name = link.attr("download").await.unwrap().unwrap();
    (name, fetched(client, &href).await)
}

/// Every cell of every sheet of two books, the same.
fn same_cells(a: &Path, b: &Path) {
    use calamine::Reader;
    let sheets = calamine::open_workbook::<calamine::Xlsx<_>, _>(a)
        .unwrap()
        .sheet_names();
    let theirs = calamine::open_workbook::<calamine::Xlsx<_>, _>(b)
        .unwrap()
        .sheet_names();
    assert_eq!(sheets, theirs);
    for sheet in &sheets {
        let (x, y) = (read_sheet(a, sheet), read_sheet(b, sheet));
        assert!(!x.values.is_empty(), "{sheet} is empty");
        assert_eq!(x.values, y.values, "{sheet}");
        assert_eq!(x.formats, y.formats, "{sheet}");
        assert_eq!(x.merges, y.merges, "{sheet}");
    }
}

/// The returns as a department would drop them: the R7 fixture, one of them with a key
/// that is no key, and a PDF that is no table.
fn returns_with_problems(work: &Work) -> PathBuf {
    let dir = returns_copy(work, "returns", &[]);
    let school = dir.join("学校教育課.tsv");
    let text = std::fs::read_to_string(&school).unwrap();
    let key = text
        .split('\t')
        .find(|c| c.len() > 4 && c.chars().all(|ch| ch.is_ascii_digit() || ch == '-'))
        .expect("a key")
        .to_string();
    std::fs::write(
        &school,
        text.replacen(&format!("\t{key}\t"), "\t57117\t", 1),
    )
    .unwrap();
    std::fs::write(dir.join("報告書.pdf"), b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n").unwrap();
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = kpiroll_in(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code().unwrap_or(-1), stderr)
}

const CONTACT: &str =
    "[contact]\nsection = \"企画政策課 企画係\"\nextension = \"1234\"\nperson = \"山田\"\n";

#[test]
fn the_page_checks_the_returns_and_makes_the_command_lines_files() {
    if chromedriver().is_none() {
        return;
    }
    let work = Work::new();
    // the year's settings, as the command line reads them
    std::fs::write(
        work.path("kpiroll.toml"),
        format!("year = \"R7\"\ndue = 2026-05-31\n{CONTACT}"),
    )
    .unwrap();
    let root = work.dir.path();
    r6_book(&work);
    let returns = returns_with_problems(&work);
    let returns_arg = returns.display().to_string();
    // the command line's outputs for the same inputs
    let cli = work.path("cli");
    std::fs::create_dir_all(&cli).unwrap();
    let (status, cli_said) = run_in(root, &r7_args(&returns_arg, "cli/R7.xlsx"));
    assert_eq!(status, 1, "{cli_said}");
    let cli_problems: std::collections::BTreeSet<String> = cli_said
        .lines()
        .filter(|l| l.contains(": 取り込めません: ") || l.contains(": 確認してください: "))
        .map(str::to_string)
        .collect();
    assert!(
        cli_problems
            .iter()
            .any(|l| l.starts_with("学校教育課.tsv!") && l.contains("57117")),
        "{cli_said}"
    );
    assert!(
        cli_problems.iter().any(|l| l.starts_with("報告書.pdf: ")),
        "{cli_said}"
    );
    for args in [
        vec!["handout", "cli/R7.xlsx", "-o", "cli/資料2-2_R7.xlsx"],
        vec![
            "diff",
            "R6.xlsx",
            "cli/R7.xlsx",
            "--renames",
            RENAMES,
            "-o",
            "cli/差分_R6_R7.xlsx",
        ],
        vec!["export", "cli/R7.xlsx", "-o", "cli/R7.json"],
        vec!["export", "cli/R7.xlsx", "-o", "cli/R7.csv"],
        vec!["export", "cli/R7.xlsx", "-o", "cli/R7.parquet"],
    ] {
        let (status, said) = run_in(root, &args);
        assert_eq!(status, 0, "{args:?}: {said}");
    }
    // next year's forms: the command line takes the 問い合わせ先 from an R8 settings file
    let r8 = work.path("r8");
    std::fs::create_dir_all(&r8).unwrap();
    std::fs::write(r8.join("kpiroll.toml"), format!("year = \"R8\"\n{CONTACT}")).unwrap();
    let book = cli.join("R7.xlsx").display().to_string();
    let forms = cli.join("forms").display().to_string();
    let (status, said) = run_in(
        &r8,
        &[
            "rollover",
            &book,
            "--year",
            "R8",
            "-o",
            &forms,
            "--due",
            "2027-05-31",
        ],
    );
    assert_eq!(status, 0, "{said}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (_server, url, stderr) = serve(root);
        let started = said_lines(&stderr);
        assert!(
            started
                .iter()
                .any(|l| l.contains("127.0.0.1") && l.contains("ログインはありません")),
            "{started:?}"
        );
        assert!(started.iter().any(|l| l.contains("Ctrl+C")), "{started:?}");
        let (_driver, client) = browser(&work.path("downloads")).await;
        client.goto(&url).await.unwrap();
        // the settings file's year and contact fill the page
        wait_for(&client, "#limits:not(:empty)", 10).await;
        let year = element(&client, "#year").await.prop("value").await.unwrap();
        assert_eq!(year.as_deref(), Some("R7"));
        assert!(text_of(&client, "h1").await.contains("取りまとめ"));
        screenshot(&client, "1-start").await;

        // 1. last year's book and the renames; 2. the returns as a folder
        let r6 = work.path("R6.xlsx").display().to_string();
        type_into(&client, "#prev", &r6).await;
        type_into(&client, "#renames", RENAMES).await;
        client
            .execute("document.getElementById('folder').hidden = false;", vec![])
            .await
            .unwrap();
        type_into(&client, "#folder", &returns_arg).await;
        client
            .execute("document.getElementById('folder').hidden = true;", vec![])
            .await
            .unwrap();
        // the page counts the chosen files on an event of its own, after the input's
        let picked =
            text_once_changed(&client, "#picked", "まだファイルを選んでいません", 10).await;
        assert!(picked.starts_with("25 ファイル"), "{picked}");
        screenshot(&client, "2-chosen").await;

        // 3. the check: every problem of the command line, at its cell, on the page
        click(&client, "#check").await;
        wait_for(&client, "#summary:not(:empty)", 30).await;
        let mut page_problems = std::collections::BTreeSet::new();
        for li in client
            .find_all(Locator::Css("#files-list li"))
            .await
            .unwrap()
        {
            let (at, level, text) = (
                text_in(&li, ".at").await,
                text_in(&li, ".level").await,
                text_in(&li, ".text").await,
            );
            assert!(
                !text_in(&li, ".todo").await.is_empty(),
                "{at}: no word on what to do"
            );
            page_problems.insert(format!("{at}: {level}: {text}"));
        }
        assert_eq!(page_problems, cli_problems);
        // the files with problems first
        let first = text_of(&client, "#files-list .file .file-name").await;
        assert!(
            first.ends_with("学校教育課.tsv") || first.ends_with("報告書.pdf"),
            "{first}"
        );
        let folder = text_of(&client, "#run-folder").await;
        assert!(folder.contains("kpiroll-web"), "{folder}");
        screenshot(&client, "3-check").await;

        // 提出状況: the 課 that owe something first, each with its 事務事業番号, as the
        // command line's book lists them
        let mut page_status = Vec::new();
        for tr in client
            .find_all(Locator::Css("#status tbody tr"))
            .await
            .unwrap()
        {
            let class = tr.attr("class").await.unwrap().unwrap_or_default();
            page_status.push((
                class,
                text_in(&tr, ".dept").await,
                text_in(&tr, ".keys").await,
            ));
        }
        let owing = page_status
            .iter()
            .take_while(|(c, _, _)| c != "done")
            .count();
        assert!(owing >= 2, "{page_status:?}");
        assert!(page_status[owing..]
            .iter()
            .all(|(c, _, k)| c == "done" && k.is_empty()));
        let sheet = read_sheet(&cli.join("R7.xlsx"), "提出状況");
        let mut book_owing = std::collections::BTreeSet::new();
        let keys_col = (0..20)
            .find(|&c| sheet.text(0, c).contains("未提出"))
            .expect("a 未提出 column");
        for r in 1..sheet.height {
            let keys = sheet.text(r, keys_col);
            if !keys.trim().is_empty() {
                let keys: Vec<String> = keys
                    .split([' ', '、', ','])
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
                    .collect();
                book_owing.insert((sheet.text(r, 0), keys));
            }
        }
        let page_owing: std::collections::BTreeSet<(String, Vec<String>)> = page_status[..owing]
            .iter()
            .map(|(_, d, k)| (d.clone(), k.split('、').map(str::to_string).collect()))
            .collect();
        assert_eq!(page_owing, book_owing);
        assert!(page_owing
            .iter()
            .any(|(d, k)| d == "学校教育課" && !k.is_empty()));
        // the reminder: its 課, keys, due date and 問い合わせ先 from kpiroll.toml
        let reminder = element(&client, "#status tbody tr textarea")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        assert!(reminder.contains(&page_status[0].1), "{reminder}");
        assert!(reminder.contains("令和8年5月31日（日）"), "{reminder}");
        assert!(
            reminder.contains("企画政策課 企画係（内線 1234）"),
            "{reminder}"
        );

        // 4. every output made on the page is the command line's, byte for byte
        type_into(&client, "#forms-due", "2027-05-31").await;
        let (name, book) = make(&client, "book").await;
        assert_eq!(name, "R7.xlsx");
        let downloaded = work.path("page-R7.xlsx");
        std::fs::write(&downloaded, &book).unwrap();
        same_cells(&downloaded, &cli.join("R7.xlsx"));
        assert!(
            book == std::fs::read(cli.join("R7.xlsx")).unwrap(),
            "the working book differs from the command line's"
        );
        for (what, file) in [
            ("handout", "資料2-2_R7.xlsx"),
            ("diff", "差分_R6_R7.xlsx"),
            ("json", "R7.json"),
            ("csv", "R7.csv"),
            ("parquet", "R7.parquet"),
        ] {
            let (name, bytes) = make(&client, what).await;
            assert_eq!(name, file);
            assert!(
                bytes == std::fs::read(cli.join(file)).unwrap(),
                "{what}: {file} differs from the command line's"
            );
        }
        let (name, zip) = make(&client, "forms").await;
        assert_eq!(name, "様式_R8.zip");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let mut cli_forms: Vec<PathBuf> = std::fs::read_dir(cli.join("forms"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        cli_forms.sort();
        assert!(!cli_forms.is_empty());
        assert_eq!(zip.len(), cli_forms.len());
        for form in &cli_forms {
            let name = form.file_name().unwrap().to_string_lossy();
            let mut bytes = Vec::new();
            zip.by_name(&name).unwrap().read_to_end(&mut bytes).unwrap();
            assert!(
                bytes == std::fs::read(form).unwrap(),
                "{name} differs from the command line's"
            );
        }
        screenshot(&client, "4-made").await;
        client
            .execute("document.getElementById('step3').scrollIntoView()", vec![])
            .await
            .unwrap();
        screenshot(&client, "3-check-status").await;
        client
            .execute(
                "document.getElementById('files-list').scrollIntoView()",
                vec![],
            )
            .await
            .unwrap();
        screenshot(&client, "3-check-files").await;

        // the same page in English, from the same catalogue
        client.goto(&format!("{url}?lang=en")).await.unwrap();
        wait_for(&client, "#limits:not(:empty)", 10).await;
        assert!(text_of(&client, "#step2 h2")
            .await
            .contains("The departments' returns"));
        screenshot(&client, "5-english").await;
        client.close().await.unwrap();
    });
}

/// A request to the server as a page would send it (HTTP/1.1, the page's header); the
/// status and the body.
fn request(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    use std::io::Write;
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {host}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&answer[..end]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
    (status, answer[end + 4..].to_vec())
}

/// A multipart form: (part, file name, bytes).
fn form(parts: &[(&str, Option<String>, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "kpirollTestBoundary7MA4YWxkTrZu0gW".to_string();
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The parts of an upload: the year, last year's book, the renames and every file of a
/// returns folder (by `returns/NAME`, as a dropped folder sends them).
fn upload_parts(prev: &Path, returns: &Path) -> Vec<(&'static str, Option<String>, Vec<u8>)> {
    let mut parts = vec![
        ("year", None, b"R7".to_vec()),
        (
            "prev",
            Some("R6.xlsx".to_string()),
            std::fs::read(prev).unwrap(),
        ),
        (
            "renames",
            Some("renames.toml".to_string()),
            std::fs::read(RENAMES).unwrap(),
        ),
    ];
    let mut files: Vec<PathBuf> = std::fs::read_dir(returns)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let name = format!("returns/{}", f.file_name().unwrap().to_string_lossy());
        parts.push(("returns", Some(name), std::fs::read(&f).unwrap()));
    }
    parts
}

/// An upload of `parts` as the page sends it (with its header); the status and the body.
fn post_run(url: &str, parts: &[(&str, Option<String>, Vec<u8>)]) -> (u16, Vec<u8>) {
    let (kind, body) = form(parts);
    request(
        url,
        "POST",
        "/api/runs",
        &[("content-type", &kind), ("x-kpiroll", "1")],
        &body,
    )
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

#[test]
fn two_runs_at_once_keep_their_own_folders_and_make_the_command_lines_book() {
    let work = Work::new();
    let root = work.dir.path();
    r6_book(&work);
    let broken = returns_with_problems(&work);
    let (status, _) = run_in(root, &r7_args(RETURNS, "R7.xlsx"));
    assert_eq!(status, 0);
    let (_server, url, _said) = serve(root);
    let prev = work.path("R6.xlsx");
    // two tabs send their returns at once: the clean fixture and the broken copy
    let runs: Vec<serde_json::Value> = std::thread::scope(|s| {
        let tabs: Vec<_> = [Path::new(RETURNS), broken.as_path()]
            .into_iter()
            .map(|returns| {
                let parts = upload_parts(&prev, returns);
                let url = url.clone();
                s.spawn(move || {
                    let (status, answer) = post_run(&url, &parts);
                    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
                    json(&answer)
                })
            })
            .collect();
        tabs.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let (clean, bad) = (&runs[0], &runs[1]);
    assert_ne!(clean["run"], bad["run"]);
    assert_ne!(clean["folder"], bad["folder"]);
    assert_eq!(clean["refusals"], 0, "{clean}");
    assert!(bad["refusals"].as_u64().unwrap() >= 1, "{bad}");
    let problems = |run: &serde_json::Value| -> Vec<String> {
        run["files"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| {
                f["problems"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["at"].as_str().unwrap().to_string())
            })
            .collect()
    };
    assert!(problems(clean).is_empty(), "{clean}");
    assert!(
        problems(bad)
            .iter()
            .any(|at| at.starts_with("学校教育課.tsv!")),
        "{bad}"
    );
    // each run's book in its own folder; the clean one is the command line's
    let book = |run: &serde_json::Value| {
        PathBuf::from(run["folder"].as_str().unwrap()).join("out/R7.xlsx")
    };
    assert!(std::fs::read(book(clean)).unwrap() == std::fs::read(work.path("R7.xlsx")).unwrap());
    assert!(std::fs::read(book(bad)).unwrap() != std::fs::read(work.path("R7.xlsx")).unwrap());
    // and the download of each is its own
    for run in [clean, bad] {
        let path = format!("/api/runs/{}/files/R7.xlsx", run["run"].as_str().unwrap());
        let (status, bytes) = request(&url, "GET", &path, &[], b"");
        assert_eq!(status, 200);
        assert!(bytes == std::fs::read(book(run)).unwrap());
    }
    // a name that leads out of the run's folder is no file of it
    let path = format!(
        "/api/runs/{}/files/..%2Frun.json",
        clean["run"].as_str().unwrap()
    );
    assert_eq!(request(&url, "GET", &path, &[], b"").0, 404);
}

#[test]
fn an_upload_beyond_the_limits_is_refused_by_name_and_the_rest_is_taken() {
    let work = Work::new();
    let root = work.dir.path();
    r6_book(&work);
    let city = work.path("city");
    std::fs::create_dir_all(&city).unwrap();
    std::fs::write(
        city.join("limits.toml"),
        "max_upload_mib = 1\nmax_upload_total_mib = 3\nmax_files = 20\n",
    )
    .unwrap();
    let (_server, url, _said) = serve_with(root, &["--templates", "city"]);
    let mut parts = upload_parts(&work.path("R6.xlsx"), Path::new(RETURNS));
    // 24 returns: the count is over 20; a 2 MiB file is over a file's 1 MiB
    parts.insert(
        3,
        (
            "returns",
            Some("returns/0_大きすぎる.csv".to_string()),
            vec![b'a'; 2 * 1024 * 1024],
        ),
    );
    let (status, answer) = post_run(&url, &parts);
    assert_eq!(status, 200);
    let run = json(&answer);
    let refused: Vec<(String, String)> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["problems"].as_array().unwrap().iter())
        .filter(|p| p["refused"] == true)
        .map(|p| {
            (
                p["at"].as_str().unwrap().to_string(),
                p["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let too_large = refused
        .iter()
        .find(|(at, _)| at == "returns/0_大きすぎる.csv")
        .expect("the large file refused by name");
    assert!(
        too_large.1.contains("1 MiB") && too_large.1.contains("max_upload_mib"),
        "{too_large:?}"
    );
    let too_many: Vec<&(String, String)> = refused
        .iter()
        .filter(|(_, t)| t.contains("max_files"))
        .collect();
    assert_eq!(too_many.len(), 4, "{refused:?}");
    assert!(too_many
        .iter()
        .all(|(at, t)| at.starts_with("returns/") && t.contains("20 ファイル")));
    // the other 20 returns were read
    assert!(
        run["summary"].as_str().unwrap().starts_with("20 ファイル"),
        "{run}"
    );
    assert!(!PathBuf::from(run["folder"].as_str().unwrap())
        .join("returns/returns/0_大きすぎる.csv")
        .exists());
    // other sites' requests are refused: no page header, or a foreign host
    let (kind, body) = form(&[("year", None, b"R7".to_vec())]);
    assert_eq!(
        request(&url, "POST", "/api/runs", &[("content-type", &kind)], &body).0,
        403
    );
    assert_eq!(
        request(&url, "GET", "/", &[("Host", "evil.example")], b"").0,
        403
    );
    assert_eq!(
        request(
            &url,
            "POST",
            "/api/runs",
            &[
                ("content-type", &kind),
                ("x-kpiroll", "1"),
                ("Origin", "http://evil.example")
            ],
            &body
        )
        .0,
        403
    );
}
