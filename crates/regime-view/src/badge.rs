//! What the connection badge says: what the trader gets, not only what is
//! connected.
//!
//! The core's [`Mode`] says which way data can come. A live connection that
//! carries no regime event for a while (the core's
//! [`DiagnosisKind::NoRegimeEvents`]) is connected but brings nothing: the
//! badge says so in amber instead of a green `● Live`, and the regime is
//! polled meanwhile. `○ API` says what it means beside it: delayed, every
//! poll period.

use regime_core::diagnosis::DiagnosisKind;
use regime_core::machine::Mode;

/// The badge's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Badge {
    Connecting,
    /// Live, and live data flows.
    Live,
    /// Connected, but no live data comes: amber.
    Quiet,
    Api,
    Offline,
}

impl Badge {
    /// The badge for a mode, given whether the core says that the live
    /// connection brings no regime events.
    pub fn of(mode: Mode, no_live_data: bool) -> Badge {
        match mode {
            Mode::Live if no_live_data => Badge::Quiet,
            Mode::Live => Badge::Live,
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
            Badge::Quiet => "◐ Live, no data",
            Badge::Live => Mode::Live.badge(),
            Badge::Api => Mode::Api.badge(),
            Badge::Connecting => Mode::Connecting.badge(),
            Badge::Offline => Mode::Offline.badge(),
        }
    }

    /// `data-mode` and the CSS class: the four modes' names, and `quiet`.
    pub fn name(self) -> &'static str {
        match self {
            Badge::Quiet => "quiet",
            Badge::Live => Mode::Live.name(),
            Badge::Api => Mode::Api.name(),
            Badge::Connecting => Mode::Connecting.name(),
            Badge::Offline => Mode::Offline.name(),
        }
    }

    /// What the state means for the data, shown beside the badge; empty
    /// when the badge says it all.
    pub fn meaning(self, poll: &str) -> String {
        match self {
            Badge::Api | Badge::Quiet => format!("delayed, every {poll}"),
            Badge::Offline => "not updating".to_string(),
            Badge::Live | Badge::Connecting => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_says_what_the_trader_gets() {
        for (mode, quiet, want, text, name) in [
            (Mode::Live, false, Badge::Live, "● Live", "live"),
            (Mode::Live, true, Badge::Quiet, "◐ Live, no data", "quiet"),
            (Mode::Api, true, Badge::Api, "○ API", "api"),
            (Mode::Api, false, Badge::Api, "○ API", "api"),
            (
                Mode::Connecting,
                true,
                Badge::Connecting,
                "◌ Connecting",
                "connecting",
            ),
            (Mode::Offline, false, Badge::Offline, "✕ Offline", "offline"),
        ] {
            let b = Badge::of(mode, quiet);
            assert_eq!(
                (b, b.text(), b.name()),
                (want, text, name),
                "{mode:?} {quiet}"
            );
        }
    }

    #[test]
    fn no_regime_events_is_no_live_data_and_each_state_says_its_meaning() {
        use DiagnosisKind::*;
        assert!(Badge::no_live_data(&[DeadConnection, NoRegimeEvents]));
        assert!(!Badge::no_live_data(&[DeadConnection]));
        assert!(!Badge::no_live_data(&[]));
        assert_eq!(Badge::Api.meaning("5 s"), "delayed, every 5 s");
        assert_eq!(Badge::Quiet.meaning("1 s"), "delayed, every 1 s");
        assert_eq!(Badge::Offline.meaning("5 s"), "not updating");
        assert_eq!(Badge::Live.meaning("5 s"), "");
    }
}
