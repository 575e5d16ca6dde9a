//! The plain JSON-envelope session (PROTOCOL.md §3): ready as soon as the
//! socket opens, pings on its own clock, and takes silence for death.

use super::{reject, FIRST_FRAME_EXCERPT};
use crate::live::{excerpt, SessionEnd, SessionEvent};
use crate::model::Subscription;
use crate::wire::engineio;
use crate::wire::plain::{self, PlainServerFrame};
use crate::Millis;

/// The plain transport's timing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlainSessionConfig {
    /// How often the client pings. Defaults to 20 000 ms.
    pub ping_every_ms: Millis,
    /// How long the connection may stay silent (no frame of any kind) before
    /// it is taken for dead. Defaults to 30 000 ms.
    pub silence_ms: Millis,
    /// How long the socket may take to open. Defaults to 10 000 ms.
    pub handshake_timeout_ms: Millis,
}

impl Default for PlainSessionConfig {
    fn default() -> Self {
        PlainSessionConfig {
            ping_every_ms: 20_000,
            silence_ms: 30_000,
            handshake_timeout_ms: 10_000,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlainPhase {
    /// The socket was asked to open.
    Opening,
    /// The socket is open: ready.
    Open,
    /// Ended or closed: silent.
    Over,
}

/// A plain JSON-envelope connection (PROTOCOL.md §3).
#[derive(Clone, Debug)]
pub struct PlainSession {
    cfg: PlainSessionConfig,
    phase: PlainPhase,
    created_at: Millis,
    /// The subscription asked for before the socket opened.
    pending_subscription: Option<Subscription>,
    /// When the last frame of any kind arrived (or the socket opened).
    last_received_at: Millis,
    /// Frames received so far; the first one is checked for Engine.IO.
    frames_received: u64,
    /// When the next ping is due; `None` while pings are stopped.
    next_ping_at: Option<Millis>,
    next_ping_id: u64,
    /// The latest unanswered ping: its id and when it was sent.
    awaiting_pong: Option<(u64, Millis)>,
    pongs_seen: bool,
    pongs_supported: Option<bool>,
}

impl PlainSession {
    pub fn new(now: Millis, cfg: PlainSessionConfig) -> Self {
        PlainSession {
            cfg,
            phase: PlainPhase::Opening,
            created_at: now,
            pending_subscription: None,
            last_received_at: now,
            frames_received: 0,
            next_ping_at: None,
            next_ping_id: 1,
            awaiting_pong: None,
            pongs_seen: false,
            pongs_supported: None,
        }
    }

    pub fn handle_open(&mut self, now: Millis, out: &mut Vec<SessionEvent>) {
        if self.phase != PlainPhase::Opening {
            return;
        }
        self.phase = PlainPhase::Open;
        self.last_received_at = now;
        self.next_ping_at = Some(now.saturating_add(self.cfg.ping_every_ms));
        out.push(SessionEvent::Ready {
            sid: None,
            recovery_pid: None,
        });
        if let Some(sub) = self.pending_subscription.take() {
            out.push(SessionEvent::Send(plain::encode_subscribe(&sub)));
        }
    }

    pub fn handle_text(&mut self, now: Millis, text: &str, out: &mut Vec<SessionEvent>) {
        if !self.received(now, out) {
            return;
        }
        if self.frames_received == 1 && engineio::looks_like_open_packet(text) {
            self.end(
                SessionEnd::LooksLikeSocketIo {
                    first_frame: excerpt(text, FIRST_FRAME_EXCERPT),
                },
                out,
            );
            return;
        }
        match plain::decode_server_frame(text) {
            Ok(PlainServerFrame::Event(event)) => out.push(SessionEvent::Event(event)),
            Ok(PlainServerFrame::Pong { id }) => self.handle_pong(now, id, out),
            Ok(PlainServerFrame::ServerPing { id }) => {
                out.push(SessionEvent::Send(plain::encode_pong(id)))
            }
            Ok(PlainServerFrame::Error { message }) => out.push(SessionEvent::ServerError(message)),
            Ok(PlainServerFrame::Batch(items)) => super::push_batch(items, out),
            Err(error) => out.push(SessionEvent::Rejected(error)),
        }
    }

    pub fn handle_binary(&mut self, now: Millis, len: usize, out: &mut Vec<SessionEvent>) {
        if self.received(now, out) {
            out.push(reject(
                format!("binary frame of {len} bytes: this transport carries JSON text"),
                "",
            ));
        }
    }

    /// Notes a frame's arrival; false when the session is over and the frame
    /// must be ignored. A frame before the open event means the socket is
    /// open after all.
    fn received(&mut self, now: Millis, out: &mut Vec<SessionEvent>) -> bool {
        match self.phase {
            PlainPhase::Over => return false,
            PlainPhase::Opening => self.handle_open(now, out),
            PlainPhase::Open => {}
        }
        self.last_received_at = self.last_received_at.max(now);
        self.frames_received += 1;
        true
    }

    fn handle_pong(&mut self, now: Millis, id: Option<u64>, out: &mut Vec<SessionEvent>) {
        self.pongs_seen = true;
        if self.pongs_supported == Some(false) {
            // A late pong: the backend does answer pings, slowly. Resume.
            self.next_ping_at = Some(now.saturating_add(self.cfg.ping_every_ms));
        }
        self.pongs_supported = Some(true);
        if let Some((ping_id, sent_at)) = self.awaiting_pong {
            if id.is_none() || id == Some(ping_id) {
                self.awaiting_pong = None;
                out.push(SessionEvent::RoundTrip(now.saturating_sub(sent_at)));
            }
        }
    }

    pub fn handle_timeout(&mut self, now: Millis, out: &mut Vec<SessionEvent>) {
        match self.phase {
            PlainPhase::Over => {}
            PlainPhase::Opening => {
                let waited_ms = now.saturating_sub(self.created_at);
                if waited_ms >= self.cfg.handshake_timeout_ms {
                    self.end(SessionEnd::HandshakeTimeout { waited_ms }, out);
                }
            }
            PlainPhase::Open => {
                let silent_for = now.saturating_sub(self.last_received_at);
                if silent_for >= self.cfg.silence_ms {
                    self.end(
                        SessionEnd::Silence {
                            silence_ms: silent_for,
                            pongs_seen: self.pongs_seen,
                        },
                        out,
                    );
                    return;
                }
                let Some(due) = self.next_ping_at else { return };
                if now < due {
                    return;
                }
                if self.awaiting_pong.is_some() && !self.pongs_seen {
                    self.pongs_supported = Some(false);
                    self.next_ping_at = None;
                    out.push(SessionEvent::PongsNotSupported);
                    return;
                }
                let id = self.next_ping_id;
                self.next_ping_id += 1;
                self.awaiting_pong = Some((id, now));
                self.next_ping_at = Some(now.saturating_add(self.cfg.ping_every_ms));
                out.push(SessionEvent::Send(plain::encode_ping(id)));
            }
        }
    }

    pub fn poll_timeout(&self) -> Option<Millis> {
        match self.phase {
            PlainPhase::Over => None,
            PlainPhase::Opening => Some(
                self.created_at
                    .saturating_add(self.cfg.handshake_timeout_ms),
            ),
            PlainPhase::Open => {
                let silence = self.last_received_at.saturating_add(self.cfg.silence_ms);
                Some(self.next_ping_at.map_or(silence, |ping| ping.min(silence)))
            }
        }
    }

    pub fn subscribe(&mut self, sub: &Subscription, out: &mut Vec<SessionEvent>) {
        match self.phase {
            PlainPhase::Open => out.push(SessionEvent::Send(plain::encode_subscribe(sub))),
            PlainPhase::Opening => self.pending_subscription = Some(sub.clone()),
            PlainPhase::Over => {}
        }
    }

    pub fn close(&mut self, _out: &mut Vec<SessionEvent>) {
        self.phase = PlainPhase::Over;
    }

    pub fn is_ready(&self) -> bool {
        self.phase == PlainPhase::Open
    }

    pub fn is_over(&self) -> bool {
        self.phase == PlainPhase::Over
    }

    /// Whether the backend answers pings: `None` until known.
    pub fn pongs_supported(&self) -> Option<bool> {
        self.pongs_supported
    }

    fn end(&mut self, why: SessionEnd, out: &mut Vec<SessionEvent>) {
        self.phase = PlainPhase::Over;
        out.push(SessionEvent::Ended(why));
    }
}
