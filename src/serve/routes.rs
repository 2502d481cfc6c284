//! The HTTP surface: the page and its assets, the settings, a run's check, its outputs
//! made and downloaded. Blocking work (reading, writing books) runs on tokio's blocking
//! threads, so two tabs at once each get their own.
//!
//! Only this PC can reach the server (it listens on 127.0.0.1), but a page of another
//! site open in the same browser could still send it requests: every request must name
//! a loopback host (no DNS rebinding), and every request that changes anything must
//! carry the page's own header `x-kpiroll`, which a page of another origin cannot send
//! without the permission this server never gives.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::runs::{self, Output};
use super::upload::{self, Stopped};
use super::{page, settings, App};
use crate::profile::Lang;

/// The header the page's script sends with every request that changes something.
pub const HEADER: &str = "x-kpiroll";

/// Every route of the page.
pub fn router(app: Arc<App>) -> Router {
    let limit = upload::body_limit(app.profile(None));
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(script))
        .route("/app.css", get(style))
        .route("/api/settings", get(read_settings).post(save_settings))
        .route("/api/runs", post(create_run))
        .route("/api/runs/{run}/make/{what}", post(make))
        .route("/api/runs/{run}/files/{name}", get(download))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(guard))
        .with_state(app)
}

/// The query of every request: the page's language, and the forms' due date.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Params {
    lang: Option<String>,
    due: Option<String>,
}

impl Params {
    fn lang(&self) -> Option<Lang> {
        use clap::ValueEnum;
        self.lang
            .as_deref()
            .and_then(|l| Lang::from_str(l, true).ok())
    }
}

/// A host name of this PC (`127.0.0.1:8717`, `localhost`, `[::1]:80`).
fn loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

/// Refuses a request that does not come from the page on this PC.
async fn guard(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let text = |h: &HeaderMap, name: header::HeaderName| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let host_ok = text(headers, header::HOST).is_some_and(|h| loopback(&h));
    let origin_ok = text(headers, header::ORIGIN).is_none_or(|o| {
        o.strip_prefix("http://")
            .is_some_and(|rest| loopback(rest.trim_end_matches('/')))
    });
    let changes = request.method() != Method::GET && request.method() != Method::HEAD;
    if !host_ok || !origin_ok || (changes && !headers.contains_key(HEADER)) {
        return StatusCode::FORBIDDEN.into_response();
    }
    next.run(request).await
}

fn failure(status: StatusCode, text: String) -> Response {
    (status, Json(serde_json::json!({ "error": text }))).into_response()
}

async fn index(State(app): State<Arc<App>>, Query(q): Query<Params>) -> Response {
    let html = page::index(app.profile(q.lang()));
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        page::SCRIPT,
    )
        .into_response()
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        page::STYLE,
    )
        .into_response()
}

async fn read_settings(State(app): State<Arc<App>>, Query(q): Query<Params>) -> Response {
    let lang = q.lang();
    let view =
        tokio::task::spawn_blocking(move || settings::view(&app.dir, app.profile(lang))).await;
    match view {
        Ok(view) => Json(view).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn save_settings(
    State(app): State<Arc<App>>,
    Query(q): Query<Params>,
    Json(saved): Json<settings::Saved>,
) -> Response {
    let lang = q.lang();
    let done = tokio::task::spawn_blocking(move || {
        let profile = app.profile(lang);
        settings::save(&app.dir, &saved, profile)
            .map(|path| {
                let path = path.display().to_string();
                profile.message("web.settings_saved", &[("path", &path)])
            })
            .map_err(|e| e.render(profile))
    })
    .await;
    match done {
        Ok(Ok(text)) => Json(serde_json::json!({ "saved": text })).into_response(),
        Ok(Err(text)) => failure(StatusCode::UNPROCESSABLE_ENTITY, text),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// A new run: the upload received into a folder of its own, then checked.
async fn create_run(
    State(app): State<Arc<App>>,
    Query(q): Query<Params>,
    mut multipart: Multipart,
) -> Response {
    let lang = q.lang();
    let made = {
        let app = app.clone();
        tokio::task::spawn_blocking(move || runs::new_run(&app)).await
    };
    let (id, dir) = match made {
        Ok(Ok(run)) => run,
        Ok(Err(e)) => {
            return failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                e.render(app.profile(lang)),
            )
        }
        Err(e) => return failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let received = match upload::receive(&mut multipart, &dir, app.profile(lang)).await {
        Ok(received) => received,
        Err(Stopped::Body(detail)) => {
            let profile = app.profile(lang);
            let max = (upload::body_limit(profile) / (1024 * 1024)).to_string();
            let text = if detail.contains("limit") || detail.contains("large") {
                profile.message("web.upload_body_too_large", &[("max", &max)])
            } else {
                profile.message("web.upload_failed", &[("detail", &detail)])
            };
            return failure(StatusCode::PAYLOAD_TOO_LARGE, text);
        }
        Err(Stopped::Write(path, source)) => {
            let e = crate::error::Error::Write { path, source };
            return failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                e.render(app.profile(lang)),
            );
        }
    };
    let checked = tokio::task::spawn_blocking(move || {
        runs::check(&app, &id, &dir, received, app.profile(lang))
    })
    .await;
    match checked {
        Ok(checked) => Json(checked).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn make(
    State(app): State<Arc<App>>,
    Path((run, what)): Path<(String, String)>,
    Query(q): Query<Params>,
) -> Response {
    let lang = q.lang();
    let profile = app.profile(lang);
    let Some(dir) = runs::run_dir(&app, &run) else {
        let text = profile.message("web.run_not_found", &[("run", &run)]);
        return failure(StatusCode::NOT_FOUND, text);
    };
    let Some(what) = Output::from_name(&what) else {
        let text = profile.message("web.bad_request", &[("detail", &what)]);
        return failure(StatusCode::NOT_FOUND, text);
    };
    let due = q.due.clone();
    let made = tokio::task::spawn_blocking(move || {
        let profile = app.profile(lang);
        runs::make(&app, &dir, what, due, profile).map_err(|e| e.render(profile))
    })
    .await;
    match made {
        Ok(Ok(made)) => Json(made).into_response(),
        Ok(Err(text)) => failure(StatusCode::UNPROCESSABLE_ENTITY, text),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// A file the run made, as a download under its own name.
async fn download(
    State(app): State<Arc<App>>,
    Path((run, name)): Path<(String, String)>,
) -> Response {
    let Some(path) = runs::run_dir(&app, &run).and_then(|dir| runs::made_file(&dir, &name)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    };
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_name(&name),
        percent(&name)
    );
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A file name for browsers that read only the plain `filename`: ASCII, the rest `_`.
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 5987's percent encoding of a file name.
fn percent(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_pcs_names_are_loopback() {
        for host in ["127.0.0.1:8717", "localhost", "localhost:80", "[::1]:8717"] {
            assert!(loopback(host), "{host}");
        }
        for host in [
            "evil.example:8717",
            "127.0.0.1.evil.example",
            "10.0.0.1",
            "",
        ] {
            assert!(!loopback(host), "{host}");
        }
    }

    #[test]
    fn a_download_keeps_its_japanese_name() {
        assert_eq!(percent("R7 様式.zip"), "R7%20%E6%A7%98%E5%BC%8F.zip");
        assert_eq!(ascii_name("資料2-2_R7.xlsx"), "__2-2_R7.xlsx");
    }
}
