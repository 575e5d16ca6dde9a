//! How fresh the shown regime is: its age against the expected cadence
//! (the poll period), amber from twice the cadence, red from five times,
//! and never fresh while offline.

use regime_core::settings::DEFAULT_POLL_MS;

/// From this many cadences of age, the shown data is amber.
pub const AMBER_AFTER_CADENCES: f64 = 2.0;

/// From this many cadences of age, the shown data is red.
pub const RED_AFTER_CADENCES: f64 = 5.0;

/// How fresh the shown regime is, against the expected cadence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Younger than twice the cadence.
    Fresh,
    /// From twice to five times the cadence: worth a glance.
    Amber,
    /// Five times the cadence or older: do not trade on it.
    Red,
}

impl Freshness {
    /// The cadence used when the hook gives none (the `poll` default).
    pub const DEFAULT_CADENCE_MS: f64 = DEFAULT_POLL_MS as f64;

    /// Classifies an age in ms against a cadence in ms.
    pub fn of(age_ms: f64, cadence_ms: f64) -> Freshness {
        let cadence = if cadence_ms.is_finite() && cadence_ms > 0.0 {
            cadence_ms
        } else {
            Self::DEFAULT_CADENCE_MS
        };
        if !age_ms.is_finite() {
            return Freshness::Red;
        }
        if age_ms >= RED_AFTER_CADENCES * cadence {
            Freshness::Red
        } else if age_ms >= AMBER_AFTER_CADENCES * cadence {
            Freshness::Amber
        } else {
            Freshness::Fresh
        }
    }

    /// `fresh`, `amber` or `red`, for `data-state` and CSS.
    pub fn name(self) -> &'static str {
        match self {
            Freshness::Fresh => "fresh",
            Freshness::Amber => "amber",
            Freshness::Red => "red",
        }
    }
}

/// Offline, nothing can be fresh: the shown data is at least amber however
/// young it is.
pub fn stale_when_offline(f: Freshness, offline: bool) -> Freshness {
    if offline && f == Freshness::Fresh {
        Freshness::Amber
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_turns_amber_at_twice_and_red_at_five_times_the_cadence() {
        assert_eq!(Freshness::of(0.0, 5000.0), Freshness::Fresh);
        assert_eq!(Freshness::of(9_999.0, 5000.0), Freshness::Fresh);
        assert_eq!(Freshness::of(10_000.0, 5000.0), Freshness::Amber);
        assert_eq!(Freshness::of(24_999.0, 5000.0), Freshness::Amber);
        assert_eq!(Freshness::of(25_000.0, 5000.0), Freshness::Red);
        assert_eq!(Freshness::of(f64::NAN, 5000.0), Freshness::Red);
        // A missing cadence falls back to the default poll period.
        assert_eq!(Freshness::of(11_000.0, 0.0), Freshness::Amber);
        assert_eq!(Freshness::Amber.name(), "amber");
    }

    #[test]
    fn freshness_states_by_age_and_cadence() {
        use Freshness::{Amber, Fresh, Red};
        for (age_ms, cadence_ms, want) in [
            // A 1 s cadence: amber from 2 s, red from 5 s.
            (0.0, 1_000.0, Fresh),
            (1_999.0, 1_000.0, Fresh),
            (2_000.0, 1_000.0, Amber),
            (4_999.0, 1_000.0, Amber),
            (5_000.0, 1_000.0, Red),
            (3_600_000.0, 1_000.0, Red),
            // A cadence that is not a positive number is the 5 s default.
            (9_999.0, f64::NAN, Fresh),
            (10_000.0, -1.0, Amber),
            (25_000.0, f64::INFINITY, Red),
            // An age that is not a number is red; a negative one (a clock
            // that went back) is fresh.
            (f64::INFINITY, 1_000.0, Red),
            (-500.0, 1_000.0, Fresh),
        ] {
            assert_eq!(
                Freshness::of(age_ms, cadence_ms),
                want,
                "age {age_ms} at cadence {cadence_ms}"
            );
        }
        for (state, name) in [(Fresh, "fresh"), (Amber, "amber"), (Red, "red")] {
            assert_eq!(state.name(), name);
        }
    }

    #[test]
    fn offline_nothing_is_fresh() {
        use Freshness::{Amber, Fresh, Red};
        for (state, offline, want) in [
            (Fresh, true, Amber),
            (Amber, true, Amber),
            (Red, true, Red),
            (Fresh, false, Fresh),
            (Amber, false, Amber),
            (Red, false, Red),
        ] {
            assert_eq!(
                stale_when_offline(state, offline),
                want,
                "{state:?} offline={offline}"
            );
        }
    }
}
