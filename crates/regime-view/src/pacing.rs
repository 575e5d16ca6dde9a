//! How often the page republishes what changes all the time: the signals
//! list and the health view's traffic figures. The data itself is never
//! held back (every frame is counted and stored as it arrives); only its
//! publication to the page is paced, so that a flood cannot starve it.

/// The least time between two publications of the signals list, ms.
pub const SIGNALS_INTERVAL_MS: f64 = 200.0;

/// The least time between two publications of the signals list while it
/// floods, ms: after a publication that brought [`FLOOD_ROWS`] new rows or
/// more. Each publication then replaces every rendered row (a hundred rows
/// built, laid out and painted), which no trader can read five times a
/// second and which took the main thread from the frames themselves.
pub const FLOOD_SIGNALS_INTERVAL_MS: f64 = 1_000.0;

/// New rows in one publication from which the list counts as flooding.
pub const FLOOD_ROWS: usize = 50;

/// The least time between two publications of the health view when only its
/// traffic figures (message count, rate, last message time) changed, ms.
/// Every live frame changes them; refreshing the panel at every animation
/// frame cost a style, layout and paint pass per frame under a flood, for
/// numbers nobody reads at 60 Hz. Any other change of the status still goes
/// out on the next frame.
pub const TRAFFIC_INTERVAL_MS: f64 = 500.0;

/// Whether something last published at `last` may be published again at
/// `now` (a clock that went backwards counts as due).
pub fn due(last: Option<f64>, now: f64, interval: f64) -> bool {
    last.is_none_or(|at| now - at >= interval || now < at)
}

/// The least time before the next publication of the signals list: the
/// configured interval, or [`FLOOD_SIGNALS_INTERVAL_MS`] while flooding.
pub fn signals_interval(base_ms: f64, flooding: bool) -> f64 {
    if flooding {
        base_ms.max(FLOOD_SIGNALS_INTERVAL_MS)
    } else {
        base_ms
    }
}

/// Whether a publication that brought `new_rows` new rows floods the list.
pub fn floods(new_rows: usize) -> bool {
    new_rows >= FLOOD_ROWS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_after_the_interval_or_when_the_clock_went_back() {
        for (last, now, want) in [
            (None, 0.0, true),
            (Some(1_000.0), 1_199.0, false),
            (Some(1_000.0), 1_200.0, true),
            (Some(1_000.0), 900.0, true),
        ] {
            assert_eq!(due(last, now, 200.0), want, "{last:?} → {now}");
        }
    }

    #[test]
    fn a_flooding_list_waits_a_second_and_fifty_rows_flood_it() {
        assert_eq!(signals_interval(SIGNALS_INTERVAL_MS, false), 200.0);
        assert_eq!(signals_interval(SIGNALS_INTERVAL_MS, true), 1_000.0);
        // A slower configured pace is kept while flooding.
        assert_eq!(signals_interval(2_000.0, true), 2_000.0);
        assert!(!floods(49));
        assert!(floods(50));
    }
}
