//! The plain WebSocket (`/ws`, alias `/ws/price`): one JSON text frame per
//! message, `{"type":…,"data":…}`. From the client: `subscribe` and `ping`
//! (answered `{"type":"pong","id":N}`); anything else gets an `error` frame.
//!
//! Each connection is one task that reads the hub and the socket at once.
//! Frames are written in batches (feed, feed, …, flush) so a flood costs one
//! flush per batch, not per message; a connection too slow for the hub skips
//! ahead and counts what it skipped.

use std::sync::atomic::Ordering;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use regime_core::model::Subscription;
use serde_json::Value;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::hub::PlainOut;
use crate::plain_codec::encode_error;
use crate::state::AppState;

/// The most frames written before one flush.
const BATCH: usize = 256;

pub async fn handler(
    ws: WebSocketUpgrade,
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    if !crate::auth::query_ok(&st, query.as_deref()) {
        // Accepted, then closed at once: a browser reads the close code
        // and reason, never the HTTP status of a refused upgrade.
        return ws.on_upgrade(|mut socket| async move {
            let close = CloseFrame {
                code: 1008,
                reason: Utf8Bytes::from_static(crate::auth::UNAUTHORIZED),
            };
            let _ = socket.send(Message::Close(Some(close))).await;
        });
    }
    ws.max_message_size(64 * 1024)
        .on_upgrade(move |socket| run(socket, st))
}

struct Gauge<'a>(&'a AppState);
impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.0
            .counters
            .plain_clients
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// What the server answers to one client text frame, if anything.
pub fn answer(text: &str, sub: &mut Option<Subscription>, no_pong: bool) -> Option<String> {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => return Some(encode_error("not JSON")),
    };
    match v.get("type").and_then(Value::as_str) {
        Some("subscribe") => {
            let list = |k: &str| -> Vec<String> {
                v.get(k)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            *sub = Some(Subscription {
                symbols: list("symbols"),
                timeframes: list("timeframes"),
            });
            None
        }
        Some("ping") if no_pong => None,
        Some("ping") => Some(match v.get("id") {
            Some(id) => format!(r#"{{"type":"pong","id":{id}}}"#),
            None => r#"{"type":"pong"}"#.to_string(),
        }),
        Some("pong") => None,
        Some(other) => Some(encode_error(&format!("unknown message type {other:?}"))),
        None => Some(encode_error("a message needs a \"type\"")),
    }
}

fn to_message(p: &PlainOut) -> Message {
    match p {
        PlainOut::Text(t) => Message::Text(t.clone()),
        PlainOut::Binary(b) => Message::Binary(b.clone()),
    }
}

async fn run(socket: WebSocket, st: AppState) {
    st.counters.plain_clients.fetch_add(1, Ordering::Relaxed);
    st.counters
        .plain_connections_total
        .fetch_add(1, Ordering::Relaxed);
    let _gauge = Gauge(&st);
    let (mut tx, mut rx) = socket.split();
    let mut hub = st.hub.subscribe();
    let mut kill = st.plain_epoch.subscribe();
    kill.borrow_and_update();
    let mut sub: Option<Subscription> = None;

    loop {
        tokio::select! {
            biased;
            // Dropped on purpose: hang up without a close frame, like a crash.
            _ = kill.changed() => return,
            msg = rx.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    let (silent, no_pong) = st.faults.with(|f| (f.plain_silent, f.plain_no_pong));
                    if let Some(reply) = answer(t.as_str(), &mut sub, no_pong || silent) {
                        if !silent && tx.send(Message::Text(Utf8Bytes::from(reply))).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {} // binary, ping, pong: nothing to say
            },
            first = hub.recv() => {
                let first = match first {
                    Ok(f) => f,
                    Err(RecvError::Lagged(n)) => {
                        st.counters.plain_lagged.fetch_add(n, Ordering::Relaxed);
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                };
                let silent = st.faults.with(|f| f.plain_silent || !f.plain_enabled || !f.live_enabled);
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match hub.try_recv() {
                        Ok(f) => batch.push(f),
                        Err(TryRecvError::Lagged(n)) => {
                            st.counters.plain_lagged.fetch_add(n, Ordering::Relaxed);
                        }
                        Err(_) => break,
                    }
                }
                if silent {
                    continue;
                }
                let mut sent = 0;
                for f in batch.iter().filter(|f| f.topic.wanted_by(sub.as_ref())) {
                    if tx.feed(to_message(&f.plain)).await.is_err() {
                        return;
                    }
                    sent += 1;
                }
                if sent > 0 {
                    if tx.flush().await.is_err() {
                        return;
                    }
                    st.counters.messages_sent.fetch_add(sent, Ordering::Relaxed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames() {
        let mut sub = None;
        assert_eq!(
            answer(r#"{"type":"ping","id":7}"#, &mut sub, false).unwrap(),
            r#"{"type":"pong","id":7}"#
        );
        assert_eq!(answer(r#"{"type":"ping","id":7}"#, &mut sub, true), None);
        assert_eq!(
            answer(
                r#"{"type":"subscribe","symbols":["BTCUSDT"],"timeframes":["1h"]}"#,
                &mut sub,
                false
            ),
            None
        );
        assert_eq!(sub.as_ref().unwrap().symbols, vec!["BTCUSDT"]);
        assert!(answer("nope", &mut sub, false)
            .unwrap()
            .contains("\"error\""));
        assert!(answer(r#"{"type":"dance"}"#, &mut sub, false)
            .unwrap()
            .contains("dance"));
        assert!(answer("[]", &mut sub, false).unwrap().contains("error"));
    }
}
