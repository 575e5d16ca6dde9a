//! The demo backend's side of the plain JSON envelope (PROTOCOL.md §3):
//! reading what a client sends, and writing the events and errors a server
//! sends. The client's side is `regime_core::plain`.
//!
//! This file uses regime-core, serde and serde_json only, and nothing else of
//! this crate: regime-core's fuzz test compiles it too (with `#[path]`), so
//! that its arbitrary inputs reach this decoder and the events it decodes
//! come back through this encoder.

use std::borrow::Cow;

use regime_core::live::{FrameError, LiveEvent};
use regime_core::model::Subscription;
use regime_core::plain::read_id;
use regime_core::wire::json::{json_error_reason, not_an_object_reason, to_json};
use serde::Deserialize;
use serde_json::value::RawValue;

/// What a plain client sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlainClientFrame {
    /// `{"type":"subscribe","symbols":[…],"timeframes":[…]}`, perhaps with
    /// `"batch":true`.
    Subscribe(Subscription),
    /// `{"type":"ping","id":7}`.
    Ping { id: Option<u64> },
}

/// Reads one frame from a plain client. The subscription may also come
/// wrapped in `data`.
pub fn decode_client_frame(text: &str) -> Result<PlainClientFrame, FrameError> {
    #[derive(Deserialize)]
    struct ClientEnvelope<'a> {
        #[serde(rename = "type", borrow)]
        frame_type: Cow<'a, str>,
        symbols: Option<Vec<String>>,
        timeframes: Option<Vec<String>>,
        #[serde(borrow)]
        data: Option<&'a RawValue>,
        #[serde(borrow)]
        id: Option<&'a RawValue>,
        #[serde(borrow)]
        batch: Option<&'a RawValue>,
    }
    let fail = |reason: String| FrameError::new(reason, text);
    if text.bytes().find(|b| !b.is_ascii_whitespace()) != Some(b'{') {
        return Err(fail(not_an_object_reason(text)));
    }
    let env = serde_json::from_str::<ClientEnvelope>(text).map_err(|e| {
        let reason = json_error_reason(&e);
        fail(if e.is_syntax() || e.is_eof() {
            format!("frame is not JSON: {reason}")
        } else {
            reason
        })
    })?;
    match &*env.frame_type {
        "subscribe" => {
            if env.symbols.is_none() && env.timeframes.is_none() {
                if let Some(raw) = env.data {
                    return serde_json::from_str::<Subscription>(raw.get())
                        .map(PlainClientFrame::Subscribe)
                        .map_err(|e| fail(format!("subscribe: {}", json_error_reason(&e))));
                }
            }
            Ok(PlainClientFrame::Subscribe(Subscription {
                symbols: env.symbols.unwrap_or_default(),
                timeframes: env.timeframes.unwrap_or_default(),
                // Only `true` asks for batches; anything else is a client
                // that does not take them.
                batch: env.batch.is_some_and(|raw| raw.get() == "true"),
            }))
        }
        "ping" => Ok(PlainClientFrame::Ping {
            id: read_id(env.id),
        }),
        other => Err(fail(format!("unknown type {other:?}"))),
    }
}

/// `{"type":"error","data":{"message":"…"}}`.
pub fn encode_error(message: &str) -> String {
    format!(
        r#"{{"type":"error","data":{{"message":{}}}}}"#,
        to_json(message)
    )
}

/// `{"type":"signal","data":{…}}` and the like.
pub fn encode_event(event: &LiveEvent) -> String {
    let data = match event {
        LiveEvent::Regime(s) => to_json(s),
        LiveEvent::Alert(a) => to_json(a),
        LiveEvent::Signal(s) => to_json(s),
        LiveEvent::Price(p) => to_json(p),
    };
    encode_envelope(event.name(), &data)
}

/// `{"type":"batch","data":[…]}` around envelopes that are JSON text
/// already (PROTOCOL.md §3, "Batches"), in the order given.
pub fn encode_batch<'a>(elements: impl IntoIterator<Item = &'a str>) -> String {
    let mut text = String::from(r#"{"type":"batch","data":["#);
    for (i, element) in elements.into_iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(element);
    }
    text.push_str("]}");
    text
}

/// `{"type":<name>,"data":<data>}`: an event's envelope around the JSON
/// text of its data, so that a caller that has the text already (the hub,
/// which serialises each message once for both transports) does not
/// serialise it again.
pub fn encode_envelope(name: &str, data: &str) -> String {
    format!(r#"{{"type":{},"data":{data}}}"#, to_json(name))
}
