//! Socket.IO protocol 5 packets, carried in Engine.IO 4 messages.
//!
//! Grammar: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
//! The namespace is present only when it is not `/`; it starts with `/` and
//! runs to the next `,` or to the end of the string (`0/random` is valid).
//! See docs/SOCKETIO.md for the vectors that the tests below replay.
//!
//! Decoding happens in two steps so that the hot path reads a frame once:
//! [`SocketIoPacket::decode_header`] splits the packet in place, without
//! reading the JSON; [`SocketIoPacket::decode`] also checks the JSON against
//! what the packet type allows, the way the reference parser does. A session
//! reads EVENT arguments with [`decode_event`], which checks and decodes in
//! the same single pass (event name, then the argument straight into the model
//! type, then an optional recovery offset).
//!
//! Functions named `encode_*` return whole WebSocket text frames, with the
//! Engine.IO message prefix `4` (`40/signals,`); [`SocketIoPacket::encode`]
//! returns the Socket.IO packet alone.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::live::{FrameError, LiveEvent};
use crate::model::Subscription;
use crate::wire::json::{json_error_reason, to_json, MarketEventKind, MarketEventSeed};
use crate::wire::plain::decode_batch;

/// The seven Socket.IO packet types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketType {
    Connect,
    Disconnect,
    Event,
    Ack,
    ConnectError,
    BinaryEvent,
    BinaryAck,
}

impl PacketType {
    /// The type from its digit (`b'0'`…`b'6'`).
    pub fn from_digit(digit: u8) -> Option<Self> {
        Some(match digit {
            b'0' => PacketType::Connect,
            b'1' => PacketType::Disconnect,
            b'2' => PacketType::Event,
            b'3' => PacketType::Ack,
            b'4' => PacketType::ConnectError,
            b'5' => PacketType::BinaryEvent,
            b'6' => PacketType::BinaryAck,
            _ => return None,
        })
    }

    /// The type's digit on the wire.
    pub fn digit(self) -> char {
        match self {
            PacketType::Connect => '0',
            PacketType::Disconnect => '1',
            PacketType::Event => '2',
            PacketType::Ack => '3',
            PacketType::ConnectError => '4',
            PacketType::BinaryEvent => '5',
            PacketType::BinaryAck => '6',
        }
    }

    /// The type's name in the specification (`CONNECT_ERROR`).
    pub fn name(self) -> &'static str {
        match self {
            PacketType::Connect => "CONNECT",
            PacketType::Disconnect => "DISCONNECT",
            PacketType::Event => "EVENT",
            PacketType::Ack => "ACK",
            PacketType::ConnectError => "CONNECT_ERROR",
            PacketType::BinaryEvent => "BINARY_EVENT",
            PacketType::BinaryAck => "BINARY_ACK",
        }
    }

    /// True for the types followed by binary attachments.
    pub fn is_binary(self) -> bool {
        matches!(self, PacketType::BinaryEvent | PacketType::BinaryAck)
    }
}

/// Event names that a server may not use: the client library's own events.
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// One Socket.IO packet, borrowed from the frame it came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketIoPacket<'a> {
    pub packet_type: PacketType,
    /// How many binary frames follow (binary types only; 0 otherwise).
    pub attachments: u32,
    /// The namespace; `/` when the packet names none.
    pub namespace: &'a str,
    /// The acknowledgement id, when the sender wants one.
    pub ack_id: Option<u64>,
    /// The JSON payload as it came, if any.
    pub payload: Option<&'a str>,
}

impl<'a> SocketIoPacket<'a> {
    /// Reads a packet (the Engine.IO message data, without its `4`) and checks
    /// its payload as the reference parser does: CONNECT takes an object,
    /// CONNECT_ERROR an object or a string, EVENT a non-empty array whose first
    /// element is a non-reserved name or a number, ACK an array.
    pub fn decode(text: &'a str) -> Result<Self, FrameError> {
        let packet = Self::decode_header(text)?;
        packet
            .check_payload()
            .map_err(|reason| FrameError::new(reason, text))?;
        Ok(packet)
    }

    /// Splits a packet into its parts without reading its JSON.
    pub fn decode_header(text: &'a str) -> Result<Self, FrameError> {
        let fail = |reason: String| FrameError::new(reason, text);
        let b = text.as_bytes();
        let Some(&first) = b.first() else {
            return Err(fail("empty Socket.IO packet".to_string()));
        };
        let Some(packet_type) = PacketType::from_digit(first) else {
            let c = text.chars().next().unwrap_or('\u{fffd}');
            return Err(fail(format!("unknown Socket.IO packet type {c:?}")));
        };
        // Every index below moves over ASCII bytes only (digits, `-`, `/`,
        // `,`) or stops before a `,`, so each slice starts and ends on a
        // character boundary.
        let mut i = 1;
        let mut attachments = 0;
        if packet_type.is_binary() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start || b.get(i) != Some(&b'-') {
                return Err(fail(format!(
                    "{}: the attachment count must be digits followed by \"-\"",
                    packet_type.name()
                )));
            }
            attachments = text[start..i].parse::<u32>().map_err(|_| {
                fail(format!(
                    "{}: attachment count too large",
                    packet_type.name()
                ))
            })?;
            i += 1;
        }
        let namespace = if b.get(i) == Some(&b'/') {
            let start = i;
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            let namespace = &text[start..i];
            if i < b.len() {
                i += 1;
            }
            namespace
        } else {
            "/"
        };
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let ack_id = if i > start {
            Some(
                text[start..i]
                    .parse::<u64>()
                    .map_err(|_| fail("ack id too large".to_string()))?,
            )
        } else {
            None
        };
        let payload = if i < b.len() { Some(&text[i..]) } else { None };
        Ok(SocketIoPacket {
            packet_type,
            attachments,
            namespace,
            ack_id,
            payload,
        })
    }

    /// Checks the payload against what the packet type allows.
    pub fn check_payload(&self) -> Result<(), String> {
        let name = self.packet_type.name();
        let Some(payload) = self.payload else {
            return match self.packet_type {
                PacketType::Event | PacketType::BinaryEvent => {
                    Err(format!("{name} without an event name"))
                }
                _ => Ok(()),
            };
        };
        let first = payload.trim_start().as_bytes().first().copied();
        let allowed = match self.packet_type {
            PacketType::Connect => matches!(first, Some(b'{')),
            // The reference parser refuses any DISCONNECT payload, but
            // python-socketio sends `1/admin,{}`: a tolerant client accepts any
            // JSON there and ignores it.
            PacketType::Disconnect => true,
            PacketType::ConnectError => matches!(first, Some(b'{' | b'"')),
            PacketType::Event | PacketType::BinaryEvent => {
                if first != Some(b'[') {
                    return Err(format!("{name} payload must be an array"));
                }
                return check_event_array(payload)
                    .map_err(|reason| format!("{name} payload: {reason}"));
            }
            PacketType::Ack | PacketType::BinaryAck => matches!(first, Some(b'[')),
        };
        if let Err(e) = serde_json::from_str::<IgnoredAny>(payload) {
            return Err(format!(
                "{name} payload is not JSON: {}",
                json_error_reason(&e)
            ));
        }
        if allowed {
            Ok(())
        } else {
            Err(format!(
                "{name} payload must be {}",
                match self.packet_type {
                    PacketType::Connect => "an object",
                    PacketType::ConnectError => "an object or a string",
                    _ => "an array",
                }
            ))
        }
    }

    /// The packet as text, without the Engine.IO `4`.
    pub fn encode(&self) -> String {
        let mut s =
            String::with_capacity(16 + self.namespace.len() + self.payload.map_or(0, str::len));
        s.push(self.packet_type.digit());
        if self.packet_type.is_binary() {
            s.push_str(&self.attachments.to_string());
            s.push('-');
        }
        if !self.namespace.is_empty() && self.namespace != "/" {
            s.push_str(self.namespace);
            s.push(',');
        }
        if let Some(id) = self.ack_id {
            s.push_str(&id.to_string());
        }
        if let Some(payload) = self.payload {
            s.push_str(payload);
        }
        s
    }
}

/// Shorthand for [`SocketIoPacket::decode`].
pub fn decode_packet(text: &str) -> Result<SocketIoPacket<'_>, FrameError> {
    SocketIoPacket::decode(text)
}

// ---------------------------------------------------------------------------
// EVENT arguments.
// ---------------------------------------------------------------------------

/// An event name: a string that is not reserved, or a number.
enum EventName<'de> {
    Text(Cow<'de, str>),
    Number(String),
}

impl<'de> Deserialize<'de> for EventName<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> V {
            fn text<E: de::Error>(name: Cow<'de, str>) -> Result<EventName<'de>, E> {
                if RESERVED_EVENTS.contains(&&*name) {
                    Err(E::custom(format!("reserved event name {name:?}")))
                } else {
                    Ok(EventName::Text(name))
                }
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = EventName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event name (a string or a number)")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<EventName<'de>, E> {
                V::text(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EventName<'de>, E> {
                V::text(Cow::Owned(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<EventName<'de>, E> {
                Ok(EventName::Number(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<EventName<'de>, E> {
                Ok(EventName::Number(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<EventName<'de>, E> {
                Ok(EventName::Number(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An argument after the event's data: kept when it is a string (it may be a
/// recovery offset), skipped unread otherwise.
struct TrailingArgument(Option<String>);

impl<'de> Deserialize<'de> for TrailingArgument {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TrailingArgument;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TrailingArgument, E> {
                Ok(TrailingArgument(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<TrailingArgument, E> {
                Ok(TrailingArgument(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<TrailingArgument, E> {
                Ok(TrailingArgument(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<TrailingArgument, E> {
                Ok(TrailingArgument(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<TrailingArgument, E> {
                Ok(TrailingArgument(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<TrailingArgument, E> {
                Ok(TrailingArgument(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<TrailingArgument, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TrailingArgument(None))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TrailingArgument, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TrailingArgument(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// What a server EVENT carried.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerEvent {
    /// One of the four market events, decoded.
    Market(LiveEvent),
    /// The event `batch` (docs/PROTOCOL.md §4): its one argument, an array of
    /// envelopes, read element by element as [`crate::wire::plain::decode_batch`]
    /// does; `Err` when the argument is not an array (the end of a sentence).
    Batch(Result<Vec<Result<LiveEvent, FrameError>>, String>),
    /// An event this client does not know, by name (numbers as text).
    Unknown(String),
}

/// A server EVENT's arguments, decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedEvent {
    pub event: ServerEvent,
    /// The last argument after the event's data, when it is a string. With
    /// connection-state recovery on, that is the event's offset; without, it
    /// means nothing and is ignored.
    pub offset: Option<String>,
}

struct EventVisitor<'c> {
    decoding: &'c Cell<Option<MarketEventKind>>,
}

impl<'de> Visitor<'de> for EventVisitor<'_> {
    type Value = DecodedEvent;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-empty array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DecodedEvent, A::Error> {
        let name = seq
            .next_element::<EventName>()?
            .ok_or_else(|| de::Error::custom("the array is empty: an event needs a name"))?;
        let kind = match &name {
            EventName::Text(text) => MarketEventKind::from_name(text),
            EventName::Number(_) => None,
        };
        let is_batch = matches!(&name, EventName::Text(text) if text == "batch");
        let event = match kind {
            None if is_batch => {
                let array = seq
                    .next_element::<&'de RawValue>()?
                    .ok_or_else(|| de::Error::custom("the event has no argument"))?;
                ServerEvent::Batch(decode_batch(array.get()))
            }
            Some(kind) => {
                self.decoding.set(Some(kind));
                let event = seq
                    .next_element_seed(MarketEventSeed(kind))?
                    .ok_or_else(|| de::Error::custom("the event has no argument"))?;
                self.decoding.set(None);
                ServerEvent::Market(event)
            }
            None => ServerEvent::Unknown(match name {
                EventName::Text(text) => text.into_owned(),
                EventName::Number(number) => number,
            }),
        };
        let mut offset = None;
        while let Some(TrailingArgument(arg)) = seq.next_element()? {
            offset = arg;
        }
        Ok(DecodedEvent { event, offset })
    }
}

/// Reads a server EVENT's argument array (the payload of `42…`) in one pass:
/// checks the name as [`SocketIoPacket::decode`] would, decodes a market
/// event's first argument straight into its model type, and keeps a trailing
/// string argument as a possible recovery offset. Extra arguments are
/// ignored. Reasons name the event: `signal: missing field "price"`.
pub fn decode_event(payload: &str) -> Result<DecodedEvent, FrameError> {
    let decoding = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(payload);
    let result = de
        .deserialize_seq(EventVisitor {
            decoding: &decoding,
        })
        .and_then(|event| de.end().map(|()| event));
    result.map_err(|e| {
        let reason = json_error_reason(&e);
        let reason = if e.is_syntax() || e.is_eof() {
            format!("EVENT payload is not JSON: {reason}")
        } else if let Some(kind) = decoding.get() {
            format!("{}: {reason}", kind.name())
        } else {
            format!("invalid EVENT payload: {reason}")
        };
        FrameError::new(reason, payload)
    })
}

/// Checks an EVENT array without decoding its arguments.
fn check_event_array(payload: &str) -> Result<(), String> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a non-empty array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            seq.next_element::<EventName>()?
                .ok_or_else(|| de::Error::custom("the array is empty: an event needs a name"))?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(payload);
    de.deserialize_seq(V).and_then(|()| de.end()).map_err(|e| {
        let reason = json_error_reason(&e);
        if e.is_syntax() || e.is_eof() {
            format!("not JSON: {reason}")
        } else {
            reason
        }
    })
}

// ---------------------------------------------------------------------------
// CONNECT replies and CONNECT_ERROR.
// ---------------------------------------------------------------------------

/// The server's answer to our CONNECT.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ConnectReply {
    /// The Socket.IO session id; absent from a Socket.IO v2 server.
    #[serde(default)]
    pub sid: Option<String>,
    /// The recovery session id, when the server has connection-state
    /// recovery on.
    #[serde(default)]
    pub pid: Option<String>,
}

/// Reads a CONNECT reply's payload (`{"sid":…,"pid":…}`, or nothing from a
/// v2 server).
pub fn decode_connect_reply(payload: Option<&str>) -> Result<ConnectReply, String> {
    match payload {
        None => Ok(ConnectReply::default()),
        Some(json) => serde_json::from_str::<ConnectReply>(json)
            .map_err(|e| format!("CONNECT reply: {}", json_error_reason(&e))),
    }
}

/// The message of a CONNECT_ERROR: the object's `message` (Node), or the
/// bare string (python-socketio).
pub fn connect_error_message(payload: Option<&str>) -> String {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Refusal {
        Text(String),
        Object { message: Option<String> },
    }
    match payload.map(serde_json::from_str::<Refusal>) {
        Some(Ok(Refusal::Text(text))) if !text.is_empty() => text,
        Some(Ok(Refusal::Object {
            message: Some(text),
        })) if !text.is_empty() => text,
        _ => "the server gave no reason".to_string(),
    }
}

// ---------------------------------------------------------------------------
// Frames this client sends.
// ---------------------------------------------------------------------------

/// A whole WebSocket frame: the Engine.IO `4`, then the Socket.IO packet.
fn frame(
    packet_type: PacketType,
    namespace: &str,
    ack_id: Option<u64>,
    payload: Option<&str>,
) -> String {
    let packet = SocketIoPacket {
        packet_type,
        attachments: 0,
        namespace,
        ack_id,
        payload,
    };
    format!("4{}", packet.encode())
}

/// CONNECT to a namespace: `40/signals,`, or `40/signals,{"token":"…"}` with
/// an auth object (JSON text). The root namespace gives `40` / `40{…}`.
pub fn encode_connect(namespace: &str, auth: Option<&str>) -> String {
    frame(PacketType::Connect, namespace, None, auth)
}

/// CONNECT asking for connection-state recovery:
/// `40/signals,{"pid":"…","offset":"…"}`.
pub fn encode_connect_with_recovery(namespace: &str, pid: &str, offset: &str) -> String {
    let auth = format!(r#"{{"pid":{},"offset":{}}}"#, to_json(pid), to_json(offset));
    encode_connect(namespace, Some(&auth))
}

/// CONNECT with whatever auth payload applies: the backend's token
/// (`{"token":"…"}`, docs/PROTOCOL.md §2), connection-state recovery
/// (`{"pid":"…","offset":"…"}`), both in one object, or none
/// (`40/signals,`).
pub fn encode_connect_with(
    namespace: &str,
    token: Option<&str>,
    recovery: Option<(&str, &str)>,
) -> String {
    let mut fields = Vec::new();
    if let Some(token) = token {
        fields.push(format!(r#""token":{}"#, to_json(token)));
    }
    if let Some((pid, offset)) = recovery {
        fields.push(format!(
            r#""pid":{},"offset":{}"#,
            to_json(pid),
            to_json(offset)
        ));
    }
    if fields.is_empty() {
        encode_connect(namespace, None)
    } else {
        encode_connect(namespace, Some(&format!("{{{}}}", fields.join(","))))
    }
}

/// An EVENT with one argument (JSON text): `42/signals,["name",{…}]`.
pub fn encode_event(namespace: &str, name: &str, argument: &str) -> String {
    let payload = format!("[{},{argument}]", to_json(name));
    frame(PacketType::Event, namespace, None, Some(&payload))
}

/// `42/signals,["subscribe",{"symbols":[…],"timeframes":[…]}]`.
pub fn encode_subscribe(namespace: &str, sub: &Subscription) -> String {
    let argument = to_json(sub);
    encode_event(namespace, "subscribe", &argument)
}

/// An ACK with these arguments (a JSON array): `43/signals,12[]`.
pub fn encode_ack(namespace: &str, ack_id: u64, arguments: &str) -> String {
    frame(PacketType::Ack, namespace, Some(ack_id), Some(arguments))
}

/// DISCONNECT from a namespace: `41/signals,` (root: `41`).
pub fn encode_disconnect(namespace: &str) -> String {
    frame(PacketType::Disconnect, namespace, None, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    #[test]
    fn the_connect_packet_carries_the_token_and_recovery_in_one_auth_object() {
        let cases = [
            ("/signals", None, None, "40/signals,"),
            ("/signals", Some("t"), None, r#"40/signals,{"token":"t"}"#),
            ("/", Some("a\"b"), None, r#"40{"token":"a\"b"}"#),
            (
                "/signals",
                Some("t"),
                Some(("p", "o")),
                r#"40/signals,{"token":"t","pid":"p","offset":"o"}"#,
            ),
            (
                "/signals",
                None,
                Some(("p", "o")),
                r#"40/signals,{"pid":"p","offset":"o"}"#,
            ),
        ];
        for (ns, token, recovery, frame) in cases {
            assert_eq!(encode_connect_with(ns, token, recovery), frame);
        }
    }

    fn packet<'a>(
        packet_type: PacketType,
        attachments: u32,
        namespace: &'a str,
        ack_id: Option<u64>,
        payload: Option<&'a str>,
    ) -> SocketIoPacket<'a> {
        SocketIoPacket {
            packet_type,
            attachments,
            namespace,
            ack_id,
            payload,
        }
    }

    /// Decodes a whole frame (`4…`), as the tables of docs/SOCKETIO.md write it.
    fn check(frame: &str, expect: Option<SocketIoPacket<'_>>) {
        let inner = frame.strip_prefix('4').unwrap_or(frame);
        let got = SocketIoPacket::decode(inner);
        match (&got, &expect) {
            (Ok(g), Some(e)) => assert_eq!(g, e, "{frame}"),
            (Err(_), None) => {}
            _ => panic!("{frame}: got {got:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn the_accepted_vectors_of_socketio_md() {
        use PacketType::*;
        check("40", Some(packet(Connect, 0, "/", None, None)));
        check(
            r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
            Some(packet(
                Connect,
                0,
                "/",
                None,
                Some(r#"{"sid":"wZX3oN0bSVIhsaknAAAI"}"#),
            )),
        );
        check("40/admin,", Some(packet(Connect, 0, "/admin", None, None)));
        check(
            r#"40/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
            Some(packet(
                Connect,
                0,
                "/admin",
                None,
                Some(r#"{"sid":"oSO0OpakMV_3jnilAAAA"}"#),
            )),
        );
        check("40/random", Some(packet(Connect, 0, "/random", None, None)));
        check(
            r#"44/random,{"message":"Invalid namespace"}"#,
            Some(packet(
                ConnectError,
                0,
                "/random",
                None,
                Some(r#"{"message":"Invalid namespace"}"#),
            )),
        );
        check(
            r#"44/signals,"Unable to connect""#,
            Some(packet(
                ConnectError,
                0,
                "/signals",
                None,
                Some(r#""Unable to connect""#),
            )),
        );
        check(
            r#"44{"message":"Not authorized"}"#,
            Some(packet(
                ConnectError,
                0,
                "/",
                None,
                Some(r#"{"message":"Not authorized"}"#),
            )),
        );
        check(
            r#"42["foo"]"#,
            Some(packet(Event, 0, "/", None, Some(r#"["foo"]"#))),
        );
        check(
            r#"42/admin,["bar"]"#,
            Some(packet(Event, 0, "/admin", None, Some(r#"["bar"]"#))),
        );
        check(
            r#"42["hey","Jude"]"#,
            Some(packet(Event, 0, "/", None, Some(r#"["hey","Jude"]"#))),
        );
        check(
            r#"4212["foo"]"#,
            Some(packet(Event, 0, "/", Some(12), Some(r#"["foo"]"#))),
        );
        check(
            r#"42/admin,1["tellme"]"#,
            Some(packet(Event, 0, "/admin", Some(1), Some(r#"["tellme"]"#))),
        );
        check(
            r#"42/signals,0["hello"]"#,
            Some(packet(Event, 0, "/signals", Some(0), Some(r#"["hello"]"#))),
        );
        check(
            r#"43/admin,13["bar"]"#,
            Some(packet(Ack, 0, "/admin", Some(13), Some(r#"["bar"]"#))),
        );
        check(
            r#"43456[1,"2",{"3":[false]}]"#,
            Some(packet(
                Ack,
                0,
                "/",
                Some(456),
                Some(r#"[1,"2",{"3":[false]}]"#),
            )),
        );
        check("4312[]", Some(packet(Ack, 0, "/", Some(12), Some("[]"))));
        check("41", Some(packet(Disconnect, 0, "/", None, None)));
        check(
            "41/admin,",
            Some(packet(Disconnect, 0, "/admin", None, None)),
        );
        check(
            r#"451-["baz",{"_placeholder":true,"num":0}]"#,
            Some(packet(
                BinaryEvent,
                1,
                "/",
                None,
                Some(r#"["baz",{"_placeholder":true,"num":0}]"#),
            )),
        );
        check(
            r#"461-/admin,1[{"_placeholder":true,"num":0}]"#,
            Some(packet(
                BinaryAck,
                1,
                "/admin",
                Some(1),
                Some(r#"[{"_placeholder":true,"num":0}]"#),
            )),
        );
        check(
            r#"40/signals,{"sid":"abc","pid":"def"}"#,
            Some(packet(
                Connect,
                0,
                "/signals",
                None,
                Some(r#"{"sid":"abc","pid":"def"}"#),
            )),
        );
        check(
            r#"42/signals,["regime",{"x":1},"MzUPkW0"]"#,
            Some(packet(
                Event,
                0,
                "/signals",
                None,
                Some(r#"["regime",{"x":1},"MzUPkW0"]"#),
            )),
        );
        // The reference parser rejects a DISCONNECT with a payload, but
        // python-socketio sends one: this client is tolerant and accepts it.
        check(
            "41/admin,{}",
            Some(packet(Disconnect, 0, "/admin", None, Some("{}"))),
        );
    }

    #[test]
    fn the_rejected_vectors_of_socketio_md() {
        for text in [
            r#"42["some","data""#,
            r#"0/admin,"invalid""#,
            "0[]",
            r#"2/admin,"invalid"#,
            "2/admin,{}",
            r#"2[true,"foo"]"#,
            r#"2[null,"bar"]"#,
            r#"2["connect"]"#,
            r#"2["disconnect","123"]"#,
            "2[]",
            "5",
            "51",
            "5a-",
            "51.23-",
            "999",
        ] {
            match SocketIoPacket::decode(text) {
                Err(e) => assert!(!e.reason.is_empty()),
                Ok(p) => panic!("{text:?} was accepted as {p:?}"),
            }
        }
    }

    #[test]
    fn rejection_reasons() {
        let reason = |text: &str| {
            SocketIoPacket::decode(text)
                .map(|_| ())
                .expect_err(text)
                .reason
        };
        assert_eq!(reason(""), "empty Socket.IO packet");
        assert_eq!(reason("9"), "unknown Socket.IO packet type '9'");
        assert_eq!(reason("0[]"), "CONNECT payload must be an object");
        assert_eq!(
            reason("2[]"),
            "EVENT payload: the array is empty: an event needs a name"
        );
        assert_eq!(
            reason(r#"2["connect"]"#),
            r#"EVENT payload: reserved event name "connect""#
        );
        assert!(reason(r#"2[true]"#).starts_with("EVENT payload: invalid type: boolean"));
        assert!(reason(r#"2["a""#).starts_with("EVENT payload: not JSON: EOF"));
        assert_eq!(reason("2/admin,{}"), "EVENT payload must be an array");
        assert_eq!(reason("2"), "EVENT without an event name");
        assert_eq!(reason("3{}"), "ACK payload must be an array");
        assert_eq!(
            reason("4[1]"),
            "CONNECT_ERROR payload must be an object or a string"
        );
        assert_eq!(
            reason("5"),
            r#"BINARY_EVENT: the attachment count must be digits followed by "-""#
        );
        assert_eq!(
            reason("599999999999-[\"a\"]"),
            "BINARY_EVENT: attachment count too large"
        );
        assert_eq!(reason("2123456789012345678901[\"a\"]"), "ack id too large");
        assert!(reason("0{").starts_with("CONNECT payload is not JSON: EOF"));
    }

    #[test]
    fn numbers_are_event_names_too() {
        check(
            "2[42]",
            Some(packet(PacketType::Event, 0, "/", None, Some("[42]"))),
        );
        let decoded = decode_event(r#"[42,"x"]"#).expect("a numeric event name");
        assert_eq!(decoded.event, ServerEvent::Unknown("42".into()));
    }

    #[test]
    fn encode_round_trips_every_accepted_vector() {
        for text in [
            "0",
            r#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
            "0/admin,",
            r#"4/random,{"message":"Invalid namespace"}"#,
            r#"2/admin,1["tellme"]"#,
            r#"3456[1,"2",{"3":[false]}]"#,
            "1/admin,",
            r#"51-["baz",{"_placeholder":true,"num":0}]"#,
            r#"61-/admin,1[{"_placeholder":true,"num":0}]"#,
        ] {
            let packet = SocketIoPacket::decode(text).expect(text);
            assert_eq!(packet.encode(), text);
        }
        // `0/random` has no comma; written back it gets the canonical one.
        assert_eq!(
            SocketIoPacket::decode("0/random").expect("valid").encode(),
            "0/random,"
        );
    }

    #[test]
    fn client_frames() {
        assert_eq!(encode_connect("/signals", None), "40/signals,");
        assert_eq!(encode_connect("/", None), "40");
        assert_eq!(
            encode_connect("/signals", Some(r#"{"token":"t"}"#)),
            r#"40/signals,{"token":"t"}"#
        );
        assert_eq!(
            encode_connect_with_recovery("/signals", "def", "MzUPkW0"),
            r#"40/signals,{"pid":"def","offset":"MzUPkW0"}"#
        );
        assert_eq!(
            encode_connect_with_recovery("/", "a\"b", "c"),
            r#"40{"pid":"a\"b","offset":"c"}"#
        );
        let sub = Subscription {
            symbols: vec!["BTCUSDT".into()],
            timeframes: vec!["1h".into()],
            batch: false,
        };
        assert_eq!(
            encode_subscribe("/signals", &sub),
            r#"42/signals,["subscribe",{"symbols":["BTCUSDT"],"timeframes":["1h"]}]"#
        );
        assert_eq!(
            encode_subscribe("/", &sub),
            r#"42["subscribe",{"symbols":["BTCUSDT"],"timeframes":["1h"]}]"#
        );
        assert_eq!(encode_disconnect("/signals"), "41/signals,");
        assert_eq!(encode_disconnect("/"), "41");
        assert_eq!(encode_ack("/signals", 12, "[]"), "43/signals,12[]");
        // What we send, we can read.
        let sent = encode_subscribe("/signals", &sub);
        let packet = SocketIoPacket::decode(&sent[1..]).expect("our own frame");
        assert_eq!(
            (packet.packet_type, packet.namespace),
            (PacketType::Event, "/signals")
        );
    }

    #[test]
    fn connect_replies_and_refusals() {
        assert_eq!(
            decode_connect_reply(Some(r#"{"sid":"abc","pid":"def"}"#)),
            Ok(ConnectReply {
                sid: Some("abc".into()),
                pid: Some("def".into())
            })
        );
        assert_eq!(
            decode_connect_reply(Some(r#"{"sid":"abc"}"#)),
            Ok(ConnectReply {
                sid: Some("abc".into()),
                pid: None
            })
        );
        assert_eq!(decode_connect_reply(None), Ok(ConnectReply::default()));
        assert_eq!(
            decode_connect_reply(Some("{}")),
            Ok(ConnectReply::default())
        );
        assert!(decode_connect_reply(Some(r#"{"sid":5}"#)).is_err());
        assert_eq!(
            connect_error_message(Some(r#"{"message":"Invalid namespace"}"#)),
            "Invalid namespace"
        );
        assert_eq!(
            connect_error_message(Some(r#"{"message":"No","data":{"x":1}}"#)),
            "No"
        );
        assert_eq!(
            connect_error_message(Some(r#""Unable to connect""#)),
            "Unable to connect"
        );
        assert_eq!(
            connect_error_message(Some("{}")),
            "the server gave no reason"
        );
        assert_eq!(connect_error_message(None), "the server gave no reason");
    }

    #[test]
    fn market_events_in_one_pass() {
        let payload = r#"["price",{"symbol":"BTCUSDT","price":64251.0,"timestamp":1760014800000}]"#;
        let decoded = decode_event(payload).expect("a price event");
        assert_eq!(
            decoded,
            DecodedEvent {
                event: ServerEvent::Market(LiveEvent::Price(crate::model::PriceTick {
                    symbol: "BTCUSDT".into(),
                    price: 64251.0,
                    timestamp: Timestamp(1_760_014_800_000),
                })),
                offset: None,
            }
        );
        let with_offset = r#"["price",{"symbol":"B","price":1,"timestamp":0},"MzUPkW0"]"#;
        assert_eq!(
            decode_event(with_offset).expect("valid").offset.as_deref(),
            Some("MzUPkW0")
        );
        let unknown = decode_event(r#"["hello",{"a":[1,{"b":2}]},"off"]"#).expect("valid");
        assert_eq!(
            (unknown.event, unknown.offset.as_deref()),
            (ServerEvent::Unknown("hello".into()), Some("off"))
        );
        let escaped = decode_event(r#"["pri\u0063e",{"symbol":"B","price":1,"timestamp":0}]"#)
            .expect("valid");
        assert!(matches!(
            escaped.event,
            ServerEvent::Market(LiveEvent::Price(_))
        ));
    }

    #[test]
    fn event_errors_name_the_event() {
        let reason = |payload: &str| decode_event(payload).map(|_| ()).expect_err(payload).reason;
        assert_eq!(
            reason(
                r#"["signal",{"id":1,"symbol":"B","timeframe":"1h","side":"long","timestamp":0}]"#
            ),
            r#"signal: missing field "price""#
        );
        assert_eq!(reason(r#"["signal"]"#), "signal: the event has no argument");
        assert!(reason(r#"["signal","text"]"#).starts_with("signal: invalid type: string"));
        assert_eq!(
            reason("[]"),
            "invalid EVENT payload: the array is empty: an event needs a name"
        );
        assert_eq!(
            reason(r#"["disconnect"]"#),
            r#"invalid EVENT payload: reserved event name "disconnect""#
        );
        assert!(reason("{}").starts_with("invalid EVENT payload: invalid type: map"));
        assert!(reason(r#"["signal",{"id":1"#).starts_with("EVENT payload is not JSON: EOF"));
        assert!(
            reason(r#"["a"] ["b"]"#).starts_with("EVENT payload is not JSON: trailing characters")
        );
    }
}
