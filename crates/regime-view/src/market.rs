//! The market side of the page: the regime snapshot, the signal rows and
//! the last price, each with the time the page received it.

use regime_core::model::{RegimeSnapshot, Signal, Timestamp};

use crate::price::PriceSource;

/// A snapshot with the time the page received it (`performance.now()` ms).
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotView {
    pub snapshot: RegimeSnapshot,
    pub received_at: f64,
}

/// A signal row with the time the page received it, for the brief highlight.
#[derive(Clone, Debug, PartialEq)]
pub struct SignalRow {
    pub signal: Signal,
    pub received_at: f64,
    /// The backend run it came from (ids start again with each run).
    pub run: u32,
    /// From a backend run before the latest restart: marked as older.
    pub before_restart: bool,
}

/// The newest price of the selection from any source (see
/// [`crate::price`]), the price shown before it, and where and when it
/// came from.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceView {
    pub price: f64,
    pub previous: Option<f64>,
    /// When the page received this price: its age is measured from here.
    pub received_at: f64,
    /// The backend's time for it.
    pub at: Timestamp,
    pub source: PriceSource,
}
