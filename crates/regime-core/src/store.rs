//! The data the page draws, bounded and de-duplicated.
//!
//! Memory stays flat however long the session runs: signals and alerts live
//! in rings sorted by id (binary search finds duplicates), history in a ring
//! per symbol/timeframe, and the maps keyed by symbol refuse new keys past
//! [`StoreLimits::keys`] so a backend inventing symbols cannot grow them.

use std::collections::{HashMap, VecDeque};

use crate::model::{PriceTick, RegimeAlert, RegimePoint, RegimeSnapshot, Signal, SymbolInfo};
use crate::Millis;

/// How much the store keeps. Part of [`crate::machine::Policy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreLimits {
    /// Signals kept, newest by id. Defaults to 500.
    pub signals: usize,
    /// Alerts kept, newest by id. Defaults to 100.
    pub alerts: usize,
    /// Points of history kept per symbol/timeframe. Defaults to 300.
    pub history_points: usize,
    /// `limit` of a REST `after` page during recovery. Defaults to 500.
    pub recovery_page: usize,
    /// Distinct symbol/timeframe keys kept for snapshots, history and prices;
    /// events for further keys are dropped. Defaults to 1000.
    pub keys: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            signals: 500,
            alerts: 100,
            history_points: 300,
            recovery_page: 500,
            keys: 1000,
        }
    }
}

/// A value with the time (the caller's clock) it was received.
#[derive(Clone, Debug, PartialEq)]
pub struct Stamped<T> {
    pub value: T,
    pub received_at: Millis,
}

/// The last price of a symbol and the one before it (for the up/down arrow).
#[derive(Clone, Debug, PartialEq)]
pub struct PriceEntry {
    pub tick: PriceTick,
    pub previous: Option<f64>,
    pub received_at: Millis,
}

/// What became of an item offered to an id ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insert {
    /// Not held before: kept.
    New,
    /// Already held (same id): ignored.
    Duplicate,
    /// The ring is full and the id is older than everything it holds: ignored.
    TooOld,
}

/// Something with a backend id that only grows.
pub trait HasId {
    fn id(&self) -> u64;
}

impl HasId for Signal {
    fn id(&self) -> u64 {
        self.id
    }
}

impl HasId for RegimeAlert {
    fn id(&self) -> u64 {
        self.id
    }
}

/// A ring of items sorted by id, at most `limit` long, one item per id.
#[derive(Clone, Debug)]
pub struct IdRing<T> {
    items: VecDeque<Stamped<T>>,
    limit: usize,
    /// Items accepted as new over the ring's life (duplicates not counted).
    accepted: u64,
    /// Items refused over the ring's life because their id was held.
    duplicates: u64,
}

impl<T: HasId> IdRing<T> {
    pub fn new(limit: usize) -> Self {
        IdRing {
            items: VecDeque::with_capacity(limit.min(4096)),
            limit: limit.max(1),
            accepted: 0,
            duplicates: 0,
        }
    }

    pub fn insert(&mut self, value: T, received_at: Millis) -> Insert {
        let id = value.id();
        match self.items.binary_search_by_key(&id, |s| s.value.id()) {
            Ok(_) => {
                self.duplicates += 1;
                Insert::Duplicate
            }
            Err(0) if self.items.len() >= self.limit => Insert::TooOld,
            Err(at) => {
                self.items.insert(at, Stamped { value, received_at });
                if self.items.len() > self.limit {
                    self.items.pop_front();
                }
                self.accepted += 1;
                Insert::New
            }
        }
    }

    pub fn contains(&self, id: u64) -> bool {
        self.items
            .binary_search_by_key(&id, |s| s.value.id())
            .is_ok()
    }

    pub fn max_id(&self) -> Option<u64> {
        self.items.back().map(|s| s.value.id())
    }

    pub fn min_id(&self) -> Option<u64> {
        self.items.front().map(|s| s.value.id())
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Newest (highest id) first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Stamped<T>> + '_ {
        self.items.iter().rev()
    }

    /// Oldest (lowest id) first.
    pub fn oldest_first(&self) -> impl Iterator<Item = &Stamped<T>> + '_ {
        self.items.iter()
    }

    /// Items accepted as new since the ring was made.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Items refused since the ring was made because their id was already
    /// held (a live item that REST recovery brings again, a server that
    /// repeats itself). Not reset by [`clear`](Self::clear), like
    /// [`accepted`](Self::accepted).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Forget every item (the backend's ids started again).
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

/// Everything the page draws.
#[derive(Clone, Debug)]
pub struct Store {
    limits: StoreLimits,
    snapshots: HashMap<(String, String), Stamped<RegimeSnapshot>>,
    history: HashMap<(String, String), VecDeque<RegimePoint>>,
    signals: IdRing<Signal>,
    alerts: IdRing<RegimeAlert>,
    prices: HashMap<String, PriceEntry>,
    symbols: Vec<SymbolInfo>,
}

fn key(symbol: &str, timeframe: &str) -> (String, String) {
    (symbol.to_string(), timeframe.to_string())
}

impl Store {
    pub fn new(limits: StoreLimits) -> Self {
        Store {
            limits,
            snapshots: HashMap::new(),
            history: HashMap::new(),
            signals: IdRing::new(limits.signals),
            alerts: IdRing::new(limits.alerts),
            prices: HashMap::new(),
            symbols: Vec::new(),
        }
    }

    pub fn limits(&self) -> &StoreLimits {
        &self.limits
    }

    // ---- snapshots and history ----

    /// Keeps a snapshot (a newer timestamp, or the same, replaces the held
    /// one; an older one is ignored) and extends that key's history, if any
    /// is held: a newer timestamp appends a point, the same one replaces the
    /// last. Returns (snapshot changed, history changed).
    pub fn put_snapshot(&mut self, snapshot: RegimeSnapshot, received_at: Millis) -> (bool, bool) {
        let k = key(&snapshot.symbol, &snapshot.timeframe);
        let history_changed = match self.history.get_mut(&k) {
            Some(points) => push_point(points, point_of(&snapshot), self.limits.history_points),
            None => false,
        };
        match self.snapshots.get(&k) {
            Some(held) if held.value.timestamp > snapshot.timestamp => {
                return (false, history_changed)
            }
            None if self.snapshots.len() >= self.limits.keys => return (false, history_changed),
            _ => {}
        }
        self.snapshots.insert(
            k,
            Stamped {
                value: snapshot,
                received_at,
            },
        );
        (true, history_changed)
    }

    pub fn snapshot(&self, symbol: &str, timeframe: &str) -> Option<&Stamped<RegimeSnapshot>> {
        self.snapshots.get(&key(symbol, timeframe))
    }

    /// Every held snapshot at one timeframe, in the order of the symbol list
    /// (then any others by symbol): the overview strip.
    pub fn snapshots_at(&self, timeframe: &str) -> Vec<&Stamped<RegimeSnapshot>> {
        let mut out: Vec<&Stamped<RegimeSnapshot>> = self
            .snapshots
            .values()
            .filter(|s| s.value.timeframe == timeframe)
            .collect();
        let rank = |sym: &str| {
            self.symbols
                .iter()
                .position(|i| i.symbol == sym)
                .unwrap_or(usize::MAX)
        };
        out.sort_by(|a, b| {
            (rank(&a.value.symbol), &a.value.symbol).cmp(&(rank(&b.value.symbol), &b.value.symbol))
        });
        out
    }

    /// Replaces a key's history with a REST answer (oldest first; sorted and
    /// cut to the newest `history_points` here in case the backend did not).
    pub fn set_history(
        &mut self,
        symbol: &str,
        timeframe: &str,
        mut points: Vec<RegimePoint>,
    ) -> bool {
        let k = key(symbol, timeframe);
        if !self.history.contains_key(&k) && self.history.len() >= self.limits.keys {
            return false;
        }
        points.sort_by_key(|p| p.timestamp);
        points.dedup_by_key(|p| p.timestamp);
        let skip = points.len().saturating_sub(self.limits.history_points);
        let ring: VecDeque<RegimePoint> = points.into_iter().skip(skip).collect();
        self.history.insert(k, ring);
        true
    }

    /// A key's history, oldest first (empty when none is held).
    pub fn history(
        &self,
        symbol: &str,
        timeframe: &str,
    ) -> impl Iterator<Item = &RegimePoint> + '_ {
        self.history
            .get(&key(symbol, timeframe))
            .into_iter()
            .flatten()
    }

    pub fn history_len(&self, symbol: &str, timeframe: &str) -> usize {
        self.history
            .get(&key(symbol, timeframe))
            .map_or(0, VecDeque::len)
    }

    // ---- signals and alerts ----

    pub fn put_signal(&mut self, signal: Signal, received_at: Millis) -> Insert {
        self.signals.insert(signal, received_at)
    }

    pub fn put_alert(&mut self, alert: RegimeAlert, received_at: Millis) -> Insert {
        self.alerts.insert(alert, received_at)
    }

    pub fn signals(&self) -> &IdRing<Signal> {
        &self.signals
    }

    pub fn alerts(&self) -> &IdRing<RegimeAlert> {
        &self.alerts
    }

    pub fn signals_newest_first(&self) -> impl Iterator<Item = &Stamped<Signal>> + '_ {
        self.signals.newest_first()
    }

    pub fn alerts_newest_first(&self) -> impl Iterator<Item = &Stamped<RegimeAlert>> + '_ {
        self.alerts.newest_first()
    }

    /// Signals and alerts refused since the store was made because their id
    /// was already held. Per feed: `signals().duplicates()`,
    /// `alerts().duplicates()`.
    pub fn duplicates_dropped(&self) -> u64 {
        self.signals.duplicates() + self.alerts.duplicates()
    }

    pub fn max_signal_id(&self) -> Option<u64> {
        self.signals.max_id()
    }

    pub fn max_alert_id(&self) -> Option<u64> {
        self.alerts.max_id()
    }

    /// The backend's signal ids started again: forget the old sequence.
    pub fn clear_signals(&mut self) {
        self.signals.clear();
    }

    /// The backend's alert ids started again: forget the old sequence.
    pub fn clear_alerts(&mut self) {
        self.alerts.clear();
    }

    // ---- prices ----

    /// Keeps the last price of a symbol, remembering the one before it.
    /// An older tick than the held one is ignored.
    pub fn put_price(&mut self, tick: PriceTick, received_at: Millis) -> bool {
        let full = self.prices.len() >= self.limits.keys;
        match self.prices.get_mut(&tick.symbol) {
            Some(held) if held.tick.timestamp > tick.timestamp => false,
            Some(held) => {
                let previous = Some(held.tick.price);
                *held = PriceEntry {
                    tick,
                    previous,
                    received_at,
                };
                true
            }
            None if full => false,
            None => {
                let symbol = tick.symbol.clone();
                self.prices.insert(
                    symbol,
                    PriceEntry {
                        tick,
                        previous: None,
                        received_at,
                    },
                );
                true
            }
        }
    }

    pub fn price(&self, symbol: &str) -> Option<&PriceEntry> {
        self.prices.get(symbol)
    }

    // ---- symbols ----

    /// Replaces the symbol list (at most `keys` entries, duplicates dropped).
    pub fn set_symbols(&mut self, symbols: Vec<SymbolInfo>) -> bool {
        let mut kept: Vec<SymbolInfo> = Vec::with_capacity(symbols.len().min(self.limits.keys));
        for s in symbols {
            if kept.len() >= self.limits.keys {
                break;
            }
            if !kept.iter().any(|k| k.symbol == s.symbol) {
                kept.push(s);
            }
        }
        let changed = kept != self.symbols;
        self.symbols = kept;
        changed
    }

    pub fn symbols(&self) -> &[SymbolInfo] {
        &self.symbols
    }
}

fn point_of(s: &RegimeSnapshot) -> RegimePoint {
    RegimePoint {
        timestamp: s.timestamp,
        regime: s.regime.clone(),
        adx: s.adx,
        atr_pct: s.atr_pct,
        close: s.close,
    }
}

/// Appends a newer point, replaces the last one for the same timestamp,
/// ignores an older one. Returns whether the ring changed.
fn push_point(points: &mut VecDeque<RegimePoint>, point: RegimePoint, limit: usize) -> bool {
    match points.back_mut() {
        Some(last) if last.timestamp == point.timestamp => {
            if *last == point {
                return false;
            }
            *last = point;
        }
        Some(last) if last.timestamp > point.timestamp => return false,
        _ => {
            points.push_back(point);
            while points.len() > limit.max(1) {
                points.pop_front();
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Regime, Side, Timestamp};

    fn signal(id: u64) -> Signal {
        Signal {
            id,
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            side: Side::Long,
            price: 1.0,
            timestamp: Timestamp(id as i64),
            strategy: None,
            confidence: None,
            note: None,
        }
    }

    fn snap(sym: &str, ts: i64, adx: f64) -> RegimeSnapshot {
        RegimeSnapshot {
            symbol: sym.into(),
            timeframe: "1h".into(),
            regime: Regime::Range,
            adx,
            atr_pct: 0.01,
            timestamp: Timestamp(ts),
            plus_di: None,
            minus_di: None,
            close: None,
        }
    }

    fn limits(signals: usize) -> StoreLimits {
        StoreLimits {
            signals,
            ..StoreLimits::default()
        }
    }

    #[test]
    fn signals_are_sorted_deduplicated_and_bounded() {
        let mut s = Store::new(limits(3));
        assert_eq!(s.put_signal(signal(5), 0), Insert::New);
        assert_eq!(s.put_signal(signal(3), 0), Insert::New);
        assert_eq!(s.put_signal(signal(5), 1), Insert::Duplicate);
        assert_eq!(s.put_signal(signal(4), 0), Insert::New);
        assert_eq!(s.put_signal(signal(9), 0), Insert::New); // pushes 3 out
        assert_eq!(s.put_signal(signal(1), 0), Insert::TooOld);
        let ids: Vec<u64> = s.signals_newest_first().map(|x| x.value.id).collect();
        assert_eq!(ids, [9, 5, 4]);
        assert_eq!(s.max_signal_id(), Some(9));
        assert_eq!(s.signals().accepted(), 4);
    }

    #[test]
    fn duplicates_are_counted_per_ring_and_survive_a_clear() {
        let mut s = Store::new(limits(3));
        assert_eq!(s.duplicates_dropped(), 0);
        for id in [1, 2, 2, 3, 1] {
            s.put_signal(signal(id), 0);
        }
        s.put_signal(signal(9), 0); // pushes 1 out: 1 is now too old, not a duplicate
        assert_eq!(s.put_signal(signal(1), 0), Insert::TooOld);
        assert_eq!(s.signals().duplicates(), 2);
        assert_eq!(s.signals().accepted(), 4);
        let a = RegimeAlert {
            id: 7,
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            from: Regime::Range,
            to: Regime::TrendUp,
            adx: 27.0,
            atr_pct: None,
            timestamp: Timestamp(7),
            message: None,
        };
        assert_eq!(s.put_alert(a.clone(), 0), Insert::New);
        assert_eq!(s.put_alert(a, 1), Insert::Duplicate);
        assert_eq!(s.alerts().duplicates(), 1);
        assert_eq!(s.duplicates_dropped(), 3);
        s.clear_signals();
        assert_eq!(s.signals().duplicates(), 2, "a life-long counter");
    }

    #[test]
    fn a_gap_filled_late_lands_in_order() {
        let mut s = Store::new(limits(10));
        for id in [1, 2, 5, 6] {
            s.put_signal(signal(id), 0);
        }
        for id in [3, 4] {
            assert_eq!(s.put_signal(signal(id), 0), Insert::New);
        }
        let ids: Vec<u64> = s.signals().oldest_first().map(|x| x.value.id).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn history_appends_newer_replaces_same_ignores_older_and_is_bounded() {
        let mut s = Store::new(StoreLimits {
            history_points: 3,
            ..StoreLimits::default()
        });
        s.set_history(
            "B",
            "1h",
            vec![point_of(&snap("B", 20, 1.0)), point_of(&snap("B", 10, 1.0))],
        );
        assert_eq!(s.history_len("B", "1h"), 2);
        assert_eq!(s.put_snapshot(snap("B", 30, 2.0), 0), (true, true));
        assert_eq!(s.put_snapshot(snap("B", 30, 3.0), 0), (true, true));
        assert_eq!(s.history_len("B", "1h"), 3);
        assert_eq!(s.put_snapshot(snap("B", 5, 9.0), 0), (false, false));
        s.put_snapshot(snap("B", 40, 4.0), 0);
        let ts: Vec<i64> = s.history("B", "1h").map(|p| p.timestamp.0).collect();
        assert_eq!(ts, [20, 30, 40]);
        assert_eq!(s.history("B", "1h").nth(1).unwrap().adx, 3.0);
        assert_eq!(s.snapshot("B", "1h").unwrap().value.adx, 4.0);
    }

    #[test]
    fn keys_are_bounded_against_invented_symbols() {
        let mut s = Store::new(StoreLimits {
            keys: 2,
            ..StoreLimits::default()
        });
        for i in 0..100 {
            s.put_snapshot(snap(&format!("S{i}"), 0, 1.0), 0);
            s.put_price(
                PriceTick {
                    symbol: format!("S{i}"),
                    price: 1.0,
                    timestamp: Timestamp(0),
                },
                0,
            );
        }
        assert_eq!(s.snapshots_at("1h").len(), 2);
        assert!(s.price("S0").is_some() && s.price("S2").is_none());
    }

    #[test]
    fn price_keeps_the_previous_one() {
        let mut s = Store::new(StoreLimits::default());
        let t = |p: f64, ts: i64| PriceTick {
            symbol: "B".into(),
            price: p,
            timestamp: Timestamp(ts),
        };
        s.put_price(t(1.0, 1), 0);
        s.put_price(t(2.0, 2), 0);
        assert!(!s.put_price(t(0.5, 1), 0));
        let p = s.price("B").unwrap();
        assert_eq!((p.tick.price, p.previous), (2.0, Some(1.0)));
    }

    #[test]
    fn overview_follows_the_symbol_list_order() {
        let mut s = Store::new(StoreLimits::default());
        s.set_symbols(vec![
            SymbolInfo {
                symbol: "ETH".into(),
                timeframes: vec![],
            },
            SymbolInfo {
                symbol: "BTC".into(),
                timeframes: vec![],
            },
            SymbolInfo {
                symbol: "ETH".into(),
                timeframes: vec![],
            },
        ]);
        assert_eq!(s.symbols().len(), 2);
        for sym in ["ZZZ", "BTC", "ETH"] {
            s.put_snapshot(snap(sym, 0, 1.0), 0);
        }
        let order: Vec<&str> = s
            .snapshots_at("1h")
            .iter()
            .map(|x| x.value.symbol.as_str())
            .collect();
        assert_eq!(order, ["ETH", "BTC", "ZZZ"]);
    }
}
