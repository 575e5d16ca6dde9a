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
    /// Already held (same id, same event): ignored.
    Duplicate,
    /// The ring is full and the id is older than everything it holds: ignored.
    TooOld,
    /// The current run holds this id with another event: the backend's ids
    /// started again. Not kept; the caller decides (see [`IdRing::start_run`]).
    Conflict,
    /// Kept in the current run, and the same event held under an earlier run
    /// was dropped: it had been taken for the old run's before the new run
    /// was noticed. Not new to the trader.
    Moved,
    /// New to the trader (its id lies in a known gap of the current run)
    /// but older than everything the full ring holds: counted as taken in,
    /// not kept. It came after newer ids, as a flood still queued on the
    /// live side does after a REST page of the newest.
    Passed,
}

impl Insert {
    /// Whether the item was new to the trader: kept, or [`Insert::Passed`].
    pub fn is_new(self) -> bool {
        matches!(self, Insert::New | Insert::Passed)
    }
}

/// Something with a backend id that only grows within one backend run.
pub trait HasId {
    fn id(&self) -> u64;
    /// Whether `other`, which has the same id, is the same event (sent
    /// again) rather than another event of a new backend run that reuses
    /// the id. Compares what every backend must send, not optional text.
    fn same_event(&self, other: &Self) -> bool;
}

impl HasId for Signal {
    fn id(&self) -> u64 {
        self.id
    }
    fn same_event(&self, o: &Self) -> bool {
        self.symbol == o.symbol
            && self.timeframe == o.timeframe
            && self.side == o.side
            && self.timestamp == o.timestamp
            && self.price.to_bits() == o.price.to_bits()
    }
}

impl HasId for RegimeAlert {
    fn id(&self) -> u64 {
        self.id
    }
    fn same_event(&self, o: &Self) -> bool {
        self.symbol == o.symbol
            && self.timeframe == o.timeframe
            && self.from == o.from
            && self.to == o.to
            && self.timestamp == o.timestamp
    }
}

/// An item of an id ring: the value, when it was received (the caller's
/// clock), and the backend run it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Held<T> {
    pub value: T,
    pub received_at: Millis,
    /// The backend run (0 for the first one seen); see [`IdRing::run`].
    pub run: u32,
}

/// A ring of items sorted by (backend run, id), at most `limit` long, one
/// item per id and run.
///
/// Ids only grow within one run of a backend; a backend that keeps its
/// data in memory numbers from 1 again after a restart. The ring then
/// starts a new run ([`start_run`](Self::start_run)): the old run's items
/// stay, below every item of the new one, and go first when the ring is
/// full. Cursors (`max_id`, `contains`) speak of the current run only.
#[derive(Clone, Debug)]
pub struct IdRing<T> {
    items: VecDeque<Held<T>>,
    limit: usize,
    run: u32,
    /// Items accepted as new over the ring's life (duplicates not counted).
    accepted: u64,
    /// Items refused over the ring's life because their id was held.
    duplicates: u64,
    /// The current run's ids skipped over, not yet taken in: ascending,
    /// disjoint, inclusive ranges, at most [`MAX_GAPS`].
    gaps: VecDeque<(u64, u64)>,
}

/// Gaps remembered per ring; the oldest is forgotten first (a backend that
/// numbers sparsely leaves a gap at every id, and never fills them).
pub const MAX_GAPS: usize = 64;

impl<T: HasId> IdRing<T> {
    pub fn new(limit: usize) -> Self {
        IdRing {
            items: VecDeque::with_capacity(limit.min(4096)),
            limit: limit.max(1),
            run: 0,
            accepted: 0,
            duplicates: 0,
            gaps: VecDeque::new(),
        }
    }

    /// Where `id` lies among the gaps: `Ok(i)` inside gap `i`.
    fn gap_of(&self, id: u64) -> Result<usize, usize> {
        self.gaps.binary_search_by(|&(lo, hi)| {
            if hi < id {
                std::cmp::Ordering::Less
            } else if lo > id {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
    }

    /// `id` of the current run was taken in: it leaves its gap, and ids
    /// skipped below it (above the highest held) open one.
    fn note_taken(&mut self, id: u64) {
        match self.gap_of(id) {
            Ok(i) => self.fill_gap(i, id),
            Err(_) => match self.max_id() {
                Some(max) if id > max.saturating_add(1) => self.gaps.push_back((max + 1, id - 1)),
                // A new run's first item: its ids below are the run's too,
                // and recovery asks for them from the start.
                None if self.run > 0 && id > 0 => self.gaps.push_back((0, id - 1)),
                _ => {}
            },
        }
        while self.gaps.len() > MAX_GAPS {
            self.gaps.pop_front();
        }
    }

    /// `id`, inside gap `i`, was taken in: the gap shrinks or splits.
    fn fill_gap(&mut self, i: usize, id: u64) {
        let (lo, hi) = self.gaps[i];
        match (lo < id, id < hi) {
            (false, false) => {
                self.gaps.remove(i);
            }
            (true, false) => self.gaps[i].1 = id - 1,
            (false, true) => self.gaps[i].0 = id + 1,
            (true, true) => {
                self.gaps[i].1 = id - 1;
                self.gaps.insert(i + 1, (id + 1, hi));
            }
        }
    }

    fn search(&self, run: u32, id: u64) -> Result<usize, usize> {
        self.items
            .binary_search_by_key(&(run, id), |h| (h.run, h.value.id()))
    }

    /// Offers an item to the current run.
    pub fn insert(&mut self, value: T, received_at: Millis) -> Insert {
        let id = value.id();
        let at = match self.search(self.run, id) {
            Ok(i) if self.items[i].value.same_event(&value) => {
                self.duplicates += 1;
                return Insert::Duplicate;
            }
            Ok(_) => return Insert::Conflict,
            Err(0) if self.items.len() >= self.limit => {
                let Ok(gap) = self.gap_of(id) else {
                    return Insert::TooOld;
                };
                self.fill_gap(gap, id);
                self.accepted += 1;
                return Insert::Passed;
            }
            Err(at) => at,
        };
        self.note_taken(id);
        let moved = self.drop_from_earlier_runs(&value);
        let at = at - usize::from(moved.is_some_and(|i| i < at));
        self.items.insert(
            at,
            Held {
                value,
                received_at,
                run: self.run,
            },
        );
        if self.items.len() > self.limit {
            self.items.pop_front();
        }
        if moved.is_some() {
            return Insert::Moved;
        }
        self.accepted += 1;
        Insert::New
    }

    /// Removes the same event held under an earlier run; answers where it was.
    fn drop_from_earlier_runs(&mut self, value: &T) -> Option<usize> {
        let first_run = self.items.front()?.run;
        let at = (first_run..self.run).find_map(|run| {
            self.search(run, value.id())
                .ok()
                .filter(|&i| self.items[i].value.same_event(value))
        })?;
        self.items.remove(at);
        Some(at)
    }

    /// What [`insert`](Self::insert) would answer, without inserting.
    pub fn probe(&self, value: &T) -> Insert {
        match self.search(self.run, value.id()) {
            Ok(i) if self.items[i].value.same_event(value) => Insert::Duplicate,
            Ok(_) => Insert::Conflict,
            Err(0) if self.items.len() >= self.limit => match self.gap_of(value.id()) {
                Ok(_) => Insert::Passed,
                Err(_) => Insert::TooOld,
            },
            Err(_) => Insert::New,
        }
    }

    /// The backend's ids started again: later items belong to a new run.
    pub fn start_run(&mut self) {
        self.run = self.run.saturating_add(1);
        self.gaps.clear();
    }

    /// The current backend run, 0 for the first.
    pub fn run(&self) -> u32 {
        self.run
    }

    /// Whether the current run holds `id`.
    pub fn contains(&self, id: u64) -> bool {
        self.search(self.run, id).is_ok()
    }

    /// The highest id of the current run.
    pub fn max_id(&self) -> Option<u64> {
        self.items
            .back()
            .filter(|h| h.run == self.run)
            .map(|h| h.value.id())
    }

    /// The lowest id of the current run.
    pub fn min_id(&self) -> Option<u64> {
        let first = self.items.partition_point(|h| h.run < self.run);
        self.items.get(first).map(|h| h.value.id())
    }

    /// Items of every run.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Newest first: the current run by id, then earlier runs.
    pub fn newest_first(&self) -> impl Iterator<Item = &Held<T>> + '_ {
        self.items.iter().rev()
    }

    /// Oldest first.
    pub fn oldest_first(&self) -> impl Iterator<Item = &Held<T>> + '_ {
        self.items.iter()
    }

    /// Items accepted as new since the ring was made.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Items refused since the ring was made because the same event was
    /// already held (a live item that REST recovery brings again, a server
    /// that repeats itself). A life-long counter, like
    /// [`accepted`](Self::accepted).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }
}

/// This computer's clock, for judging a backend's timestamps: the caller's
/// clock plus `offset_ms` is epoch milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WallClock {
    pub offset_ms: i64,
    /// A timestamp more than this far ahead of the wall clock cannot be
    /// right; it never makes later data look older.
    pub ahead_ms: i64,
}

impl WallClock {
    /// Epoch ms at the caller's `at`.
    pub fn wall(&self, at: Millis) -> i64 {
        (at as i64).saturating_add(self.offset_ms)
    }
    /// Whether a timestamp received at `at` is plausibly right.
    pub fn plausible(&self, ts: i64, at: Millis) -> bool {
        ts <= self.wall(at).saturating_add(self.ahead_ms)
    }
}

/// Whether `incoming` (a timestamp) is older than `held` and so must not
/// replace it. A held timestamp from the future (a wrong backend clock)
/// never blocks a plausible newer arrival.
fn is_older(clock: Option<WallClock>, incoming: i64, held: i64, at: Millis) -> bool {
    if incoming >= held {
        return false;
    }
    match clock {
        Some(c) => !c.plausible(incoming, at) || c.plausible(held, at),
        None => true,
    }
}

/// Everything the page draws.
#[derive(Clone, Debug)]
pub struct Store {
    limits: StoreLimits,
    clock: Option<WallClock>,
    snapshots: HashMap<(String, String), Stamped<RegimeSnapshot>>,
    history: HashMap<(String, String), VecDeque<RegimePoint>>,
    /// When each key's history last came from REST.
    history_received: HashMap<(String, String), Millis>,
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
            clock: None,
            snapshots: HashMap::new(),
            history: HashMap::new(),
            history_received: HashMap::new(),
            signals: IdRing::new(limits.signals),
            alerts: IdRing::new(limits.alerts),
            prices: HashMap::new(),
            symbols: Vec::new(),
        }
    }

    pub fn limits(&self) -> &StoreLimits {
        &self.limits
    }

    /// Sets this computer's clock (see [`WallClock`]); without it,
    /// timestamps are ordered as they are.
    pub fn set_wall_clock(&mut self, clock: WallClock) {
        self.clock = Some(clock);
    }

    pub fn wall_clock(&self) -> Option<WallClock> {
        self.clock
    }

    // ---- snapshots and history ----

    /// Keeps a snapshot (a newer timestamp, or the same, replaces the held
    /// one; an older one is ignored) and extends that key's history, if any
    /// is held: a newer timestamp appends a point, the same one replaces the
    /// last. Returns (snapshot changed, history changed).
    pub fn put_snapshot(&mut self, snapshot: RegimeSnapshot, received_at: Millis) -> (bool, bool) {
        let k = key(&snapshot.symbol, &snapshot.timeframe);
        let clock = self.clock;
        let history_changed = match self.history.get_mut(&k) {
            Some(points) => push_point(
                points,
                point_of(&snapshot),
                self.limits.history_points,
                |new, held| is_older(clock, new, held, received_at),
            ),
            None => false,
        };
        match self.snapshots.get(&k) {
            Some(held)
                if is_older(
                    clock,
                    snapshot.timestamp.0,
                    held.value.timestamp.0,
                    received_at,
                ) =>
            {
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

    /// Every held snapshot, in no order.
    pub fn snapshots(&self) -> impl Iterator<Item = &Stamped<RegimeSnapshot>> + '_ {
        self.snapshots.values()
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
        crate::sort::sort_by(&mut out, |a, b| {
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
        crate::sort::sort_by_key(&mut points, |p| p.timestamp);
        points.dedup_by_key(|p| p.timestamp);
        let skip = points.len().saturating_sub(self.limits.history_points);
        let ring: VecDeque<RegimePoint> = points.into_iter().skip(skip).collect();
        self.history.insert(k, ring);
        true
    }

    /// [`Store::set_history`] with the time the answer arrived, kept for
    /// [`Store::history_received_at`].
    pub fn set_history_at(
        &mut self,
        symbol: &str,
        timeframe: &str,
        points: Vec<RegimePoint>,
        received_at: Millis,
    ) -> bool {
        let kept = self.set_history(symbol, timeframe, points);
        if kept {
            self.history_received
                .insert(key(symbol, timeframe), received_at);
        }
        kept
    }

    /// When a key's history last came from REST: the age of its last close.
    pub fn history_received_at(&self, symbol: &str, timeframe: &str) -> Option<Millis> {
        self.history_received.get(&key(symbol, timeframe)).copied()
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

    pub fn signals_newest_first(&self) -> impl Iterator<Item = &Held<Signal>> + '_ {
        self.signals.newest_first()
    }

    pub fn alerts_newest_first(&self) -> impl Iterator<Item = &Held<RegimeAlert>> + '_ {
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

    pub fn signals_mut(&mut self) -> &mut IdRing<Signal> {
        &mut self.signals
    }

    pub fn alerts_mut(&mut self) -> &mut IdRing<RegimeAlert> {
        &mut self.alerts
    }

    // ---- prices ----

    /// Keeps the last price of a symbol, remembering the one before it.
    /// An older tick than the held one is ignored.
    pub fn put_price(&mut self, tick: PriceTick, received_at: Millis) -> bool {
        let full = self.prices.len() >= self.limits.keys;
        let clock = self.clock;
        match self.prices.get_mut(&tick.symbol) {
            Some(held) if is_older(clock, tick.timestamp.0, held.tick.timestamp.0, received_at) => {
                false
            }
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
/// ignores an older one (`older(new, last)`). A newer point that is not
/// later by timestamp replaces a last point from a wrong clock. Returns
/// whether the ring changed.
fn push_point(
    points: &mut VecDeque<RegimePoint>,
    point: RegimePoint,
    limit: usize,
    older: impl Fn(i64, i64) -> bool,
) -> bool {
    match points.back_mut() {
        Some(last) if last.timestamp == point.timestamp => {
            if *last == point {
                return false;
            }
            *last = point;
        }
        Some(last) if last.timestamp > point.timestamp => {
            if older(point.timestamp.0, last.timestamp.0) {
                return false;
            }
            // The last point's clock was wrong: the chart cannot place it.
            points.pop_back();
            return push_point(points, point, limit, older);
        }
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
    fn ids_skipped_over_are_taken_in_once_when_they_come_late() {
        let mut r: IdRing<Signal> = IdRing::new(10);
        assert_eq!(r.insert(signal(1), 0), Insert::New);
        // 2..=4 skipped: a gap.
        assert_eq!(r.insert(signal(5), 0), Insert::New);
        // Filled inside the window: kept as any new one, and out of the gap.
        assert_eq!(r.insert(signal(3), 0), Insert::New);
        for id in 6..=14 {
            assert_eq!(r.insert(signal(id), 0), Insert::New);
        }
        // Full with 5..=14: 2 and 4 came late, below everything held.
        assert_eq!(r.min_id(), Some(5));
        assert_eq!(r.probe(&signal(2)), Insert::Passed);
        assert_eq!(r.insert(signal(2), 0), Insert::Passed);
        assert_eq!(r.insert(signal(4), 0), Insert::Passed);
        // Taken in once: the second time (and 1 or 3, taken in before) is
        // too old to tell, and not counted again.
        assert_eq!(r.insert(signal(2), 0), Insert::TooOld);
        assert_eq!(r.insert(signal(3), 0), Insert::TooOld);
        assert_eq!(r.insert(signal(1), 0), Insert::TooOld);
        assert_eq!(r.accepted(), 14);
        assert_eq!(r.len(), 10);
        assert!(!r.contains(2), "passed, not kept");
    }

    /// A ring of two holding 10 and 11, with 2..=9 skipped over.
    fn full_with_a_gap() -> IdRing<Signal> {
        let mut r = IdRing::new(2);
        for id in [1, 10, 11] {
            r.insert(signal(id), 0);
        }
        r
    }

    #[test]
    fn a_gap_split_by_a_late_id_keeps_both_sides() {
        let mut r = full_with_a_gap();
        assert_eq!(r.insert(signal(5), 0), Insert::Passed);
        for id in [2, 4, 6, 9] {
            assert_eq!(r.insert(signal(id), 0), Insert::Passed, "{id}");
        }
        assert_eq!(r.insert(signal(5), 0), Insert::TooOld);
        assert_eq!(r.accepted(), 8);
    }

    #[test]
    fn a_new_run_forgets_the_gaps_and_sparse_ids_stay_bounded() {
        let mut r = full_with_a_gap();
        r.start_run();
        for id in 1..=12 {
            r.insert(signal(id), 0);
        }
        assert_eq!(
            r.insert(signal(5), 0),
            Insert::TooOld,
            "a gap of the old run"
        );
        // A new run's ids below its first one are its own, still to come.
        r.start_run();
        r.insert(signal(20), 0);
        r.insert(signal(21), 0);
        assert_eq!(r.insert(signal(5), 0), Insert::Passed);
        assert_eq!(r.insert(signal(5), 0), Insert::TooOld);

        // Every other id: a gap at each, only the newest MAX_GAPS kept.
        let mut r: IdRing<Signal> = IdRing::new(1000);
        for i in 0..500 {
            r.insert(signal(2 * i), 0);
        }
        assert_eq!(r.gaps.len(), MAX_GAPS);
        assert_eq!(
            r.gaps.front(),
            Some(&(
                2 * (499 - MAX_GAPS as u64) + 1,
                2 * (499 - MAX_GAPS as u64) + 1
            ))
        );
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
        s.signals_mut().start_run();
        assert_eq!(s.signals().duplicates(), 2, "a life-long counter");
    }

    fn signal_at(id: u64, ts: i64) -> Signal {
        Signal {
            timestamp: Timestamp(ts),
            ..signal(id)
        }
    }

    #[test]
    fn a_new_run_keeps_the_old_rows_below_and_takes_the_same_ids_again() {
        let mut s = Store::new(limits(6));
        for id in 1..=4 {
            s.put_signal(signal_at(id, 100 + id as i64), 0);
        }
        // The same id with the same content: sent again.
        assert_eq!(s.put_signal(signal_at(2, 102), 0), Insert::Duplicate);
        // The same id, another event: the backend's ids started again.
        assert_eq!(s.signals().probe(&signal_at(1, 900)), Insert::Conflict);
        assert_eq!(s.put_signal(signal_at(1, 900), 0), Insert::Conflict);
        s.signals_mut().start_run();
        assert_eq!(s.max_signal_id(), None, "the new run's cursor starts empty");
        assert_eq!(s.put_signal(signal_at(1, 900), 0), Insert::New);
        assert_eq!(s.put_signal(signal_at(2, 901), 0), Insert::New);
        // An old-run event that recovery brings again under the new run
        // is moved, not shown twice.
        assert_eq!(s.put_signal(signal_at(4, 104), 0), Insert::Moved);
        let rows: Vec<(u32, u64)> = s
            .signals_newest_first()
            .map(|h| (h.run, h.value.id))
            .collect();
        assert_eq!(rows, [(1, 4), (1, 2), (1, 1), (0, 3), (0, 2), (0, 1)]);
        assert_eq!(
            (s.signals().min_id(), s.max_signal_id()),
            (Some(1), Some(4))
        );
        // Full: the old run goes first.
        s.put_signal(signal_at(5, 905), 0);
        assert_eq!(s.signals().len(), 6);
        assert_eq!(
            s.signals()
                .oldest_first()
                .next()
                .map(|h| (h.run, h.value.id)),
            Some((0, 2))
        );
    }

    #[test]
    fn a_timestamp_from_a_wrong_clock_never_makes_later_data_look_older() {
        let mut s = Store::new(StoreLimits::default());
        // Wall clock: caller's ms + 1_760_000_000_000.
        s.set_wall_clock(WallClock {
            offset_ms: 1_760_000_000_000,
            ahead_ms: 600_000,
        });
        let year_2100 = 4_102_444_800_000;
        s.set_history(
            "B",
            "1h",
            vec![point_of(&snap("B", 1_760_000_000_000, 1.0))],
        );
        assert_eq!(
            s.put_snapshot(snap("B", year_2100, 2.0), 1000),
            (true, true)
        );
        // A later, correct snapshot replaces it (and the bogus history point).
        assert_eq!(
            s.put_snapshot(snap("B", 1_760_000_002_000, 3.0), 2000),
            (true, true)
        );
        assert_eq!(s.snapshot("B", "1h").unwrap().value.adx, 3.0);
        let ts: Vec<i64> = s.history("B", "1h").map(|p| p.timestamp.0).collect();
        assert_eq!(ts, [1_760_000_000_000, 1_760_000_002_000]);
        // A plausible older one still loses to a plausible newer one.
        assert_eq!(
            s.put_snapshot(snap("B", 1_760_000_001_000, 4.0), 3000),
            (false, false)
        );
        let tick = |p: f64, ts: i64| PriceTick {
            symbol: "B".into(),
            price: p,
            timestamp: Timestamp(ts),
        };
        assert!(s.put_price(tick(1.0, year_2100), 1000));
        assert!(s.put_price(tick(2.0, 1_760_000_002_000), 2000));
        assert_eq!(s.price("B").unwrap().tick.price, 2.0);
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
