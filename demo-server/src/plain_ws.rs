//! The plain WebSocket (`/ws`, alias `/ws/price`): one JSON text frame per
//! message, `{"type":…,"data":…}`. From the client: `subscribe` and `ping`
//! (answered `{"type":"pong","id":N}`); anything else gets an `error` frame.
//!
//! Each connection is one task that reads the hub and the socket at once.
//! Frames are written in groups (feed, feed, …, flush) so a flood costs one
//! flush per group, not per message; a connection too slow for the hub skips
//! ahead and counts what it skipped.
//!
//! Batches (PROTOCOL.md §3): to a client that subscribed with `"batch":true`
//! (or to every client, with `batchUnasked`) while `batchMax` > 0, events go
//! out as `{"type":"batch","data":[…]}`, at most `batchMax` per frame, a
//! batch waiting at most `batchMs` after its first event. A frame that cannot
//! be an element (a malformed one that is not JSON, a binary one) goes on its
//! own, after the batch before it, so the order stays.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use regime_core::model::Subscription;
use serde_json::Value;
use tokio::time::{sleep_until, Instant};

use crate::hub::{next_frame, take_waiting, Frame, PlainOut};
use crate::plain_codec::{encode_batch, encode_error};
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
                batch: v.get("batch").and_then(Value::as_bool).unwrap_or(false),
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

type Sink = SplitSink<WebSocket, Message>;

/// Queues the waiting events as one batch frame (not flushed yet); false
/// when the socket is gone.
async fn feed_batch(tx: &mut Sink, st: &AppState, pending: &mut Vec<Arc<Frame>>) -> bool {
    if pending.is_empty() {
        return true;
    }
    let text = encode_batch(pending.iter().map(|f| match &f.plain {
        PlainOut::Text(t) => t.as_str(),
        // Never queued: a binary frame is not batchable.
        PlainOut::Binary(_) => "null",
    }));
    let events = pending.len() as u64;
    pending.clear();
    if tx.feed(Message::Text(Utf8Bytes::from(text))).await.is_err() {
        return false;
    }
    let c = &st.counters;
    c.messages_sent.fetch_add(1, Ordering::Relaxed);
    c.batches_sent.fetch_add(1, Ordering::Relaxed);
    c.batched_events_sent.fetch_add(events, Ordering::Relaxed);
    true
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
    // Events waiting to go out together, and when their batch is due.
    let mut pending: Vec<Arc<Frame>> = Vec::new();
    let mut due: Option<Instant> = None;

    loop {
        let flush_at = due;
        tokio::select! {
            biased;
            // Dropped on purpose: hang up without a close frame, like a crash.
            _ = kill.changed() => return,
            msg = rx.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    let (silent, no_pong) = st.faults.with(|f| (f.plain_silent, f.plain_no_pong));
                    let before = sub.clone();
                    if let Some(reply) = answer(t.as_str(), &mut sub, no_pong || silent) {
                        if !silent && tx.send(Message::Text(Utf8Bytes::from(reply))).await.is_err() {
                            return;
                        }
                    }
                    let on = st.faults.with(|f| !f.plain_silent && f.plain_enabled && f.live_enabled);
                    if let Some(new) = sub.as_ref().filter(|s| on && before.as_ref() != Some(*s)) {
                        for frame in crate::greeting::greeting(&st, new) {
                            if tx.feed(to_message(&frame.plain)).await.is_err() {
                                return;
                            }
                            st.counters.messages_sent.fetch_add(1, Ordering::Relaxed);
                        }
                        if tx.flush().await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {} // binary, ping, pong: nothing to say
            },
            _ = sleep_until(flush_at.unwrap_or_else(Instant::now)), if flush_at.is_some() => {
                due = None;
                if !feed_batch(&mut tx, &st, &mut pending).await || tx.flush().await.is_err() {
                    return;
                }
            }
            first = next_frame(&mut hub, &st.counters.plain_lagged) => {
                let Some(first) = first else { return };
                let (silent, batching) = st.faults.with(|f| {
                    (
                        f.plain_silent || !f.plain_enabled || !f.live_enabled,
                        f.batching(sub.as_ref().is_some_and(|s| s.batch)),
                    )
                });
                let mut batch = vec![first];
                let most = batching.map_or(BATCH, |b| b.max.max(BATCH));
                take_waiting(&mut hub, &mut batch, most, &st.counters.plain_lagged);
                if silent {
                    pending.clear();
                    due = None;
                    continue;
                }
                let mut singles = 0;
                for f in batch.into_iter().filter(|f| f.topic.wanted_by(sub.as_ref())) {
                    match batching {
                        Some(b) if f.batchable => {
                            pending.push(f);
                            if pending.len() >= b.max && !feed_batch(&mut tx, &st, &mut pending).await {
                                return;
                            }
                        }
                        _ => {
                            // In order: what waits goes first.
                            if !feed_batch(&mut tx, &st, &mut pending).await
                                || tx.feed(to_message(&f.plain)).await.is_err()
                            {
                                return;
                            }
                            singles += 1;
                        }
                    }
                }
                st.counters.messages_sent.fetch_add(singles, Ordering::Relaxed);
                match batching {
                    Some(b) if !pending.is_empty() && !b.wait.is_zero() => {
                        due.get_or_insert_with(|| Instant::now() + b.wait);
                    }
                    _ => {
                        due = None;
                        if !feed_batch(&mut tx, &st, &mut pending).await {
                            return;
                        }
                    }
                }
                if tx.flush().await.is_err() {
                    return;
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
