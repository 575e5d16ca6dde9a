//! At a subscribe, the latest snapshot of every subscribed series goes to
//! that socket at once, as ordinary `regime` events (PROTOCOL.md §3,
//! "Subscribe"): the page then has live data on the connection from its
//! first second, even when the market is slow, and its badge can say
//! `● Live` honestly. A subscribe that names no symbol or no timeframe (it
//! wants everything) gets no greeting; at most [`GREETING_MAX`] series do.

use regime_core::model::Subscription;

use crate::hub::Frame;
use crate::state::AppState;

/// Series greeted at most per subscribe.
pub const GREETING_MAX: usize = 64;

/// The `regime` frames of the subscribed series that have a snapshot, in
/// the subscription's order (symbols, then timeframes).
pub fn greeting(st: &AppState, sub: &Subscription) -> Vec<Frame> {
    sub.symbols
        .iter()
        .flat_map(|s| sub.timeframes.iter().map(move |t| (s, t)))
        .filter_map(|(s, t)| st.store.latest(s, t).ok())
        .take(GREETING_MAX)
        .map(|snap| Frame::regime(&snap))
        .collect()
}
