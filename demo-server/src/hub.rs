//! The broadcast hub: every live message is serialised once, into both wire
//! shapes (the plain WebSocket envelope and the Socket.IO event array), and
//! sent through one tokio broadcast channel to every connection task and to
//! the Socket.IO forwarder.
//!
//! Sending never waits for a receiver: a slow receiver falls behind, and when
//! it is more than the channel's capacity behind it skips ahead (tokio's
//! `Lagged`), which the receiver counts. So a flood of 50 000 messages per
//! second to a few clients costs one serialisation per message, and one slow
//! client never stalls the others.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use bytes::Bytes;
use regime_core::model::Subscription;
use regime_core::wire::json::to_json;
use serde::Serialize;
use socketioxide_core::Str;
use tokio::sync::broadcast;

use crate::plain_codec::encode_envelope;

/// How many frames a receiver may fall behind before it skips.
pub const CAPACITY: usize = 8192;

/// The four server events of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Regime,
    Alert,
    Signal,
    Price,
}

impl EventKind {
    /// The name on the wire: the envelope `type` and the Socket.IO event name.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Regime => "regime",
            EventKind::Alert => "regime:alert",
            EventKind::Signal => "signal",
            EventKind::Price => "price",
        }
    }
}

/// What a frame is about, for subscription filtering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Topic {
    /// Filtered by symbol and timeframe.
    Regime { symbol: String, timeframe: String },
    /// Filtered by symbol.
    Price { symbol: String },
    /// Always sent (signals and alerts of every symbol).
    All,
}

impl Topic {
    /// Does a connection with this subscription (None: not subscribed yet,
    /// so everything) get the frame?
    pub fn wanted_by(&self, sub: Option<&Subscription>) -> bool {
        match (self, sub) {
            (_, None) | (Topic::All, _) => true,
            (Topic::Regime { symbol, timeframe }, Some(s)) => s.matches(symbol, Some(timeframe)),
            (Topic::Price { symbol }, Some(s)) => s.matches(symbol, None),
        }
    }
}

/// A plain-WebSocket frame.
#[derive(Clone, Debug)]
pub enum PlainOut {
    Text(Utf8Bytes),
    Binary(Bytes),
}

/// What the Socket.IO forwarder sends, after `42/<ns>,`.
#[derive(Clone, Debug)]
pub enum SioOut {
    /// A well-formed EVENT payload: `["name",{…}]`.
    Event(Str),
    /// Any text as the EVENT payload, well-formed or not (fault injection).
    Raw(Str),
    /// A BINARY_EVENT header with one placeholder, then one binary attachment.
    Binary(Str, Bytes),
}

/// One live message, pre-serialised for both transports.
#[derive(Clone, Debug)]
pub struct Frame {
    pub topic: Topic,
    pub plain: PlainOut,
    pub sio: SioOut,
    /// The plain text is one JSON value, so it can be an element of a batch
    /// (both transports' batches carry plain envelopes). A malformed frame
    /// that is still JSON becomes a bad element; one that is not (or a
    /// binary one) is sent on its own, after the batch before it.
    pub batchable: bool,
}

impl Frame {
    pub fn new(topic: Topic, plain: PlainOut, sio: SioOut) -> Frame {
        let batchable = match &plain {
            PlainOut::Text(t) => serde_json::from_str::<serde::de::IgnoredAny>(t.as_str()).is_ok(),
            PlainOut::Binary(_) => false,
        };
        Frame {
            topic,
            plain,
            sio,
            batchable,
        }
    }

    /// A contract event: `{"type":name,"data":…}` and `["name",…]`.
    pub fn event<T: Serialize>(kind: EventKind, topic: Topic, data: &T) -> Frame {
        let json = to_json(data);
        let name = kind.name();
        Frame {
            topic,
            plain: PlainOut::Text(Utf8Bytes::from(encode_envelope(name, &json))),
            sio: SioOut::Event(Str::from(format!(r#"["{name}",{json}]"#))),
            batchable: true,
        }
    }

    pub fn regime(s: &regime_core::model::RegimeSnapshot) -> Frame {
        let topic = Topic::Regime {
            symbol: s.symbol.clone(),
            timeframe: s.timeframe.clone(),
        };
        Frame::event(EventKind::Regime, topic, s)
    }

    pub fn alert(a: &regime_core::model::RegimeAlert) -> Frame {
        Frame::event(EventKind::Alert, Topic::All, a)
    }

    pub fn signal(s: &regime_core::model::Signal) -> Frame {
        Frame::event(EventKind::Signal, Topic::All, s)
    }

    pub fn price(p: &regime_core::model::PriceTick) -> Frame {
        Frame::event(
            EventKind::Price,
            Topic::Price {
                symbol: p.symbol.clone(),
            },
            p,
        )
    }
}

/// The broadcast channel and its sender.
pub struct Hub {
    tx: broadcast::Sender<Arc<Frame>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(CAPACITY)
    }
}

impl Hub {
    pub fn new(capacity: usize) -> Hub {
        let (tx, _) = broadcast::channel(capacity.max(16));
        Hub { tx }
    }

    /// Sends a frame to every current receiver; never blocks.
    pub fn send(&self, frame: Frame) {
        // An error only means that nobody listens right now.
        let _ = self.tx.send(Arc::new(frame));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.tx.subscribe()
    }
}

/// The next frame, counting into `lagged` the frames a slow receiver
/// missed (the channel keeps [`CAPACITY`]); `None` once the hub is gone.
/// Cancel-safe, as `broadcast::Receiver::recv`: for `select!`.
pub async fn next_frame(
    rx: &mut broadcast::Receiver<Arc<Frame>>,
    lagged: &AtomicU64,
) -> Option<Arc<Frame>> {
    loop {
        match rx.recv().await {
            Ok(f) => return Some(f),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                lagged.fetch_add(n, Ordering::Relaxed);
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

/// Adds to `run` the frames already waiting, until it holds `most`: one
/// wake-up per burst. Missed frames are counted into `lagged`.
pub fn take_waiting(
    rx: &mut broadcast::Receiver<Arc<Frame>>,
    run: &mut Vec<Arc<Frame>>,
    most: usize,
    lagged: &AtomicU64,
) {
    while run.len() < most {
        match rx.try_recv() {
            Ok(f) => run.push(f),
            Err(broadcast::error::TryRecvError::Lagged(n)) => {
                lagged.fetch_add(n, Ordering::Relaxed);
            }
            Err(_) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::{PriceTick, Timestamp};

    #[test]
    fn one_serialisation_two_shapes() {
        let f = Frame::price(&PriceTick {
            symbol: "BTCUSDT".into(),
            price: 1.5,
            timestamp: Timestamp(0),
        });
        let PlainOut::Text(t) = &f.plain else {
            panic!()
        };
        assert_eq!(
            t.as_str(),
            r#"{"type":"price","data":{"symbol":"BTCUSDT","price":1.5,"timestamp":"1970-01-01T00:00:00.000Z"}}"#
        );
        let SioOut::Event(s) = &f.sio else { panic!() };
        assert_eq!(
            s.as_str(),
            r#"["price",{"symbol":"BTCUSDT","price":1.5,"timestamp":"1970-01-01T00:00:00.000Z"}]"#
        );
    }

    #[test]
    fn topic_filtering() {
        let sub = Subscription {
            symbols: vec!["BTCUSDT".into()],
            timeframes: vec!["1h".into()],
            batch: false,
        };
        let r = |s: &str, t: &str| Topic::Regime {
            symbol: s.into(),
            timeframe: t.into(),
        };
        assert!(r("BTCUSDT", "1h").wanted_by(Some(&sub)));
        assert!(!r("BTCUSDT", "1m").wanted_by(Some(&sub)));
        assert!(!r("ETHUSDT", "1h").wanted_by(Some(&sub)));
        assert!(r("ETHUSDT", "1m").wanted_by(None));
        assert!(Topic::Price {
            symbol: "BTCUSDT".into()
        }
        .wanted_by(Some(&sub)));
        assert!(!Topic::Price {
            symbol: "SOLUSDT".into()
        }
        .wanted_by(Some(&sub)));
        assert!(Topic::All.wanted_by(Some(&sub)));
    }

    #[tokio::test]
    async fn a_lagging_receiver_skips_instead_of_blocking_the_sender() {
        let hub = Hub::new(16);
        let mut rx = hub.subscribe();
        for i in 0..100 {
            hub.send(Frame::price(&PriceTick {
                symbol: "X".into(),
                price: i as f64,
                timestamp: Timestamp(0),
            }));
        }
        match rx.recv().await {
            Err(broadcast::error::RecvError::Lagged(n)) => assert_eq!(n, 84),
            other => panic!("expected a lag, got {other:?}"),
        }
        assert!(rx.recv().await.is_ok());
    }

    #[tokio::test]
    async fn a_run_is_the_next_frame_and_those_waiting_with_the_missed_counted() {
        let hub = Hub::new(16);
        let mut rx = hub.subscribe();
        let price = |i: usize| {
            Frame::price(&PriceTick {
                symbol: "X".into(),
                price: i as f64,
                timestamp: Timestamp(0),
            })
        };
        for i in 0..100 {
            hub.send(price(i));
        }
        let lagged = AtomicU64::new(0);
        let first = next_frame(&mut rx, &lagged).await.expect("a frame");
        assert_eq!(
            lagged.load(Ordering::Relaxed),
            84,
            "the 84 the channel dropped"
        );
        let mut run = vec![first];
        take_waiting(&mut rx, &mut run, 10, &lagged);
        assert_eq!(run.len(), 10, "no more than asked");
        take_waiting(&mut rx, &mut run, 100, &lagged);
        assert_eq!(run.len(), 16, "every frame kept, in order, once");
        let prices: Vec<String> = run
            .iter()
            .map(|f| match &f.plain {
                PlainOut::Text(t) => t.as_str().to_string(),
                _ => String::new(),
            })
            .collect();
        assert!(prices[0].contains("\"price\":84.0") || prices[0].contains("\"price\":84,"));
        assert!(prices[15].contains("\"price\":99"));
        drop(hub);
        assert!(
            next_frame(&mut rx, &lagged).await.is_none(),
            "the hub is gone"
        );
    }
}
