//! REST under `/api/` (PROTOCOL.md §2). Every error is `{"error":"…"}` with
//! a status of 400 or more: 400 for a bad query value, 404 for an unknown
//! symbol, timeframe or path, 503/500 when a fault says so.

use std::time::Duration;

use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use regime_core::model::{
    AlertsResponse, ErrorResponse, Health, HistoryResponse, SignalsResponse, SymbolsResponse,
};
use regime_core::time::format_rfc3339_millis;

use crate::state::{now_ms, AppState};
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
        .layer(middleware::from_fn_with_state(st, faults))
}

/// `restEnabled`, `restLatencyMs` and `restFailRate`.
async fn faults(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let f = st.faults.get();
    if f.rest_latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(f.rest_latency_ms)).await;
    }
    if !f.rest_enabled {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "REST is disabled (fault injection)",
        );
    }
    if st.faults.roll(f.rest_fail_rate) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected failure (restFailRate)",
        );
    }
    next.run(req).await
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        time: Some(format_rfc3339_millis(now_ms())),
        version: Some(concat!("demo-server ", env!("CARGO_PKG_VERSION")).into()),
        epoch: None,
    })
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
    let after = q.number("after")?;
    let limit = q.limit(DEFAULT_PAGE_LIMIT)?;
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
    let after = q.number("after")?;
    let limit = q.limit(DEFAULT_PAGE_LIMIT)?;
    let symbol = q.get("symbol").filter(|s| !s.is_empty());
    Ok(Json(AlertsResponse {
        alerts: st.store.alerts(after, limit, symbol),
    }))
}
