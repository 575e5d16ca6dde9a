//! Settings for this page (PROTOCOL.md §5): built-in defaults from the
//! page's origin, then `config.json` beside `index.html`, then the query
//! string. Validation lives in `regime_core::settings`; this file only
//! fetches and reads the browser's location.
//!
//! A `token` in the query string is read once and removed from the address
//! bar at once (`history.replaceState`, before `config.json` is even
//! asked), kept in `sessionStorage` (see [`super::token_store`]); without
//! one, the token kept for this backend is used.

use std::time::Duration;

use futures::future::{select, Either};
use regime_core::settings::{
    link_points_elsewhere, query_has_token, query_without_token, SettingProblem, Settings,
};
use web_sys::RequestCache;

/// How long the page waits for `config.json` before starting without it.
pub const CONFIG_TIMEOUT: Duration = Duration::from_millis(3000);

/// The page's origin (`https://host:port`), or `""` outside a window.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The page's query string, with its `?`, or `""`.
pub fn page_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// What the page learnt from its sources.
pub struct Loaded {
    pub settings: Settings,
    pub problems: Vec<SettingProblem>,
    /// The host the link points the data at, when not the page's own.
    pub link_elsewhere: Option<String>,
}

/// Reads every source and returns the settings and the problems found.
/// `config_url` is fetched relative to the page (`config.json`).
pub async fn load(config_url: &str) -> Loaded {
    // The token leaves the address bar first, whatever comes after.
    let query = page_query();
    if query_has_token(&query) {
        replace_query(&query_without_token(&query));
    }
    let config = if config_url.is_empty() {
        None
    } else {
        fetch_config(config_url).await
    };
    let origin = page_origin();
    let (mut settings, problems) = Settings::load(&origin, config.as_deref(), &query);
    match &settings.token {
        // Given by the link: kept for the tab (and still on this device if
        // the trader asked for that before).
        Some(token) => super::token_store::save(Some(token), super::token_store::remembered()),
        None => settings.token = super::token_store::load(),
    }
    let link_elsewhere = link_points_elsewhere(&origin, config.as_deref(), &query);
    Loaded {
        settings,
        problems,
        link_elsewhere,
    }
}

/// Replaces the address bar's query (`""` or `?…`), keeping the path and
/// the fragment, without a reload or a history entry.
pub fn replace_query(query: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    if let Ok(history) = window.history() {
        // Only a sandboxed frame can refuse this.
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{query}{hash}")),
        );
    }
}

/// `config.json`'s text, or `None` when there is none: a 404 (or any other
/// non-2xx answer), a network error, a timeout, or an HTML page in its place
/// (static hosts that serve `index.html` for every unknown path, as a
/// single-page app's fallback, answer 200 with HTML: that is "no file", not
/// "a broken file").
pub async fn fetch_config(url: &str) -> Option<String> {
    let controller = super::rest::abort_controller();
    let signal = controller.as_ref().map(|c| c.signal());
    let fetch = async {
        let request = gloo_net::http::Request::get(url)
            .cache(RequestCache::NoCache)
            .abort_signal(signal.as_ref())
            .build()
            .ok()?;
        let response = request.send().await.ok()?;
        if !response.ok() {
            return None;
        }
        let html = response
            .headers()
            .get("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().contains("html"));
        let text = response.text().await.ok()?;
        if html || text.trim_start().starts_with('<') {
            return None;
        }
        Some(super::rest::cut(text, 64 * 1024))
    };
    let timeout = gloo_timers::future::sleep(CONFIG_TIMEOUT);
    futures::pin_mut!(fetch);
    futures::pin_mut!(timeout);
    match select(fetch, timeout).await {
        Either::Left((text, _)) => text,
        Either::Right(((), _)) => {
            if let Some(c) = controller {
                c.abort();
            }
            None
        }
    }
}
