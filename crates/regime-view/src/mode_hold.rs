//! The badge's hysteresis between API and Offline.
//!
//! With part of the REST calls failing, the core's mode follows every
//! answer: API after a success, Offline after a failure, a flip every few
//! seconds although data does come through. A flip that fast tells a trader
//! nothing, so once REST has come back from failing, a new failure is shown
//! as Offline only when it has lasted [`hold_ms`]: five poll periods, when
//! the data would turn red anyway (see [`crate::freshness`]).
//! Everything else is shown at once: the first failure (a backend that goes
//! down is Offline within seconds), coming back (data arrives again), and
//! every change to or from Live and Connecting.

use regime_core::machine::Mode;

/// How many poll periods a failure must last, after a recovery, before the
/// badge leaves API for Offline: as many as turn the data red.
pub const HOLD_POLLS: f64 = crate::freshness::RED_AFTER_CADENCES;

/// How long (ms) a failure must last after a recovery before it is shown.
pub fn hold_ms(poll_ms: f64) -> f64 {
    let poll = if poll_ms.is_finite() && poll_ms > 0.0 {
        poll_ms
    } else {
        crate::Freshness::DEFAULT_CADENCE_MS
    };
    HOLD_POLLS * poll
}

/// What the hysteresis remembers between frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModeHold {
    shown: Mode,
    /// When the badge last went from Offline back to API.
    recovered_at: Option<f64>,
    /// Since when the core has said Offline while API is still shown.
    failing_since: Option<f64>,
}

impl Default for ModeHold {
    fn default() -> Self {
        ModeHold {
            shown: Mode::Connecting,
            recovered_at: None,
            failing_since: None,
        }
    }
}

impl ModeHold {
    /// The mode shown now, given the core's mode at `now` (ms).
    pub fn shown(&mut self, core: Mode, now: f64, poll_ms: f64) -> Mode {
        let hold = hold_ms(poll_ms);
        let was_failing = self.failing_since.is_some();
        let next = match (self.shown, core) {
            (Mode::Api, Mode::Offline) => {
                let since = *self.failing_since.get_or_insert(now);
                let flapping = self.recovered_at.is_some_and(|r| since - r < hold);
                if flapping && now - since < hold {
                    Mode::Api
                } else {
                    Mode::Offline
                }
            }
            (_, mode) => mode,
        };
        if next != Mode::Api || core != Mode::Offline {
            self.failing_since = None;
        }
        // REST answering again after a failure, shown or held: a recovery.
        if next == Mode::Api && (self.shown == Mode::Offline || (was_failing && core == Mode::Api))
        {
            self.recovered_at = Some(now);
        }
        self.shown = next;
        next
    }

    /// True while a failure is being held: the shown mode may change at a
    /// later frame with no new input, so the driver asks for one.
    pub fn pending(&self) -> bool {
        self.failing_since.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Mode::{Api, Connecting, Live, Offline};

    /// Feeds `(time, core mode)` steps and returns what is shown at each.
    fn play(steps: &[(f64, Mode)]) -> Vec<Mode> {
        let mut hold = ModeHold::default();
        steps
            .iter()
            .map(|&(t, m)| hold.shown(m, t, 1_000.0))
            .collect()
    }

    #[test]
    fn the_hold_is_five_poll_periods() {
        assert_eq!(hold_ms(1_000.0), 5_000.0);
        assert_eq!(hold_ms(0.0), 25_000.0);
        assert_eq!(hold_ms(f64::NAN), 25_000.0);
    }

    #[test]
    fn a_first_failure_is_shown_at_once() {
        // Both sides go down: Live, API for a moment, then Offline.
        assert_eq!(
            play(&[(0.0, Live), (100.0, Api), (900.0, Offline)]),
            [Live, Api, Offline]
        );
        assert_eq!(
            play(&[(0.0, Connecting), (1.0, Offline)]),
            [Connecting, Offline]
        );
    }

    #[test]
    fn partial_failure_does_not_flip_api_and_offline_every_few_seconds() {
        // 60 % of polls failing at a 1 s poll: the core flips at each answer.
        let core = [
            Api, Offline, Api, Offline, Offline, Api, Offline, Api, Offline, Offline, Api, Api,
        ];
        let steps: Vec<(f64, Mode)> = core
            .iter()
            .enumerate()
            .map(|(i, &m)| (i as f64 * 1_000.0, m))
            .collect();
        let shown = play(&steps);
        // The first failure is shown, the return too; then API holds.
        assert_eq!(&shown[..3], &[Api, Offline, Api]);
        assert!(shown[3..].iter().all(|&m| m == Api), "{shown:?}");
    }

    #[test]
    fn a_failure_that_lasts_the_hold_is_shown() {
        let shown = play(&[
            (0.0, Api),
            (1_000.0, Offline),
            (2_000.0, Api),
            (3_000.0, Offline),
            (7_999.0, Offline),
            (8_000.0, Offline),
            (9_000.0, Live),
        ]);
        assert_eq!(shown, [Api, Offline, Api, Api, Api, Offline, Live]);
    }

    #[test]
    fn a_held_failure_is_pending_so_the_driver_asks_for_frames() {
        let mut hold = ModeHold::default();
        hold.shown(Api, 0.0, 1_000.0);
        hold.shown(Offline, 1_000.0, 1_000.0);
        hold.shown(Api, 2_000.0, 1_000.0);
        assert!(!hold.pending());
        hold.shown(Offline, 3_000.0, 1_000.0);
        assert!(hold.pending());
        hold.shown(Offline, 8_000.0, 1_000.0);
        assert!(!hold.pending());
    }
}
