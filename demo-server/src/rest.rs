//! REST under `/api/` (PROTOCOL.md §2). Every error is `{"error":"…"}` with
//! a status of 400 or more: 400 for a bad query value, 404 for an unknown
//! symbol, timeframe or path, 503/500 when a fault says so.
//!
//! In front of the whole app sits [`front`]: it counts the `/api/` requests
//! and plays the gateway (a 502 without CORS) when a fault says so.

use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use regime_core::model::{
    AlertsResponse, ErrorResponse, Health, HistoryResponse, SignalsResponse, SymbolsResponse,
};
use regime_core::time::format_rfc3339_millis;

use crate::state::{AppState, LastPage};
use crate::store::LookupError;

pub const DEFAULT_HISTORY_LIMIT: usize = 120;
pub const DEFAULT_PAGE_LIMIT: usize = 100;

/// An error answer: a status and `{"error":…}`.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorResponse { error: self.1 })).into_response()
    }
}

impl From<LookupError> for ApiError {
    fn from(e: LookupError) -> Self {
        ApiError(StatusCode::NOT_FOUND, e.to_string())
    }
}

pub fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    ApiError(status, msg.into()).into_response()
}

/// The size of a `hugeErrors` body.
pub const HUGE_ERROR_BYTES: usize = 1 << 20;

/// `{"error":"msg …xxx"}` of [`HUGE_ERROR_BYTES`], made once per message.
fn huge_body(msg: &'static str) -> Bytes {
    static MADE: Mutex<Vec<(&'static str, Bytes)>> = Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, b)) = made.iter().find(|(m, _)| *m == msg) {
        return b.clone();
    }
    let head = serde_json::to_string(&ErrorResponse {
        error: format!("{msg} (hugeErrors: padded to 1 MB) "),
    })
    .unwrap_or_default();
    // pad inside the string, before its closing `"}`
    let (open, close) = head.split_at(head.len() - 2);
    let mut body = String::with_capacity(HUGE_ERROR_BYTES);
    body.push_str(open);
    body.extend(std::iter::repeat_n(
        'x',
        HUGE_ERROR_BYTES.saturating_sub(head.len()),
    ));
    body.push_str(close);
    let body = Bytes::from(body);
    made.push((msg, body.clone()));
    body
}

/// An injected error: `{"error":msg}`, or with `hugeErrors` the same padded
/// to [`HUGE_ERROR_BYTES`] (made once, then shared).
pub fn injected_error(st: &AppState, status: StatusCode, msg: &'static str) -> Response {
    if !st.faults.with(|f| f.huge_errors) {
        return error(status, msg);
    }
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        huge_body(msg),
    )
        .into_response()
}

/// What an nginx in front of a restarting app answers.
const GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The gateway's 502: HTML (or, with `hugeErrors`, a 1 MB `{"error":…}`),
/// and no CORS header, since the app behind it never answered.
fn gateway_error(st: &AppState) -> Response {
    let mut r = if st.faults.with(|f| f.huge_errors) {
        injected_error(
            st,
            StatusCode::BAD_GATEWAY,
            "502 Bad Gateway (gateway fault)",
        )
    } else {
        (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
            Body::from(GATEWAY_HTML),
        )
            .into_response()
    };
    r.headers_mut()
        .insert(header::SERVER, HeaderValue::from_static("nginx"));
    r
}

/// Decrements an in-flight gauge when the request is done (or dropped).
struct InFlight<'a>(&'a std::sync::atomic::AtomicU64);
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `after` and `limit` of a query string, as the handlers would read them.
fn last_page(raw: Option<&str>) -> LastPage {
    let q = Query::parse(raw.map(str::to_string)).unwrap_or(Query(Vec::new()));
    LastPage {
        after: q.number("after").ok().flatten(),
        limit: q.number("limit").ok().flatten(),
    }
}

/// In front of the whole app (outside CORS): counts the `/api/` requests
/// and answers them 502 without CORS when `gatewayFailNext` or
/// `gatewayFailRate` says so.
pub async fn front(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !(path == "/api" || path.starts_with("/api/")) {
        return next.run(req).await;
    }
    let r = &st.counters.requests;
    let mut _in_flight = None;
    if req.method() != Method::OPTIONS {
        r.api.fetch_add(1, Ordering::Relaxed);
        let counter = match path {
            "/api/health" => Some(&r.health),
            "/api/symbols" => Some(&r.symbols),
            "/api/regime" => Some(&r.regime),
            "/api/regime/history" => Some(&r.history),
            "/api/signals" => Some(&r.signals),
            "/api/alerts" => Some(&r.alerts),
            _ => None,
        };
        if let Some(c) = counter {
            c.fetch_add(1, Ordering::Relaxed);
        }
        match path {
            "/api/signals" => {
                *r.last_signals.lock().unwrap_or_else(|e| e.into_inner()) =
                    last_page(req.uri().query())
            }
            "/api/alerts" => {
                *r.last_alerts.lock().unwrap_or_else(|e| e.into_inner()) =
                    last_page(req.uri().query())
            }
            "/api/regime" => {
                let now = r.regime_in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                r.regime_peak_in_flight.fetch_max(now, Ordering::Relaxed);
                _in_flight = Some(InFlight(&r.regime_in_flight));
            }
            _ => {}
        }
    }
    let rate = st.faults.with(|f| f.gateway_fail_rate);
    if st.faults.take_gateway_failure() || st.faults.roll(rate) {
        r.gateway_errors.fetch_add(1, Ordering::Relaxed);
        return gateway_error(&st);
    }
    next.run(req).await
}

/// The query string as (name, value) pairs, percent-decoded.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: Option<String>) -> Result<Query, ApiError> {
        let raw = raw.unwrap_or_default();
        serde_urlencoded::from_str::<Vec<(String, String)>>(&raw)
            .map(Query)
            .map_err(|e| ApiError(StatusCode::BAD_REQUEST, format!("bad query string: {e}")))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, ApiError> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ApiError(
                StatusCode::BAD_REQUEST,
                format!("missing query parameter {name:?}"),
            )),
        }
    }

    fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                ApiError(
                    StatusCode::BAD_REQUEST,
                    format!("{name} must be a non-negative integer, got {v:?}"),
                )
            }),
        }
    }

    fn limit(&self, default: usize) -> Result<usize, ApiError> {
        Ok(self
            .number("limit")?
            .map(|n| n.min(100_000) as usize)
            .unwrap_or(default))
    }
}

pub fn router(st: AppState) -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/symbols", get(symbols))
        .route("/regime", get(regime))
        .route("/regime/history", get(history))
        .route("/signals", get(signals))
        .route("/alerts", get(alerts))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such API endpoint") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
        .layer(middleware::from_fn_with_state(st.clone(), faults))
        .layer(middleware::from_fn_with_state(st, crate::auth::rest))
}

/// `restEnabled`, `restLatencyMs` and `restFailRate`.
async fn faults(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let f = st.faults.get();
    if f.rest_latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(f.rest_latency_ms)).await;
    }
    if !f.rest_enabled {
        return injected_error(
            &st,
            StatusCode::SERVICE_UNAVAILABLE,
            "REST is disabled (fault injection)",
        );
    }
    if st.faults.roll(f.rest_fail_rate) {
        return injected_error(
            &st,
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected failure (restFailRate)",
        );
    }
    next.run(req).await
}

async fn health(State(st): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        time: Some(format_rfc3339_millis(st.clock_ms())),
        version: Some(concat!("demo-server ", env!("CARGO_PKG_VERSION")).into()),
        epoch: st.faults.with(|f| f.epoch).then(|| st.epoch()),
    })
}

/// `after` and `limit` of a signals or alerts page, as the faults bend them:
/// `ignoreAfter` drops `after`, `pageCap` caps `limit`.
fn paging(st: &AppState, q: &Query) -> Result<(Option<u64>, usize), ApiError> {
    let after = q.number("after")?;
    let limit = q.limit(DEFAULT_PAGE_LIMIT)?;
    let (ignore_after, cap) = st.faults.with(|f| (f.ignore_after, f.page_cap));
    let after = if ignore_after { None } else { after };
    let limit = match usize::try_from(cap) {
        Ok(cap) if cap > 0 => limit.min(cap),
        _ => limit,
    };
    Ok((after, limit))
}

async fn symbols(State(st): State<AppState>) -> Json<SymbolsResponse> {
    Json(SymbolsResponse {
        symbols: st.store.symbols(),
    })
}

async fn regime(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let q = Query::parse(q)?;
    let snap = st
        .store
        .latest(q.required("symbol")?, q.required("timeframe")?)?;
    Ok(Json(snap).into_response())
}

async fn history(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<HistoryResponse>, ApiError> {
    let q = Query::parse(q)?;
    let (symbol, timeframe) = (q.required("symbol")?, q.required("timeframe")?);
    let limit = q.limit(DEFAULT_HISTORY_LIMIT)?;
    let points = st.store.history(symbol, timeframe, limit)?;
    Ok(Json(HistoryResponse {
        symbol: symbol.into(),
        timeframe: timeframe.into(),
        points,
    }))
}

async fn signals(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<SignalsResponse>, ApiError> {
    let q = Query::parse(q)?;
    let (after, limit) = paging(&st, &q)?;
    let symbol = q.get("symbol").filter(|s| !s.is_empty());
    Ok(Json(SignalsResponse {
        signals: st.store.signals(after, limit, symbol),
    }))
}

async fn alerts(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<AlertsResponse>, ApiError> {
    let q = Query::parse(q)?;
    let (after, limit) = paging(&st, &q)?;
    let symbol = q.get("symbol").filter(|s| !s.is_empty());
    Ok(Json(AlertsResponse {
        alerts: st.store.alerts(after, limit, symbol),
    }))
}
