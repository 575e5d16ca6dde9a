//! The browser connection layer: drives `regime_core::machine::Connection`
//! with the browser's WebSocket, fetch, timers, online/offline and
//! visibility events, and publishes what components draw as Leptos signals.
//! Being written (issue #5). The surface below is agreed with the components.

use leptos::prelude::*;
use regime_core::machine::Mode;
use regime_core::model::{RegimeAlert, RegimePoint, RegimeSnapshot, Signal as TradeSignal, SymbolInfo};

/// A snapshot with the time the page received it (`performance.now()` ms).
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotView {
    pub snapshot: RegimeSnapshot,
    pub received_at: f64,
}

/// A signal row with the time the page received it, for the brief highlight.
#[derive(Clone, Debug, PartialEq)]
pub struct SignalRow {
    pub signal: TradeSignal,
    pub received_at: f64,
}

/// The last trade price of the selected symbol and the one before it.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceView {
    pub price: f64,
    pub previous: Option<f64>,
    pub received_at: f64,
}

/// One problem, as the health panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagnosisView {
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// One sentence a trader can act on.
    pub sentence: String,
    /// The technical detail beside it.
    pub detail: String,
}

/// Everything the health panel and the badge show.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HealthView {
    /// `plain WebSocket`, `Socket.IO`, `REST` or empty before any.
    pub transport: String,
    pub live_url: String,
    pub api_url: String,
    /// The most important problem first.
    pub problems: Vec<DiagnosisView>,
    pub last_error: Option<String>,
    pub retries: u32,
    /// `performance.now()` ms of the next live attempt, when one is scheduled.
    pub next_retry_at: Option<f64>,
    pub messages_per_sec: f64,
    /// `performance.now()` ms of the last live message.
    pub last_message_at: Option<f64>,
    pub rtt_ms: Option<f64>,
    pub malformed: u64,
    pub last_malformed_reason: Option<String>,
    pub recovered: u64,
    pub backend_version: Option<String>,
    /// Settings that could not be used, as sentences naming key and expectation.
    pub setting_problems: Vec<String>,
    /// The poll period, ms: the expected cadence for freshness colours.
    pub poll_ms: f64,
}

/// What `use_connection()` returns: read-only signals and actions. `Copy`, so
/// components can take it by value.
#[derive(Clone, Copy)]
pub struct UseConnectionReturn {
    pub mode: Signal<Mode>,
    pub health: Signal<HealthView>,
    /// (symbol, timeframe) shown; empty strings until `/api/symbols` answered.
    pub selection: Signal<(String, String)>,
    pub symbols: Signal<Vec<SymbolInfo>>,
    /// The selected symbol/timeframe's current regime.
    pub snapshot: Signal<Option<SnapshotView>>,
    /// Every symbol's regime at the selected timeframe (overview strip).
    pub overview: Signal<Vec<SnapshotView>>,
    /// The selection's history, oldest first.
    pub history: Signal<Vec<RegimePoint>>,
    /// Newest first, bounded.
    pub signals: Signal<Vec<SignalRow>>,
    /// Newest first, bounded.
    pub alerts: Signal<Vec<RegimeAlert>>,
    /// Alerts that arrived since the page's first load (live or recovered),
    /// with a generation counter that grows with every batch: toasts.
    pub fresh_alerts: Signal<(u64, Vec<RegimeAlert>)>,
    pub last_price: Signal<Option<PriceView>>,
    /// `performance.now()` ms, ticking once a second, for ages and countdowns.
    pub now: Signal<f64>,
    /// True until the first REST data for the selection arrived.
    pub loading: Signal<bool>,
    pub reconnect: Callback<()>,
    /// Select (symbol, timeframe): re-subscribes, refetches, cancels the old.
    pub select: Callback<(String, String)>,
}
