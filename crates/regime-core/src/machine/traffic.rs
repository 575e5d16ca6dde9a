//! Live messages counted, and their rate over a sliding window.

use super::attempt::Attempt;
use super::Connection;
use crate::diagnosis::DiagnosisKind;
use crate::Millis;

impl Connection {
    pub(super) fn count_message(&mut self, now: Millis) {
        if self.attempt.as_ref().is_some_and(Attempt::is_ready) {
            self.clear_problem(DiagnosisKind::DeadConnection);
        }
        self.status.messages_total += 1;
        self.status.last_message_at = Some(now);
        self.changes.traffic = true;
        let second = now - now % 1000;
        match self.rate.back_mut() {
            Some((s, n)) if *s == second => *n += 1,
            _ => self.rate.push_back((second, 1)),
        }
    }

    /// The message rate over the window that ends now.
    pub(super) fn refresh_rate(&mut self, now: Millis) {
        let window = self.policy.rate_window_ms.max(1000);
        while self
            .rate
            .front()
            .is_some_and(|(s, _)| now >= s.saturating_add(window))
        {
            self.rate.pop_front();
        }
        let rate = self.rate.iter().map(|(_, n)| *n).sum::<u64>() as f64 * 1000.0 / window as f64;
        if rate != self.status.messages_per_sec {
            self.status.messages_per_sec = rate;
            self.changes.traffic = true;
        }
    }
}
