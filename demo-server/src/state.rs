//! The state shared by every handler and task, and the few operations that
//! touch several parts of it (publish an event, drop live sockets).

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

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
    /// Frames handed to client sockets, both transports (one per recipient;
    /// a batch is one frame).
    pub messages_sent: AtomicU64,
    /// Batch frames among them, and the events (elements) they carried.
    pub batches_sent: AtomicU64,
    pub batched_events_sent: AtomicU64,
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
    /// `/control/restart`s so far.
    pub restarts: AtomicU64,
    pub requests: RequestCounters,
}

/// What the clients asked of `/api/` (counted in front of everything, fault
/// answers included; CORS preflights are not counted). Zeroed by
/// `/control/reset` and `/control/reset-counters`.
#[derive(Default)]
pub struct RequestCounters {
    pub api: AtomicU64,
    pub health: AtomicU64,
    pub symbols: AtomicU64,
    pub regime: AtomicU64,
    pub history: AtomicU64,
    pub signals: AtomicU64,
    pub alerts: AtomicU64,
    /// `/api/regime` requests being answered right now, and the most at once.
    pub regime_in_flight: AtomicU64,
    pub regime_peak_in_flight: AtomicU64,
    /// Answered 502 by the fault "gateway".
    pub gateway_errors: AtomicU64,
    /// `after` and `limit` of the last signals and alerts requests (None:
    /// absent or not a number).
    pub last_signals: Mutex<LastPage>,
    pub last_alerts: Mutex<LastPage>,
}

#[derive(Clone, Copy, Default, Debug, Serialize)]
pub struct LastPage {
    pub after: Option<u64>,
    pub limit: Option<u64>,
}

impl RequestCounters {
    pub fn reset(&self) {
        for c in [
            &self.api,
            &self.health,
            &self.symbols,
            &self.regime,
            &self.history,
            &self.signals,
            &self.alerts,
            &self.gateway_errors,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        self.regime_peak_in_flight.store(
            self.regime_in_flight.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
        *lock(&self.last_signals) = LastPage::default();
        *lock(&self.last_alerts) = LastPage::default();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
    pub batches_sent: u64,
    pub batched_events_sent: u64,
    pub published: u64,
    pub malformed_published: u64,
    pub plain_lagged: u64,
    pub socketio_dropped: u64,
    pub live_drops: u64,
    pub restarts: u64,
    pub api_requests: u64,
    pub health_requests: u64,
    pub symbols_requests: u64,
    pub regime_requests: u64,
    pub history_requests: u64,
    pub signals_requests: u64,
    pub alerts_requests: u64,
    pub regime_in_flight: u64,
    pub regime_peak_in_flight: u64,
    pub gateway_errors: u64,
    pub last_signals_after: Option<u64>,
    pub last_signals_limit: Option<u64>,
    pub last_alerts_after: Option<u64>,
    pub last_alerts_limit: Option<u64>,
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
    /// Random per process, so that two processes never share an epoch.
    boot: String,
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
            boot: format!("{:08x}", rand::random::<u32>()),
            args,
        }))
    }

    /// The backend's clock: the wall clock shifted by `clockSkewMs`.
    pub fn clock_ms(&self) -> i64 {
        now_ms().saturating_add(self.skew_ms())
    }

    /// `clockSkewMs`, what every timestamp the backend makes is shifted by.
    pub fn skew_ms(&self) -> i64 {
        self.faults.with(|f| f.clock_skew_ms)
    }

    /// The text that names this run of the backend: it changes whenever the
    /// ids start again. `/api/health` shows it when `epoch` is on.
    pub fn epoch(&self) -> String {
        format!("{}-{}", self.boot, self.store.run())
    }

    /// Plays a restart of a backend that keeps its events in memory: the
    /// signals and alerts are emptied and numbered from 1 again, the epoch
    /// changes, and every live socket of both kinds is dropped.
    pub async fn restart(&self) -> u64 {
        let run = self.store.restart();
        self.counters.restarts.fetch_add(1, Ordering::Relaxed);
        tracing::info!(run, "restart: store emptied, ids start again from 1");
        self.drop_live(true, true).await;
        run
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
        let r = &c.requests;
        let (ls, la) = (*lock(&r.last_signals), *lock(&r.last_alerts));
        let (last_signal_id, last_alert_id) = self.store.last_ids();
        CountersView {
            plain_clients: load(&c.plain_clients),
            socketio_clients: load(&c.socketio_clients),
            plain_connections_total: load(&c.plain_connections_total),
            socketio_connections_total: load(&c.socketio_connections_total),
            last_signal_id,
            last_alert_id,
            messages_sent: load(&c.messages_sent),
            batches_sent: load(&c.batches_sent),
            batched_events_sent: load(&c.batched_events_sent),
            published: load(&c.published),
            malformed_published: load(&c.malformed_published),
            plain_lagged: load(&c.plain_lagged),
            socketio_dropped: load(&c.socketio_dropped),
            live_drops: load(&c.live_drops),
            restarts: load(&c.restarts),
            api_requests: load(&r.api),
            health_requests: load(&r.health),
            symbols_requests: load(&r.symbols),
            regime_requests: load(&r.regime),
            history_requests: load(&r.history),
            signals_requests: load(&r.signals),
            alerts_requests: load(&r.alerts),
            regime_in_flight: load(&r.regime_in_flight),
            regime_peak_in_flight: load(&r.regime_peak_in_flight),
            gateway_errors: load(&r.gateway_errors),
            last_signals_after: ls.after,
            last_signals_limit: ls.limit,
            last_alerts_after: la.after,
            last_alerts_limit: la.limit,
        }
    }
}
