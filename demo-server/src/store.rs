//! The bounded histories behind REST: signals and alerts (each with its own
//! strictly increasing id sequence), and per series the latest snapshot and
//! the regime history points.
//!
//! An event gets its id, is stored and is handed to the broadcast callback
//! under one lock, so live order and REST order are the same id order.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use regime_core::model::{RegimeAlert, RegimePoint, RegimeSnapshot, Signal, SymbolInfo};

/// Why a lookup found nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum LookupError {
    UnknownSymbol(String),
    UnknownTimeframe(String, String),
    NoDataYet,
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::UnknownSymbol(s) => write!(f, "unknown symbol {s:?}"),
            LookupError::UnknownTimeframe(s, t) => {
                write!(f, "unknown timeframe {t:?} for symbol {s:?}")
            }
            LookupError::NoDataYet => f.write_str("no data yet for this symbol and timeframe"),
        }
    }
}

#[derive(Default)]
struct Series {
    points: VecDeque<RegimePoint>,
    latest: Option<RegimeSnapshot>,
    /// Fewer points kept than the store's default (the extra symbols).
    cap: Option<usize>,
}

struct Inner {
    symbols: Vec<SymbolInfo>,
    series: BTreeMap<(String, String), Series>,
    signals: VecDeque<Signal>,
    alerts: VecDeque<RegimeAlert>,
    last_signal_id: u64,
    last_alert_id: u64,
    last_close: BTreeMap<String, f64>,
    /// Which run of the backend this is: 1 at start, +1 on every [`Store::restart`].
    run: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    history: usize,
    points: usize,
}

/// Takes a page from an id-ordered deque: with `after`, the first `limit`
/// items whose id is greater; without, the newest `limit`, ascending.
fn page<T: Clone>(
    items: &VecDeque<T>,
    id: impl Fn(&T) -> u64,
    keep: impl Fn(&T) -> bool,
    after: Option<u64>,
    limit: usize,
) -> Vec<T> {
    match after {
        Some(after) => {
            let start = items.partition_point(|x| id(x) <= after);
            items
                .range(start..)
                .filter(|x| keep(x))
                .take(limit)
                .cloned()
                .collect()
        }
        None => {
            let mut v: Vec<T> = items
                .iter()
                .rev()
                .filter(|x| keep(x))
                .take(limit)
                .cloned()
                .collect();
            v.reverse();
            v
        }
    }
}

/// Gives `item` the id after `last_id` (`id` finds its field), runs `then`
/// on it, and keeps it at the end of an id-ordered deque of at most
/// `history` items, the oldest dropped.
fn push_numbered<T: Clone>(
    items: &mut VecDeque<T>,
    last_id: &mut u64,
    history: usize,
    mut item: T,
    id: impl FnOnce(&mut T) -> &mut u64,
    then: impl FnOnce(&T),
) -> T {
    *last_id += 1;
    *id(&mut item) = *last_id;
    then(&item);
    items.push_back(item.clone());
    while items.len() > history {
        items.pop_front();
    }
    item
}

impl Store {
    /// `history`: signals and alerts kept, each; `points`: points per series.
    pub fn new(history: usize, points: usize) -> Store {
        Store {
            inner: Mutex::new(Inner {
                symbols: Vec::new(),
                series: BTreeMap::new(),
                signals: VecDeque::new(),
                alerts: VecDeque::new(),
                last_signal_id: 0,
                last_alert_id: 0,
                last_close: BTreeMap::new(),
                run: 1,
            }),
            history: history.max(1),
            points: points.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere must not take REST down with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes a symbol/timeframe known to `/api/symbols` (idempotent).
    pub fn register_series(&self, symbol: &str, timeframe: &str) {
        self.register_series_capped(symbol, timeframe, None);
    }

    /// The same, keeping at most `cap` history points (if below the default).
    pub fn register_series_capped(&self, symbol: &str, timeframe: &str, cap: Option<usize>) {
        let mut g = self.lock();
        match g.symbols.iter_mut().find(|s| s.symbol == symbol) {
            Some(info) if info.timeframes.iter().any(|t| t == timeframe) => {}
            Some(info) => info.timeframes.push(timeframe.to_string()),
            None => g.symbols.push(SymbolInfo {
                symbol: symbol.to_string(),
                timeframes: vec![timeframe.to_string()],
            }),
        }
        let series = g
            .series
            .entry((symbol.to_string(), timeframe.to_string()))
            .or_default();
        if cap.is_some() {
            series.cap = cap;
        }
    }

    pub fn symbols(&self) -> Vec<SymbolInfo> {
        self.lock().symbols.clone()
    }

    /// Stores a snapshot as the latest and appends its history point; `then`
    /// runs under the lock (to broadcast in order).
    pub fn push_regime(&self, snap: RegimeSnapshot, then: impl FnOnce(&RegimeSnapshot)) {
        let key = (snap.symbol.clone(), snap.timeframe.clone());
        let mut g = self.lock();
        if !g.series.contains_key(&key) {
            drop(g);
            self.register_series(&snap.symbol, &snap.timeframe);
            g = self.lock();
        }
        if let Some(c) = snap.close {
            match g.last_close.get_mut(&snap.symbol) {
                Some(v) => *v = c,
                None => {
                    g.last_close.insert(snap.symbol.clone(), c);
                }
            }
        }
        let series = g.series.entry(key).or_default();
        let max = series.cap.unwrap_or(self.points).min(self.points);
        series.points.push_back(RegimePoint {
            timestamp: snap.timestamp,
            regime: snap.regime.clone(),
            adx: snap.adx,
            atr_pct: snap.atr_pct,
            close: snap.close,
        });
        while series.points.len() > max {
            series.points.pop_front();
        }
        then(&snap);
        series.latest = Some(snap);
    }

    /// Gives the signal the next id, stores it, runs `then` under the lock.
    pub fn push_signal(&self, s: Signal, then: impl FnOnce(&Signal)) -> Signal {
        let g = &mut *self.lock();
        let (items, last_id) = (&mut g.signals, &mut g.last_signal_id);
        push_numbered(items, last_id, self.history, s, |s| &mut s.id, then)
    }

    /// Gives the alert the next id, stores it, runs `then` under the lock.
    pub fn push_alert(&self, a: RegimeAlert, then: impl FnOnce(&RegimeAlert)) -> RegimeAlert {
        let g = &mut *self.lock();
        let (items, last_id) = (&mut g.alerts, &mut g.last_alert_id);
        push_numbered(items, last_id, self.history, a, |a| &mut a.id, then)
    }

    /// Records a last price for a symbol (used as a default by /control/emit).
    pub fn set_last_price(&self, symbol: &str, price: f64) {
        self.lock().last_close.insert(symbol.to_string(), price);
    }

    pub fn last_price(&self, symbol: &str) -> Option<f64> {
        self.lock().last_close.get(symbol).copied()
    }

    fn check(&self, g: &Inner, symbol: &str, timeframe: &str) -> Result<(), LookupError> {
        match g.symbols.iter().find(|s| s.symbol == symbol) {
            None => Err(LookupError::UnknownSymbol(symbol.to_string())),
            Some(info) if !info.timeframes.iter().any(|t| t == timeframe) => Err(
                LookupError::UnknownTimeframe(symbol.to_string(), timeframe.to_string()),
            ),
            Some(_) => Ok(()),
        }
    }

    pub fn latest(&self, symbol: &str, timeframe: &str) -> Result<RegimeSnapshot, LookupError> {
        let g = self.lock();
        self.check(&g, symbol, timeframe)?;
        g.series
            .get(&(symbol.to_string(), timeframe.to_string()))
            .and_then(|s| s.latest.clone())
            .ok_or(LookupError::NoDataYet)
    }

    /// The newest `limit` points, oldest first.
    pub fn history(
        &self,
        symbol: &str,
        timeframe: &str,
        limit: usize,
    ) -> Result<Vec<RegimePoint>, LookupError> {
        let g = self.lock();
        self.check(&g, symbol, timeframe)?;
        let Some(s) = g.series.get(&(symbol.to_string(), timeframe.to_string())) else {
            return Ok(Vec::new());
        };
        let skip = s.points.len().saturating_sub(limit);
        Ok(s.points.iter().skip(skip).cloned().collect())
    }

    pub fn signals(&self, after: Option<u64>, limit: usize, symbol: Option<&str>) -> Vec<Signal> {
        let g = self.lock();
        page(
            &g.signals,
            |s| s.id,
            |s| symbol.is_none_or(|w| s.symbol == w),
            after,
            limit,
        )
    }

    pub fn alerts(
        &self,
        after: Option<u64>,
        limit: usize,
        symbol: Option<&str>,
    ) -> Vec<RegimeAlert> {
        let g = self.lock();
        page(
            &g.alerts,
            |a| a.id,
            |a| symbol.is_none_or(|w| a.symbol == w),
            after,
            limit,
        )
    }

    /// A new run, like a redeployed server that keeps its events in memory:
    /// signals and alerts are emptied and their ids start again from 1
    /// (snapshots, history and prices stay). Returns the new run number.
    pub fn restart(&self) -> u64 {
        let mut g = self.lock();
        g.signals.clear();
        g.alerts.clear();
        g.last_signal_id = 0;
        g.last_alert_id = 0;
        g.run += 1;
        g.run
    }

    /// The current run: 1 at start, +1 on every restart.
    pub fn run(&self) -> u64 {
        self.lock().run
    }

    /// (last signal id, last alert id); 0 when none yet.
    pub fn last_ids(&self) -> (u64, u64) {
        let g = self.lock();
        (g.last_signal_id, g.last_alert_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::{Side, Timestamp};

    fn sig(symbol: &str) -> Signal {
        Signal {
            id: 0,
            symbol: symbol.into(),
            timeframe: "1h".into(),
            side: Side::Long,
            price: 1.0,
            timestamp: Timestamp(0),
            strategy: None,
            confidence: None,
            note: None,
        }
    }

    #[test]
    fn paging_as_the_contract_says() {
        let st = Store::new(50, 10);
        for i in 0..30 {
            st.push_signal(sig(if i % 2 == 0 { "A" } else { "B" }), |_| {});
        }
        let ids = |v: Vec<Signal>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(st.signals(None, 3, None)), vec![28, 29, 30]);
        assert_eq!(ids(st.signals(Some(10), 3, None)), vec![11, 12, 13]);
        assert_eq!(ids(st.signals(Some(28), 5, None)), vec![29, 30]);
        assert_eq!(ids(st.signals(Some(30), 5, None)), Vec::<u64>::new());
        assert_eq!(ids(st.signals(None, 2, Some("A"))), vec![27, 29]);
        assert_eq!(ids(st.signals(Some(0), 2, Some("B"))), vec![2, 4]);
    }

    #[test]
    fn bounded_history_keeps_the_newest() {
        let st = Store::new(5, 10);
        for _ in 0..12 {
            st.push_signal(sig("A"), |_| {});
        }
        let v = st.signals(Some(0), 100, None);
        assert_eq!(
            v.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![8, 9, 10, 11, 12]
        );
        assert_eq!(st.last_ids(), (12, 0));
    }

    #[test]
    fn a_restart_empties_and_numbers_from_one_again() {
        let st = Store::new(50, 10);
        for _ in 0..5 {
            st.push_signal(sig("A"), |_| {});
        }
        assert_eq!((st.run(), st.last_ids()), (1, (5, 0)));
        assert_eq!(st.restart(), 2);
        assert_eq!(st.signals(None, 100, None), vec![]);
        assert_eq!(st.signals(Some(0), 100, None), vec![]);
        assert_eq!(st.push_signal(sig("A"), |_| {}).id, 1);
        assert_eq!(st.last_ids(), (1, 0));
    }

    #[test]
    fn lookups_tell_symbol_from_timeframe() {
        let st = Store::new(5, 10);
        st.register_series("BTCUSDT", "1h");
        assert_eq!(
            st.latest("X", "1h"),
            Err(LookupError::UnknownSymbol("X".into()))
        );
        assert_eq!(
            st.latest("BTCUSDT", "2h"),
            Err(LookupError::UnknownTimeframe("BTCUSDT".into(), "2h".into()))
        );
        assert_eq!(st.latest("BTCUSDT", "1h"), Err(LookupError::NoDataYet));
        assert_eq!(st.history("BTCUSDT", "1h", 10), Ok(vec![]));
    }
}
