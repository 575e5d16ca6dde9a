//! Engine.IO protocol 4 packets, as they travel over a WebSocket.
//!
//! One packet per text frame; its first character is the packet type (`0`
//! open, `1` close, `2` ping, `3` pong, `4` message, `5` upgrade, `6` noop) and
//! the rest is its data. Binary frames are raw message data without a type
//! byte; this module does not see them. See docs/SOCKETIO.md.
//!
//! Decoding borrows from the frame: a [`EngineIoPacket::Message`] is a slice
//! of the text it came in, so the Socket.IO layer above reads it in place.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::live::FrameError;
use crate::wire::json::{json_error_reason, to_json};
use crate::Millis;

/// The data of an Engine.IO open packet (`0{"sid":…}`), the server's half of
/// the handshake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenInfo {
    /// The Engine.IO session id. This client never sends it back: every
    /// reconnect is a fresh handshake.
    pub sid: String,
    /// Transports the server could upgrade to; empty on a WebSocket.
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// How often the server pings, in milliseconds.
    #[serde(deserialize_with = "lenient_millis")]
    pub ping_interval: Millis,
    /// How long the server waits for a pong, in milliseconds.
    #[serde(deserialize_with = "lenient_millis")]
    pub ping_timeout: Millis,
    /// The largest frame the server accepts, in bytes. Missing on servers
    /// older than socket.io 4.5 / python-engineio 4.11, which still speak
    /// protocol 4: its absence is not a sign of an old protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload: Option<u64>,
}

/// Reads a duration in milliseconds: a non-negative integer, or a finite
/// non-negative float (rounded), since some servers write `25000.0`.
fn lenient_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Millis;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a duration in milliseconds")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
            u64::try_from(v).map_err(|_| E::custom("duration is negative"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Millis, E> {
            if v.is_finite() && (0.0..1.0e15).contains(&v) {
                Ok(v.round() as Millis)
            } else {
                Err(E::custom("duration out of range"))
            }
        }
    }
    d.deserialize_any(V)
}

/// One Engine.IO packet. Text data is borrowed from the frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineIoPacket<'a> {
    /// `0{…}`: the handshake; always the first frame a server sends.
    Open(OpenInfo),
    /// `1`: the server closes the session.
    Close,
    /// `2` or `2probe`: a heartbeat ping, with its optional data.
    Ping(Option<&'a str>),
    /// `3` or `3probe`: the answer to a ping, with the ping's data.
    Pong(Option<&'a str>),
    /// `4…`: a message; for Socket.IO, one Socket.IO packet.
    Message(&'a str),
    /// `5`: transport upgrade (polling only; seen here only from odd servers).
    Upgrade,
    /// `6`: nothing; ignored.
    Noop,
}

impl<'a> EngineIoPacket<'a> {
    /// Reads one text frame. Empty frames, unknown type characters and open
    /// packets whose JSON is not a valid handshake are errors; data after the
    /// type of a close, upgrade or noop packet is ignored, as the reference
    /// parser does.
    pub fn decode(text: &'a str) -> Result<Self, FrameError> {
        let Some(&first) = text.as_bytes().first() else {
            return Err(FrameError::new(
                "empty frame: not an Engine.IO packet",
                text,
            ));
        };
        // The type byte is ASCII whenever it is valid, so `text[1..]` below
        // starts on a character boundary.
        let data = || {
            if text.len() > 1 {
                Some(&text[1..])
            } else {
                None
            }
        };
        match first {
            b'0' => decode_open(&text[1..])
                .map(EngineIoPacket::Open)
                .map_err(|reason| FrameError::new(reason, text)),
            b'1' => Ok(EngineIoPacket::Close),
            b'2' => Ok(EngineIoPacket::Ping(data())),
            b'3' => Ok(EngineIoPacket::Pong(data())),
            b'4' => Ok(EngineIoPacket::Message(&text[1..])),
            b'5' => Ok(EngineIoPacket::Upgrade),
            b'6' => Ok(EngineIoPacket::Noop),
            _ => {
                let c = text.chars().next().unwrap_or('\u{fffd}');
                Err(FrameError::new(
                    format!("unknown Engine.IO packet type {c:?}: not an Engine.IO packet"),
                    text,
                ))
            }
        }
    }

    /// The packet as a text frame.
    pub fn encode(&self) -> String {
        match self {
            EngineIoPacket::Open(info) => format!("0{}", to_json(info)),
            EngineIoPacket::Close => "1".to_string(),
            EngineIoPacket::Ping(data) => format!("2{}", data.unwrap_or("")),
            EngineIoPacket::Pong(data) => format!("3{}", data.unwrap_or("")),
            EngineIoPacket::Message(data) => format!("4{data}"),
            EngineIoPacket::Upgrade => "5".to_string(),
            EngineIoPacket::Noop => "6".to_string(),
        }
    }

    /// The packet type's name, for diagnostics.
    pub fn name(&self) -> &'static str {
        match self {
            EngineIoPacket::Open(_) => "open",
            EngineIoPacket::Close => "close",
            EngineIoPacket::Ping(_) => "ping",
            EngineIoPacket::Pong(_) => "pong",
            EngineIoPacket::Message(_) => "message",
            EngineIoPacket::Upgrade => "upgrade",
            EngineIoPacket::Noop => "noop",
        }
    }
}

/// Shorthand for [`EngineIoPacket::decode`].
pub fn decode(text: &str) -> Result<EngineIoPacket<'_>, FrameError> {
    EngineIoPacket::decode(text)
}

/// The pong that answers a server ping with this data (`3`, or `3probe`).
pub fn encode_pong(data: Option<&str>) -> String {
    EngineIoPacket::Pong(data).encode()
}

fn decode_open(json: &str) -> Result<OpenInfo, String> {
    if !json.trim_start().starts_with('{') {
        return Err("open packet: the handshake data is not a JSON object".to_string());
    }
    serde_json::from_str::<OpenInfo>(json)
        .map_err(|e| format!("open packet: {}", json_error_reason(&e)))
}

/// True when a text frame looks like an Engine.IO open packet (`0{…"sid"…}`):
/// the first words of a Socket.IO server, whatever order its keys are in.
pub fn looks_like_open_packet(text: &str) -> bool {
    text.starts_with("0{") && text.contains("\"sid\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#;

    fn check(input: &str, expect: Result<EngineIoPacket<'_>, &str>) {
        let got = EngineIoPacket::decode(input);
        match (&got, &expect) {
            (Ok(g), Ok(e)) => assert_eq!(g, e, "{input:?}"),
            (Err(g), Err(e)) => assert!(
                g.reason.contains(e),
                "{input:?}: reason {:?} lacks {e:?}",
                g.reason
            ),
            _ => panic!("{input:?}: got {got:?}, expected {expect:?}"),
        }
    }

    fn open(
        sid: &str,
        upgrades: &[&str],
        interval: u64,
        timeout: u64,
        max: Option<u64>,
    ) -> EngineIoPacket<'static> {
        EngineIoPacket::Open(OpenInfo {
            sid: sid.to_string(),
            upgrades: upgrades.iter().map(|s| s.to_string()).collect(),
            ping_interval: interval,
            ping_timeout: timeout,
            max_payload: max,
        })
    }

    #[test]
    fn the_vectors_of_socketio_md() {
        check(
            OPEN,
            Ok(open(
                "lv_VI97HAXpY6yYWAAAC",
                &["websocket"],
                25000,
                5000,
                Some(1_000_000),
            )),
        );
        check("2", Ok(EngineIoPacket::Ping(None)));
        check("3", Ok(EngineIoPacket::Pong(None)));
        check("1", Ok(EngineIoPacket::Close));
        check("6", Ok(EngineIoPacket::Noop));
        check("4hello", Ok(EngineIoPacket::Message("hello")));
        check("abc", Err("unknown Engine.IO packet type 'a'"));
        check("a123", Err("unknown Engine.IO packet type 'a'"));
        check("", Err("empty frame"));
    }

    #[test]
    fn other_packets() {
        check("2probe", Ok(EngineIoPacket::Ping(Some("probe"))));
        check("3probe", Ok(EngineIoPacket::Pong(Some("probe"))));
        check("5", Ok(EngineIoPacket::Upgrade));
        check("4", Ok(EngineIoPacket::Message("")));
        check(
            "42/signals,[\"signal\",{}]",
            Ok(EngineIoPacket::Message("2/signals,[\"signal\",{}]")),
        );
        check("7", Err("unknown Engine.IO packet type '7'"));
        check("é", Err("unknown Engine.IO packet type 'é'"));
        check("{\"type\":\"regime\"}", Err("not an Engine.IO packet"));
    }

    #[test]
    fn open_in_any_key_order_and_without_max_payload() {
        // python-engineio orders the keys differently and older servers omit maxPayload.
        check(
            r#"0{"pingTimeout":20000,"pingInterval":25000,"upgrades":[],"sid":"abc"}"#,
            Ok(open("abc", &[], 25000, 20000, None)),
        );
        check(
            r#"0{"sid":"abc","pingInterval":25000.0,"pingTimeout":20000}"#,
            Ok(open("abc", &[], 25000, 20000, None)),
        );
        check(
            r#"0 {"sid":"a","pingInterval":1,"pingTimeout":2}"#,
            Ok(open("a", &[], 1, 2, None)),
        );
    }

    #[test]
    fn bad_open_packets_are_errors_with_reasons() {
        check(
            "0",
            Err("open packet: the handshake data is not a JSON object"),
        );
        check("0[]", Err("not a JSON object"));
        check(
            r#"0{"sid":"a","pingInterval":1}"#,
            Err(r#"open packet: missing field "pingTimeout""#),
        );
        check(
            r#"0{"sid":1,"pingInterval":1,"pingTimeout":2}"#,
            Err("open packet: invalid type"),
        );
        check(
            r#"0{"sid":"a","pingInterval":-1,"pingTimeout":2}"#,
            Err("duration is negative"),
        );
        check(r#"0{"sid":"a""#, Err("open packet: EOF"));
    }

    #[test]
    fn encode_round_trips() {
        for text in [
            OPEN, "1", "2", "2probe", "3", "3probe", "4hello", "4", "5", "6",
        ] {
            let packet = EngineIoPacket::decode(text).expect("a valid vector");
            assert_eq!(packet.encode(), text);
        }
        assert_eq!(encode_pong(None), "3");
        assert_eq!(encode_pong(Some("probe")), "3probe");
    }

    #[test]
    fn open_packet_sniffing() {
        assert!(looks_like_open_packet(OPEN));
        assert!(looks_like_open_packet(
            r#"0{"pingInterval":25000,"sid":"x"}"#
        ));
        assert!(!looks_like_open_packet(r#"{"type":"regime","data":{}}"#));
        assert!(!looks_like_open_packet("40"));
    }
}
