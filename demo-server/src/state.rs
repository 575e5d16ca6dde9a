//! The state shared by every handler and task, and the few operations that
//! touch several parts of it (publish an event, drop live sockets).

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use regime_core::model::{PriceTick, RegimeAlert, RegimeSnapshot, Signal};
use serde::Serialize;
use socketioxide::SocketIo;
use tokio::sync::watch;

use crate::cli::Args;
use crate::faults::{FaultSettings, Faults};
use crate::hub::{Frame, Hub};
use crate::socketio::{AdapterRegistry, DemoAdapter};
use crate::store::Store;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Counters shown by `GET /control/state`.
#[derive(Default)]
pub struct Counters {
    pub plain_clients: AtomicU64,
    pub socketio_clients: AtomicU64,
    pub plain_connections_total: AtomicU64,
    pub socketio_connections_total: AtomicU64,
    /// Frames handed to client sockets, both transports (one per recipient).
    pub messages_sent: AtomicU64,
    /// Frames put on the hub (one per event, whatever the number of clients).
    pub published: AtomicU64,
    pub malformed_published: AtomicU64,
    /// Frames a slow plain client skipped (broadcast lag).
    pub plain_lagged: AtomicU64,
    /// Frames the Socket.IO forwarder skipped (broadcast lag) or that a
    /// socket's full buffer refused.
    pub socketio_dropped: AtomicU64,
    /// How many times live sockets were dropped on purpose.
    pub live_drops: AtomicU64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountersView {
    pub plain_clients: u64,
    pub socketio_clients: u64,
    pub plain_connections_total: u64,
    pub socketio_connections_total: u64,
    pub last_signal_id: u64,
    pub last_alert_id: u64,
    pub messages_sent: u64,
    pub published: u64,
    pub malformed_published: u64,
    pub plain_lagged: u64,
    pub socketio_dropped: u64,
    pub live_drops: u64,
}

pub struct Inner {
    pub args: Args,
    pub store: Store,
    pub hub: Hub,
    pub faults: Faults,
    pub counters: Counters,
    /// Bumped to make every plain WebSocket task hang up.
    pub plain_epoch: watch::Sender<u64>,
    pub sio_registry: AdapterRegistry,
    io: OnceLock<SocketIo<DemoAdapter>>,
}

/// Cheap to clone: an `Arc` of [`Inner`].
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

fn load(a: &AtomicU64) -> u64 {
    a.load(Ordering::Relaxed)
}

impl AppState {
    pub fn new(args: Args) -> AppState {
        let faults = Faults::new(FaultSettings::from_args(&args), args.seed);
        AppState(Arc::new(Inner {
            store: Store::new(args.history, args.points),
            hub: Hub::default(),
            faults,
            counters: Counters::default(),
            plain_epoch: watch::channel(0).0,
            sio_registry: AdapterRegistry::default(),
            io: OnceLock::new(),
            args,
        }))
    }

    pub fn set_io(&self, io: SocketIo<DemoAdapter>) {
        let _ = self.io.set(io);
    }

    pub fn io(&self) -> Option<&SocketIo<DemoAdapter>> {
        self.io.get()
    }

    /// Puts a frame on the hub, or a malformed frame in its place with the
    /// probability `malformedRate`.
    pub fn publish(&self, frame: Frame) {
        let rate = self.faults.with(|f| f.malformed_rate);
        self.counters.published.fetch_add(1, Ordering::Relaxed);
        if self.faults.roll(rate) {
            self.counters
                .malformed_published
                .fetch_add(1, Ordering::Relaxed);
            self.hub.send(self.faults.next_malformed());
        } else {
            self.hub.send(frame);
        }
    }

    /// Stores a signal under the next id and broadcasts it.
    pub fn add_signal(&self, s: Signal) -> Signal {
        self.store
            .push_signal(s, |s| self.publish(Frame::signal(s)))
    }

    /// Stores an alert under the next id and broadcasts it.
    pub fn add_alert(&self, a: RegimeAlert) -> RegimeAlert {
        self.store.push_alert(a, |a| self.publish(Frame::alert(a)))
    }

    /// Stores a snapshot (latest and history point) and broadcasts it.
    pub fn add_regime(&self, s: RegimeSnapshot) {
        self.store
            .push_regime(s, |s| self.publish(Frame::regime(s)))
    }

    pub fn add_price(&self, p: PriceTick) {
        self.store.set_last_price(&p.symbol, p.price);
        self.publish(Frame::price(&p));
    }

    /// Drops live sockets: the plain ones, the Socket.IO ones, or both.
    pub async fn drop_live(&self, plain: bool, socketio: bool) {
        self.counters.live_drops.fetch_add(1, Ordering::Relaxed);
        if plain {
            self.plain_epoch.send_modify(|e| *e += 1);
        }
        if socketio {
            if let Some(io) = self.io() {
                // Closes every engine.io connection; the namespaces are
                // dynamic, so new connections are accepted again right after.
                io.close().await;
            }
        }
    }

    /// Applies new fault settings and their side effects (dropping sockets).
    pub async fn apply_faults(&self, new: FaultSettings) -> FaultSettings {
        let old = self.faults.set(new.clone());
        let live_off = old.live_enabled && !new.live_enabled;
        let plain_off = old.plain_enabled && !new.plain_enabled;
        let sio_off = old.socketio_enabled && !new.socketio_enabled;
        if live_off || plain_off || sio_off {
            self.drop_live(live_off || plain_off, live_off || sio_off)
                .await;
        }
        new
    }

    pub fn counters_view(&self) -> CountersView {
        let c = &self.counters;
        let (last_signal_id, last_alert_id) = self.store.last_ids();
        CountersView {
            plain_clients: load(&c.plain_clients),
            socketio_clients: load(&c.socketio_clients),
            plain_connections_total: load(&c.plain_connections_total),
            socketio_connections_total: load(&c.socketio_connections_total),
            last_signal_id,
            last_alert_id,
            messages_sent: load(&c.messages_sent),
            published: load(&c.published),
            malformed_published: load(&c.malformed_published),
            plain_lagged: load(&c.plain_lagged),
            socketio_dropped: load(&c.socketio_dropped),
            live_drops: load(&c.live_drops),
        }
    }
}
