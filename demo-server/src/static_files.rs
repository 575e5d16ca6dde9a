//! Serving a built `dist/` (`--static DIR`): MIME types from the file name
//! (`.wasm` is `application/wasm`), gzip and brotli (precompressed `.br`/`.gz`
//! files when present, else on the fly), cache headers, and the SPA
//! fallback: a path that is no file gets `index.html`.
//!
//! Cache-Control: `no-cache` for `index.html`, `config.json` and the SPA
//! fallback (they must be revalidated: they name the hashed assets, or hold
//! settings); `public, max-age=31536000, immutable` for hashed assets such
//! as `app-1f0e2d3c4b5a6978_bg.wasm`; `public, max-age=300` for the rest.

use std::path::PathBuf;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

pub const NO_CACHE: &str = "no-cache";
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const SHORT: &str = "public, max-age=300";

/// Does the file name carry a content hash (a run of at least 8 hex digits
/// with at least one digit, between `-`, `_` or `.`)?
pub fn is_hashed(name: &str) -> bool {
    name.split(['-', '_', '.']).any(|part| {
        part.len() >= 8
            && part.chars().all(|c| c.is_ascii_hexdigit())
            && part.chars().any(|c| c.is_ascii_digit())
    })
}

/// The Cache-Control value for a request path and the served content type.
pub fn cache_control(path: &str, content_type: Option<&str>) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or("");
    if name.is_empty() || name == "index.html" || name == "config.json" {
        NO_CACHE
    } else if content_type.is_some_and(|t| t.starts_with("text/html")) {
        // the SPA fallback, or any other page
        NO_CACHE
    } else if is_hashed(name) {
        IMMUTABLE
    } else {
        SHORT
    }
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED {
        let ct = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let value = cache_control(&path, ct.as_deref());
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

/// A router that serves `dir` with the SPA fallback.
pub fn router(dir: PathBuf) -> Router<AppState> {
    let index = ServeFile::new(dir.join("index.html"));
    let serve = ServeDir::new(&dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(index);
    Router::new()
        .fallback_service(serve)
        .layer(middleware::from_fn(cache_headers))
        .layer(CompressionLayer::new().gzip(true).br(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_rules() {
        assert_eq!(cache_control("/", None), NO_CACHE);
        assert_eq!(cache_control("/index.html", Some("text/html")), NO_CACHE);
        assert_eq!(
            cache_control("/config.json", Some("application/json")),
            NO_CACHE
        );
        assert_eq!(
            cache_control("/some/route", Some("text/html; charset=utf-8")),
            NO_CACHE
        );
        assert_eq!(
            cache_control(
                "/regime-dashboard-1f0e2d3c4b5a6978_bg.wasm",
                Some("application/wasm")
            ),
            IMMUTABLE
        );
        assert_eq!(
            cache_control("/style-8d9e0f1a2b3c4d5e.css", Some("text/css")),
            IMMUTABLE
        );
        assert_eq!(cache_control("/favicon.ico", Some("image/x-icon")), SHORT);
        assert!(!is_hashed("deadbeef.js")); // no digit: a word, not a hash
        assert!(!is_hashed("app.js"));
    }
}
