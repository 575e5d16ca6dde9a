//! The plain JSON envelope transport (PROTOCOL.md §3).
//!
//! Every frame, both ways, is one JSON object `{"type":…,"data":…}`. The
//! server sends the four market events, `pong`, `error` (and possibly `ping`);
//! the client sends `subscribe` and `ping`. A frame without an envelope whose
//! object has `regime` and `adx` is a bare RegimeSnapshot.
//!
//! This is the client's side: it decodes what a server sends and encodes
//! what the client sends. The demo backend's side (reading client frames,
//! writing events and errors) is in `demo-server/src/plain_codec.rs`.
//!
//! Decoding is one pass over the text in the usual case (`type` before
//! `data`): the envelope is read by a map visitor that, once it knows the
//! type, reads `data` straight into the model type. Only when `data` comes
//! first is it kept as a borrowed raw slice and read afterwards. No
//! `serde_json::Value` tree is built on this path.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::live::{FrameError, LiveEvent};
use crate::model::{RegimeSnapshot, Subscription};
use crate::wire::json::{
    decode_market_event, json_error_reason, not_an_object_reason, to_json, MarketEventKind,
    MarketEventSeed,
};

/// What a plain server sends.
#[derive(Clone, Debug, PartialEq)]
pub enum PlainServerFrame {
    /// A market event (`regime`, `regime:alert`, `signal`, `price`, or a bare
    /// snapshot).
    Event(LiveEvent),
    /// `{"type":"pong","id":7}`: the answer to our ping.
    Pong { id: Option<u64> },
    /// `{"type":"ping","id":7}`: the server wants a pong.
    ServerPing { id: Option<u64> },
    /// `{"type":"error","data":{"message":"…"}}`: not fatal.
    Error { message: String },
    /// `{"type":"batch","data":[envelope…]}`: several market events in the
    /// order they happened, each decoded on its own; a bad element is an
    /// `Err` in its place and the others stand.
    Batch(Vec<Result<LiveEvent, FrameError>>),
}

// ---------------------------------------------------------------------------
// Decoding server frames.
// ---------------------------------------------------------------------------

/// The envelope keys this decoder looks at; others are skipped unread.
enum EnvelopeKey {
    Type,
    Data,
    Id,
    Message,
    Regime,
    Adx,
    Other,
}

impl<'de> Deserialize<'de> for EnvelopeKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EnvelopeKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EnvelopeKey, E> {
                Ok(match v {
                    "type" => EnvelopeKey::Type,
                    "data" => EnvelopeKey::Data,
                    "id" => EnvelopeKey::Id,
                    "message" => EnvelopeKey::Message,
                    "regime" => EnvelopeKey::Regime,
                    "adx" => EnvelopeKey::Adx,
                    _ => EnvelopeKey::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// The value of `type`.
enum FrameType {
    Market(MarketEventKind),
    Pong,
    Ping,
    Error,
    Subscribe,
    Batch,
    Unknown(String),
}

impl<'de> Deserialize<'de> for FrameType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FrameType;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a frame type string in \"type\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FrameType, E> {
                if let Some(kind) = MarketEventKind::from_name(v) {
                    return Ok(FrameType::Market(kind));
                }
                Ok(match v {
                    "pong" => FrameType::Pong,
                    "ping" => FrameType::Ping,
                    "error" => FrameType::Error,
                    "subscribe" => FrameType::Subscribe,
                    "batch" => FrameType::Batch,
                    other => FrameType::Unknown(other.to_string()),
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// What one pass over a server frame found.
#[derive(Default)]
struct Envelope<'de> {
    frame_type: Option<FrameType>,
    event: Option<LiveEvent>,
    data: Option<&'de RawValue>,
    id: Option<&'de RawValue>,
    message: Option<&'de RawValue>,
    has_regime: bool,
    has_adx: bool,
}

/// Reads the envelope; `decoding` names the market event being read while
/// its data is read, so that an error can say which.
struct EnvelopeVisitor<'c> {
    decoding: &'c Cell<Option<MarketEventKind>>,
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_> {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut env = Envelope::default();
        while let Some(key) = map.next_key::<EnvelopeKey>()? {
            match key {
                EnvelopeKey::Type => {
                    if env.frame_type.is_some() {
                        return Err(de::Error::custom("duplicate field \"type\""));
                    }
                    env.frame_type = Some(map.next_value()?);
                }
                EnvelopeKey::Data => {
                    if env.event.is_some() || env.data.is_some() {
                        return Err(de::Error::custom("duplicate field \"data\""));
                    }
                    if let Some(FrameType::Market(kind)) = env.frame_type {
                        self.decoding.set(Some(kind));
                        env.event = Some(map.next_value_seed(MarketEventSeed(kind))?);
                        self.decoding.set(None);
                    } else {
                        env.data = Some(map.next_value()?);
                    }
                }
                EnvelopeKey::Id => env.id = Some(map.next_value()?),
                EnvelopeKey::Message => env.message = Some(map.next_value()?),
                EnvelopeKey::Regime => {
                    env.has_regime = true;
                    map.next_value::<IgnoredAny>()?;
                }
                EnvelopeKey::Adx => {
                    env.has_adx = true;
                    map.next_value::<IgnoredAny>()?;
                }
                EnvelopeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

/// Reads one frame from a plain server.
///
/// Accepts the four envelopes, `pong`, `ping`, `error`, and a bare
/// RegimeSnapshot (an object with `regime` and `adx` and no `type`). Anything
/// else is a [`FrameError`] whose reason says what is wrong: `frame is not
/// JSON: …`, `unknown type "tick"`, `signal: missing field "price"`.
pub fn decode_server_frame(text: &str) -> Result<PlainServerFrame, FrameError> {
    decode_frame(text, true)
}

/// [`decode_server_frame`]; inside a batch (`batches` false) a batch is not
/// read at all, so that nesting costs nothing.
fn decode_frame(text: &str, batches: bool) -> Result<PlainServerFrame, FrameError> {
    let fail = |reason: String| FrameError::new(reason, text);
    match text.bytes().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(_) => return Err(fail(not_an_object_reason(text))),
        None => return Err(fail("empty frame".to_string())),
    }
    let decoding = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de
        .deserialize_map(EnvelopeVisitor {
            decoding: &decoding,
        })
        .and_then(|env| de.end().map(|()| env));
    let env = match parsed {
        Ok(env) => env,
        Err(e) => {
            let reason = json_error_reason(&e);
            return Err(fail(if e.is_syntax() || e.is_eof() {
                format!("frame is not JSON: {reason}")
            } else if let Some(kind) = decoding.get() {
                format!("{}: {reason}", kind.name())
            } else {
                format!("invalid envelope: {reason}")
            }));
        }
    };
    match env.frame_type {
        Some(FrameType::Market(kind)) => match (env.event, env.data) {
            (Some(event), _) => Ok(PlainServerFrame::Event(event)),
            (None, Some(raw)) => decode_market_event(kind, raw.get())
                .map(PlainServerFrame::Event)
                .map_err(fail),
            (None, None) => Err(fail(format!("{}: missing \"data\"", kind.name()))),
        },
        Some(FrameType::Pong) => Ok(PlainServerFrame::Pong {
            id: read_id(env.id),
        }),
        Some(FrameType::Ping) => Ok(PlainServerFrame::ServerPing {
            id: read_id(env.id),
        }),
        Some(FrameType::Error) => Ok(PlainServerFrame::Error {
            message: error_message(env.data, env.message),
        }),
        Some(FrameType::Subscribe) => Err(fail(
            "unexpected type \"subscribe\": only clients subscribe".to_string(),
        )),
        Some(FrameType::Batch) if !batches => Err(fail("a batch inside a batch".to_string())),
        Some(FrameType::Batch) => match env.data {
            Some(raw) => decode_batch(raw.get())
                .map(PlainServerFrame::Batch)
                .map_err(|reason| fail(format!("batch: \"data\" {reason}"))),
            None => Err(fail("batch: missing \"data\"".to_string())),
        },
        Some(FrameType::Unknown(name)) => Err(fail(format!("unknown type {name:?}"))),
        None if env.has_regime && env.has_adx => serde_json::from_str::<RegimeSnapshot>(text)
            .map(|s| PlainServerFrame::Event(LiveEvent::Regime(s)))
            .map_err(|e| fail(format!("snapshot: {}", json_error_reason(&e)))),
        None => Err(fail(
            "missing \"type\" (and not a snapshot with \"regime\" and \"adx\")".to_string(),
        )),
    }
}

/// Reads the array of a batch (the plain frame's `data`, the Socket.IO
/// `batch` event's argument): every element an envelope of a market event,
/// decoded on its own, in order. An element that is not one is an `Err` in
/// its place, its reason prefixed `batch element N` (from 1); the others
/// stand. `Err` for the whole, with the end of a sentence (`is not an
/// array of envelopes`): the text is not an array, or not JSON.
pub fn decode_batch(array: &str) -> Result<Vec<Result<LiveEvent, FrameError>>, String> {
    if array.bytes().find(|b| !b.is_ascii_whitespace()) != Some(b'[') {
        return Err(match serde_json::from_str::<IgnoredAny>(array) {
            Err(e) => format!("is not JSON: {}", json_error_reason(&e)),
            Ok(_) => "is not an array of envelopes".to_string(),
        });
    }
    let elements = serde_json::from_str::<Vec<&RawValue>>(array)
        .map_err(|e| format!("is not JSON: {}", json_error_reason(&e)))?;
    Ok(elements
        .into_iter()
        .enumerate()
        .map(|(i, raw)| decode_batch_element(i + 1, raw.get()))
        .collect())
}

/// One element of a batch: a market event's envelope and nothing else (no
/// pong, error or batch inside a batch).
fn decode_batch_element(n: usize, text: &str) -> Result<LiveEvent, FrameError> {
    let fail = |reason: String| FrameError::new(format!("batch element {n}: {reason}"), text);
    match decode_frame(text, false) {
        Ok(PlainServerFrame::Event(event)) => Ok(event),
        Ok(_) => Err(fail(
            "only market events (regime, regime:alert, signal, price) may be batched".to_string(),
        )),
        Err(e) => Err(fail(e.reason)),
    }
}

/// An id in a ping or pong, on either side: an integer, an integral float or
/// integer text. Anything else, or nothing, is `None`: a pong without a
/// readable id is still a pong.
pub fn read_id(raw: Option<&RawValue>) -> Option<u64> {
    #[derive(Deserialize)]
    struct Id(#[serde(with = "crate::model::lenient_id")] u64);
    raw.and_then(|raw| serde_json::from_str::<Id>(raw.get()).ok())
        .map(|id| id.0)
}

/// The text of an `error` frame: `data.message`, `data.error`, `data` as a
/// string, or a top-level `message`, whichever is there.
fn error_message(data: Option<&RawValue>, message: Option<&RawValue>) -> String {
    #[derive(Deserialize)]
    struct ErrorData {
        message: Option<String>,
        error: Option<String>,
    }
    let as_text = |raw: &RawValue| serde_json::from_str::<String>(raw.get()).ok();
    data.and_then(|raw| {
        if !raw.get().starts_with('{') {
            return as_text(raw);
        }
        match serde_json::from_str::<ErrorData>(raw.get()) {
            Ok(ErrorData {
                message: Some(m), ..
            })
            | Ok(ErrorData { error: Some(m), .. }) => Some(m),
            _ => None,
        }
    })
    .or_else(|| message.and_then(as_text))
    .unwrap_or_else(|| "the server reported an error without a message".to_string())
}

// ---------------------------------------------------------------------------
// Encoding client frames.
// ---------------------------------------------------------------------------

/// `{"type":"subscribe","symbols":[…],"timeframes":[…]}`, with
/// `"batch":true` when the subscription takes batches.
pub fn encode_subscribe(sub: &Subscription) -> String {
    #[derive(Serialize)]
    struct SubscribeFrame<'a> {
        #[serde(rename = "type")]
        frame_type: &'static str,
        symbols: &'a [String],
        timeframes: &'a [String],
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        batch: bool,
    }
    to_json(&SubscribeFrame {
        frame_type: "subscribe",
        symbols: &sub.symbols,
        timeframes: &sub.timeframes,
        batch: sub.batch,
    })
}

/// `{"type":"ping","id":7}`.
pub fn encode_ping(id: u64) -> String {
    format!(r#"{{"type":"ping","id":{id}}}"#)
}

/// `{"type":"pong","id":7}`, or `{"type":"pong"}` for a ping without id.
pub fn encode_pong(id: Option<u64>) -> String {
    match id {
        Some(id) => format!(r#"{{"type":"pong","id":{id}}}"#),
        None => r#"{"type":"pong"}"#.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PriceTick, Regime, Side, Signal, Timestamp};

    const SIGNAL: &str = r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"strategy":"adx-breakout","confidence":0.72,"timestamp":"2025-10-09T13:00:00Z","note":"DI+ over DI-"}"#;

    fn signal() -> Signal {
        Signal {
            id: 57,
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            side: Side::Long,
            price: 64250.5,
            timestamp: Timestamp(1_760_014_800_000),
            strategy: Some("adx-breakout".into()),
            confidence: Some(0.72),
            note: Some("DI+ over DI-".into()),
        }
    }

    /// `Ok` checks the frame; `Err` checks that the reason starts with it.
    fn check(input: &str, expect: Result<PlainServerFrame, &str>) {
        let got = decode_server_frame(input);
        match (&got, &expect) {
            (Ok(g), Ok(e)) => assert_eq!(g, e, "{input}"),
            (Err(g), Err(e)) => assert!(
                g.reason.starts_with(e),
                "{input}: reason {:?}, expected {e:?}",
                g.reason
            ),
            _ => panic!("{input}: got {got:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn envelopes_of_the_contract() {
        check(
            &format!(r#"{{"type":"signal","data":{SIGNAL}}}"#),
            Ok(PlainServerFrame::Event(LiveEvent::Signal(signal()))),
        );
        // `data` before `type` takes the slower road but gives the same answer.
        check(
            &format!(r#"{{"data":{SIGNAL},"type":"signal"}}"#),
            Ok(PlainServerFrame::Event(LiveEvent::Signal(signal()))),
        );
        check(
            &format!(" {{ \"type\" : \"signal\" , \"extra\":[1,{{}}], \"data\" : {SIGNAL} }}\n"),
            Ok(PlainServerFrame::Event(LiveEvent::Signal(signal()))),
        );
        check(
            r#"{"type":"price","data":{"symbol":"BTCUSDT","price":64251.0,"timestamp":1760014800000}}"#,
            Ok(PlainServerFrame::Event(LiveEvent::Price(PriceTick {
                symbol: "BTCUSDT".into(),
                price: 64251.0,
                timestamp: Timestamp(1_760_014_800_000),
            }))),
        );
        let alert = r#"{"type":"regime:alert","data":{"id":1042,"symbol":"BTCUSDT","timeframe":"1h","from":"range","to":"trend_up","adx":27.1,"atrPct":0.018,"timestamp":"2025-10-09T13:00:00Z","message":"ADX crossed 25"}}"#;
        match decode_server_frame(alert) {
            Ok(PlainServerFrame::Event(LiveEvent::Alert(a))) => {
                assert_eq!((a.id, a.from, a.to), (1042, Regime::Range, Regime::TrendUp));
            }
            other => panic!("{other:?}"),
        }
        let regime = r#"{"type":"regime","data":{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:00:00Z"}}"#;
        assert!(matches!(
            decode_server_frame(regime),
            Ok(PlainServerFrame::Event(LiveEvent::Regime(_)))
        ));
    }

    #[test]
    fn control_frames() {
        check(
            r#"{"type":"pong","id":7}"#,
            Ok(PlainServerFrame::Pong { id: Some(7) }),
        );
        check(
            r#"{"type":"pong","id":"7"}"#,
            Ok(PlainServerFrame::Pong { id: Some(7) }),
        );
        check(
            r#"{"type":"pong"}"#,
            Ok(PlainServerFrame::Pong { id: None }),
        );
        check(
            r#"{"type":"pong","id":{"x":1}}"#,
            Ok(PlainServerFrame::Pong { id: None }),
        );
        check(
            r#"{"id":3,"type":"ping"}"#,
            Ok(PlainServerFrame::ServerPing { id: Some(3) }),
        );
        check(
            r#"{"type":"error","data":{"message":"bad symbol"}}"#,
            Ok(PlainServerFrame::Error {
                message: "bad symbol".into(),
            }),
        );
        check(
            r#"{"type":"error","data":{"error":"bad tf"}}"#,
            Ok(PlainServerFrame::Error {
                message: "bad tf".into(),
            }),
        );
        check(
            r#"{"type":"error","data":"plain text"}"#,
            Ok(PlainServerFrame::Error {
                message: "plain text".into(),
            }),
        );
        check(
            r#"{"type":"error","message":"top"}"#,
            Ok(PlainServerFrame::Error {
                message: "top".into(),
            }),
        );
        check(
            r#"{"type":"error"}"#,
            Ok(PlainServerFrame::Error {
                message: "the server reported an error without a message".into(),
            }),
        );
    }

    #[test]
    fn bare_snapshot() {
        let text = r#"{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:00:00Z","plusDi":17.2,"minusDi":15.9,"close":64210.5}"#;
        match decode_server_frame(text) {
            Ok(PlainServerFrame::Event(LiveEvent::Regime(s))) => {
                assert_eq!((s.adx, s.close), (18.5, Some(64210.5)))
            }
            other => panic!("{other:?}"),
        }
        check(
            r#"{"regime":"range","adx":18.5}"#,
            Err(r#"snapshot: missing field "symbol""#),
        );
        check(r#"{"regime":"range"}"#, Err(r#"missing "type""#));
    }

    #[test]
    fn rejections_say_why() {
        check("", Err("empty frame"));
        check("   ", Err("empty frame"));
        check("hello", Err("frame is not JSON: expected value"));
        check("{", Err("frame is not JSON: EOF while parsing an object"));
        check(
            r#"{"type":"signal","data":{"id":1,"#,
            Err("frame is not JSON: EOF"),
        );
        check("[1,2]", Err("frame is not a JSON object but an array"));
        check("42", Err("frame is not a JSON object but a number"));
        check(r#""x""#, Err("frame is not a JSON object but a string"));
        check("null", Err("frame is not a JSON object but null"));
        check(
            r#"{"type":"tick","data":{}}"#,
            Err(r#"unknown type "tick""#),
        );
        check(
            r#"{"type":5}"#,
            Err("invalid envelope: invalid type: integer"),
        );
        check(r#"{"type":"signal"}"#, Err(r#"signal: missing "data""#));
        check(
            r#"{"type":"signal","data":{"id":1,"symbol":"B","timeframe":"1h","side":"long","timestamp":0}}"#,
            Err(r#"signal: missing field "price""#),
        );
        check(
            r#"{"data":{"id":1,"symbol":"B","timeframe":"1h","side":"long","timestamp":0},"type":"signal"}"#,
            Err(r#"signal: missing field "price""#),
        );
        check(
            r#"{"type":"signal","data":null}"#,
            Err("signal: invalid type: null"),
        );
        check(
            r#"{"type":"price","data":["B",1,0]}"#,
            Err("price: invalid type: sequence, expected struct PriceTick"),
        );
        check(
            r#"{"data":["B",1,0],"type":"price"}"#,
            Err("price: invalid type: sequence, expected struct PriceTick"),
        );
        check(
            r#"{"type":"price","data":{"symbol":"B","price":"abc","timestamp":0}}"#,
            Err(r#"price: not a number: "abc""#),
        );
        check(
            r#"{"type":"signal","type":"price"}"#,
            Err(r#"invalid envelope: duplicate field "type""#),
        );
        check(
            r#"{"type":"pong"} x"#,
            Err("frame is not JSON: trailing characters"),
        );
        check(
            r#"{"type":"subscribe","symbols":[]}"#,
            Err(r#"unexpected type "subscribe""#),
        );
    }

    #[test]
    fn rejection_keeps_an_excerpt() {
        let long = format!(r#"{{"type":"tick","data":"{}"}}"#, "x".repeat(500));
        let err = decode_server_frame(&long).expect_err("unknown type");
        assert_eq!(err.excerpt.chars().count(), 121);
    }

    #[test]
    fn encoders() {
        let sub = Subscription {
            symbols: vec!["BTCUSDT".into()],
            timeframes: vec!["1h".into()],
            batch: false,
        };
        assert_eq!(
            encode_subscribe(&sub),
            r#"{"type":"subscribe","symbols":["BTCUSDT"],"timeframes":["1h"]}"#
        );
        assert_eq!(encode_ping(7), r#"{"type":"ping","id":7}"#);
        assert_eq!(encode_pong(Some(7)), r#"{"type":"pong","id":7}"#);
        assert_eq!(encode_pong(None), r#"{"type":"pong"}"#);
        assert_eq!(
            decode_server_frame(&encode_pong(Some(9))),
            Ok(PlainServerFrame::Pong { id: Some(9) })
        );
    }
}
