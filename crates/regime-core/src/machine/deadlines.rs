//! Every deadline of the machine: when the caller must call back
//! (`poll_timeout`), and the step that ends every input and runs whatever
//! deadline has passed.

use super::attempt::Failure;
use super::recovery::Feed;
use super::{Command, Connection, RequestId};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::Millis;

pub(super) fn min_opt(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Connection {
    /// The next moment `handle_timeout` has work to do.
    pub(super) fn next_deadline(&self) -> Option<Millis> {
        let mut t = None;
        if let Some(a) = &self.attempt {
            match &a.session {
                None => {
                    t = min_opt(
                        t,
                        Some(a.started_at.saturating_add(self.policy.connect_timeout_ms)),
                    )
                }
                Some(s) => t = min_opt(t, s.poll_timeout()),
            }
            if let Some(ready_at) = a.ready_at {
                if !a.saw_regime && !a.warned_no_regime {
                    t = min_opt(
                        t,
                        Some(ready_at.saturating_add(self.policy.no_regime_warning_ms)),
                    );
                }
            }
        }
        if self.online {
            t = min_opt(t, self.retry_at);
            t = min_opt(t, self.next_poll_at);
        }
        for f in &self.in_flight {
            t = min_opt(t, Some(f.deadline));
        }
        if let Some(end) = self.grace_end() {
            t = min_opt(t, Some(end));
        }
        for (_, seen) in &self.transient_seen {
            t = min_opt(
                t,
                Some(seen.saturating_add(self.policy.transient_problem_ms)),
            );
        }
        if let Some((second, _)) = self.rate.back() {
            t = min_opt(t, Some(second.saturating_add(self.policy.rate_window_ms)));
        }
        t = min_opt(t, self.epoch_hold_until);
        for f in &self.feeds {
            t = min_opt(t, f.hold_until);
        }
        if self.online {
            t = min_opt(t, self.rest_retry_at);
        }
        t
    }

    /// Runs every passed deadline, then settles the mode. Every input ends here.
    pub(super) fn after_input(&mut self, now: Millis) {
        // The socket that neither opened nor closed in time.
        let stuck = self.attempt.as_ref().is_some_and(|a| {
            a.session.is_none()
                && now >= a.started_at.saturating_add(self.policy.connect_timeout_ms)
        });
        if stuck {
            let secs = self.policy.connect_timeout_ms / 1000;
            self.attempt_failed(
                now,
                Failure::BeforeOpen(format!("did not open within {secs} s")),
                true,
            );
        }
        // The session's own deadlines (heartbeat, silence, handshake).
        let mut out = Vec::new();
        if let Some(s) = self.attempt.as_mut().and_then(|a| a.session.as_mut()) {
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now, &mut out);
            }
            let pongs = s.pongs_supported();
            if pongs.is_some() && pongs != self.status.pongs_supported {
                self.status.pongs_supported = pongs;
                self.changes.status = true;
            }
        }
        if !out.is_empty() {
            self.apply_session_events(now, out);
        }
        // Live, but no regime event.
        let warn = self.attempt.as_mut().and_then(|a| match a.ready_at {
            Some(r)
                if !a.saw_regime
                    && !a.warned_no_regime
                    && now >= r.saturating_add(self.policy.no_regime_warning_ms) =>
            {
                a.warned_no_regime = true;
                Some(now - r)
            }
            _ => None,
        });
        if let Some(waited) = warn {
            self.set_problem(
                "",
                Diagnosis::no_regime_events(waited, self.settings.poll_ms),
            );
            self.poll(now);
        }
        // Live items wait no longer for a check of the backend's run.
        if self.epoch_hold_until.is_some_and(|t| t <= now) {
            self.end_epoch_hold(now);
        }
        for feed in [Feed::Signals, Feed::Alerts] {
            if self.feeds[feed.index()]
                .hold_until
                .is_some_and(|t| t <= now)
            {
                self.end_feed_hold(now, feed);
            }
        }
        // Failed requests, asked again.
        if self.online && self.rest_retry_at.is_some_and(|t| t <= now) {
            self.rest_retry_at = None;
            self.retry_rest(now);
        }
        // The next live attempt.
        if self.retry_at.is_some_and(|t| t <= now) && self.attempt.is_none() {
            self.retry_at = None;
            self.try_live(now);
        }
        // REST requests that never came back.
        let late: Vec<RequestId> = self
            .in_flight
            .iter()
            .filter(|f| f.deadline <= now)
            .map(|f| f.request)
            .collect();
        for request in late {
            self.commands.push_back(Command::CancelFetch { request });
            let secs = self.policy.rest_timeout_ms / 1000;
            self.handle_rest_timeout(now, request, secs);
        }
        // REST polling.
        if self.next_poll_at.is_some_and(|t| t <= now) {
            if self.polling_wanted() {
                self.poll(now);
            } else {
                self.next_poll_at = None;
            }
        } else if self.next_poll_at.is_none() && self.polling_wanted() && self.started_at.is_some()
        {
            self.next_poll_at = Some(now.saturating_add(self.settings.poll_ms.max(1)));
        }
        // One-off problems fade.
        let forget = self.policy.transient_problem_ms;
        let faded: Vec<DiagnosisKind> = self
            .transient_seen
            .iter()
            .filter(|(_, seen)| now >= seen.saturating_add(forget))
            .map(|(k, _)| *k)
            .collect();
        for kind in faded {
            self.transient_seen.retain(|(k, _)| *k != kind);
            self.clear_problem(kind);
        }
        // The message rate.
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
        self.settle_mode(now);
    }
}
