//! Socket.IO v4 (Engine.IO 4, Socket.IO protocol 5) on `/socket.io/`, with
//! socketioxide. Namespaces `/signals` and `/`; server events `regime`,
//! `regime:alert`, `signal`, `price` with one argument each; client event
//! `subscribe` (`{"symbols":[…],"timeframes":[…]}`), honoured per socket.
//!
//! Subscriptions are rooms: a socket that has not subscribed is in the rooms
//! `r|*|*` (every regime) and `p|*` (every price); a subscription replaces
//! them with `r|SYMBOL|TF` and `p|SYMBOL` (`*` where a list is empty).
//! A regime of BTCUSDT/1h goes to `r|BTCUSDT|1h`, `r|*|1h`, `r|BTCUSDT|*` and
//! `r|*|*`; signals and alerts go to the whole namespace.
//!
//! The forwarder task takes the pre-serialised frames of the hub and hands
//! them to socketioxide's local adapter as ready-made packets, so a payload
//! is serialised once whatever the number of sockets. The adapter is
//! socketioxide's own in-memory one ([`CoreLocalAdapter`]) behind a thin
//! wrapper, [`DemoAdapter`], whose only addition is to register itself so
//! the forwarder can reach it: that is also what lets fault injection send
//! packets that socketioxide's typed `emit` could never produce (garbage
//! after `42`, a non-array payload).
//!
//! Batches (PROTOCOL.md §4): a socket that subscribes with `"batch":true`
//! (or any socket, with `batchUnasked`) while `batchMax` > 0 leaves the
//! subscription rooms for the room `batch`, which the forwarder skips, and
//! its own room `s|<sid>`; a task of its own reads the hub, filters by the
//! subscription and sends it the event `batch` with the plain envelopes.
//!
//! The namespaces are registered as dynamic namespaces so that dropping every
//! connection (`SocketIo::close`) leaves them in place for the next ones.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use regime_core::model::Subscription;
use socketioxide::adapter::Emitter;
use socketioxide::extract::{Data, SocketRef, State};
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;
use socketioxide_core::adapter::{
    BroadcastFlags, BroadcastOptions, CoreAdapter, CoreLocalAdapter, DefinedAdapter, SocketEmitter,
};
use socketioxide_core::packet::{Packet, PacketData};
use socketioxide_core::Sid;
use socketioxide_core::{Str, Value};
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

use crate::hub::{next_frame, take_waiting, Frame, PlainOut, SioOut, Topic};
use crate::state::AppState;

pub const NAMESPACES: &[&str] = &["/signals", "/"];

/// Every live namespace adapter, so the forwarder can broadcast raw packets.
#[derive(Default, Clone)]
pub struct AdapterRegistry(Arc<Mutex<Vec<Weak<CoreLocalAdapter<Emitter>>>>>);

impl AdapterRegistry {
    fn register(&self, a: &Arc<CoreLocalAdapter<Emitter>>) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.retain(|w| w.strong_count() > 0);
        g.push(Arc::downgrade(a));
    }

    fn live(&self) -> Vec<Arc<CoreLocalAdapter<Emitter>>> {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.iter().filter_map(Weak::upgrade).collect()
    }
}

/// socketioxide's in-memory adapter, registered in an [`AdapterRegistry`].
pub struct DemoAdapter {
    local: Arc<CoreLocalAdapter<Emitter>>,
}

impl CoreAdapter<Emitter> for DemoAdapter {
    type Error = Infallible;
    type State = AdapterRegistry;
    type AckStream = <Emitter as SocketEmitter>::AckStream;
    type InitRes = ();

    fn new(state: &AdapterRegistry, local: CoreLocalAdapter<Emitter>) -> Self {
        let local = Arc::new(local);
        state.register(&local);
        DemoAdapter { local }
    }

    fn init(self: Arc<Self>, on_success: impl FnOnce() + Send + 'static) -> Self::InitRes {
        on_success();
    }

    async fn broadcast_with_ack(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
        timeout: Option<Duration>,
    ) -> Result<Self::AckStream, Self::Error> {
        Ok(self.local.broadcast_with_ack(packet, opts, timeout).0)
    }

    fn get_local(&self) -> &CoreLocalAdapter<Emitter> {
        &self.local
    }
}

impl DefinedAdapter for DemoAdapter {}

/// The rooms of a subscription (or of no subscription: everything).
pub fn rooms_for(sub: Option<&Subscription>) -> Vec<String> {
    let star = || vec!["*".to_string()];
    let (syms, tfs) = match sub {
        None => (star(), star()),
        Some(s) => (
            if s.symbols.is_empty() {
                star()
            } else {
                s.symbols.iter().take(64).cloned().collect()
            },
            if s.timeframes.is_empty() {
                star()
            } else {
                s.timeframes.iter().take(16).cloned().collect()
            },
        ),
    };
    let mut rooms = Vec::new();
    for s in &syms {
        for t in &tfs {
            rooms.push(format!("r|{s}|{t}"));
        }
        rooms.push(format!("p|{s}"));
    }
    rooms
}

/// The rooms a frame goes to; empty means the whole namespace.
fn target_rooms(topic: &Topic) -> Vec<String> {
    match topic {
        Topic::All => vec![],
        Topic::Regime { symbol, timeframe } => vec![
            format!("r|{symbol}|{timeframe}"),
            format!("r|*|{timeframe}"),
            format!("r|{symbol}|*"),
            "r|*|*".to_string(),
        ],
        Topic::Price { symbol } => vec![format!("p|{symbol}"), "p|*".to_string()],
    }
}

/// Reads a subscription liberally: missing lists mean "all", non-strings are skipped.
fn parse_subscription(v: &serde_json::Value) -> Subscription {
    let list = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Subscription {
        symbols: list("symbols"),
        timeframes: list("timeframes"),
        batch: v.get("batch").and_then(|b| b.as_bool()).unwrap_or(false),
    }
}

/// The room of every socket that gets batches: the forwarder skips it.
const BATCH_ROOM: &str = "batch";

/// A batching socket's own room, which its batch task sends to.
fn own_room(sid: Sid) -> String {
    format!("s|{sid}")
}

/// Sets a new socket up: its rooms and its `subscribe` handler. It runs as
/// the last connect middleware, which socketioxide awaits before it sends
/// the CONNECT packet; the connect handler proper is spawned after that
/// packet, so a client that subscribes at once (as the dashboard does)
/// could be heard before a handler registered there existed, and its
/// `subscribe` was dropped (no greeting, no subscription) under load.
async fn set_up(
    socket: SocketRef<DemoAdapter>,
    State(st): State<AppState>,
) -> Result<(), std::convert::Infallible> {
    st.counters.socketio_clients.fetch_add(1, Ordering::Relaxed);
    st.counters
        .socketio_connections_total
        .fetch_add(1, Ordering::Relaxed);
    tracing::debug!(ns = socket.ns(), sid = %socket.id, "socket.io connect");
    socket.join(rooms_for(None));
    // The subscription of a socket that gets batches, for its batch task;
    // None: no task (single events through the rooms).
    let batched = Arc::new(watch::Sender::new(None::<Subscription>));
    let on_subscribe = batched.clone();
    socket.on(
        "subscribe",
        move |s: SocketRef<DemoAdapter>,
              Data(v): Data<serde_json::Value>,
              State(st): State<AppState>| {
            let batched = on_subscribe.clone();
            async move {
                let sub = parse_subscription(&v);
                let on = st
                    .faults
                    .with(|f| f.live_enabled && f.socketio_enabled && !f.socketio_silent);
                let greeting = if on {
                    crate::greeting::greeting(&st, &sub)
                } else {
                    Vec::new()
                };
                s.leave_all();
                if st.faults.with(|f| f.batching(sub.batch)).is_some() {
                    s.join(vec![BATCH_ROOM.to_string(), own_room(s.id)]);
                    if batched.send_replace(Some(sub)).is_none() {
                        let rx = batched.subscribe();
                        tokio::spawn(run_batches(
                            st.clone(),
                            Str::from(s.ns().to_string()),
                            s.id,
                            rx,
                        ));
                    }
                } else {
                    batched.send_replace(None);
                    s.join(rooms_for(Some(&sub)));
                    s.join(own_room(s.id));
                }
                let ns = Str::from(s.ns().to_string());
                for frame in greeting {
                    send_to(&st, &ns, &own_room(s.id), &frame.sio);
                }
            }
        },
    );
    socket.on_disconnect(
        move |s: SocketRef<DemoAdapter>, State(st): State<AppState>| {
            batched.send_replace(None);
            async move {
                tracing::debug!(ns = s.ns(), sid = %s.id, "socket.io disconnect");
                st.counters.socketio_clients.fetch_sub(1, Ordering::Relaxed);
            }
        },
    );
    Ok(())
}

/// Everything is set up by [`set_up`] before the CONNECT packet goes.
async fn connected(_: SocketRef<DemoAdapter>) {}

/// `["batch",[envelope…]]`: the plain envelopes of the frames, in order.
fn batch_payload(frames: &[Arc<Frame>]) -> Str {
    let mut text = String::from(r#"["batch",["#);
    for (i, f) in frames.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        if let PlainOut::Text(t) = &f.plain {
            text.push_str(t.as_str());
        }
    }
    text.push_str("]]");
    Str::from(text)
}

/// Sends one packet to one socket's own room; false when it is gone.
///
/// Every live adapter of the namespace is asked: after the live side was
/// switched off and on, the registry may hold an older one first, and the
/// socket is in the newer one.
fn send_to(st: &AppState, ns: &Str, room: &str, out: &SioOut) -> bool {
    let mut opts = BroadcastOptions::default();
    opts.add_flag(BroadcastFlags::Broadcast);
    opts.rooms.push(room.to_string().into());
    let mut sent = false;
    for adapter in st
        .sio_registry
        .live()
        .into_iter()
        .filter(|a| a.path() == ns)
    {
        if adapter.sockets(opts.clone()).is_empty() {
            continue;
        }
        sent = true;
        if let Err(errs) = adapter.broadcast(packet(ns, out), opts.clone()) {
            st.counters
                .socketio_dropped
                .fetch_add(errs.len() as u64, Ordering::Relaxed);
        }
    }
    sent
}

/// Sends the waiting frames as one `batch` event.
fn send_batch(st: &AppState, ns: &Str, room: &str, pending: &mut Vec<Arc<Frame>>) {
    if pending.is_empty() {
        return;
    }
    let events = pending.len() as u64;
    let payload = batch_payload(pending);
    pending.clear();
    if send_to(st, ns, room, &SioOut::Event(payload)) {
        let c = &st.counters;
        c.messages_sent.fetch_add(1, Ordering::Relaxed);
        c.batches_sent.fetch_add(1, Ordering::Relaxed);
        c.batched_events_sent.fetch_add(events, Ordering::Relaxed);
    }
}

/// One batching socket's events (PROTOCOL.md §4, "Batches"): what its
/// subscription wants, at most `batchMax` per `batch` event, a batch waiting
/// at most `batchMs`; a frame that cannot be an element goes on its own,
/// after the batch before it. Ends when the socket leaves batching or
/// disconnects.
async fn run_batches(
    st: AppState,
    ns: Str,
    sid: Sid,
    mut batched: watch::Receiver<Option<Subscription>>,
) {
    let room = own_room(sid);
    let mut hub = st.hub.subscribe();
    let mut pending: Vec<Arc<Frame>> = Vec::new();
    let mut due: Option<Instant> = None;
    loop {
        let flush_at = due;
        tokio::select! {
            biased;
            changed = batched.changed() => {
                if changed.is_err() || batched.borrow().is_none() {
                    return;
                }
            }
            _ = sleep_until(flush_at.unwrap_or_else(Instant::now)), if flush_at.is_some() => {
                due = None;
                send_batch(&st, &ns, &room, &mut pending);
            }
            first = next_frame(&mut hub, &st.counters.socketio_dropped) => {
                let Some(first) = first else { return };
                let Some(sub) = batched.borrow().clone() else { return };
                let (send, batching) = st.faults.with(|f| {
                    (
                        f.live_enabled && f.socketio_enabled && !f.socketio_silent,
                        f.batching(sub.batch),
                    )
                });
                let mut frames = vec![first];
                let most = batching.map_or(256, |b| b.max.max(256));
                take_waiting(&mut hub, &mut frames, most, &st.counters.socketio_dropped);
                if !send {
                    pending.clear();
                    due = None;
                    continue;
                }
                for f in frames.into_iter().filter(|f| f.topic.wanted_by(Some(&sub))) {
                    match batching {
                        Some(b) if f.batchable => {
                            pending.push(f);
                            if pending.len() >= b.max {
                                send_batch(&st, &ns, &room, &mut pending);
                            }
                        }
                        _ => {
                            send_batch(&st, &ns, &room, &mut pending);
                            if send_to(&st, &ns, &room, &f.sio) {
                                st.counters.messages_sent.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
                match batching {
                    Some(b) if !pending.is_empty() && !b.wait.is_zero() => {
                        due.get_or_insert_with(|| Instant::now() + b.wait);
                    }
                    _ => {
                        due = None;
                        send_batch(&st, &ns, &room, &mut pending);
                    }
                }
            }
        }
    }
}

/// Builds the tower layer and registers the namespaces.
pub fn build(st: &AppState) -> SocketIoLayer<DemoAdapter> {
    let (layer, io) = SocketIo::builder()
        .ping_interval(Duration::from_millis(st.args.sio_ping_interval_ms.max(10)))
        .ping_timeout(Duration::from_millis(st.args.sio_ping_timeout_ms.max(10)))
        .max_buffer_size(1024)
        .with_state(st.clone())
        .with_adapter::<DemoAdapter>(st.sio_registry.clone())
        .build_layer();
    for ns in NAMESPACES {
        io.dyn_ns(*ns, connected.with(set_up).with(crate::auth::socketio))
            .expect("static namespace paths are valid");
    }
    st.set_io(io);
    layer
}

fn packet(ns: &Str, out: &SioOut) -> Packet {
    let inner = match out {
        SioOut::Event(s) | SioOut::Raw(s) => PacketData::Event(Value::Str(s.clone(), None), None),
        SioOut::Binary(s, bin) => PacketData::BinaryEvent(
            Value::Str(s.clone(), Some(VecDeque::from([bin.clone()]))),
            None,
        ),
    };
    Packet {
        inner,
        ns: ns.clone(),
    }
}

/// Moves hub frames to every Socket.IO namespace. Runs until the server stops.
pub async fn run_forwarder(st: AppState) {
    let mut rx = st.hub.subscribe();
    loop {
        let Some(frame) = next_frame(&mut rx, &st.counters.socketio_dropped).await else {
            return;
        };
        let send = st
            .faults
            .with(|f| f.live_enabled && f.socketio_enabled && !f.socketio_silent);
        if !send {
            continue;
        }
        let rooms = target_rooms(&frame.topic);
        for adapter in st.sio_registry.live() {
            let mut opts = BroadcastOptions::default();
            // Without rooms, the Broadcast flag means "every socket of the namespace".
            opts.add_flag(BroadcastFlags::Broadcast);
            // Batching sockets get this frame from their own batch task.
            opts.except.push(BATCH_ROOM.into());
            for r in &rooms {
                opts.rooms.push(r.clone().into());
            }
            let n = adapter.sockets(opts.clone()).len() as u64;
            if n == 0 {
                continue;
            }
            let failed = match adapter.broadcast(packet(adapter.path(), &frame.sio), opts) {
                Ok(()) => 0,
                Err(errs) => errs.len() as u64,
            };
            st.counters
                .socketio_dropped
                .fetch_add(failed, Ordering::Relaxed);
            st.counters
                .messages_sent
                .fetch_add(n.saturating_sub(failed), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_of_a_subscription() {
        assert_eq!(rooms_for(None), vec!["r|*|*", "p|*"]);
        let s = Subscription {
            symbols: vec!["BTCUSDT".into()],
            timeframes: vec![],
            batch: false,
        };
        assert_eq!(rooms_for(Some(&s)), vec!["r|BTCUSDT|*", "p|BTCUSDT"]);
        let s = Subscription {
            symbols: vec![],
            timeframes: vec!["1h".into()],
            batch: false,
        };
        assert_eq!(rooms_for(Some(&s)), vec!["r|*|1h", "p|*"]);
        // every subscription room is among the rooms a matching frame targets
        let t = target_rooms(&Topic::Regime {
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
        });
        for sub in [
            Subscription {
                symbols: vec!["BTCUSDT".into()],
                timeframes: vec!["1h".into()],
                batch: false,
            },
            Subscription {
                symbols: vec![],
                timeframes: vec!["1h".into()],
                batch: false,
            },
            Subscription {
                symbols: vec!["BTCUSDT".into()],
                timeframes: vec![],
                batch: false,
            },
        ] {
            let rooms = rooms_for(Some(&sub));
            assert!(rooms.iter().any(|r| t.contains(r)), "{sub:?}");
        }
    }

    #[test]
    fn liberal_subscription_reading() {
        let s = parse_subscription(&serde_json::json!({"symbols":["A",1,null],"timeframes":"1h"}));
        assert_eq!(s.symbols, vec!["A"]);
        assert!(s.timeframes.is_empty());
    }
}
