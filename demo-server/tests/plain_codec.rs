//! The demo backend's side of the plain envelope: what it reads from a
//! client, and what it writes, read back by the client's decoder.

use demo_server::plain_codec::{decode_client_frame, encode_error, encode_event, PlainClientFrame};
use regime_core::live::LiveEvent;
use regime_core::model::Subscription;
use regime_core::plain::{decode_server_frame, encode_ping, encode_subscribe, PlainServerFrame};

#[test]
fn client_frames() {
    let sub = Subscription {
        symbols: vec!["BTCUSDT".into()],
        timeframes: vec!["1h".into()],
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
fn what_we_send_the_demo_backend_reads() {
    let sub = Subscription {
        symbols: vec!["BTCUSDT".into(), "ETHUSDT".into()],
        timeframes: vec![],
    };
    assert_eq!(
        decode_client_frame(&encode_subscribe(&sub)),
        Ok(PlainClientFrame::Subscribe(sub))
    );
    assert_eq!(
        decode_client_frame(&encode_ping(41)),
        Ok(PlainClientFrame::Ping { id: Some(41) })
    );
}
