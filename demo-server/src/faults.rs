//! Fault injection: the settings (changed by flags at start and by
//! `/control/faults` at run time), the malformed frames, and the background
//! tasks that act on the settings (extra signals, periodic live restarts).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use bytes::Bytes;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regime_core::model::{Side, Signal, Timestamp};
use serde::{Deserialize, Serialize};
use socketioxide_core::Str;
use tokio::sync::watch;

use crate::cli::Args;
use crate::hub::{Frame, PlainOut, SioOut, Topic};
use crate::state::AppState;

/// The fault settings; JSON in camelCase. Defaults: a healthy server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FaultSettings {
    /// false: drop every live socket (both kinds) and refuse new ones with 503.
    pub live_enabled: bool,
    /// false: the plain WebSocket paths answer 404 and its sockets are dropped.
    pub plain_enabled: bool,
    /// false: `/socket.io/` answers 404 and its sockets are dropped.
    pub socketio_enabled: bool,
    /// false: every /api/ request answers 503.
    pub rest_enabled: bool,
    /// 0..1: that share of /api/ requests answers 500.
    pub rest_fail_rate: f64,
    /// Delay before every /api/ answer.
    pub rest_latency_ms: u64,
    /// 0..1: that share of live messages is replaced by a malformed frame.
    pub malformed_rate: f64,
    /// Extra signals per second (a flood), each stored with its id.
    pub flood_per_sec: f64,
    /// Steady extra signals per second.
    pub signals_per_sec: f64,
    /// Drop all live sockets every N seconds; 0 = never.
    pub restart_live_every_secs: f64,
    /// Socket.IO connections get CONNECT acknowledged and pings, never an event.
    pub socketio_silent: bool,
    /// The plain WebSocket never answers pings.
    pub plain_no_pong: bool,
    /// The plain WebSocket sends nothing at all.
    pub plain_silent: bool,
    /// `/api/health` reports the run's `epoch` (it changes on
    /// `/control/restart`); false: no `epoch` field at all.
    pub epoch: bool,
    /// `/api/signals` and `/api/alerts` ignore `after` and answer the newest N.
    pub ignore_after: bool,
    /// A page of signals or alerts holds at most this many, whatever `limit`
    /// asks; 0 = no cap.
    pub page_cap: u64,
    /// Every timestamp the backend makes is shifted by this (a wrong clock).
    pub clock_skew_ms: i64,
    /// Every injected REST error (500, 503, 502) has a body of about 1 MB.
    pub huge_errors: bool,
    /// 0..1: that share of /api/ requests is answered 502 by a "gateway":
    /// an HTML body and no CORS header.
    pub gateway_fail_rate: f64,
    /// The next N /api/ requests are answered like `gatewayFailRate` does;
    /// counts down to 0.
    pub gateway_fail_next: u64,
    /// A proxy in front that does not forward WebSocket upgrades: every
    /// upgrade request answers 400, while Engine.IO polling still works.
    pub websocket_upgrade_refused: bool,
    /// The most events in one batch frame, to clients that asked with
    /// `"batch":true`; 0 = no batches.
    pub batch_max: u64,
    /// How long a batch waits for more events, ms (0: what is queued).
    pub batch_ms: u64,
    /// Batches go to clients that did not ask too.
    pub batch_unasked: bool,
}

impl Default for FaultSettings {
    fn default() -> Self {
        FaultSettings {
            live_enabled: true,
            plain_enabled: true,
            socketio_enabled: true,
            rest_enabled: true,
            rest_fail_rate: 0.0,
            rest_latency_ms: 0,
            malformed_rate: 0.0,
            flood_per_sec: 0.0,
            signals_per_sec: 0.0,
            restart_live_every_secs: 0.0,
            socketio_silent: false,
            plain_no_pong: false,
            plain_silent: false,
            epoch: true,
            ignore_after: false,
            page_cap: 0,
            clock_skew_ms: 0,
            huge_errors: false,
            gateway_fail_rate: 0.0,
            gateway_fail_next: 0,
            websocket_upgrade_refused: false,
            batch_max: 0,
            batch_ms: 16,
            batch_unasked: false,
        }
    }
}

/// The most events in one batch: a frame of about 2.5 MB of signals.
pub const MAX_BATCH: u64 = 10_000;

/// How a connection batches now: `None` sends one frame per event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batching {
    pub max: usize,
    pub wait: Duration,
}

impl FaultSettings {
    /// Batching for a client that asked for batches (`asked`) or not.
    pub fn batching(&self, asked: bool) -> Option<Batching> {
        (self.batch_max > 0 && (asked || self.batch_unasked)).then(|| Batching {
            max: self.batch_max as usize,
            wait: Duration::from_millis(self.batch_ms),
        })
    }
}

/// The largest clock skew accepted: 100 years either way.
pub const MAX_CLOCK_SKEW_MS: i64 = 100 * 365 * 86_400_000;

impl FaultSettings {
    /// The settings the command line asks for.
    pub fn from_args(a: &Args) -> FaultSettings {
        FaultSettings {
            live_enabled: true,
            plain_enabled: !a.no_plain,
            socketio_enabled: !a.no_socketio,
            rest_enabled: !a.no_rest,
            rest_fail_rate: a.rest_fail_rate,
            rest_latency_ms: a.latency_ms,
            malformed_rate: a.malformed_rate,
            flood_per_sec: a.flood,
            signals_per_sec: a.signals_per_sec,
            restart_live_every_secs: a.restart_live_every,
            socketio_silent: a.socketio_silent,
            plain_no_pong: a.plain_no_pong,
            plain_silent: a.plain_silent,
            epoch: !a.no_epoch,
            ignore_after: a.ignore_after,
            page_cap: a.page_cap,
            clock_skew_ms: a.clock_skew_ms,
            huge_errors: a.huge_errors,
            gateway_fail_rate: a.gateway_fail_rate,
            gateway_fail_next: a.gateway_fail_next,
            websocket_upgrade_refused: a.websocket_upgrade_refused,
            batch_max: a.batch_max,
            batch_ms: a.batch_ms,
            batch_unasked: a.batch_unasked,
        }
    }

    /// Checks ranges; the error says which field is wrong.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("restFailRate", self.rest_fail_rate),
            ("malformedRate", self.malformed_rate),
            ("gatewayFailRate", self.gateway_fail_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0 and 1, got {v}"));
            }
        }
        for (name, v, max) in [
            ("floodPerSec", self.flood_per_sec, 1_000_000.0),
            ("signalsPerSec", self.signals_per_sec, 1_000_000.0),
            (
                "restartLiveEverySecs",
                self.restart_live_every_secs,
                86_400.0 * 365.0,
            ),
        ] {
            if !v.is_finite() || v < 0.0 || v > max {
                return Err(format!("{name} must be between 0 and {max}, got {v}"));
            }
        }
        if self.batch_max > MAX_BATCH {
            return Err(format!(
                "batchMax must be between 0 and {MAX_BATCH}, got {}",
                self.batch_max
            ));
        }
        if self.batch_ms > 10_000 {
            return Err(format!(
                "batchMs must be between 0 and 10000, got {}",
                self.batch_ms
            ));
        }
        if self.rest_latency_ms > 600_000 {
            return Err("restLatencyMs must be at most 600000".into());
        }
        if self.clock_skew_ms.abs() > MAX_CLOCK_SKEW_MS {
            return Err(format!(
                "clockSkewMs must be between -{MAX_CLOCK_SKEW_MS} and {MAX_CLOCK_SKEW_MS} (100 years), got {}",
                self.clock_skew_ms
            ));
        }
        Ok(())
    }

    /// Merges a partial JSON object into these settings.
    pub fn merged(&self, patch: &serde_json::Value) -> Result<FaultSettings, String> {
        let serde_json::Value::Object(patch) = patch else {
            return Err("expected a JSON object of fault settings".into());
        };
        let mut v = serde_json::to_value(self).map_err(|e| e.to_string())?;
        let obj = v
            .as_object_mut()
            .ok_or("internal: settings are not an object")?;
        for (k, val) in patch {
            if !obj.contains_key(k) {
                return Err(format!("unknown fault setting {k:?}"));
            }
            obj.insert(k.clone(), val.clone());
        }
        let merged: FaultSettings =
            serde_json::from_value(v).map_err(|e| format!("bad fault settings: {e}"))?;
        merged.validate()?;
        Ok(merged)
    }
}

/// The live settings plus the state of the malformed-frame rotation.
pub struct Faults {
    tx: watch::Sender<FaultSettings>,
    rng: Mutex<ChaCha8Rng>,
    plain_shape: AtomicUsize,
    sio_shape: AtomicUsize,
}

/// How many malformed shapes each transport rotates through.
pub const PLAIN_SHAPES: usize = 9;
pub const SIO_SHAPES: usize = 8;

fn huge() -> String {
    "x".repeat(200 * 1024)
}

/// The n-th malformed plain-WebSocket frame (n modulo [`PLAIN_SHAPES`]).
pub fn malformed_plain(n: usize) -> PlainOut {
    let t = |s: String| PlainOut::Text(Utf8Bytes::from(s));
    match n % PLAIN_SHAPES {
        0 => t("this is not JSON {".into()),
        1 => t("[1,2,3]".into()),
        2 => t(r#"{"type":"mystery","data":{"x":1}}"#.into()),
        3 => t(r#"{"type":"signal"}"#.into()),
        4 => t(
            r#"{"type":"signal","data":{"id":"abc","symbol":42,"timeframe":null,"side":7,"price":"cheap","timestamp":true}}"#
                .into(),
        ),
        5 => t(format!(r#"{{"type":"signal","data":{{"id":"x","note":"{}"}}}}"#, huge())),
        6 => t(String::new()),
        // Escapes of lone surrogates and NUL: valid JSON syntax, not valid Unicode.
        7 => t(r#"{"type":"regime:alert","data":{"id":1,"message":"\ud800 \udfff \u0000","symbol":"\udbff"}}"#.into()),
        _ => PlainOut::Binary(Bytes::from_static(&[0xff, 0xfe, 0x00, 0x80, b'{', 0xc3])),
    }
}

/// The n-th malformed Socket.IO packet (n modulo [`SIO_SHAPES`]).
pub fn malformed_sio(n: usize) -> SioOut {
    let raw = |s: String| SioOut::Raw(Str::from(s));
    let ev = |s: String| SioOut::Event(Str::from(s));
    match n % SIO_SHAPES {
        0 => raw("this is not JSON {".into()),
        1 => raw(r#"{"event":"signal","data":{"id":1}}"#.into()),
        2 => ev(r#"["mystery:event",{"x":1}]"#.into()),
        3 => SioOut::Binary(
            Str::from(r#"["signal",{"_placeholder":true,"num":0}]"#),
            Bytes::from_static(&[1, 2, 3, 4]),
        ),
        4 => ev(
            r#"["signal",{"id":"abc","symbol":42,"side":7,"price":"cheap","timestamp":true}]"#
                .into(),
        ),
        5 => ev(format!(r#"["signal",{{"id":"x","note":"{}"}}]"#, huge())),
        6 => ev(r#"["regime",42]"#.into()),
        _ => raw(r#"["signal",{"id":1,"sym"#.into()),
    }
}

impl Faults {
    pub fn new(initial: FaultSettings, seed: u64) -> Faults {
        let (tx, _) = watch::channel(initial);
        Faults {
            tx,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_f417)),
            plain_shape: AtomicUsize::new(0),
            sio_shape: AtomicUsize::new(0),
        }
    }

    pub fn get(&self) -> FaultSettings {
        self.tx.borrow().clone()
    }

    /// Reads one field without cloning the whole settings.
    pub fn with<R>(&self, f: impl FnOnce(&FaultSettings) -> R) -> R {
        f(&self.tx.borrow())
    }

    /// Replaces the settings; returns the previous ones.
    pub fn set(&self, s: FaultSettings) -> FaultSettings {
        self.tx.send_replace(s)
    }

    pub fn watch(&self) -> watch::Receiver<FaultSettings> {
        self.tx.subscribe()
    }

    /// Takes one of the `gatewayFailNext` failures, if any are left.
    pub fn take_gateway_failure(&self) -> bool {
        if self.with(|f| f.gateway_fail_next == 0) {
            return false; // the common case, without the write lock
        }
        self.tx.send_if_modified(|f| {
            let take = f.gateway_fail_next > 0;
            if take {
                f.gateway_fail_next -= 1;
            }
            take
        })
    }

    /// True with probability `p`.
    pub fn roll(&self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        self.rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .random_bool(p)
    }

    /// The next malformed frame of the rotation, for both transports.
    pub fn next_malformed(&self) -> Frame {
        let p = self.plain_shape.fetch_add(1, Ordering::Relaxed);
        let s = self.sio_shape.fetch_add(1, Ordering::Relaxed);
        Frame::new(Topic::All, malformed_plain(p), malformed_sio(s))
    }
}

/// Emits the extra signals of `floodPerSec` and `signalsPerSec`, each a real
/// stored signal with its id. Runs until the server stops.
pub async fn run_extra_signals(st: AppState) {
    let mut iv = tokio::time::interval(Duration::from_millis(10));
    iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rng = ChaCha8Rng::seed_from_u64(st.args.seed ^ 0xf100d);
    let (mut flood_acc, mut steady_acc) = (0.0f64, 0.0f64);
    let mut last = tokio::time::Instant::now();
    let mut n: u64 = 0;
    loop {
        iv.tick().await;
        let now = tokio::time::Instant::now();
        let dt = (now - last).as_secs_f64().min(1.0);
        last = now;
        let (flood, steady) = st.faults.with(|f| (f.flood_per_sec, f.signals_per_sec));
        if flood <= 0.0 {
            flood_acc = 0.0;
        }
        if steady <= 0.0 {
            steady_acc = 0.0;
        }
        flood_acc += flood * dt;
        steady_acc += steady * dt;
        if flood_acc < 1.0 && steady_acc < 1.0 {
            continue; // nothing due: do not copy the symbol list (it can be long)
        }
        let symbols = st.store.symbols();
        if symbols.is_empty() {
            continue;
        }
        for (acc, strategy) in [(&mut flood_acc, "flood"), (&mut steady_acc, "steady")] {
            // At most one second's worth per round, so a huge rate cannot starve the runtime.
            let count = (acc.floor() as u64).min(100_000);
            *acc -= count as f64;
            for _ in 0..count {
                n += 1;
                let info = &symbols[rng.random_range(0..symbols.len())];
                let price = st.store.last_price(&info.symbol).unwrap_or(100.0);
                let sig = Signal {
                    id: 0,
                    symbol: info.symbol.clone(),
                    timeframe: info
                        .timeframes
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "1m".into()),
                    side: if rng.random_bool(0.5) {
                        Side::Long
                    } else {
                        Side::Short
                    },
                    price,
                    timestamp: Timestamp(st.clock_ms()),
                    strategy: Some(strategy.into()),
                    confidence: Some(0.5),
                    note: Some(format!("{strategy} signal #{n}")),
                };
                st.add_signal(sig);
            }
            if count > 1000 {
                tokio::task::yield_now().await;
            }
        }
    }
}

/// Drops all live sockets every `restartLiveEverySecs` seconds. A change of
/// another setting (such as `gatewayFailNext` counting down) keeps the timer.
pub async fn run_restarts(st: AppState) {
    let mut rx = st.faults.watch();
    let period = |secs: f64| Duration::from_secs_f64(secs.max(0.0));
    let mut every = rx.borrow_and_update().restart_live_every_secs;
    let mut deadline = tokio::time::Instant::now() + period(every);
    loop {
        let changed = if every > 0.0 {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {
                    tracing::info!("restartLiveEverySecs: dropping all live sockets");
                    st.drop_live(true, true).await;
                    deadline = tokio::time::Instant::now() + period(every);
                    continue;
                }
                r = rx.changed() => r,
            }
        } else {
            rx.changed().await
        };
        if changed.is_err() {
            return;
        }
        let new = rx.borrow_and_update().restart_live_every_secs;
        if new != every {
            every = new;
            deadline = tokio::time::Instant::now() + period(every);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_partial_and_strict() {
        let d = FaultSettings::default();
        let m = d
            .merged(&serde_json::json!({"plainNoPong": true, "malformedRate": 0.5}))
            .unwrap();
        assert!(m.plain_no_pong);
        assert_eq!(m.malformed_rate, 0.5);
        assert!(m.live_enabled);
        assert!(d
            .merged(&serde_json::json!({"nope": 1}))
            .unwrap_err()
            .contains("nope"));
        assert!(d.merged(&serde_json::json!({"malformedRate": 2})).is_err());
        assert!(d
            .merged(&serde_json::json!({"liveEnabled": "yes"}))
            .is_err());
        assert!(d.merged(&serde_json::json!([1])).is_err());
    }

    #[test]
    fn every_malformed_shape_is_really_malformed() {
        use regime_core::model::{RegimeAlert, RegimeSnapshot, Signal};
        for n in 0..PLAIN_SHAPES {
            let PlainOut::Text(t) = malformed_plain(n) else {
                continue;
            };
            let v: Result<serde_json::Value, _> = serde_json::from_str(t.as_str());
            let Ok(v) = v else { continue };
            let data = v.get("data").cloned().unwrap_or(serde_json::Value::Null);
            let ok = serde_json::from_value::<Signal>(data.clone()).is_ok()
                || serde_json::from_value::<RegimeSnapshot>(data.clone()).is_ok()
                || serde_json::from_value::<RegimeAlert>(data).is_ok();
            assert!(
                !ok,
                "shape {n} decodes as a contract object: {}",
                &t.as_str()[..60.min(t.len())]
            );
        }
    }
}
