//! One live connection's protocol logic, sans-IO.
//!
//! A session is created when the socket is asked to open and lives until the
//! socket closes. It takes what the socket reports (`handle_open`,
//! `handle_text`, `handle_binary`) and what the clock says (`handle_timeout`,
//! at or after [`LiveSession::poll_timeout`]), and answers with
//! [`SessionEvent`]s: frames to send, market events, rejected frames, and at
//! most one `Ended` after which it is silent. Time is always an argument; the
//! session never reads a clock.
//!
//! Nothing a server sends can panic a session: every malformed frame becomes a
//! `Rejected` with a reason, and the stream goes on.
//!
//! Two protocols:
//!
//! * [`PlainSession`] (docs/PROTOCOL.md §3): ready as soon as the socket opens;
//!   pings every `ping_every_ms`, measures round trips from pongs, and ends
//!   after `silence_ms` without any frame. A backend that never answers pings
//!   is allowed: when a ping is still unanswered as the next one falls due and
//!   no pong was ever seen, the session says `PongsNotSupported` once and
//!   stops pinging, so that a backend that does not know pings is not sent
//!   frames that it would only complain about; from then on only silence
//!   counts. A pong arriving later proves the opposite: pinging resumes.
//! * [`SocketIoSession`] (docs/PROTOCOL.md §4, docs/SOCKETIO.md): waits for the
//!   Engine.IO open packet, sends the namespace CONNECT, is ready on the
//!   CONNECT reply, answers server pings with `3` (and never pings itself),
//!   and ends when no ping comes within pingInterval + pingTimeout.

mod plain;
mod socketio;

pub use plain::{PlainSession, PlainSessionConfig};
pub use socketio::{SocketIoSession, SocketIoSessionConfig};

use crate::live::{FrameError, LiveEvent, SessionEvent, TransportKind};
use crate::model::Subscription;
use crate::Millis;

/// How much of a first frame a protocol-mismatch diagnosis keeps.
const FIRST_FRAME_EXCERPT: usize = 120;

/// A rejection of `frame`, for this reason.
fn reject(reason: impl Into<String>, frame: &str) -> SessionEvent {
    SessionEvent::Rejected(FrameError::new(reason, frame))
}

/// A batch's elements, in order: a `Batch` to count it, then each market
/// event, or the rejection of a bad element in its place.
fn push_batch(items: Vec<Result<LiveEvent, FrameError>>, out: &mut Vec<SessionEvent>) {
    out.reserve(items.len() + 1);
    out.push(SessionEvent::Batch {
        elements: items.len(),
    });
    out.extend(items.into_iter().map(|item| match item {
        Ok(event) => SessionEvent::Event(event),
        Err(error) => SessionEvent::Rejected(error),
    }));
}

/// One live connection, plain or Socket.IO.
#[derive(Clone, Debug)]
pub enum LiveSession {
    Plain(PlainSession),
    SocketIo(SocketIoSession),
}

impl LiveSession {
    /// A plain session, created when the socket is asked to open.
    pub fn plain(now: Millis, cfg: PlainSessionConfig) -> Self {
        LiveSession::Plain(PlainSession::new(now, cfg))
    }

    /// A Socket.IO session, created when the socket is asked to open.
    pub fn socketio(now: Millis, cfg: SocketIoSessionConfig) -> Self {
        LiveSession::SocketIo(SocketIoSession::new(now, cfg))
    }

    pub fn kind(&self) -> TransportKind {
        match self {
            LiveSession::Plain(_) => TransportKind::Plain,
            LiveSession::SocketIo(_) => TransportKind::SocketIo,
        }
    }

    /// The socket's open event.
    pub fn handle_open(&mut self, now: Millis, out: &mut Vec<SessionEvent>) {
        match self {
            LiveSession::Plain(s) => s.handle_open(now, out),
            LiveSession::SocketIo(s) => s.handle_open(now, out),
        }
    }

    /// A text frame from the socket.
    pub fn handle_text(&mut self, now: Millis, text: &str, out: &mut Vec<SessionEvent>) {
        match self {
            LiveSession::Plain(s) => s.handle_text(now, text, out),
            LiveSession::SocketIo(s) => s.handle_text(now, text, out),
        }
    }

    /// A binary frame from the socket, by its length (its bytes are never
    /// needed).
    pub fn handle_binary(&mut self, now: Millis, len: usize, out: &mut Vec<SessionEvent>) {
        match self {
            LiveSession::Plain(s) => s.handle_binary(now, len, out),
            LiveSession::SocketIo(s) => s.handle_binary(now, len, out),
        }
    }

    /// Acts on every deadline that has passed. Call at or after
    /// [`poll_timeout`](Self::poll_timeout); calling it at any other time is
    /// harmless.
    pub fn handle_timeout(&mut self, now: Millis, out: &mut Vec<SessionEvent>) {
        match self {
            LiveSession::Plain(s) => s.handle_timeout(now, out),
            LiveSession::SocketIo(s) => s.handle_timeout(now, out),
        }
    }

    /// The next deadline (a ping to send, a heartbeat or silence deadline, the
    /// handshake deadline), or `None` once the session is over.
    pub fn poll_timeout(&self) -> Option<Millis> {
        match self {
            LiveSession::Plain(s) => s.poll_timeout(),
            LiveSession::SocketIo(s) => s.poll_timeout(),
        }
    }

    /// Subscribes: sends now if ready, else remembers the latest subscription
    /// and sends it right after `Ready`.
    pub fn subscribe(&mut self, sub: &Subscription, out: &mut Vec<SessionEvent>) {
        match self {
            LiveSession::Plain(s) => s.subscribe(sub, out),
            LiveSession::SocketIo(s) => s.subscribe(sub, out),
        }
    }

    /// Leaves: Socket.IO sends `41/ns,` when a namespace was asked for; plain
    /// sends nothing. The caller then closes the socket; the session is silent
    /// from now on.
    pub fn close(&mut self, out: &mut Vec<SessionEvent>) {
        match self {
            LiveSession::Plain(s) => s.close(out),
            LiveSession::SocketIo(s) => s.close(out),
        }
    }

    pub fn is_ready(&self) -> bool {
        match self {
            LiveSession::Plain(s) => s.is_ready(),
            LiveSession::SocketIo(s) => s.is_ready(),
        }
    }

    /// True once the session has ended or was closed.
    pub fn is_over(&self) -> bool {
        match self {
            LiveSession::Plain(s) => s.is_over(),
            LiveSession::SocketIo(s) => s.is_over(),
        }
    }

    /// Socket.IO's recovery pid and the last offset seen, for the next
    /// connection's CONNECT. Always `None` for plain.
    pub fn recovery(&self) -> Option<(String, String)> {
        match self {
            LiveSession::Plain(_) => None,
            LiveSession::SocketIo(s) => s.recovery(),
        }
    }

    /// Plain: whether the backend answers pings, `None` until known. Always
    /// `None` for Socket.IO, where the server pings.
    pub fn pongs_supported(&self) -> Option<bool> {
        match self {
            LiveSession::Plain(s) => s.pongs_supported(),
            LiveSession::SocketIo(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::SessionEnd;

    #[test]
    fn defaults_are_the_documented_ones() {
        let plain = PlainSessionConfig::default();
        assert_eq!(
            (
                plain.ping_every_ms,
                plain.silence_ms,
                plain.handshake_timeout_ms
            ),
            (20_000, 30_000, 10_000)
        );
        let sio = SocketIoSessionConfig::default();
        assert_eq!(
            (
                sio.namespace.as_str(),
                sio.handshake_timeout_ms,
                sio.recovery
            ),
            ("/signals", 10_000, None)
        );
    }

    #[test]
    fn kinds_and_getters_before_anything_happens() {
        let plain = LiveSession::plain(5, PlainSessionConfig::default());
        assert_eq!(
            (plain.kind(), plain.is_ready(), plain.is_over()),
            (TransportKind::Plain, false, false)
        );
        assert_eq!(
            (
                plain.poll_timeout(),
                plain.recovery(),
                plain.pongs_supported()
            ),
            (Some(10_005), None, None)
        );
        let cfg = SocketIoSessionConfig {
            recovery: Some(("p".into(), "o".into())),
            ..Default::default()
        };
        let sio = LiveSession::socketio(5, cfg);
        assert_eq!(
            (sio.kind(), sio.is_ready(), sio.poll_timeout()),
            (TransportKind::SocketIo, false, Some(10_005))
        );
        assert_eq!(sio.recovery(), Some(("p".into(), "o".into())));
        assert_eq!(sio.pongs_supported(), None);
    }

    #[test]
    fn a_heartbeat_of_zero_is_clamped_and_named() {
        // A server announcing pingInterval 0 and pingTimeout 0 would end the
        // session at once, every time: the session uses 1 s each instead and
        // says the handshake is bad.
        let mut s = LiveSession::socketio(0, SocketIoSessionConfig::default());
        let mut out = Vec::new();
        s.handle_open(0, &mut out);
        s.handle_text(
            0,
            r#"0{"sid":"a","pingInterval":0,"pingTimeout":0}"#,
            &mut out,
        );
        assert!(out.contains(&SessionEvent::BadHandshake {
            field: "pingInterval",
            sent: 0,
            used: 1000
        }));
        assert!(out.contains(&SessionEvent::BadHandshake {
            field: "pingTimeout",
            sent: 0,
            used: 1000
        }));
        assert_eq!(s.poll_timeout(), Some(2000));
        s.handle_timeout(2000, &mut out);
        assert_eq!(
            out.last(),
            Some(&SessionEvent::Ended(SessionEnd::HeartbeatTimeout {
                waited_ms: 2000
            }))
        );
        assert_eq!(s.poll_timeout(), None);
    }

    #[test]
    fn a_huge_heartbeat_is_clamped_so_a_dead_server_is_noticed() {
        let mut s = LiveSession::socketio(0, SocketIoSessionConfig::default());
        let mut out = Vec::new();
        s.handle_open(0, &mut out);
        s.handle_text(
            0,
            r#"0{"sid":"a","pingInterval":18446744073709551615,"pingTimeout":20000}"#,
            &mut out,
        );
        assert!(out.contains(&SessionEvent::BadHandshake {
            field: "pingInterval",
            sent: u64::MAX,
            used: 300_000
        }));
        let ns = SocketIoSessionConfig::default().namespace;
        s.handle_text(0, &format!(r#"40{ns},{{"sid":"b"}}"#), &mut out);
        assert_eq!(s.poll_timeout(), Some(320_000));
    }

    #[test]
    fn huge_timings_saturate_instead_of_overflowing() {
        let cfg = PlainSessionConfig {
            ping_every_ms: Millis::MAX,
            silence_ms: Millis::MAX,
            handshake_timeout_ms: Millis::MAX,
        };
        let mut s = LiveSession::plain(Millis::MAX - 1, cfg);
        let mut out = Vec::new();
        s.handle_open(Millis::MAX - 1, &mut out);
        s.handle_timeout(Millis::MAX, &mut out);
        assert_eq!(s.poll_timeout(), Some(Millis::MAX));
        let mut s = LiveSession::socketio(Millis::MAX, SocketIoSessionConfig::default());
        s.handle_text(
            Millis::MAX,
            r#"0{"sid":"a","pingInterval":18446744073709551615,"pingTimeout":5}"#,
            &mut out,
        );
        assert_eq!(s.poll_timeout(), Some(Millis::MAX));
    }
}
