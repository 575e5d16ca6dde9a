//! Which price the page shows: the newest from any source, each with its
//! own age.
//!
//! A live tick, the REST snapshot's `close` and the history's last close
//! all say what the market traded at. Once the live side drops, ticks stop
//! while REST's close moves on; showing the last tick then would be a
//! frozen price next to a fresh one. So the shown price is the one with the
//! newest backend timestamp, the time the page received it breaking a tie,
//! and the age shown beside it is that price's own.

use regime_core::model::Timestamp;

/// Where a shown price came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceSource {
    /// The close of the last history point.
    History,
    /// The `close` of the regime snapshot (REST or live).
    Snapshot,
    /// A live trade tick.
    Tick,
}

impl PriceSource {
    /// `tick`, `snapshot` or `history`, for `data-source`.
    pub fn name(self) -> &'static str {
        match self {
            PriceSource::Tick => "tick",
            PriceSource::Snapshot => "snapshot",
            PriceSource::History => "history",
        }
    }

    /// What the price is, in a trader's words (the price's tooltip).
    pub fn words(self) -> &'static str {
        match self {
            PriceSource::Tick => "Last trade price (live)",
            PriceSource::Snapshot => "Close of the latest regime snapshot",
            PriceSource::History => "Close of the latest history point",
        }
    }
}

/// One price a source offers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriceCandidate {
    pub price: f64,
    /// The backend's time for it.
    pub at: Timestamp,
    /// When the page received it (`performance.now()` ms).
    pub received_at: f64,
    pub source: PriceSource,
}

/// The newest usable price of `candidates`: the latest backend timestamp,
/// then the latest received, then a tick before a snapshot before history.
/// A price that is not a finite number is never shown.
pub fn newest_price(
    candidates: impl IntoIterator<Item = PriceCandidate>,
) -> Option<PriceCandidate> {
    candidates
        .into_iter()
        .filter(|c| c.price.is_finite())
        .max_by(|a, b| {
            a.at.cmp(&b.at)
                .then(a.received_at.total_cmp(&b.received_at))
                .then(a.source.cmp(&b.source))
        })
}

/// How old a shown number is at `now`, in ms: never negative (a clock that
/// went back shows 0).
pub fn age_ms(now: f64, received_at: f64) -> f64 {
    (now - received_at).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PriceSource::{History, Snapshot, Tick};

    fn c(price: f64, at: i64, received_at: f64, source: PriceSource) -> PriceCandidate {
        PriceCandidate {
            price,
            at: Timestamp(at),
            received_at,
            source,
        }
    }

    #[test]
    fn the_newest_backend_time_wins_whatever_the_source() {
        for (name, candidates, want) in [
            (
                // Live dropped: the last tick is older than REST's close.
                "frozen tick vs moving REST close",
                vec![
                    c(59_276.8, 1_000, 5_000.0, Tick),
                    c(59_094.5, 6_000, 9_000.0, Snapshot),
                ],
                Some((59_094.5, Snapshot)),
            ),
            (
                "live tick newer than the candle",
                vec![
                    c(100.0, 6_500, 9_100.0, Tick),
                    c(99.0, 6_000, 9_000.0, Snapshot),
                    c(98.0, 5_000, 2_000.0, History),
                ],
                Some((100.0, Tick)),
            ),
            (
                "only history",
                vec![c(98.0, 5_000, 2_000.0, History)],
                Some((98.0, History)),
            ),
            (
                "history newer than a stale snapshot",
                vec![
                    c(99.0, 4_000, 9_000.0, Snapshot),
                    c(98.0, 5_000, 2_000.0, History),
                ],
                Some((98.0, History)),
            ),
            (
                // Same backend time: the one received last.
                "tie broken by received time",
                vec![
                    c(99.0, 6_000, 9_000.0, Snapshot),
                    c(98.0, 6_000, 9_500.0, Tick),
                ],
                Some((98.0, Tick)),
            ),
            (
                // Same backend and received time: tick, then snapshot.
                "full tie",
                vec![
                    c(97.0, 6_000, 9_000.0, History),
                    c(99.0, 6_000, 9_000.0, Snapshot),
                ],
                Some((99.0, Snapshot)),
            ),
            (
                "a non-finite price is skipped",
                vec![
                    c(f64::NAN, 9_000, 9_000.0, Tick),
                    c(99.0, 6_000, 9_000.0, Snapshot),
                ],
                Some((99.0, Snapshot)),
            ),
            ("nothing", vec![], None),
        ] {
            let got = newest_price(candidates).map(|p| (p.price, p.source));
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn the_age_is_the_shown_numbers_own_and_never_negative() {
        assert_eq!(age_ms(10_000.0, 4_000.0), 6_000.0);
        assert_eq!(age_ms(1_000.0, 4_000.0), 0.0);
        assert_eq!(Tick.name(), "tick");
        assert_eq!(History.words(), "Close of the latest history point");
    }
}
