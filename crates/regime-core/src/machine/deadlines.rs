//! Every deadline of the machine, in one table: [`Connection::deadline`]
//! says when each one is due, `poll_timeout` is the soonest of them, and
//! the step that ends every input runs each one that has passed, in the
//! order of [`Deadline::ALL`]. A deadline added here is both waited for and
//! run; the two can no longer disagree.

use super::attempt::{Attempt, Failure};
use super::recovery::Feed;
use super::Connection;
use crate::Millis;

/// Something the machine must do at a moment of its own choosing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Deadline {
    /// The socket neither opened nor closed within `connect_timeout_ms`:
    /// it is given up as a failure.
    SocketOpen,
    /// The live session's own: its heartbeat, silence and handshake limits.
    Session,
    /// Live, but no `regime` event within `no_regime_warning_ms` of
    /// connecting, or no market event (`regime` or `price`) for that long
    /// after one came: a warning, and REST polling beside the live
    /// connection.
    NoRegimeEvents,
    /// Live items held back for `/api/health`'s epoch wait no longer.
    EpochHold,
    /// Live items of one feed held back for a look at its newest ids wait
    /// no longer.
    FeedHold(Feed),
    /// Failed recovery, poll and health requests are asked again.
    RestRetry,
    /// The next live attempt, after a back-off.
    LiveRetry,
    /// A REST request unanswered within `rest_timeout_ms` is cancelled and
    /// counts as failed.
    RestAnswer,
    /// The next REST poll.
    Poll,
    /// A one-off problem last seen `transient_problem_ms` ago fades.
    ProblemFade,
    /// The newest second counted leaves the rate window, so the rate falls
    /// to zero. The rate itself is refreshed at every input (it changes with
    /// every message); this deadline only makes sure the caller comes back.
    MessageRate,
    /// The first live attempt's grace is over: the badge may leave
    /// `Connecting` for what REST says.
    FirstAttemptGrace,
}

impl Deadline {
    /// Every deadline, in the order in which the due ones are run: the live
    /// side first (a socket given up may be retried at once), then what
    /// waits on REST, then what only changes what the page shows.
    pub(super) const ALL: [Deadline; 13] = [
        Deadline::SocketOpen,
        Deadline::Session,
        Deadline::NoRegimeEvents,
        Deadline::EpochHold,
        Deadline::FeedHold(Feed::Signals),
        Deadline::FeedHold(Feed::Alerts),
        Deadline::RestRetry,
        Deadline::LiveRetry,
        Deadline::RestAnswer,
        Deadline::Poll,
        Deadline::ProblemFade,
        Deadline::MessageRate,
        Deadline::FirstAttemptGrace,
    ];
}

impl Connection {
    /// When `deadline` is due; `None` while it is not armed.
    fn deadline(&self, deadline: Deadline) -> Option<Millis> {
        let policy = &self.policy;
        match deadline {
            Deadline::SocketOpen => self
                .attempt
                .as_ref()
                .filter(|a| !a.opened())
                .map(|a| a.started_at.saturating_add(policy.connect_timeout_ms)),
            Deadline::Session => self
                .attempt
                .as_ref()
                .and_then(Attempt::session)
                .and_then(|s| s.poll_timeout()),
            Deadline::NoRegimeEvents => self
                .attempt
                .as_ref()
                .filter(|a| !a.warned_no_regime)
                .and_then(|a| self.no_regime_since(a))
                .map(|since| since.saturating_add(policy.no_regime_warning_ms)),
            Deadline::EpochHold => self.recovery.epoch_hold_until,
            Deadline::FeedHold(feed) => self.recovery.feeds[feed.index()].hold_until,
            // Offline, nothing is asked or retried until the network is back.
            Deadline::RestRetry => self.rest.retry_at.filter(|_| self.online),
            Deadline::LiveRetry => self
                .retry_at
                .filter(|_| self.online && self.attempt.is_none()),
            Deadline::RestAnswer => self.rest.in_flight.iter().map(|f| f.deadline).min(),
            Deadline::Poll => self.rest.next_poll_at.filter(|_| self.online),
            Deadline::ProblemFade => self.problems.next_fade(policy.transient_problem_ms),
            Deadline::MessageRate => self
                .traffic
                .newest_second()
                .map(|second| second.saturating_add(self.rate_window())),
            Deadline::FirstAttemptGrace => self.grace_end(),
        }
    }

    /// Does what `deadline` is for; it has passed.
    fn run_deadline(&mut self, now: Millis, deadline: Deadline) {
        match deadline {
            Deadline::SocketOpen => {
                let secs = self.policy.connect_timeout_ms / 1000;
                let failure = Failure::BeforeOpen(format!("did not open within {secs} s"));
                self.attempt_failed(now, failure, true);
            }
            Deadline::Session => self.session_timeout(now),
            Deadline::NoRegimeEvents => self.warn_no_regime(now),
            Deadline::EpochHold => self.end_epoch_hold(now),
            Deadline::FeedHold(feed) => self.end_feed_hold(now, feed),
            Deadline::RestRetry => {
                self.rest.retry_at = None;
                self.retry_rest(now);
            }
            Deadline::LiveRetry => {
                self.retry_at = None;
                self.try_live(now);
            }
            Deadline::RestAnswer => self.cancel_late_requests(now),
            Deadline::Poll => {
                if self.polling_wanted() {
                    self.poll(now);
                } else {
                    self.rest.next_poll_at = None;
                }
            }
            Deadline::ProblemFade => self.fade_problems(now),
            Deadline::MessageRate => {}
            Deadline::FirstAttemptGrace => self.first_attempt_done = true,
        }
    }

    /// The next moment `handle_timeout` has work to do.
    pub(super) fn next_deadline(&self) -> Option<Millis> {
        Deadline::ALL
            .into_iter()
            .filter_map(|d| self.deadline(d))
            .min()
    }

    /// Runs every passed deadline, then the upkeep that follows any input,
    /// then settles the mode. Every input ends here.
    pub(super) fn after_input(&mut self, now: Millis) {
        // Each deadline is read after the ones before it ran: a socket
        // given up with no delay is retried in the same step.
        for deadline in Deadline::ALL {
            if self.deadline(deadline).is_some_and(|t| t <= now) {
                self.run_deadline(now, deadline);
            }
        }
        self.note_pongs_supported();
        self.arm_poll(now);
        self.refresh_rate(now);
        self.settle_mode(now);
    }
}
