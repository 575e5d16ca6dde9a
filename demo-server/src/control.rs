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

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use regime_core::model::{PriceTick, RegimeAlert, RegimeSnapshot, Signal};
use regime_core::time::format_rfc3339_millis;
use serde_json::{json, Map, Value};

use crate::faults::FaultSettings;
use crate::rest::error;
use crate::state::{now_ms, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/state", get(state))
        .route("/faults", post(faults))
        .route("/reset", post(reset))
        .route("/emit", post(emit))
        .route("/drop", post(drop_live))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such control endpoint") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
}

fn view(st: &AppState) -> Value {
    json!({"faults": st.faults.get(), "counters": st.counters_view()})
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
    Json(view(&st))
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
    let now = format_rfc3339_millis(now_ms());
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
