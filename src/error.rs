//! Fatal errors: the run cannot go on or nothing can be written (exit status 2).
//!
//! Problems with one input file or one cell are not errors: they are
//! [`Problem`](crate::problem::Problem)s, collected and reported together while the
//! other inputs are still processed.

use std::path::PathBuf;

/// A fatal error. Each variant carries what the message needs; `main` prints it and
/// exits with status 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: テンプレートを読めません: {source}")]
    ReadTemplate {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: テンプレートの書式が正しくありません: {message}")]
    ParseTemplate { path: PathBuf, message: String },
    #[error("{file}: {field} の正規表現が正しくありません: {message}")]
    TemplatePattern {
        file: PathBuf,
        field: String,
        message: String,
    },
    #[error(
        "「{text}」は年度として読めません（R7、令和7、令和7年度、2025 のように書いてください）"
    )]
    BadYear { text: String },
    #[error("{path}: 入力が見つかりません")]
    InputNotFound { path: PathBuf },
    #[error("{path}: 出力先にすでにファイルがあります。上書きするには --force を付けてください")]
    OutputExists { path: PathBuf },
    #[error("{path}: 出力の形式が分かりません（拡張子 {expected} のいずれかにしてください）")]
    UnknownOutputFormat { path: PathBuf, expected: String },
    #[error("{path}: 書き込めません: {source}")]
    Write {
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
    #[error("{path}: 前年度のブックから行を読めません")]
    PrevUnreadable { path: PathBuf },
    #[error("前年度との突き合わせに失敗しました: {message}")]
    Merge { message: String },
    #[error("LibreOffice（soffice）が見つからないため PDF を作れません。Debian/Ubuntu なら `apt-get install libreoffice-calc fonts-noto-cjk` で入れてください（Excel のブックは作成済みです）")]
    NoLibreOffice,
    #[error("{path}: PDF を作れません: {message}")]
    Pdf { path: PathBuf, message: String },
    #[error("xlsx は -o で出力先のファイルを指定してください（標準出力には text・json・csv を書けます）")]
    DiffXlsxNeedsOutput,
    #[error("{path}: ブックから行を1行も読めません。比較できません")]
    DiffNoRows { path: PathBuf },
}
