//! Time in regime: how long the current regime has lasted, and how that
//! compares with the usual run of the history shown.
//!
//! A run is a stretch of consecutive candles of the history with the same
//! regime label. The current run is the last one; the widget says it as
//! "trend up for 14 candles, since 12:40 · typical 9". "Typical" is the
//! median length of the runs that the history holds whole: the first run
//! is left out (the history may start in its middle) and so is the current
//! one (it has not ended). With no whole run, there is no typical length.
//!
//! The snapshot may be newer than the history's last candle: then it counts
//! as one more candle (a later timestamp) or replaces the last candle's
//! regime (the same timestamp, a candle still forming).

use regime_core::model::{Regime, RegimePoint, Timestamp};

/// One stretch of the same regime in the history.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub regime: Regime,
    /// Index of its first candle in the history (oldest first).
    pub start: usize,
    /// Candles in it, at least one.
    pub candles: usize,
    /// The first candle's time.
    pub since: Timestamp,
}

/// The current regime's run, as the widget says it.
#[derive(Clone, Debug, PartialEq)]
pub struct CurrentRun {
    pub regime: Regime,
    /// Candles since the regime began.
    pub candles: usize,
    /// The time of the run's first candle.
    pub since: Timestamp,
    /// The run began before the history shown does: it has lasted at least
    /// this long.
    pub at_least: bool,
    /// The median length of the whole runs in the history, in candles.
    pub typical: Option<usize>,
}

/// The runs of `points` (oldest first), oldest first.
pub fn runs(points: &[RegimePoint]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match out.last_mut() {
            Some(run) if run.regime == p.regime => run.candles += 1,
            _ => out.push(Run {
                regime: p.regime.clone(),
                start: i,
                candles: 1,
                since: p.timestamp,
            }),
        }
    }
    out
}

/// Adds a candle of `regime` at index `at`, time `ts`, after the runs.
fn push_candle(all: &mut Vec<Run>, regime: &Regime, at: usize, ts: Timestamp) {
    match all.last_mut() {
        Some(run) if run.regime == *regime => run.candles += 1,
        _ => all.push(Run {
            regime: regime.clone(),
            start: at,
            candles: 1,
            since: ts,
        }),
    }
}

/// The median of the lengths (the lower middle one of an even count, so
/// that it is a length that happened).
fn median(mut lengths: Vec<usize>) -> Option<usize> {
    if lengths.is_empty() {
        return None;
    }
    regime_core::sort::sort_by_key(&mut lengths, |&n| n);
    Some(lengths[(lengths.len() - 1) / 2])
}

/// The current run of `points`, with the snapshot's regime and candle time
/// (`latest`) taken as the newest candle when it is not already the
/// history's last one. `None` when there is neither.
pub fn current_run(
    points: &[RegimePoint],
    latest: Option<(Timestamp, &Regime)>,
) -> Option<CurrentRun> {
    let mut all = runs(points);
    if let Some((ts, regime)) = latest {
        match points.last() {
            // No history, or a newer candle: one more candle of `regime`.
            None => push_candle(&mut all, regime, 0, ts),
            Some(last) if last.timestamp < ts => push_candle(&mut all, regime, points.len(), ts),
            // The same candle, still forming, now of another regime: it
            // leaves its run and joins (or begins) the snapshot's.
            Some(last) if last.timestamp == ts && last.regime != *regime => {
                if let Some(run) = all.last_mut() {
                    run.candles -= 1;
                    if run.candles == 0 {
                        all.pop();
                    }
                }
                push_candle(&mut all, regime, points.len() - 1, ts);
            }
            // The history's last candle already says it, or the snapshot
            // is older than the history: the history decides.
            Some(_) => {}
        }
    }
    let current = all.last()?.clone();
    let whole: Vec<usize> = if all.len() > 2 {
        all[1..all.len() - 1].iter().map(|r| r.candles).collect()
    } else {
        Vec::new()
    };
    Some(CurrentRun {
        regime: current.regime,
        candles: current.candles,
        since: current.since,
        at_least: current.start == 0,
        typical: median(whole),
    })
}

impl CurrentRun {
    /// The sentence the widget shows, with `regime_words` the regime in
    /// words and `since` its start as the page shows times:
    /// `trend up for 14 candles, since 12:40 · typical 9`.
    pub fn sentence(&self, regime_words: &str, since: &str) -> String {
        let candles = match (self.candles, self.at_least) {
            (1, false) => "1 candle".to_string(),
            (n, false) => format!("{n} candles"),
            (n, true) => format!("at least {n} candles"),
        };
        let mut text = format!("{regime_words} for {candles}, since {since}");
        if self.at_least {
            text.push_str(" or before");
        }
        if let Some(t) = self.typical {
            text.push_str(&format!(" · typical {t}"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_760_014_800_000;
    const M: i64 = 60_000;

    /// A history from labels, one candle a minute from `T`.
    fn history(labels: &str) -> Vec<RegimePoint> {
        labels
            .chars()
            .enumerate()
            .map(|(i, c)| RegimePoint {
                timestamp: Timestamp(T + i as i64 * M),
                regime: match c {
                    'u' => Regime::TrendUp,
                    'd' => Regime::TrendDown,
                    'r' => Regime::Range,
                    _ => Regime::parse("squeeze"),
                },
                adx: 20.0,
                atr_pct: 0.01,
                close: None,
            })
            .collect()
    }

    fn lengths(labels: &str) -> Vec<usize> {
        runs(&history(labels)).iter().map(|r| r.candles).collect()
    }

    #[test]
    fn a_history_splits_into_runs_of_one_regime() {
        assert_eq!(lengths("uuurrd"), [3, 2, 1]);
        assert_eq!(lengths("u"), [1]);
        assert_eq!(lengths(""), Vec::<usize>::new());
        let r = runs(&history("uurrr"));
        assert_eq!((r[1].start, r[1].since), (2, Timestamp(T + 2 * M)));
    }

    #[test]
    fn the_current_run_and_the_typical_one() {
        // (history, candles, since index, at least, typical)
        for (labels, candles, since, at_least, typical) in [
            // Whole runs 2, 4 and 9 between a cut first run and the current.
            ("uuurrddddrrrrrrrrruuuuu", 5, 18, false, Some(4)),
            // Whole runs 3 and 5: the lower middle.
            ("uurrruuuuud", 1, 10, false, Some(3)),
            // Only the first run and the current: nothing whole.
            ("uuuurr", 2, 4, false, None),
            // One regime all along: it began before the history.
            ("rrrrrrr", 7, 0, true, None),
            ("xxrx", 1, 3, false, Some(1)),
        ] {
            let run = current_run(&history(labels), None).unwrap();
            assert_eq!(run.candles, candles, "{labels}");
            assert_eq!(run.since, Timestamp(T + since * M), "{labels}");
            assert_eq!(run.at_least, at_least, "{labels}");
            assert_eq!(run.typical, typical, "{labels}");
        }
        assert_eq!(current_run(&[], None), None);
    }

    #[test]
    fn a_snapshot_newer_than_the_history_is_its_newest_candle() {
        let h = history("rrruu");
        let next = Timestamp(T + 5 * M);
        let same = Timestamp(T + 4 * M);
        let up = Regime::TrendUp;
        let down = Regime::TrendDown;
        let range = Regime::Range;
        // (snapshot, candles, since index, typical)
        for (latest, candles, since, typical) in [
            (Some((next, &up)), 3, 3, None),
            (Some((next, &down)), 1, 5, Some(2)),
            (Some((same, &up)), 2, 3, None),
            // The forming candle turned: a run of one begins at it.
            (Some((same, &down)), 1, 4, Some(1)),
            // …or it goes back to the regime before.
            (Some((same, &range)), 1, 4, Some(1)),
            // An older snapshot: the history decides.
            (Some((Timestamp(T), &down)), 2, 3, None),
            (None, 2, 3, None),
        ] {
            let run = current_run(&h, latest).unwrap();
            assert_eq!(
                (run.candles, run.since, run.typical),
                (candles, Timestamp(T + since * M), typical),
                "{latest:?}"
            );
        }
        // No history yet: the snapshot alone is a run of one.
        let run = current_run(&[], Some((next, &up))).unwrap();
        assert_eq!((run.candles, run.at_least), (1, true));
    }

    #[test]
    fn the_sentence_says_candles_since_and_typical() {
        let run = current_run(&history("uurrrrrrrrrruuuuuuuuuuuuuu"), None).unwrap();
        assert_eq!(
            run.sentence("trend up", "12:40"),
            "trend up for 14 candles, since 12:40 · typical 10"
        );
        let run = current_run(&history("uuuuuuuuuuuuuuuuuuu"), None).unwrap();
        assert_eq!(
            run.sentence("trend up", "2025-10-08 12:40"),
            "trend up for at least 19 candles, since 2025-10-08 12:40 or before"
        );
        let run = current_run(&history("uuurd"), None).unwrap();
        assert_eq!(
            run.sentence("trend down", "13:04"),
            "trend down for 1 candle, since 13:04 · typical 1"
        );
    }
}
