//! Live messages counted, and their rate over a sliding window.

use super::Connection;
use crate::diagnosis::DiagnosisKind;
use crate::Millis;

impl Connection {
    pub(super) fn count_message(&mut self, now: Millis) {
        if self.attempt.as_ref().is_some_and(|a| a.ready_at.is_some()) {
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
}
