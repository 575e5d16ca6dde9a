//! What the connection badge says: what the trader gets, not only what is
//! connected.
//!
//! The core's [`Mode`] says which way data can come. Live, the badge is a
//! green `● Live` only while live market data (a `regime` or `price`
//! event) has come on this connection within the core's silence threshold
//! ([`LiveData`]); before the first one, and after a longer silence, it is
//! amber and says what is true: nothing comes (`◐ Live, no data`), only
//! signals come (`◐ Signals only`), or prices come but no regime (`◐ Prices
//! only`, the core's [`DiagnosisKind::NoRegimeEvents`]). Beside it, what it
//! means for the data: `○ API` is "delayed, every 5 s", and so on.

use regime_core::diagnosis::DiagnosisKind;
use regime_core::machine::{Mode, Status};

/// What flows on an amber (connected but not fully live) connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flowing {
    /// Nothing yet, or nothing within the silence threshold.
    Nothing,
    /// Signals or alerts, but no market event.
    Signals,
    /// Prices, but the core found no regime event.
    Prices,
}

/// The badge's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Badge {
    Connecting,
    /// Live, and live market data flows.
    Live,
    /// Connected, but the market is not live: amber. `polled`: the core
    /// polls the regime from REST meanwhile (its "no regime events").
    Quiet {
        flowing: Flowing,
        polled: bool,
    },
    Api,
    Offline,
}

/// What has flowed on the current live connection, in `performance.now()`
/// ms (the view's clock).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct LiveData {
    /// The last `regime` or `price` event of this connection.
    pub market_at: Option<f64>,
    /// The last signal or alert of this connection.
    pub feed_at: Option<f64>,
    /// Data older than this is no longer live, ms.
    pub silence_ms: f64,
    /// The core says that this connection brings no regime events, and
    /// polls the regime from REST.
    pub no_regime: bool,
}

impl LiveData {
    /// The core's figures, with its times mapped to the view's clock by `at`.
    pub fn of(status: &Status, at: impl Fn(u64) -> f64) -> LiveData {
        LiveData {
            market_at: status.live_market_at.map(&at),
            feed_at: status.live_feed_at.map(&at),
            silence_ms: status.live_silence_ms as f64,
            no_regime: Badge::no_live_data(status.problems.iter().map(|d| &d.kind)),
        }
    }
}

impl Badge {
    /// The badge for a mode, given what flowed on the live connection and
    /// the time now (the clock of [`LiveData`]).
    pub fn decide(mode: Mode, live: &LiveData, now: f64) -> Badge {
        let fresh = |t: Option<f64>| t.is_some_and(|t| now - t <= live.silence_ms);
        match mode {
            Mode::Live => {
                let market = fresh(live.market_at);
                if market && !live.no_regime {
                    return Badge::Live;
                }
                let flowing = if market {
                    Flowing::Prices
                } else if fresh(live.feed_at) {
                    Flowing::Signals
                } else {
                    Flowing::Nothing
                };
                Badge::Quiet {
                    flowing,
                    polled: live.no_regime,
                }
            }
            Mode::Api => Badge::Api,
            Mode::Connecting => Badge::Connecting,
            Mode::Offline => Badge::Offline,
        }
    }

    /// True when one of the problems is the core's "no regime events".
    pub fn no_live_data<'a>(kinds: impl IntoIterator<Item = &'a DiagnosisKind>) -> bool {
        kinds
            .into_iter()
            .any(|k| *k == DiagnosisKind::NoRegimeEvents)
    }

    /// The badge text.
    pub fn text(self) -> &'static str {
        match self {
            Badge::Quiet { flowing, .. } => match flowing {
                Flowing::Nothing => "◐ Live, no data",
                Flowing::Signals => "◐ Signals only",
                Flowing::Prices => "◐ Prices only",
            },
            Badge::Live => Mode::Live.badge(),
            Badge::Api => Mode::Api.badge(),
            Badge::Connecting => Mode::Connecting.badge(),
            Badge::Offline => Mode::Offline.badge(),
        }
    }

    /// `data-mode` and the CSS class: the four modes' names, and `quiet`
    /// for every amber state.
    pub fn name(self) -> &'static str {
        match self {
            Badge::Quiet { .. } => "quiet",
            Badge::Live => Mode::Live.name(),
            Badge::Api => Mode::Api.name(),
            Badge::Connecting => Mode::Connecting.name(),
            Badge::Offline => Mode::Offline.name(),
        }
    }

    /// What the state means for the data, shown beside the badge; empty
    /// when the badge says it all. `poll`: the poll period, as shown.
    pub fn meaning(self, poll: &str) -> String {
        match self {
            Badge::Api
            | Badge::Quiet {
                flowing: Flowing::Nothing,
                polled: true,
            } => {
                format!("delayed, every {poll}")
            }
            Badge::Quiet {
                flowing: Flowing::Nothing,
                polled: false,
            } => "waiting for data".to_string(),
            Badge::Quiet { polled: true, .. } => format!("regime delayed, every {poll}"),
            Badge::Quiet { polled: false, .. } => "regime not live".to_string(),
            Badge::Offline => "not updating".to_string(),
            Badge::Live | Badge::Connecting => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: f64 = 30_000.0;

    fn data(market_at: Option<f64>, feed_at: Option<f64>, no_regime: bool) -> LiveData {
        LiveData {
            market_at,
            feed_at,
            silence_ms: S,
            no_regime,
        }
    }

    fn quiet(flowing: Flowing, polled: bool) -> Badge {
        Badge::Quiet { flowing, polled }
    }

    #[test]
    fn live_only_once_market_data_flowed_and_while_it_is_recent() {
        let now = 100_000.0;
        for (live, want, why) in [
            (
                data(None, None, false),
                quiet(Flowing::Nothing, false),
                "connected, nothing yet",
            ),
            (
                data(Some(now - 200.0), None, false),
                Badge::Live,
                "a market event just came",
            ),
            (
                data(Some(now - S), None, false),
                Badge::Live,
                "at the threshold",
            ),
            (
                data(Some(now - S - 1.0), None, false),
                quiet(Flowing::Nothing, false),
                "silent past it",
            ),
            (
                data(Some(now + 300.0), None, false),
                Badge::Live,
                "newer than the clock's tick",
            ),
            (
                data(None, Some(now - 10.0), false),
                quiet(Flowing::Signals, false),
                "signals only",
            ),
            (
                data(None, Some(now - 10.0), true),
                quiet(Flowing::Signals, true),
                "a signals flood, regime polled",
            ),
            (
                data(Some(now - S - 1.0), Some(now), false),
                quiet(Flowing::Signals, false),
                "the market went silent, signals did not",
            ),
            (
                data(Some(now - 10.0), Some(now), true),
                quiet(Flowing::Prices, true),
                "prices, no regime event",
            ),
            (
                data(None, None, true),
                quiet(Flowing::Nothing, true),
                "nothing, regime polled",
            ),
        ] {
            assert_eq!(Badge::decide(Mode::Live, &live, now), want, "{why}");
        }
        // Off Live, the mode alone decides.
        let flowing = data(Some(now), Some(now), false);
        for (mode, want) in [
            (Mode::Api, Badge::Api),
            (Mode::Connecting, Badge::Connecting),
            (Mode::Offline, Badge::Offline),
        ] {
            assert_eq!(Badge::decide(mode, &flowing, now), want);
            assert_eq!(Badge::decide(mode, &data(None, None, true), now), want);
        }
    }

    #[test]
    fn each_state_has_its_text_and_name() {
        for (b, text, name) in [
            (Badge::Live, "● Live", "live"),
            (quiet(Flowing::Nothing, false), "◐ Live, no data", "quiet"),
            (quiet(Flowing::Nothing, true), "◐ Live, no data", "quiet"),
            (quiet(Flowing::Signals, true), "◐ Signals only", "quiet"),
            (quiet(Flowing::Prices, true), "◐ Prices only", "quiet"),
            (Badge::Api, "○ API", "api"),
            (Badge::Connecting, "◌ Connecting", "connecting"),
            (Badge::Offline, "✕ Offline", "offline"),
        ] {
            assert_eq!((b.text(), b.name()), (text, name), "{b:?}");
        }
    }

    #[test]
    fn no_regime_events_is_polled_and_each_state_says_what_it_means() {
        use DiagnosisKind::*;
        assert!(Badge::no_live_data(&[DeadConnection, NoRegimeEvents]));
        assert!(!Badge::no_live_data(&[DeadConnection]));
        assert!(!Badge::no_live_data(&[]));
        for (b, want) in [
            (Badge::Api, "delayed, every 5 s"),
            (quiet(Flowing::Nothing, true), "delayed, every 5 s"),
            (quiet(Flowing::Nothing, false), "waiting for data"),
            // A signals flood is not "no data": the signals are live, the
            // regime is what is not.
            (quiet(Flowing::Signals, true), "regime delayed, every 5 s"),
            (quiet(Flowing::Signals, false), "regime not live"),
            (quiet(Flowing::Prices, true), "regime delayed, every 5 s"),
            (Badge::Offline, "not updating"),
            (Badge::Live, ""),
            (Badge::Connecting, ""),
        ] {
            assert_eq!(b.meaning("5 s"), want, "{b:?}");
        }
        assert!(!quiet(Flowing::Signals, true).text().contains("no data"));
    }
}
