//! The badge: which of Connecting, Live, API and Offline holds (PROTOCOL.md
//! §6), decided afresh at the end of every input.

use super::rest::RestState;
use super::Connection;
use crate::settings::Protocol;
use crate::Millis;

/// What the page shows in its connection badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Before the first answer of either kind.
    Connecting,
    /// The live transport is connected (Socket.IO: namespace acknowledged).
    Live,
    /// No live transport, REST answers: data is polled.
    Api,
    /// Neither answers: the last data stays, marked stale.
    Offline,
}

impl Mode {
    /// The badge text: `● Live`, `○ API`, `◌ Connecting`, `✕ Offline`.
    pub fn badge(self) -> &'static str {
        match self {
            Mode::Connecting => "◌ Connecting",
            Mode::Live => "● Live",
            Mode::Api => "○ API",
            Mode::Offline => "✕ Offline",
        }
    }
    /// A stable lower-case name for CSS classes and test hooks.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Connecting => "connecting",
            Mode::Live => "live",
            Mode::Api => "api",
            Mode::Offline => "offline",
        }
    }
}

impl Connection {
    pub(super) fn grace_end(&self) -> Option<Millis> {
        if self.first_attempt_done || self.settings.protocol == Protocol::Off {
            return None;
        }
        self.started_at
            .map(|s| s.saturating_add(self.policy.first_attempt_grace_ms))
    }

    pub(super) fn settle_mode(&mut self, now: Millis) {
        // A grace that is over ended with its deadline.
        let in_grace = self.grace_end().is_some_and(|end| now < end);
        let live = self
            .attempt
            .as_ref()
            .is_some_and(|a| a.is_ready() && self.live_allowed(a));
        let mode = if !self.online {
            Mode::Offline
        } else if live {
            Mode::Live
        } else if in_grace {
            Mode::Connecting
        } else {
            match self.rest.state {
                RestState::Answering => Mode::Api,
                RestState::Failing => Mode::Offline,
                // A live connection answered once, REST never yet: neither answers now.
                RestState::Unknown if self.was_live => Mode::Offline,
                RestState::Unknown => Mode::Connecting,
            }
        };
        if mode != self.status.mode {
            self.status.mode = mode;
            self.changes.status = true;
        }
    }
}
