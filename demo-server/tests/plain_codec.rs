//! The demo backend's side of the plain envelope: what it reads from a
//! client, and what it writes, read back by the client's decoder.

use demo_server::plain_codec::{
    decode_client_frame, encode_batch, encode_error, encode_event, PlainClientFrame,
};
use regime_core::live::LiveEvent;
use regime_core::model::Subscription;
use regime_core::plain::{decode_server_frame, encode_ping, encode_subscribe, PlainServerFrame};

#[test]
fn client_frames() {
    let sub = Subscription {
        symbols: vec!["BTCUSDT".into()],
        timeframes: vec!["1h".into()],
        batch: false,
    };
    assert_eq!(
        decode_client_frame(&encode_subscribe(&sub)),
        Ok(PlainClientFrame::Subscribe(sub.clone()))
    );
    assert_eq!(
        decode_client_frame(
            r#"{"type":"subscribe","data":{"symbols":["BTCUSDT"],"timeframes":["1h"]}}"#
        ),
        Ok(PlainClientFrame::Subscribe(sub))
    );
    assert_eq!(
        decode_client_frame(r#"{"type":"subscribe"}"#),
        Ok(PlainClientFrame::Subscribe(Subscription::default()))
    );
    assert_eq!(
        decode_client_frame(&encode_ping(3)),
        Ok(PlainClientFrame::Ping { id: Some(3) })
    );
    assert_eq!(
        decode_client_frame(r#"{"type":"ping"}"#),
        Ok(PlainClientFrame::Ping { id: None })
    );
    for (bad, reason) in [
        ("nope", "frame is not JSON"),
        ("[]", "frame is not a JSON object"),
        (r#"{"type":"dance"}"#, r#"unknown type "dance""#),
        (r#"{"symbols":[]}"#, r#"missing field "type""#),
        (r#"{"type":"subscribe","symbols":"BTC"}"#, "invalid type"),
        (
            r#"{"type":"subscribe","data":{"symbols":7}}"#,
            "subscribe: invalid type",
        ),
    ] {
        let err = decode_client_frame(bad).expect_err(bad);
        assert!(err.reason.starts_with(reason), "{bad}: {:?}", err.reason);
    }
}

#[test]
fn server_encoders() {
    assert_eq!(
        encode_error("no \"such\" symbol"),
        r#"{"type":"error","data":{"message":"no \"such\" symbol"}}"#
    );
    let signal = r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"timestamp":"2025-10-09T13:00:00Z"}"#;
    let ev = LiveEvent::Signal(serde_json::from_str(signal).expect("a signal"));
    let text = encode_event(&ev);
    assert!(
        text.starts_with(r#"{"type":"signal","data":{"id":57,"#),
        "{text}"
    );
    assert_eq!(decode_server_frame(&text), Ok(PlainServerFrame::Event(ev)));
    assert_eq!(
        decode_server_frame(&encode_error("e")),
        Ok(PlainServerFrame::Error {
            message: "e".into()
        })
    );
}

#[test]
fn a_batch_the_demo_backend_writes_the_client_reads_in_order() {
    let price = r#"{"symbol":"BTCUSDT","price":1.5,"timestamp":0}"#;
    let signal = r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"timestamp":"2025-10-09T13:00:00Z"}"#;
    let events = [
        LiveEvent::Signal(serde_json::from_str(signal).expect("a signal")),
        LiveEvent::Price(serde_json::from_str(price).expect("a price")),
    ];
    let elements: Vec<String> = events.iter().map(encode_event).collect();
    let text = encode_batch(elements.iter().map(String::as_str));
    assert!(
        text.starts_with(r#"{"type":"batch","data":[{"type":"signal""#),
        "{text}"
    );
    assert_eq!(
        decode_server_frame(&text),
        Ok(PlainServerFrame::Batch(
            events.into_iter().map(Ok).collect()
        ))
    );
    assert_eq!(
        decode_server_frame(&encode_batch([])),
        Ok(PlainServerFrame::Batch(vec![]))
    );
}

#[test]
fn what_we_send_the_demo_backend_reads() {
    let sub = Subscription {
        symbols: vec!["BTCUSDT".into(), "ETHUSDT".into()],
        timeframes: vec![],
        batch: true,
    };
    assert_eq!(
        decode_client_frame(&encode_subscribe(&sub)),
        Ok(PlainClientFrame::Subscribe(sub))
    );
    // Only `true` asks for batches.
    for (text, batch) in [
        (r#"{"type":"subscribe","batch":true}"#, true),
        (r#"{"type":"subscribe","batch":"yes"}"#, false),
        (r#"{"type":"subscribe","batch":1}"#, false),
    ] {
        match decode_client_frame(text) {
            Ok(PlainClientFrame::Subscribe(s)) => assert_eq!(s.batch, batch, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    assert_eq!(
        decode_client_frame(&encode_ping(41)),
        Ok(PlainClientFrame::Ping { id: Some(41) })
    );
}
