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
//! | in the table now | as many of those as fill the window's height below where the list is scrolled, and half a window more ([`rows_to_draw`]) | 57 in a 900 px window |
//!
//! The drawn bound is a cost, not a memory: a table of 500 rows laid out
//! again at every update froze the page under a busy market, and nobody
//! reads further down a live list than this. The last step is a cost too:
//! under a flood every publication replaces every row, and rows below the
//! list's fold were built, laid out and thrown away unseen. Scrolling down
//! draws more, up to [`DRAWN_ROWS`]; scrolling back up lets them go.
//! Alerts follow the same rule with `limits.alerts` (defaults to 100): all
//! that are kept are published.

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

/// A row of the signals table is at least this tall, px (13 px text, its
/// padding and border make about 29 in the screenshots): an estimate on the
/// short side draws a few rows too many, never a gap.
pub const ROW_MIN_PX: f64 = 24.0;

/// Never fewer rows than this in the table, whatever the window.
pub const MIN_WINDOW_ROWS: usize = 20;

/// How many rows the table holds now: enough to fill `viewport_px` (the
/// window's height; the list's box is never taller) below `scroll_top`
/// (how far the list is scrolled), and half a viewport more so that a
/// scroll never shows a blank before the next rows come; at least
/// [`MIN_WINDOW_ROWS`], at most [`DRAWN_ROWS`]. A size the browser cannot
/// tell (not finite, negative) draws them all.
pub fn rows_to_draw(scroll_top: f64, viewport_px: f64) -> usize {
    if !scroll_top.is_finite() || !viewport_px.is_finite() || viewport_px <= 0.0 {
        return DRAWN_ROWS;
    }
    let reach = scroll_top.max(0.0) + viewport_px * 1.5;
    let rows = (reach / ROW_MIN_PX).ceil();
    if rows >= DRAWN_ROWS as f64 {
        DRAWN_ROWS
    } else {
        (rows as usize).max(MIN_WINDOW_ROWS)
    }
}

/// The rows the table draws: the newest `limit` of `rows` (newest first,
/// as published) that `shown` lets through, never more than [`DRAWN_ROWS`].
pub fn drawn_rows(
    rows: &[SignalRow],
    limit: usize,
    shown: impl Fn(&SignalRow) -> bool,
) -> Vec<SignalRow> {
    rows.iter()
        .filter(|row| shown(row))
        .take(limit.min(DRAWN_ROWS))
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
            let shown = drawn_rows(&rows[..held], DRAWN_ROWS, |r| !short_only || is_short(r));
            let ids: Vec<u64> = shown.iter().map(|r| r.signal.id).collect();
            assert_eq!(ids.len(), drawn, "{held} held, short only: {short_only}");
            assert_eq!(ids.first().copied().unwrap_or(0), newest);
            assert_eq!(ids.last().copied().unwrap_or(0), oldest);
        }
    }

    #[test]
    fn the_table_holds_what_fills_the_window_to_where_it_is_scrolled() {
        for (scroll_top, viewport, want) in [
            // 900 px window, list at its top: 1 350 px of rows, 24 px each.
            (0.0, 900.0, 57),
            (0.0, 844.0, 53),
            // Scrolled 600 px down: 600 more px.
            (600.0, 900.0, 82),
            // Far down, or a tall window: all that may be drawn.
            (5_000.0, 900.0, DRAWN_ROWS),
            (0.0, 2_160.0, DRAWN_ROWS),
            // A tiny window still gets a screenful of rows.
            (0.0, 200.0, MIN_WINDOW_ROWS),
            // Scrolled above the top (an elastic scroll): as at the top.
            (-80.0, 900.0, 57),
            // Sizes the browser could not tell: everything.
            (0.0, 0.0, DRAWN_ROWS),
            (0.0, f64::NAN, DRAWN_ROWS),
            (f64::INFINITY, 900.0, DRAWN_ROWS),
        ] {
            assert_eq!(
                rows_to_draw(scroll_top, viewport),
                want,
                "{scroll_top} px down, {viewport} px window"
            );
        }
    }

    #[test]
    fn a_window_limit_draws_the_newest_of_the_filtered_rows() {
        let rows: Vec<SignalRow> = (1..=500u64).rev().map(|id| row(id, Side::Long)).collect();
        let ids = |limit| -> Vec<u64> {
            drawn_rows(&rows, limit, |_| true)
                .iter()
                .map(|r| r.signal.id)
                .collect()
        };
        assert_eq!(ids(40), (461..=500).rev().collect::<Vec<_>>());
        // Never past the drawn bound, whatever the window asks.
        assert_eq!(ids(1_000).len(), DRAWN_ROWS);
        assert!(ids(0).is_empty());
    }
}
