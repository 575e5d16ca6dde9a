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
//! * [`PlainSession`] (PROTOCOL.md §3): ready as soon as the socket opens;
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

use crate::live::{excerpt, FrameError, SessionEnd, SessionEvent, TransportKind, HEARTBEAT_BOUNDS};
use crate::model::Subscription;
use crate::wire::engineio::{self, EngineIoPacket};
use crate::wire::plain::{self, PlainServerFrame};
use crate::wire::socketio::{self, PacketType, ServerEvent, SocketIoPacket};
use crate::Millis;

/// How much of a first frame a protocol-mismatch diagnosis keeps.
const FIRST_FRAME_EXCERPT: usize = 120;

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

/// The Socket.IO transport's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketIoSessionConfig {
    /// The namespace to join. Defaults to `/signals`; `/` is the root
    /// namespace. A missing leading `/` is added.
    pub namespace: String,
    /// How long the socket open, the Engine.IO open packet and the CONNECT
    /// reply may take together. Defaults to 10 000 ms.
    pub handshake_timeout_ms: Millis,
    /// `(pid, offset)` from the previous connection, to ask the server for
    /// connection-state recovery. Defaults to none.
    pub recovery: Option<(String, String)>,
}

impl Default for SocketIoSessionConfig {
    fn default() -> Self {
        SocketIoSessionConfig {
            namespace: "/signals".to_string(),
            handshake_timeout_ms: 10_000,
            recovery: None,
        }
    }
}

/// A namespace as the wire writes it: starts with `/`; empty is the root.
fn normalize_namespace(namespace: &str) -> String {
    let namespace = namespace.trim();
    if namespace.starts_with('/') {
        namespace.to_string()
    } else {
        format!("/{namespace}")
    }
}

/// A rejection that shows the whole frame, not the part a decoder saw.
fn rejected(error: FrameError, frame: &str) -> SessionEvent {
    SessionEvent::Rejected(FrameError::new(error.reason, frame))
}

fn reject(reason: impl Into<String>, frame: &str) -> SessionEvent {
    SessionEvent::Rejected(FrameError::new(reason, frame))
}

// ---------------------------------------------------------------------------
// The live session, whichever protocol.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Plain.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Socket.IO.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SocketIoPhase {
    /// The socket was asked to open.
    Opening,
    /// The socket is open; the Engine.IO open packet must come first.
    AwaitingOpen,
    /// The namespace CONNECT was sent; waiting for its reply. With recovery,
    /// the server replays missed events here, before the reply.
    AwaitingConnect,
    /// The namespace is joined.
    Ready,
    /// Ended or closed: silent.
    Over,
}

/// A Socket.IO v4 connection over a WebSocket (PROTOCOL.md §4).
#[derive(Clone, Debug)]
pub struct SocketIoSession {
    cfg: SocketIoSessionConfig,
    phase: SocketIoPhase,
    created_at: Millis,
    /// pingInterval + pingTimeout from the open packet, once it came.
    heartbeat_ms: Option<Millis>,
    /// When the last server ping (or the open packet) arrived.
    last_ping_at: Millis,
    sid: Option<String>,
    /// The recovery pid from this connection's CONNECT reply.
    pid: Option<String>,
    /// The offset of the last event seen on this connection.
    last_offset: Option<String>,
    pending_subscription: Option<Subscription>,
    /// A binary packet's attachments still to skip: (left, total).
    skipping: Option<(u32, u32)>,
}

impl SocketIoSession {
    pub fn new(now: Millis, cfg: SocketIoSessionConfig) -> Self {
        let cfg = SocketIoSessionConfig {
            namespace: normalize_namespace(&cfg.namespace),
            ..cfg
        };
        SocketIoSession {
            cfg,
            phase: SocketIoPhase::Opening,
            created_at: now,
            heartbeat_ms: None,
            last_ping_at: now,
            sid: None,
            pid: None,
            last_offset: None,
            pending_subscription: None,
            skipping: None,
        }
    }

    /// The namespace this session joins, as written on the wire.
    pub fn namespace(&self) -> &str {
        &self.cfg.namespace
    }

    /// The Socket.IO session id, once the namespace is joined.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    pub fn handle_open(&mut self, _now: Millis, _out: &mut Vec<SessionEvent>) {
        if self.phase == SocketIoPhase::Opening {
            self.phase = SocketIoPhase::AwaitingOpen;
        }
    }

    pub fn handle_text(&mut self, now: Millis, text: &str, out: &mut Vec<SessionEvent>) {
        match self.phase {
            SocketIoPhase::Over => return,
            SocketIoPhase::Opening => self.handle_open(now, out),
            _ => {}
        }
        if let Some((left, total)) = self.skipping.take() {
            out.push(reject(
                format!("binary packet cut short: a text frame came with {left} of {total} attachments still to come"),
                text,
            ));
        }
        if self.phase == SocketIoPhase::AwaitingOpen {
            match EngineIoPacket::decode(text) {
                Ok(EngineIoPacket::Open(info)) => {
                    let (low, high) = HEARTBEAT_BOUNDS;
                    let mut usable = |field: &'static str, sent: Millis| {
                        let used = sent.clamp(low, high);
                        if used != sent {
                            out.push(SessionEvent::BadHandshake { field, sent, used });
                        }
                        used
                    };
                    let interval = usable("pingInterval", info.ping_interval);
                    let timeout = usable("pingTimeout", info.ping_timeout);
                    self.heartbeat_ms = Some(interval.saturating_add(timeout));
                    self.last_ping_at = now;
                    self.phase = SocketIoPhase::AwaitingConnect;
                    let connect = match &self.cfg.recovery {
                        Some((pid, offset)) => {
                            socketio::encode_connect_with_recovery(&self.cfg.namespace, pid, offset)
                        }
                        None => socketio::encode_connect(&self.cfg.namespace, None),
                    };
                    out.push(SessionEvent::Send(connect));
                }
                _ => self.end(
                    SessionEnd::NotSocketIo {
                        first_frame: excerpt(text, FIRST_FRAME_EXCERPT),
                    },
                    out,
                ),
            }
            return;
        }
        match EngineIoPacket::decode(text) {
            Err(error) => out.push(SessionEvent::Rejected(error)),
            Ok(EngineIoPacket::Open(_)) => out.push(reject("a second Engine.IO open packet", text)),
            Ok(EngineIoPacket::Close) => self.end(SessionEnd::ServerClosed, out),
            Ok(EngineIoPacket::Ping(data)) => {
                self.last_ping_at = self.last_ping_at.max(now);
                out.push(SessionEvent::Send(engineio::encode_pong(data)));
            }
            Ok(EngineIoPacket::Pong(_)) => {
                out.push(reject(
                    "an Engine.IO pong, but this client never pings",
                    text,
                ));
            }
            Ok(EngineIoPacket::Upgrade | EngineIoPacket::Noop) => {}
            Ok(EngineIoPacket::Message(message)) => self.handle_packet(message, text, out),
        }
    }

    /// One Socket.IO packet (`message`), from the frame `text`.
    fn handle_packet(&mut self, message: &str, text: &str, out: &mut Vec<SessionEvent>) {
        let packet = match SocketIoPacket::decode_header(message) {
            Ok(packet) => packet,
            Err(error) => return out.push(rejected(error, text)),
        };
        let ours = packet.namespace == self.cfg.namespace;
        match packet.packet_type {
            PacketType::Connect => self.handle_connect_reply(&packet, ours, text, out),
            PacketType::ConnectError => {
                // While we wait for our CONNECT's answer, any refusal is its
                // answer: we asked for one namespace only.
                if ours || self.phase == SocketIoPhase::AwaitingConnect {
                    if let Err(reason) = packet.check_payload() {
                        out.push(reject(reason, text));
                    }
                    let message = socketio::connect_error_message(packet.payload);
                    let namespace = self.cfg.namespace.clone();
                    self.end(SessionEnd::NamespaceRefused { namespace, message }, out);
                } else {
                    out.push(reject(
                        format!(
                            "CONNECT_ERROR for namespace {:?}, which this client did not ask for",
                            packet.namespace
                        ),
                        text,
                    ));
                }
            }
            PacketType::Disconnect => {
                if ours {
                    self.end(SessionEnd::ServerClosed, out);
                } else {
                    out.push(reject(
                        format!(
                            "DISCONNECT for namespace {:?}, which this client has not joined",
                            packet.namespace
                        ),
                        text,
                    ));
                }
            }
            PacketType::Event => {
                if !ours {
                    return out.push(reject(
                        format!(
                            "event for namespace {:?}, which this client has not joined",
                            packet.namespace
                        ),
                        text,
                    ));
                }
                let Some(payload) = packet.payload else {
                    return out.push(reject("EVENT without an event name", text));
                };
                let decoded = match socketio::decode_event(payload) {
                    Ok(decoded) => decoded,
                    Err(error) => return out.push(rejected(error, text)),
                };
                if decoded.offset.is_some() && self.recovery_active() {
                    self.last_offset = decoded.offset;
                }
                match decoded.event {
                    ServerEvent::Market(event) => out.push(SessionEvent::Event(event)),
                    ServerEvent::Unknown(name) => {
                        out.push(reject(format!("unknown event {name:?}"), text))
                    }
                }
                // The server asked for an acknowledgement: give an empty one, so
                // that its callback does not wait for a timeout.
                if let Some(id) = packet.ack_id {
                    out.push(SessionEvent::Send(socketio::encode_ack(
                        &self.cfg.namespace,
                        id,
                        "[]",
                    )));
                }
            }
            PacketType::Ack => out.push(reject("an ACK, but this client asks for none", text)),
            PacketType::BinaryEvent | PacketType::BinaryAck => {
                if let Err(reason) = packet.check_payload() {
                    out.push(reject(reason, text));
                }
                if packet.attachments == 0 {
                    out.push(SessionEvent::BinarySkipped { frames: 0 });
                } else {
                    self.skipping = Some((packet.attachments, packet.attachments));
                }
            }
        }
    }

    fn handle_connect_reply(
        &mut self,
        packet: &SocketIoPacket<'_>,
        ours: bool,
        text: &str,
        out: &mut Vec<SessionEvent>,
    ) {
        if !ours {
            return out.push(reject(
                format!(
                    "CONNECT for namespace {:?}, which this client did not ask for",
                    packet.namespace
                ),
                text,
            ));
        }
        if self.phase != SocketIoPhase::AwaitingConnect {
            return out.push(reject("a second CONNECT reply for this namespace", text));
        }
        if let Err(reason) = packet.check_payload() {
            return out.push(reject(reason, text));
        }
        let reply = match socketio::decode_connect_reply(packet.payload) {
            Ok(reply) => reply,
            Err(reason) => return out.push(reject(reason, text)),
        };
        let Some(sid) = reply.sid else {
            return self.end(SessionEnd::SocketIoV2, out);
        };
        if reply.pid.is_some()
            && self.cfg.recovery.as_ref().map(|(pid, _)| pid) != reply.pid.as_ref()
        {
            // A new recovery session: offsets replayed under the old pid (if
            // any) do not belong to it.
            self.last_offset = None;
        }
        self.phase = SocketIoPhase::Ready;
        self.sid = Some(sid.clone());
        self.pid = reply.pid.clone();
        out.push(SessionEvent::Ready {
            sid: Some(sid),
            recovery_pid: reply.pid,
        });
        if let Some(sub) = self.pending_subscription.take() {
            out.push(SessionEvent::Send(socketio::encode_subscribe(
                &self.cfg.namespace,
                &sub,
            )));
        }
    }

    /// True when events carry a recovery offset: the CONNECT reply had a pid,
    /// or we asked for recovery and the server is replaying before its reply.
    fn recovery_active(&self) -> bool {
        self.pid.is_some()
            || (self.phase == SocketIoPhase::AwaitingConnect && self.cfg.recovery.is_some())
    }

    pub fn handle_binary(&mut self, now: Millis, len: usize, out: &mut Vec<SessionEvent>) {
        match self.phase {
            SocketIoPhase::Over => return,
            SocketIoPhase::Opening => self.handle_open(now, out),
            _ => {}
        }
        if self.phase == SocketIoPhase::AwaitingOpen {
            let first_frame = format!("(a binary frame of {len} bytes)");
            return self.end(SessionEnd::NotSocketIo { first_frame }, out);
        }
        match self.skipping {
            Some((left, total)) if left > 1 => self.skipping = Some((left - 1, total)),
            Some((_, total)) => {
                self.skipping = None;
                out.push(SessionEvent::BinarySkipped { frames: total });
            }
            None => out.push(reject(
                format!("a binary frame of {len} bytes that no binary packet announced"),
                "",
            )),
        }
    }

    pub fn handle_timeout(&mut self, now: Millis, out: &mut Vec<SessionEvent>) {
        if self.phase == SocketIoPhase::Over {
            return;
        }
        if self.phase != SocketIoPhase::Ready {
            let waited_ms = now.saturating_sub(self.created_at);
            if waited_ms >= self.cfg.handshake_timeout_ms {
                return self.end(SessionEnd::HandshakeTimeout { waited_ms }, out);
            }
        }
        if let Some(heartbeat_ms) = self.heartbeat_ms {
            let waited_ms = now.saturating_sub(self.last_ping_at);
            if waited_ms >= heartbeat_ms {
                self.end(SessionEnd::HeartbeatTimeout { waited_ms }, out);
            }
        }
    }

    pub fn poll_timeout(&self) -> Option<Millis> {
        if self.phase == SocketIoPhase::Over {
            return None;
        }
        let handshake = (self.phase != SocketIoPhase::Ready).then(|| {
            self.created_at
                .saturating_add(self.cfg.handshake_timeout_ms)
        });
        let heartbeat = self
            .heartbeat_ms
            .map(|ms| self.last_ping_at.saturating_add(ms));
        match (handshake, heartbeat) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn subscribe(&mut self, sub: &Subscription, out: &mut Vec<SessionEvent>) {
        match self.phase {
            SocketIoPhase::Ready => out.push(SessionEvent::Send(socketio::encode_subscribe(
                &self.cfg.namespace,
                sub,
            ))),
            SocketIoPhase::Over => {}
            _ => self.pending_subscription = Some(sub.clone()),
        }
    }

    pub fn close(&mut self, out: &mut Vec<SessionEvent>) {
        if matches!(
            self.phase,
            SocketIoPhase::AwaitingConnect | SocketIoPhase::Ready
        ) {
            out.push(SessionEvent::Send(socketio::encode_disconnect(
                &self.cfg.namespace,
            )));
        }
        self.phase = SocketIoPhase::Over;
    }

    pub fn is_ready(&self) -> bool {
        self.phase == SocketIoPhase::Ready
    }

    pub fn is_over(&self) -> bool {
        self.phase == SocketIoPhase::Over
    }

    /// The pid and the last offset for the next connection's recovery: this
    /// connection's, or the ones it was configured with when it got no newer
    /// ones. `None` without both.
    pub fn recovery(&self) -> Option<(String, String)> {
        let configured = self.cfg.recovery.as_ref();
        let pid = self.pid.as_ref().or(configured.map(|(pid, _)| pid))?;
        let offset = match &self.last_offset {
            Some(offset) => offset,
            None => configured
                .filter(|(old_pid, _)| old_pid == pid)
                .map(|(_, offset)| offset)?,
        };
        Some((pid.clone(), offset.clone()))
    }

    fn end(&mut self, why: SessionEnd, out: &mut Vec<SessionEvent>) {
        self.phase = SocketIoPhase::Over;
        self.skipping = None;
        out.push(SessionEvent::Ended(why));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn namespaces_are_written_as_the_wire_wants() {
        for (given, wire) in [
            ("/signals", "/signals"),
            ("signals", "/signals"),
            ("", "/"),
            ("/", "/"),
            (" /a ", "/a"),
        ] {
            assert_eq!(normalize_namespace(given), wire, "{given:?}");
        }
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
