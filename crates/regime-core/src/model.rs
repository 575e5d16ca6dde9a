//! The objects of the wire contract (PROTOCOL.md §1), shared by the dashboard
//! and the demo backend.
//!
//! Reading is liberal, as the contract asks: timestamps may be RFC 3339 text or
//! epoch milliseconds, `buy`/`sell` read as `long`/`short`, numbers may arrive
//! as numeric strings (some exchanges quote prices that way), ids may be
//! integral floats or numeric strings, unknown regime labels are kept as they
//! are, and unknown fields are ignored. Writing is strict: camelCase names,
//! RFC 3339 timestamps, canonical labels.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

use crate::time::{format_rfc3339_millis, parse_rfc3339};

/// Milliseconds since the Unix epoch, UTC.
///
/// Deserialises from RFC 3339 text (`"2025-10-09T12:00:00Z"`, any offset,
/// optional fraction) or from a number of milliseconds; serialises as RFC 3339
/// with milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    /// RFC 3339 in UTC with millisecond precision, e.g. `2025-10-09T12:00:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        format_rfc3339_millis(self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 time or milliseconds since the Unix epoch")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                i64::try_from(v)
                    .map(Timestamp)
                    .map_err(|_| E::custom("timestamp out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                if v.is_finite() && v.abs() < 9.0e15 {
                    Ok(Timestamp(v.round() as i64))
                } else {
                    Err(E::custom("timestamp out of range"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                if let Some(ms) = parse_rfc3339(v) {
                    return Ok(Timestamp(ms));
                }
                // Some backends send epoch milliseconds as text.
                match v.trim().parse::<i64>() {
                    Ok(ms) => Ok(Timestamp(ms)),
                    Err(_) => Err(E::custom(format!("not an RFC 3339 time: {v:?}"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A label carried on the wire as a string: displayed and written as
/// `as_str()`, read through `parse()` (which never fails: unknown text is kept).
macro_rules! string_label_serde {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}

/// A market regime label. The four of the contract and `trend` are known;
/// any other string is kept as it came and shown in a neutral style.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Regime {
    TrendUp,
    TrendDown,
    Range,
    Volatile,
    /// A trend whose direction the backend does not say.
    Trend,
    Other(String),
}

impl Regime {
    pub fn parse(s: &str) -> Regime {
        match s {
            "trend_up" => Regime::TrendUp,
            "trend_down" => Regime::TrendDown,
            "range" => Regime::Range,
            "volatile" => Regime::Volatile,
            "trend" => Regime::Trend,
            other => Regime::Other(other.to_string()),
        }
    }
    /// The wire label: `trend_up`, `range`, … or the unknown string itself.
    pub fn as_str(&self) -> &str {
        match self {
            Regime::TrendUp => "trend_up",
            Regime::TrendDown => "trend_down",
            Regime::Range => "range",
            Regime::Volatile => "volatile",
            Regime::Trend => "trend",
            Regime::Other(s) => s,
        }
    }
    /// Words for a person: `trend up`, `range`, … (unknown labels as they came).
    pub fn label(&self) -> String {
        match self {
            Regime::TrendUp => "trend up".into(),
            Regime::TrendDown => "trend down".into(),
            Regime::Range => "range".into(),
            Regime::Volatile => "volatile".into(),
            Regime::Trend => "trend".into(),
            Regime::Other(s) => s.clone(),
        }
    }
    pub fn is_known(&self) -> bool {
        !matches!(self, Regime::Other(_))
    }
}

string_label_serde!(Regime);

/// The side of a signal. `buy`/`sell` (any case) read as long/short; any
/// other string is kept and shown neutrally.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Long,
    Short,
    Flat,
    Other(String),
}

impl Side {
    pub fn parse(s: &str) -> Side {
        match s.to_ascii_lowercase().as_str() {
            "long" | "buy" => Side::Long,
            "short" | "sell" => Side::Short,
            "flat" => Side::Flat,
            _ => Side::Other(s.to_string()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            Side::Long => "long",
            Side::Short => "short",
            Side::Flat => "flat",
            Side::Other(s) => s,
        }
    }
}

string_label_serde!(Side);

/// Reads a number that may come as a JSON number or as numeric text.
/// Non-finite results are refused.
pub(crate) mod lenient_f64 {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err(E::custom("number is not finite"))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                match v.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(x),
                    _ => Err(E::custom(format!("not a number: {v:?}"))),
                }
            }
        }
        d.deserialize_any(V)
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(*v)
    }
}

/// The optional twin of [`lenient_f64`]: `null` or a missing field is `None`.
pub(crate) mod lenient_opt_f64 {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "lenient_f64")] f64);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(x) => s.serialize_some(x),
            None => s.serialize_none(),
        }
    }
}

/// Reads an id: a non-negative integer, an integral float, or integer text.
pub(crate) mod lenient_id {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                u64::try_from(v).map_err(|_| E::custom("id is negative"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
                if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1.8e19 {
                    Ok(v as u64)
                } else {
                    Err(E::custom("id is not a whole number"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| E::custom(format!("id is not an integer: {v:?}")))
            }
        }
        d.deserialize_any(V)
    }

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*v)
    }
}

/// The current regime of one symbol on one timeframe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegimeSnapshot {
    pub symbol: String,
    pub timeframe: String,
    pub regime: Regime,
    #[serde(with = "lenient_f64")]
    pub adx: f64,
    #[serde(with = "lenient_f64")]
    pub atr_pct: f64,
    pub timestamp: Timestamp,
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub plus_di: Option<f64>,
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub minus_di: Option<f64>,
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub close: Option<f64>,
}

/// The regime of a symbol/timeframe changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegimeAlert {
    #[serde(with = "lenient_id")]
    pub id: u64,
    pub symbol: String,
    pub timeframe: String,
    pub from: Regime,
    pub to: Regime,
    #[serde(with = "lenient_f64")]
    pub adx: f64,
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub atr_pct: Option<f64>,
    pub timestamp: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A trading signal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    #[serde(with = "lenient_id")]
    pub id: u64,
    pub symbol: String,
    pub timeframe: String,
    pub side: Side,
    #[serde(with = "lenient_f64")]
    pub price: f64,
    pub timestamp: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub confidence: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The last trade price of a symbol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceTick {
    pub symbol: String,
    #[serde(with = "lenient_f64")]
    pub price: f64,
    pub timestamp: Timestamp,
}

/// One point of regime history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegimePoint {
    pub timestamp: Timestamp,
    pub regime: Regime,
    #[serde(with = "lenient_f64")]
    pub adx: f64,
    #[serde(with = "lenient_f64")]
    pub atr_pct: f64,
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub close: Option<f64>,
}

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Changes whenever the backend's ids start again (a restart of a
    /// backend that keeps its signals in memory). Optional: a client must
    /// notice a new run without it (PROTOCOL.md "Backend runs").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

/// One entry of `GET /api/symbols`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolInfo {
    pub symbol: String,
    #[serde(default)]
    pub timeframes: Vec<String>,
}

/// `GET /api/symbols`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SymbolsResponse {
    pub symbols: Vec<SymbolInfo>,
}

/// `GET /api/regime/history`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryResponse {
    pub symbol: String,
    pub timeframe: String,
    pub points: Vec<RegimePoint>,
}

/// `GET /api/signals`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalsResponse {
    pub signals: Vec<Signal>,
}

/// `GET /api/alerts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertsResponse {
    pub alerts: Vec<RegimeAlert>,
}

/// Every REST error answer: `{"error":"text"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: String,
}

/// `{"symbols":[…],"timeframes":[…]}`: the body of a subscription, on both
/// live transports, with `"batch":true` when the client takes batches
/// (PROTOCOL.md §3, "Batches").
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Subscription {
    #[serde(default)]
    pub symbols: Vec<String>,
    #[serde(default)]
    pub timeframes: Vec<String>,
    /// The client accepts several events in one frame. Written only when
    /// true; read as false when absent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub batch: bool,
}

impl Subscription {
    /// True when the subscription lets this symbol/timeframe through. An empty
    /// list means "all".
    pub fn matches(&self, symbol: &str, timeframe: Option<&str>) -> bool {
        let sym_ok = self.symbols.is_empty() || self.symbols.iter().any(|s| s == symbol);
        let tf_ok = match timeframe {
            None => true,
            Some(tf) => self.timeframes.is_empty() || self.timeframes.iter().any(|t| t == tf),
        };
        sym_ok && tf_ok
    }
}

/// Backend text is cut to what a person reads before it is kept
/// ([`crate::live::SHOWN_TEXT_MAX`]): a note of a megabyte must not reach
/// the page.
pub trait ClipTexts {
    fn clip_texts(&mut self);
}

fn clip_regime(r: &mut Regime) {
    if let Regime::Other(label) = r {
        crate::live::clip_in_place(label);
    }
}

impl ClipTexts for Signal {
    fn clip_texts(&mut self) {
        for t in [&mut self.strategy, &mut self.note].into_iter().flatten() {
            crate::live::clip_in_place(t);
        }
    }
}

impl ClipTexts for RegimeAlert {
    fn clip_texts(&mut self) {
        if let Some(m) = &mut self.message {
            crate::live::clip_in_place(m);
        }
        clip_regime(&mut self.from);
        clip_regime(&mut self.to);
    }
}

impl ClipTexts for RegimeSnapshot {
    fn clip_texts(&mut self) {
        clip_regime(&mut self.regime);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_from_the_contract_example() {
        let s: RegimeSnapshot = serde_json::from_str(
            r#"{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,
               "timestamp":"2025-10-09T12:00:00Z","plusDi":17.2,"minusDi":15.9,"close":64210.5}"#,
        )
        .unwrap();
        assert_eq!(s.regime, Regime::Range);
        assert_eq!(s.atr_pct, 0.0156);
        assert_eq!(s.timestamp.millis(), 1_760_011_200_000);
        assert_eq!(s.close, Some(64210.5));
    }

    #[test]
    fn snapshot_with_epoch_millis_unknown_regime_and_extra_fields() {
        let s: RegimeSnapshot = serde_json::from_str(
            r#"{"symbol":"X","timeframe":"3m","regime":"squeeze","adx":"12.5","atrPct":0.01,
               "timestamp":1760014800000,"extra":{"nested":[1,2]}}"#,
        )
        .unwrap();
        assert_eq!(s.regime, Regime::Other("squeeze".into()));
        assert!(!s.regime.is_known());
        assert_eq!(s.adx, 12.5);
        assert_eq!(s.plus_di, None);
        assert_eq!(s.timestamp.millis(), 1_760_014_800_000);
    }

    #[test]
    fn buy_and_sell_read_as_long_and_short() {
        for (wire, side) in [
            ("buy", Side::Long),
            ("SELL", Side::Short),
            ("flat", Side::Flat),
        ] {
            let j = format!(
                r#"{{"id":1,"symbol":"B","timeframe":"1h","side":"{wire}","price":1,"timestamp":0}}"#
            );
            let s: Signal = serde_json::from_str(&j).unwrap();
            assert_eq!(s.side, side);
        }
    }

    #[test]
    fn ids_accept_integral_floats_and_text_but_not_fractions() {
        let ok =
            r#"{"id":"57","symbol":"B","timeframe":"1h","side":"long","price":1,"timestamp":0}"#;
        assert_eq!(serde_json::from_str::<Signal>(ok).unwrap().id, 57);
        let ok =
            r#"{"id":57.0,"symbol":"B","timeframe":"1h","side":"long","price":1,"timestamp":0}"#;
        assert_eq!(serde_json::from_str::<Signal>(ok).unwrap().id, 57);
        let bad =
            r#"{"id":5.5,"symbol":"B","timeframe":"1h","side":"long","price":1,"timestamp":0}"#;
        assert!(serde_json::from_str::<Signal>(bad).is_err());
        let bad =
            r#"{"id":-1,"symbol":"B","timeframe":"1h","side":"long","price":1,"timestamp":0}"#;
        assert!(serde_json::from_str::<Signal>(bad).is_err());
    }

    #[test]
    fn missing_required_field_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<RegimeSnapshot>(r#"{"symbol":"B"}"#).is_err());
        assert!(serde_json::from_str::<Signal>(r#"[]"#).is_err());
    }

    #[test]
    fn writing_is_strict_camel_case_rfc3339() {
        let s = Signal {
            id: 57,
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            side: Side::Long,
            price: 64250.5,
            timestamp: Timestamp(1_760_014_800_000),
            strategy: Some("adx-breakout".into()),
            confidence: Some(0.72),
            note: None,
        };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(
            j,
            r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"timestamp":"2025-10-09T13:00:00.000Z","strategy":"adx-breakout","confidence":0.72}"#
        );
        let back: Signal = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn subscription_matching() {
        let all = Subscription::default();
        assert!(all.matches("BTCUSDT", Some("1h")));
        let s = Subscription {
            symbols: vec!["BTCUSDT".into()],
            timeframes: vec!["1h".into()],
            batch: false,
        };
        assert!(s.matches("BTCUSDT", Some("1h")));
        assert!(s.matches("BTCUSDT", None));
        assert!(!s.matches("BTCUSDT", Some("5m")));
        assert!(!s.matches("ETHUSDT", Some("1h")));
    }
}
