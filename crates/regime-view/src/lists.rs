//! How long the signals list is, at each step from the store to the table.
//!
//! One setting bounds it: the store's [`StoreLimits::signals`] (the
//! policy's `limits.signals`, defaults to 500). The other two bounds follow
//! from it:
//!
//! | step | rows | default |
//! |---|---|---|
//! | kept by the store | `limits.signals`, at least one | 500 |
//! | published to the page | every kept row, so that the filters search all the store holds | 500 |
//! | drawn in the table | the newest [`DRAWN_ROWS`] that pass the filters, never more than are kept | 100 |
//!
//! The drawn bound is a cost, not a memory: a table of 500 rows laid out
//! again at every update froze the page under a busy market, and nobody
//! reads further down a live list than this. Alerts follow the same rule
//! with `limits.alerts` (defaults to 100): all that are kept are published.

use regime_core::store::StoreLimits;

use crate::market::SignalRow;

/// At most this many rows are in the signals table: the newest that pass
/// the filters. The hook holds more, and the filters search all it holds.
pub const DRAWN_ROWS: usize = 100;

/// The signals list's three bounds, from the one setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignalsListCaps {
    /// Signals the store keeps, newest by id.
    pub kept: usize,
    /// Rows published to the page: all that are kept.
    pub published: usize,
    /// Rows drawn in the table at most.
    pub drawn: usize,
}

impl SignalsListCaps {
    /// The bounds that the store's limits give.
    pub fn of(limits: &StoreLimits) -> SignalsListCaps {
        // The store's rings keep at least one item, whatever the setting.
        let kept = limits.signals.max(1);
        SignalsListCaps {
            kept,
            published: kept,
            drawn: DRAWN_ROWS.min(kept),
        }
    }
}

/// Alerts published to the page: all that the store keeps.
pub fn published_alerts(limits: &StoreLimits) -> usize {
    limits.alerts.max(1)
}

/// The rows the table draws: the newest [`DRAWN_ROWS`] of `rows` (newest
/// first, as published) that `shown` lets through.
pub fn drawn_rows(rows: &[SignalRow], shown: impl Fn(&SignalRow) -> bool) -> Vec<SignalRow> {
    rows.iter()
        .filter(|row| shown(row))
        .take(DRAWN_ROWS)
        .cloned()
        .collect()
}

/// The signals list's count. `matching`: kept rows that pass the filters;
/// `kept`: rows the page holds; `received`: signals taken in since the page
/// opened. Once the store has let old ones go, the count says so: "500"
/// after 25 858 arrived read as if 500 had.
pub fn signals_count(matching: usize, kept: usize, received: u64) -> String {
    let kept_text = if matching == kept {
        kept.to_string()
    } else {
        format!("{matching} of {kept}")
    };
    if received > kept as u64 {
        format!("{kept_text} newest of {received} received")
    } else {
        kept_text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::{Side, Signal, Timestamp};

    fn limits(signals: usize) -> StoreLimits {
        StoreLimits {
            signals,
            ..StoreLimits::default()
        }
    }

    #[test]
    fn one_setting_gives_all_three_bounds() {
        for (setting, kept, published, drawn) in [
            (500, 500, 500, 100),
            (100, 100, 100, 100),
            (50, 50, 50, 50),
            (5_000, 5_000, 5_000, 100),
            (1, 1, 1, 1),
            (0, 1, 1, 1),
        ] {
            assert_eq!(
                SignalsListCaps::of(&limits(setting)),
                SignalsListCaps {
                    kept,
                    published,
                    drawn
                },
                "limits.signals = {setting}"
            );
        }
    }

    #[test]
    fn the_count_says_when_older_signals_were_let_go() {
        for (matching, kept, received, want) in [
            (12, 12, 12, "12"),
            (3, 12, 12, "3 of 12"),
            (500, 500, 25_858, "500 newest of 25858 received"),
            (40, 500, 25_858, "40 of 500 newest of 25858 received"),
            // REST answers counted before the list publishes: never "of fewer".
            (0, 0, 0, "0"),
            (5, 5, 3, "5"),
        ] {
            assert_eq!(signals_count(matching, kept, received), want);
        }
    }

    #[test]
    fn the_defaults_keep_and_publish_500_and_draw_100() {
        let caps = SignalsListCaps::of(&StoreLimits::default());
        assert_eq!((caps.kept, caps.published, caps.drawn), (500, 500, 100));
        assert!(caps.drawn <= caps.published && caps.published <= caps.kept);
        assert_eq!(published_alerts(&StoreLimits::default()), 100);
    }

    fn row(id: u64, side: Side) -> SignalRow {
        SignalRow {
            signal: Signal {
                id,
                symbol: "BTCUSDT".into(),
                timeframe: "1h".into(),
                side,
                price: 1.5,
                timestamp: Timestamp(id as i64 * 1000),
                strategy: None,
                confidence: None,
                note: None,
            },
            received_at: 0.0,
            run: 0,
            before_restart: false,
        }
    }

    #[test]
    fn the_table_draws_the_newest_hundred_that_pass_the_filters() {
        // Newest first, every third one short.
        let rows: Vec<SignalRow> = (1..=500u64)
            .rev()
            .map(|id| row(id, if id % 3 == 0 { Side::Short } else { Side::Long }))
            .collect();
        let is_short = |r: &SignalRow| r.signal.side == Side::Short;
        for (held, short_only, drawn, newest, oldest) in [
            (500, false, 100, 500, 401),
            (500, true, 100, 498, 201),
            (150, true, 50, 498, 351),
            (99, false, 99, 500, 402),
            (0, false, 0, 0, 0),
        ] {
            let shown = drawn_rows(&rows[..held], |r| !short_only || is_short(r));
            let ids: Vec<u64> = shown.iter().map(|r| r.signal.id).collect();
            assert_eq!(ids.len(), drawn, "{held} held, short only: {short_only}");
            assert_eq!(ids.first().copied().unwrap_or(0), newest);
            assert_eq!(ids.last().copied().unwrap_or(0), oldest);
        }
    }
}
