//! The Socket.IO v4 session (docs/PROTOCOL.md §4, docs/SOCKETIO.md): the
//! Engine.IO handshake, the namespace CONNECT, the server's heartbeat,
//! recovery offsets and binary attachments to skip.

use super::{reject, FIRST_FRAME_EXCERPT};
use crate::live::{excerpt, FrameError, SessionEnd, SessionEvent, HEARTBEAT_BOUNDS};
use crate::model::Subscription;
use crate::token::Token;
use crate::wire::engineio::{self, EngineIoPacket};
use crate::wire::socketio::{self, PacketType, ServerEvent, SocketIoPacket};
use crate::Millis;

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
    /// The backend's token, sent in the CONNECT's auth payload
    /// (`{"token":"…"}`, docs/PROTOCOL.md §2 "Authentication") on every
    /// connection. Defaults to none.
    pub token: Option<Token>,
}

impl Default for SocketIoSessionConfig {
    fn default() -> Self {
        SocketIoSessionConfig {
            namespace: "/signals".to_string(),
            handshake_timeout_ms: 10_000,
            recovery: None,
            token: None,
        }
    }
}

/// A rejection that shows the whole frame, not the part a decoder saw.
fn rejected(error: FrameError, frame: &str) -> SessionEvent {
    SessionEvent::Rejected(FrameError::new(error.reason, frame))
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

/// A Socket.IO v4 connection over a WebSocket (docs/PROTOCOL.md §4).
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
                    let connect = socketio::encode_connect_with(
                        &self.cfg.namespace,
                        self.cfg.token.as_ref().map(Token::expose),
                        self.cfg
                            .recovery
                            .as_ref()
                            .map(|(p, o)| (p.as_str(), o.as_str())),
                    );
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
                    ServerEvent::Batch(Ok(items)) => super::push_batch(items, out),
                    ServerEvent::Batch(Err(reason)) => {
                        out.push(reject(format!("batch: the argument {reason}"), text))
                    }
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
}
