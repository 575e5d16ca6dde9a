//! What a live connection produces, whichever protocol it speaks.
//!
//! The two transports (plain JSON envelopes in [`crate::wire::plain`],
//! Engine.IO 4 + Socket.IO 5 in [`crate::wire::engineio`] /
//! [`crate::wire::socketio`]) each have a per-connection *session* in
//! [`crate::session`]. A session takes the socket's inputs and answers with
//! [`SessionEvent`]s; the connection state machine ([`crate::machine`]) turns
//! those into modes, stores and diagnosis.

use std::fmt;

use crate::model::{PriceTick, RegimeAlert, RegimeSnapshot, Signal};
use crate::Millis;

/// Which live protocol a session speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// JSON envelopes over a plain WebSocket (PROTOCOL.md §3).
    Plain,
    /// Socket.IO v4 / Engine.IO 4 over a WebSocket (PROTOCOL.md §4).
    SocketIo,
}

impl TransportKind {
    pub fn label(self) -> &'static str {
        match self {
            TransportKind::Plain => "plain WebSocket",
            TransportKind::SocketIo => "Socket.IO",
        }
    }
}

/// One market event from either transport.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent {
    Regime(RegimeSnapshot),
    Alert(RegimeAlert),
    Signal(Signal),
    Price(PriceTick),
}

impl LiveEvent {
    /// The event name on the wire (`regime`, `regime:alert`, `signal`, `price`).
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Regime(_) => "regime",
            LiveEvent::Alert(_) => "regime:alert",
            LiveEvent::Signal(_) => "signal",
            LiveEvent::Price(_) => "price",
        }
    }
}

/// Why a frame was not used. Every rejection is counted and described; none
/// closes the connection by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    /// A short sentence for the health panel, e.g. `frame is not JSON`,
    /// `unknown type "tick"`, `signal: missing field "price"`.
    pub reason: String,
    /// The start of the offending frame (at most 120 chars), for the detail line.
    pub excerpt: String,
}

impl FrameError {
    pub fn new(reason: impl Into<String>, frame: &str) -> Self {
        FrameError {
            reason: reason.into(),
            excerpt: excerpt(frame, 120),
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (frame: {:?})", self.reason, self.excerpt)
    }
}

impl std::error::Error for FrameError {}

/// The first `max` characters of `text`, cut on a char boundary, with `…`
/// when cut.
/// The usable range of Engine.IO's `pingInterval` and `pingTimeout`, ms: 0
/// would reconnect in a loop, a huge value would keep a dead server `Live`.
pub const HEARTBEAT_BOUNDS: (Millis, Millis) = (1_000, 300_000);

/// The most characters of a backend's free text (an error body, a close
/// reason, a note, a label) that the page shows: a person reads a few
/// hundred; a megabyte would freeze the page.
pub const SHOWN_TEXT_MAX: usize = 300;

/// `text` cut to `max` characters, saying how long it was when cut:
/// `"abc… (1048576 characters in all)"`.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((i, _)) => format!(
            "{}… ({} characters in all)",
            &text[..i],
            text.chars().count()
        ),
    }
}

/// Cuts an owned text in place (see [`clip`]); cheap when it is short.
pub fn clip_in_place(text: &mut String) {
    if text.len() > SHOWN_TEXT_MAX {
        let cut = clip(text, SHOWN_TEXT_MAX);
        *text = cut;
    }
}

pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((i, _)) => format!("{}…", &text[..i]),
    }
}

/// Why a live session ended (the socket must then be closed, if still open).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// Socket.IO refused the namespace (CONNECT_ERROR), with the server's
    /// message (object `message` or bare string).
    NamespaceRefused { namespace: String, message: String },
    /// The CONNECT reply had no `sid`: a Socket.IO v2 server (EIO=3).
    SocketIoV2,
    /// The first frame was not an Engine.IO open packet: the server at this
    /// URL does not speak Socket.IO (probably a plain WebSocket).
    NotSocketIo { first_frame: String },
    /// Plain transport, but the first frames look like Engine.IO (`0{"sid"…`):
    /// a Socket.IO server.
    LooksLikeSocketIo { first_frame: String },
    /// Engine.IO: no server ping within pingInterval + pingTimeout.
    HeartbeatTimeout { waited_ms: Millis },
    /// Plain: nothing received for `silence_ms` (pongs or anything else).
    Silence {
        silence_ms: Millis,
        pongs_seen: bool,
    },
    /// The server closed the session (Engine.IO `1`, Socket.IO DISCONNECT).
    ServerClosed,
    /// The open/CONNECT exchange did not finish in time.
    HandshakeTimeout { waited_ms: Millis },
}

/// What a session asks of its caller, or tells it.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionEvent {
    /// Send this text frame on the socket.
    Send(String),
    /// Ready for events: plain, the socket is open; Socket.IO, the namespace
    /// CONNECT was acknowledged. `sid`/`pid` are Socket.IO's, when given.
    Ready {
        sid: Option<String>,
        recovery_pid: Option<String>,
    },
    /// A market event.
    Event(LiveEvent),
    /// A batch frame arrived with this many elements; its events (and the
    /// rejections of its bad elements) follow, in order.
    Batch { elements: usize },
    /// A frame was skipped; count it.
    Rejected(FrameError),
    /// Binary attachments skipped (Socket.IO binary events), counted.
    BinarySkipped { frames: u32 },
    /// A round trip was measured (plain ping/pong), in ms.
    RoundTrip(Millis),
    /// The server sent an error message; not fatal.
    ServerError(String),
    /// The plain server did not answer a ping in time on this connection: the
    /// session stops expecting pongs and only silence counts from now on.
    PongsNotSupported,
    /// The Socket.IO handshake sent a heartbeat timing that cannot work
    /// (`field` is `pingInterval` or `pingTimeout`); `used` is the value
    /// clamped into [`HEARTBEAT_BOUNDS`] that the session uses instead.
    BadHandshake {
        field: &'static str,
        sent: u64,
        used: Millis,
    },
    /// The session is over: close the socket.
    Ended(SessionEnd),
}

#[cfg(test)]
mod clip_tests {
    use super::*;

    #[test]
    fn long_text_is_cut_and_says_its_length() {
        assert_eq!(clip("short", 10), "short");
        let huge = "é".repeat(1_000_000);
        let cut = clip(&huge, SHOWN_TEXT_MAX);
        assert!(cut.starts_with(&"é".repeat(SHOWN_TEXT_MAX)));
        assert!(
            cut.ends_with("… (1000000 characters in all)"),
            "{}",
            &cut[cut.len() - 40..]
        );
        let mut owned = huge.clone();
        clip_in_place(&mut owned);
        assert_eq!(owned, cut);
    }
}
