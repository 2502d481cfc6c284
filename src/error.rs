//! Fatal errors: the run cannot go on or nothing can be written (exit status 2).
//!
//! Problems with one input file or one cell are not errors: they are
//! [`Problem`](crate::problem::Problem)s, collected and reported together while the
//! other inputs are still processed. The sentences are in the message catalogue
//! (`error_*` in `templates/messages.*.toml`); `Display` gives the Japanese one for when
//! no profile could be loaded.

use std::path::PathBuf;

pub use crate::profile::TemplateError;

/// A fatal error. Each variant carries what the message needs; `main` prints it and
/// exits with status 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// a template file (or renames, settings) that cannot be used
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(
        "「{text}」は年度として読めません（R7、令和7、令和7年度、2025 のように書いてください）"
    )]
    BadYear { text: String },
    #[error("{path}: 入力が見つかりません")]
    InputNotFound { path: PathBuf },
    #[error("{path}: 出力先にすでにファイルがあります。上書きするには --force を付けてください")]
    OutputExists { path: PathBuf },
    #[error("{path}: 出力先が入力のファイル {input} と同じファイルです。入力は上書きしません。別の出力先を指定してください")]
    OutputIsInput { path: PathBuf, input: PathBuf },
    #[error("{path}: 出力先が普通のファイルではありません（デバイス・名前付きパイプ・フォルダーなど）。置き換えません")]
    OutputNotRegular { path: PathBuf },
    #[error("{path}: 出力の形式が分かりません（拡張子 {expected} のいずれかにしてください）")]
    UnknownOutputFormat { path: PathBuf, expected: String },
    #[error("{path}: 書き込めません: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// an existing output that cannot be replaced: on Windows, most often a workbook
    /// open in Excel (the system refuses to replace a file in use)
    #[error("{path}: 出力先のファイルを置き換えられません（{source}）。Excel などで開いている場合は閉じてから、もう一度実行してください")]
    OutputInUse {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: ブックを作れません: {source}")]
    Xlsx {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("{path}: Parquet を作れません: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("取り込める行が1行もありません。何も書き出していません")]
    NothingRead,
    #[error("提出されたファイルはどれも {found} 年度のものです（--year {given}）。--year {found} の誤りではありませんか。何も書き出していません")]
    ReturnsOfAnotherYear {
        found: String,
        given: String,
        /// the first return's refusal as the user reads it, printed before the error as
        /// the example of where the returns say their year
        first: String,
        /// the files of the returns folder that are no table (a PDF, a .docx), each as
        /// the user reads its warning, printed before `first`: never passed over in silence
        skipped: Vec<String>,
    },
    #[error("{path}: 前年度のブックから行を読めません")]
    PrevUnreadable { path: PathBuf },
    #[error("前年度との突き合わせに失敗しました: {message}")]
    Merge { message: String },
    #[error("{}", no_libre_office(handout))]
    NoLibreOffice { handout: PathBuf },
    #[error("{path}: PDF を作れません: {message}")]
    Pdf { path: PathBuf, message: String },
    #[error("xlsx は -o で出力先のファイルを指定してください（標準出力には text・json・csv を書けます）")]
    DiffXlsxNeedsOutput,
    #[error("{path}: ブックから行を1行も読めません。比較できません")]
    DiffNoRows { path: PathBuf },
    #[error("{path}:{line}:{col}: 設定ファイルの誤り: {message}")]
    Settings {
        path: PathBuf,
        /// 1-based
        line: usize,
        /// 1-based, in characters
        col: usize,
        message: String,
    },
    #[error("{flag} を指定してください（コマンドに {flag} を付けるか、kpiroll.toml に {key} を書きます）")]
    MissingArgument { flag: String, key: String },
    #[error(
        "ポート {port} で待ち受けられません（{source}）。--port を外すか、別の番号にしてください"
    )]
    ServeBind { port: u16, source: std::io::Error },
    #[error("作業ページを動かせません: {source}")]
    Serve { source: std::io::Error },
}

impl Error {
    /// The message id in the catalogue (`templates/messages.*.toml`) and its values.
    fn message_args(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Error::Template(e) => e.message_args(),
            Error::BadYear { text } => ("error_bad_year", vec![("text", text.to_string())]),
            Error::InputNotFound { path } => (
                "error_input_not_found",
                vec![("path", path.display().to_string())],
            ),
            Error::OutputExists { path } => (
                "error_output_exists",
                vec![("path", path.display().to_string())],
            ),
            Error::OutputIsInput { path, input } => (
                "error_output_is_input",
                vec![
                    ("path", path.display().to_string()),
                    ("input", input.display().to_string()),
                ],
            ),
            Error::OutputNotRegular { path } => (
                "error_output_not_regular",
                vec![("path", path.display().to_string())],
            ),
            Error::UnknownOutputFormat { path, expected } => (
                "error_unknown_output_format",
                vec![
                    ("path", path.display().to_string()),
                    ("expected", expected.to_string()),
                ],
            ),
            Error::Write { path, source } => (
                "error_write",
                vec![
                    ("path", path.display().to_string()),
                    ("source", source.to_string()),
                ],
            ),
            Error::OutputInUse { path, source } => (
                "windows.output_in_use",
                vec![
                    ("path", path.display().to_string()),
                    ("source", source.to_string()),
                ],
            ),
            Error::Xlsx { path, source } => (
                "error_xlsx",
                vec![
                    ("path", path.display().to_string()),
                    ("source", source.to_string()),
                ],
            ),
            Error::Parquet { path, message } => (
                "error_parquet",
                vec![
                    ("path", path.display().to_string()),
                    ("message", message.to_string()),
                ],
            ),
            Error::NothingRead => ("error_nothing_read", vec![]),
            Error::ReturnsOfAnotherYear { found, given, .. } => (
                "error_returns_other_year",
                vec![("found", found.clone()), ("given", given.clone())],
            ),
            Error::PrevUnreadable { path } => (
                "error_prev_unreadable",
                vec![("path", path.display().to_string())],
            ),
            Error::Merge { message } => ("error_merge", vec![("message", message.to_string())]),
            Error::NoLibreOffice { handout } => (
                NO_LIBRE_OFFICE,
                vec![("path", handout.display().to_string())],
            ),
            Error::Pdf { path, message } => (
                "error_pdf",
                vec![
                    ("path", path.display().to_string()),
                    ("message", message.to_string()),
                ],
            ),
            Error::DiffXlsxNeedsOutput => ("error_diff_xlsx_needs_output", vec![]),
            Error::DiffNoRows { path } => (
                "error_diff_no_rows",
                vec![("path", path.display().to_string())],
            ),
            Error::Settings {
                path,
                line,
                col,
                message,
            } => (
                "error_settings",
                vec![
                    ("path", path.display().to_string()),
                    ("line", line.to_string()),
                    ("col", col.to_string()),
                    ("message", message.to_string()),
                ],
            ),
            Error::MissingArgument { flag, key } => (
                "error_missing_argument",
                vec![("flag", flag.to_string()), ("key", key.to_string())],
            ),
            Error::ServeBind { port, source } => (
                "web.error_bind",
                vec![("port", port.to_string()), ("source", source.to_string())],
            ),
            Error::Serve { source } => ("web.error_serve", vec![("source", source.to_string())]),
        }
    }

    /// The message in the profile's language (the `Display` text is the Japanese one,
    /// for when no profile could be loaded).
    pub fn render(&self, profile: &crate::profile::Profile) -> String {
        let (id, args) = self.message_args();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        profile.message(id, &args)
    }
}

/// The message when LibreOffice is missing: on Windows, print from Excel (there is no
/// package to name); elsewhere, the package to install.
const NO_LIBRE_OFFICE: &str = if cfg!(windows) {
    "windows.no_libre_office"
} else {
    "error_no_libre_office"
};

/// The `Display` text of [`Error::NoLibreOffice`]: the built-in Japanese catalogue's.
fn no_libre_office(handout: &std::path::Path) -> String {
    crate::profile::Messages::builtin(crate::profile::Lang::Ja)
        .get(NO_LIBRE_OFFICE)
        .unwrap_or(NO_LIBRE_OFFICE)
        .replace("{path}", &handout.display().to_string())
}
