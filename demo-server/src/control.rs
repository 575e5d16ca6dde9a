//! The control API under `/control/` (only with `--control`), JSON in and out:
//!
//! - `GET /control/state`: `{"faults":{…},"counters":{…}}`
//! - `POST /control/faults`: a partial settings object, merged; answers the new state
//! - `POST /control/reset`: default settings; answers the new state
//! - `POST /control/emit`: `{"type":"signal"|"regime:alert"|"regime"|"price","data":{…}}`;
//!   missing fields are filled (ids always come from the sequence, timestamps
//!   default to now), the object is stored like a real one and broadcast on
//!   both transports; answers `{"type":…,"data":{…as sent…}}`
//! - `POST /control/drop`: drop every live socket now (like a restart);
//!   `{"plain":false}` or `{"socketio":false}` spares one kind
//! - `POST /control/restart`: play a redeployed backend that keeps its events
//!   in memory: signals and alerts emptied, ids from 1 again, every live
//!   socket dropped, a new epoch; `{"epoch":false}` (or `true`) first sets
//!   whether `/api/health` reports it
//! - `POST /control/reset-counters`: zero the `/api/` request counters
//!
//! `reset` zeroes the request counters too.
//!
//! It is dev-only, but a web page must never be able to drive it, so in
//! front of it (whether it is on or off): a Host check against DNS rebinding
//! (only `127.0.0.1`, `localhost`, `[::1]` and the bound address, any port),
//! an Origin check (a request from a page must come from that same host or an
//! origin given with `--control-allow-origin`), `Content-Type:
//! application/json` on every POST (a form or `text/plain` POST needs no
//! preflight, so it is refused with 415), and no CORS headers at all unless
//! `--control-allow-origin` names the origin.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use regime_core::model::{PriceTick, RegimeAlert, RegimeSnapshot, Signal};
use regime_core::time::format_rfc3339_millis;
use serde_json::{json, Map, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::faults::FaultSettings;
use crate::rest::error;
use crate::state::AppState;

/// `/control/` as its own service, with its guards and (only for the
/// `--control-allow-origin` origins) its own CORS; the app's CORS for
/// `/api/` never applies here.
pub fn service(st: &AppState) -> anyhow::Result<Router> {
    let routes = if st.args.control {
        router()
    } else {
        Router::new().fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "the control API is off (start with --control)",
            )
        })
    };
    let mut svc = routes
        .with_state(st.clone())
        .layer(middleware::from_fn(require_json));
    if !st.args.control_allow_origin.is_empty() {
        let origins = st
            .args
            .control_allow_origin
            .iter()
            .map(|o| parse_origin(o))
            .collect::<anyhow::Result<Vec<_>>>()?;
        svc = svc.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE])
                .max_age(Duration::from_secs(600)),
        );
    }
    Ok(svc.layer(middleware::from_fn_with_state(st.clone(), guard)))
}

/// A `--control-allow-origin` value, as a browser sends it in `Origin`.
fn parse_origin(o: &str) -> anyhow::Result<HeaderValue> {
    let (scheme, rest) = o
        .split_once("://")
        .with_context(|| format!("--control-allow-origin {o:?}: expected scheme://host[:port]"))?;
    anyhow::ensure!(
        matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/'),
        "--control-allow-origin {o:?}: expected http(s)://host[:port], without a path or a trailing slash"
    );
    HeaderValue::from_str(o).with_context(|| format!("--control-allow-origin {o:?}"))
}

/// Splits `host[:port]` (`[v6]:port` too); None when the port is not a number.
fn split_host(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        match after {
            "" => (h, None),
            p => (h, Some(p.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some((host, port))
}

/// Is this `Host` one of ours: a loopback name or the bound address, any port?
pub fn host_allowed(authority: &str, bind: IpAddr) -> bool {
    let Some((host, _)) = split_host(authority) else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) => {
            ip == IpAddr::from([127, 0, 0, 1])
                || ip == IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])
                || (!bind.is_unspecified() && ip == bind)
        }
        Err(_) => false,
    }
}

/// The Host and Origin checks (before CORS, so a refused request gets no
/// CORS header either).
async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let authority = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let Some(authority) = authority.filter(|a| host_allowed(a, st.args.bind)) else {
        return error(
            StatusCode::FORBIDDEN,
            "the control API answers only to a loopback Host (127.0.0.1, localhost, [::1]) \
             or the bound address",
        );
    };
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let same = origin.to_str().is_ok_and(|o| {
            o.strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"))
                .is_some_and(|h| h.eq_ignore_ascii_case(&authority))
        });
        let listed = st
            .args
            .control_allow_origin
            .iter()
            .any(|a| a.as_bytes() == origin.as_bytes());
        if !same && !listed {
            return error(
                StatusCode::FORBIDDEN,
                "this origin may not call the control API (see --control-allow-origin)",
            );
        }
    }
    next.run(req).await
}

/// Every POST must say `Content-Type: application/json`.
async fn require_json(req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a POST to the control API needs Content-Type: application/json",
            );
        }
    }
    next.run(req).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/state", get(state))
        .route("/faults", post(faults))
        .route("/reset", post(reset))
        .route("/emit", post(emit))
        .route("/drop", post(drop_live))
        .route("/restart", post(restart))
        .route("/reset-counters", post(reset_counters))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such control endpoint") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
}

fn view(st: &AppState) -> Value {
    json!({
        "faults": st.faults.get(),
        "counters": st.counters_view(),
        "epoch": st.epoch(),
        "run": st.store.run(),
    })
}

async fn state(State(st): State<AppState>) -> Json<Value> {
    Json(view(&st))
}

#[allow(clippy::result_large_err)] // the error is the ready answer
fn parse_json(body: &Bytes) -> Result<Value, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("body is not JSON: {e}")))
}

async fn faults(State(st): State<AppState>, body: Bytes) -> Response {
    let patch = match parse_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match st.faults.get().merged(&patch) {
        Ok(new) => {
            tracing::info!(?new, "fault settings changed");
            st.apply_faults(new).await;
            Json(view(&st)).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn reset(State(st): State<AppState>) -> Json<Value> {
    st.apply_faults(FaultSettings::default()).await;
    st.counters.requests.reset();
    Json(view(&st))
}

async fn reset_counters(State(st): State<AppState>) -> Json<Value> {
    st.counters.requests.reset();
    Json(view(&st))
}

async fn restart(State(st): State<AppState>, body: Bytes) -> Response {
    let v = match parse_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Value::Object(o) = &v else {
        return error(StatusCode::BAD_REQUEST, "expected a JSON object");
    };
    if let Some((k, _)) = o.iter().find(|(k, _)| k.as_str() != "epoch") {
        return error(
            StatusCode::BAD_REQUEST,
            format!("unknown restart option {k:?} (only \"epoch\")"),
        );
    }
    match o.get("epoch") {
        None => {}
        Some(Value::Bool(on)) => {
            let mut f = st.faults.get();
            f.epoch = *on;
            st.apply_faults(f).await;
        }
        Some(_) => return error(StatusCode::BAD_REQUEST, "\"epoch\" must be true or false"),
    }
    st.restart().await;
    Json(view(&st)).into_response()
}

async fn drop_live(State(st): State<AppState>, body: Bytes) -> Response {
    let v = match parse_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let plain = v.get("plain").and_then(Value::as_bool).unwrap_or(true);
    let socketio = v.get("socketio").and_then(Value::as_bool).unwrap_or(true);
    st.drop_live(plain, socketio).await;
    Json(view(&st)).into_response()
}

/// `data` over the defaults: given fields win.
fn fill(defaults: Value, data: &Map<String, Value>) -> Value {
    let mut v = defaults;
    if let Value::Object(o) = &mut v {
        for (k, x) in data {
            o.insert(k.clone(), x.clone());
        }
    }
    v
}

async fn emit(State(st): State<AppState>, body: Bytes) -> Response {
    let v = match parse_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(kind) = v.get("type").and_then(Value::as_str) else {
        return error(
            StatusCode::BAD_REQUEST,
            "\"type\" must be signal, regime:alert, regime or price",
        );
    };
    let empty = Map::new();
    let data = match v.get("data") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return error(StatusCode::BAD_REQUEST, "\"data\" must be an object"),
    };
    let symbols = st.store.symbols();
    let symbol = data
        .get("symbol")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| symbols.first().map(|s| s.symbol.clone()))
        .unwrap_or_else(|| "BTCUSDT".into());
    let timeframe = symbols
        .iter()
        .find(|s| s.symbol == symbol)
        .and_then(|s| s.timeframes.first().cloned())
        .unwrap_or_else(|| "1h".into());
    let price = st.store.last_price(&symbol).unwrap_or(100.0);
    // the backend's (possibly skewed) clock; a timestamp in `data` is sent as given
    let now = format_rfc3339_millis(st.clock_ms());
    let bad =
        |e: serde_json::Error| error(StatusCode::BAD_REQUEST, format!("bad {kind} data: {e}"));
    let base = json!({"symbol": symbol, "timeframe": timeframe, "timestamp": now});

    let sent = match kind {
        "signal" => {
            let d = fill(
                fill(
                    base,
                    &json_obj(json!({"id": 0, "side": "long", "price": price})),
                ),
                data,
            );
            match serde_json::from_value::<Signal>(d) {
                Ok(s) => serde_json::to_value(st.add_signal(s)),
                Err(e) => return bad(e),
            }
        }
        "regime:alert" => {
            let defaults = json!({"id": 0, "from": "range", "to": "trend_up", "adx": 27.0,
                                  "atrPct": 0.01, "message": "ADX crossed 25"});
            let d = fill(fill(base, &json_obj(defaults)), data);
            match serde_json::from_value::<RegimeAlert>(d) {
                Ok(a) => serde_json::to_value(st.add_alert(a)),
                Err(e) => return bad(e),
            }
        }
        "regime" => {
            let defaults = json!({"regime": "range", "adx": 18.0, "atrPct": 0.01, "close": price});
            let d = fill(fill(base, &json_obj(defaults)), data);
            match serde_json::from_value::<RegimeSnapshot>(d) {
                Ok(s) => {
                    let out = serde_json::to_value(&s);
                    st.add_regime(s);
                    out
                }
                Err(e) => return bad(e),
            }
        }
        "price" => {
            let d = fill(fill(base, &json_obj(json!({"price": price}))), data);
            match serde_json::from_value::<PriceTick>(d) {
                Ok(p) => {
                    let out = serde_json::to_value(&p);
                    st.add_price(p);
                    out
                }
                Err(e) => return bad(e),
            }
        }
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("unknown type {other:?}: expected signal, regime:alert, regime or price"),
            )
        }
    };
    match sent {
        Ok(data) => Json(json!({"type": kind, "data": data})).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn json_obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}
