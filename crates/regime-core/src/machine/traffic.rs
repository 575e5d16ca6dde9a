//! Live messages counted, and their rate over a sliding window.

use std::collections::VecDeque;

use super::attempt::Attempt;
use super::Connection;
use crate::diagnosis::DiagnosisKind;
use crate::Millis;

/// Live messages per second of the clock, over the rate window.
#[derive(Default)]
pub(super) struct Traffic {
    /// (the second's start, messages in it), oldest first.
    seconds: VecDeque<(Millis, u64)>,
}

impl Traffic {
    fn count(&mut self, now: Millis) {
        let second = now - now % 1000;
        match self.seconds.back_mut() {
            Some((s, n)) if *s == second => *n += 1,
            _ => self.seconds.push_back((second, 1)),
        }
    }

    /// The start of the newest second counted.
    pub(super) fn newest_second(&self) -> Option<Millis> {
        self.seconds.back().map(|(second, _)| *second)
    }

    /// Messages per second over the `window` ms that end now (seconds that
    /// left it are forgotten). The count is divided by the time its seconds
    /// cover, not by the whole window: a short window is then both right
    /// during a flood and gone soon after it (at most `window` ms after the
    /// last message).
    fn per_sec(&mut self, now: Millis, window: Millis) -> f64 {
        while self
            .seconds
            .front()
            .is_some_and(|(s, _)| now >= s.saturating_add(window))
        {
            self.seconds.pop_front();
        }
        let Some((oldest, _)) = self.seconds.front() else {
            return 0.0;
        };
        let span = now.saturating_sub(*oldest).clamp(1000, window);
        self.seconds.iter().map(|(_, n)| *n).sum::<u64>() as f64 * 1000.0 / span as f64
    }
}

impl Connection {
    pub(super) fn count_message(&mut self, now: Millis) {
        if self.attempt.as_ref().is_some_and(Attempt::is_ready) {
            self.clear_problem(DiagnosisKind::DeadConnection);
        }
        self.status.messages_total += 1;
        self.status.last_message_at = Some(now);
        self.changes.traffic = true;
        self.traffic.count(now);
    }

    /// The window of the message rate: `rate_window_ms`, but at least the
    /// one second that messages are counted by.
    pub(super) fn rate_window(&self) -> Millis {
        self.policy.rate_window_ms.max(1000)
    }

    /// The message rate over the window that ends now.
    pub(super) fn refresh_rate(&mut self, now: Millis) {
        let rate = self.traffic.per_sec(now, self.rate_window());
        if rate != self.status.messages_per_sec {
            self.status.messages_per_sec = rate;
            self.changes.traffic = true;
        }
    }
}
