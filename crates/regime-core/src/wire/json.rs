//! JSON that every codec reads and writes the same way: the four market
//! events by their wire names, decoded in one pass straight into the model
//! types; serde_json's errors as short sentences for a rejected frame's
//! reason; and JSON text of a model value. The demo backend's plain codec
//! uses the public ones too.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, Visitor};
use serde::{Deserialize, Serialize};

use crate::live::LiveEvent;
use crate::model::{PriceTick, RegimeAlert, RegimeSnapshot, Signal};

/// The four market events, by their wire names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum MarketEventKind {
    Regime,
    Alert,
    Signal,
    Price,
}

impl MarketEventKind {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "regime" => Some(MarketEventKind::Regime),
            "regime:alert" => Some(MarketEventKind::Alert),
            "signal" => Some(MarketEventKind::Signal),
            "price" => Some(MarketEventKind::Price),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            MarketEventKind::Regime => "regime",
            MarketEventKind::Alert => "regime:alert",
            MarketEventKind::Signal => "signal",
            MarketEventKind::Price => "price",
        }
    }
}

/// Reads one market event's object straight from the deserializer.
pub(crate) struct MarketEventSeed(pub(crate) MarketEventKind);

impl<'de> DeserializeSeed<'de> for MarketEventSeed {
    type Value = LiveEvent;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<LiveEvent, D::Error> {
        let d = ObjectOnly(d);
        match self.0 {
            MarketEventKind::Regime => RegimeSnapshot::deserialize(d).map(LiveEvent::Regime),
            MarketEventKind::Alert => RegimeAlert::deserialize(d).map(LiveEvent::Alert),
            MarketEventKind::Signal => Signal::deserialize(d).map(LiveEvent::Signal),
            MarketEventKind::Price => PriceTick::deserialize(d).map(LiveEvent::Price),
        }
    }
}

/// A deserializer that reads a struct only from a JSON object. Derived
/// structs also read a JSON array, field by field in order; the contract's
/// objects are objects, so this wrapper turns `deserialize_struct` into
/// `deserialize_map` and passes everything else through unchanged. (It is
/// much cheaper than `serde::de::value::MapAccessDeserializer`, which costs
/// about 400 ns per event.)
struct ObjectOnly<D>(D);

macro_rules! pass_through {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method($($($arg,)*)? visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    pass_through! {
        deserialize_any; deserialize_bool; deserialize_i8; deserialize_i16; deserialize_i32;
        deserialize_i64; deserialize_i128; deserialize_u8; deserialize_u16; deserialize_u32;
        deserialize_u64; deserialize_u128; deserialize_f32; deserialize_f64; deserialize_char;
        deserialize_str; deserialize_string; deserialize_bytes; deserialize_byte_buf;
        deserialize_option; deserialize_unit; deserialize_seq; deserialize_map;
        deserialize_identifier; deserialize_ignored_any;
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }
}

/// Reads a market event from its JSON object text; the reason is prefixed
/// with the event name (`signal: missing field "price"`).
pub(crate) fn decode_market_event(kind: MarketEventKind, json: &str) -> Result<LiveEvent, String> {
    let mut de = serde_json::Deserializer::from_str(json);
    MarketEventSeed(kind)
        .deserialize(&mut de)
        .and_then(|event| de.end().map(|()| event))
        .map_err(|e| format!("{}: {}", kind.name(), json_error_reason(&e)))
}

/// A serde_json error as a short sentence: without the `at line 1 column 80`
/// tail (the excerpt shows the frame), and with field names in double quotes
/// (`missing field "price"`).
pub fn json_error_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) if e.line() != 0 => &text[..i],
        _ => &text[..],
    };
    text.replace('`', "\"")
}

/// Why text that does not start with `{` is not a frame: not JSON at all, or
/// JSON of the wrong kind.
pub fn not_an_object_reason(text: &str) -> String {
    match serde_json::from_str::<IgnoredAny>(text) {
        Err(e) => format!("frame is not JSON: {}", json_error_reason(&e)),
        Ok(_) => format!("frame is not a JSON object but {}", json_kind(text)),
    }
}

/// The kind of a valid JSON text, from its first character.
fn json_kind(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// JSON text of what a codec writes: a model value, a subscription, an open
/// packet's data, a string. Serialising these (strings, numbers, options,
/// lists) cannot fail, so the fallback is never taken.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}
