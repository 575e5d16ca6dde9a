//! Whole wire frames through the decoders, as tables: each row is a frame as
//! a WebSocket delivers it and a one-line summary of what it means (or
//! `reject: <start of the reason>`).

use regime_core::engineio::EngineIoPacket;
use regime_core::live::{FrameError, LiveEvent};
use regime_core::plain::{self, PlainServerFrame};
use regime_core::socketio::{self, PacketType, ServerEvent, SocketIoPacket};

/// What a Socket.IO server's text frame means, in one line.
fn summarize_socketio(frame: &str) -> String {
    let packet = match EngineIoPacket::decode(frame) {
        Ok(packet) => packet,
        Err(e) => return format!("reject: {}", e.reason),
    };
    let message = match packet {
        EngineIoPacket::Open(o) => {
            return format!(
                "open sid={} upgrades={:?} ping={}+{} max={:?}",
                o.sid, o.upgrades, o.ping_interval, o.ping_timeout, o.max_payload
            )
        }
        EngineIoPacket::Message(m) => m,
        other => return other.name().to_string(),
    };
    let packet = match SocketIoPacket::decode(message) {
        Ok(packet) => packet,
        Err(e) => return format!("reject: {}", e.reason),
    };
    let mut s = format!("{} {}", packet.packet_type.name(), packet.namespace);
    if packet.attachments > 0 {
        s.push_str(&format!(" attachments={}", packet.attachments));
    }
    if let Some(id) = packet.ack_id {
        s.push_str(&format!(" ack={id}"));
    }
    match (packet.packet_type, packet.payload) {
        (PacketType::Connect, payload) => match socketio::decode_connect_reply(payload) {
            Ok(reply) => {
                if let Some(sid) = reply.sid {
                    s.push_str(&format!(" sid={sid}"));
                }
                if let Some(pid) = reply.pid {
                    s.push_str(&format!(" pid={pid}"));
                }
            }
            Err(reason) => s.push_str(&format!(" ({reason})")),
        },
        (PacketType::ConnectError, payload) => {
            s.push_str(&format!(
                " message={:?}",
                socketio::connect_error_message(payload)
            ));
        }
        (PacketType::Event, Some(payload)) => match socketio::decode_event(payload) {
            Ok(decoded) => {
                match decoded.event {
                    ServerEvent::Market(event) => s.push_str(&format!(" market {}", event.name())),
                    ServerEvent::Batch(Ok(items)) => {
                        s.push_str(&format!(" batch {}", summarize_batch(items)))
                    }
                    ServerEvent::Batch(Err(reason)) => s.push_str(&format!(" batch ({reason})")),
                    ServerEvent::Unknown(name) => s.push_str(&format!(" {name}")),
                }
                if let Some(offset) = decoded.offset {
                    s.push_str(&format!(" last-string={offset}"));
                }
            }
            Err(e) => s.push_str(&format!(" ({})", e.reason)),
        },
        (_, Some(payload)) => s.push_str(&format!(" {payload}")),
        (_, None) => {}
    }
    s
}

fn check_table(summarize: fn(&str) -> String, table: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (frame, expect) in table {
        let got = summarize(frame);
        let ok = match expect.strip_prefix("reject: ") {
            Some(reason) => {
                got.starts_with("reject: ") && got["reject: ".len()..].starts_with(reason)
            }
            None => got == *expect,
        };
        if !ok {
            failures.push(format!(
                "  {frame:?}\n    got:    {got}\n    expect: {expect}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

#[test]
fn socketio_md_test_vectors() {
    check_table(
        summarize_socketio,
        &[
            (
                r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#,
                r#"open sid=lv_VI97HAXpY6yYWAAAC upgrades=["websocket"] ping=25000+5000 max=Some(1000000)"#,
            ),
            ("2", "ping"),
            ("3", "pong"),
            ("1", "close"),
            ("6", "noop"),
            ("4hello", "reject: unknown Socket.IO packet type 'h'"),
            ("abc", "reject: unknown Engine.IO packet type 'a'"),
            ("a123", "reject: unknown Engine.IO packet type 'a'"),
            ("", "reject: empty frame"),
            ("40", "CONNECT /"),
            (
                r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
                "CONNECT / sid=wZX3oN0bSVIhsaknAAAI",
            ),
            ("40/admin,", "CONNECT /admin"),
            (
                r#"40/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
                "CONNECT /admin sid=oSO0OpakMV_3jnilAAAA",
            ),
            ("40/random", "CONNECT /random"),
            (
                r#"44/random,{"message":"Invalid namespace"}"#,
                r#"CONNECT_ERROR /random message="Invalid namespace""#,
            ),
            (
                r#"44/signals,"Unable to connect""#,
                r#"CONNECT_ERROR /signals message="Unable to connect""#,
            ),
            (
                r#"44{"message":"Not authorized"}"#,
                r#"CONNECT_ERROR / message="Not authorized""#,
            ),
            (r#"42["foo"]"#, "EVENT / foo"),
            (r#"42/admin,["bar"]"#, "EVENT /admin bar"),
            (r#"42["hey","Jude"]"#, "EVENT / hey last-string=Jude"),
            (r#"4212["foo"]"#, "EVENT / ack=12 foo"),
            (r#"42/admin,1["tellme"]"#, "EVENT /admin ack=1 tellme"),
            (r#"42/signals,0["hello"]"#, "EVENT /signals ack=0 hello"),
            (r#"43/admin,13["bar"]"#, r#"ACK /admin ack=13 ["bar"]"#),
            (
                r#"43456[1,"2",{"3":[false]}]"#,
                r#"ACK / ack=456 [1,"2",{"3":[false]}]"#,
            ),
            ("4312[]", "ACK / ack=12 []"),
            ("41", "DISCONNECT /"),
            ("41/admin,", "DISCONNECT /admin"),
            (
                r#"451-["baz",{"_placeholder":true,"num":0}]"#,
                r#"BINARY_EVENT / attachments=1 ["baz",{"_placeholder":true,"num":0}]"#,
            ),
            (
                r#"461-/admin,1[{"_placeholder":true,"num":0}]"#,
                r#"BINARY_ACK /admin attachments=1 ack=1 [{"_placeholder":true,"num":0}]"#,
            ),
            (
                r#"40/signals,{"sid":"abc","pid":"def"}"#,
                "CONNECT /signals sid=abc pid=def",
            ),
            (
                r#"42/signals,["regime",{"x":1},"MzUPkW0"]"#,
                r#"EVENT /signals (regime: missing field "symbol")"#,
            ),
            // Tolerated: python-socketio sends a DISCONNECT with a payload.
            ("41/admin,{}", "DISCONNECT /admin {}"),
        ],
    );
}

#[test]
fn socketio_md_reject_list() {
    let rejects = [
        r#"42["some","data""#,
        r#"40/admin,"invalid""#,
        "40[]",
        r#"42/admin,"invalid"#,
        "42/admin,{}",
        r#"42[true,"foo"]"#,
        r#"42[null,"bar"]"#,
        r#"42["connect"]"#,
        r#"42["disconnect","123"]"#,
        "42[]",
        "45",
        "451",
        "45a-",
        "451.23-",
        "4999",
    ];
    for frame in rejects {
        let got = summarize_socketio(frame);
        assert!(got.starts_with("reject: "), "{frame:?} was accepted: {got}");
    }
}

#[test]
fn socketio_market_events() {
    let signal = r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"timestamp":"2025-10-09T13:00:00Z"}"#;
    let snapshot = r#"{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:00:00Z"}"#;
    let alert = r#"{"id":1042,"symbol":"BTCUSDT","timeframe":"1h","from":"range","to":"trend_up","adx":27.1,"atrPct":0.018,"timestamp":"2025-10-09T13:00:00Z"}"#;
    let price = r#"{"symbol":"BTCUSDT","price":64251.0,"timestamp":1760014800000}"#;
    let rows = [
        format!(r#"42/signals,["signal",{signal}]"#),
        format!(r#"42/signals,["regime",{snapshot}]"#),
        format!(r#"42/signals,["regime:alert",{alert}]"#),
        format!(r#"42/signals,["price",{price}]"#),
        format!(r#"42/signals,["signal",{signal},"MzUPkW0"]"#),
        format!(r#"42["price",{price}]"#),
        r#"42/signals,["signal",{"id":1}]"#.to_string(),
        r#"42/signals,["signal"]"#.to_string(),
        // The `batch` event (PROTOCOL.md §4): one argument, an array of
        // plain envelopes, each read on its own.
        format!(
            r#"42/signals,["batch",[{{"type":"signal","data":{signal}}},{{"type":"price","data":{{"x":1}}}},{{"type":"price","data":{price}}}],"off7"]"#
        ),
        r#"42/signals,["batch",[]]"#.to_string(),
        r#"42/signals,["batch",{"type":"signal"}]"#.to_string(),
        r#"42/signals,["batch"]"#.to_string(),
    ];
    let expect = [
        "EVENT /signals market signal",
        "EVENT /signals market regime",
        "EVENT /signals market regime:alert",
        "EVENT /signals market price",
        "EVENT /signals market signal last-string=MzUPkW0",
        "EVENT / market price",
        r#"EVENT /signals (signal: missing field "symbol")"#,
        "EVENT /signals (signal: the event has no argument)",
        concat!(
            "EVENT /signals batch [signal #57 BTCUSDT 1h long @64250.5; ",
            r#"reject: batch element 2: price: missing field "symbol"; "#,
            "price BTCUSDT 64251 t=1760014800000] last-string=off7"
        ),
        "EVENT /signals batch []",
        "EVENT /signals batch (is not an array of envelopes)",
        "EVENT /signals (invalid EVENT payload: the event has no argument)",
    ];
    for (frame, expect) in rows.iter().zip(expect) {
        assert_eq!(summarize_socketio(frame), expect, "{frame}");
    }
}

/// A batch's elements in one line: `[signal #1 …; reject: …]`.
fn summarize_batch(items: Vec<Result<LiveEvent, FrameError>>) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|item| match item {
            Ok(event) => summarize_event(event),
            Err(e) => format!("reject: {}", e.reason),
        })
        .collect();
    format!("[{}]", items.join("; "))
}

/// What a plain server's frame means, in one line.
fn summarize_plain(frame: &str) -> String {
    match plain::decode_server_frame(frame) {
        Ok(PlainServerFrame::Event(event)) => summarize_event(event),
        Ok(PlainServerFrame::Batch(items)) => format!("batch {}", summarize_batch(items)),
        Ok(PlainServerFrame::Pong { id }) => format!("pong {id:?}"),
        Ok(PlainServerFrame::ServerPing { id }) => format!("ping {id:?}"),
        Ok(PlainServerFrame::Error { message }) => format!("error {message:?}"),
        Err(e) => format!("reject: {}", e.reason),
    }
}

/// One market event in one line.
fn summarize_event(event: LiveEvent) -> String {
    match event {
        LiveEvent::Regime(s) => format!(
            "regime {} {} {} adx={}",
            s.symbol, s.timeframe, s.regime, s.adx
        ),
        LiveEvent::Alert(a) => format!("alert #{} {} {}->{}", a.id, a.symbol, a.from, a.to),
        LiveEvent::Signal(s) => format!(
            "signal #{} {} {} {} @{}",
            s.id, s.symbol, s.timeframe, s.side, s.price
        ),
        LiveEvent::Price(p) => {
            format!("price {} {} t={}", p.symbol, p.price, p.timestamp.millis())
        }
    }
}

#[test]
fn plain_frames() {
    check_table(
        summarize_plain,
        &[
            (
                r#"{"type":"regime","data":{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:00:00Z","plusDi":17.2,"minusDi":15.9,"close":64210.5}}"#,
                "regime BTCUSDT 1h range adx=18.5",
            ),
            (
                r#"{"type":"regime:alert","data":{"id":1042,"symbol":"BTCUSDT","timeframe":"1h","from":"range","to":"trend_up","adx":27.1,"atrPct":0.018,"timestamp":"2025-10-09T13:00:00Z","message":"ADX crossed 25"}}"#,
                "alert #1042 BTCUSDT range->trend_up",
            ),
            (
                r#"{"type":"signal","data":{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"buy","price":"64250.5","strategy":"adx-breakout","confidence":0.72,"timestamp":"2025-10-09T13:00:00Z","note":"DI+ over DI-"}}"#,
                "signal #57 BTCUSDT 1h long @64250.5",
            ),
            (
                r#"{"type":"price","data":{"symbol":"BTCUSDT","price":64251.0,"timestamp":1760014800000}}"#,
                "price BTCUSDT 64251 t=1760014800000",
            ),
            (
                r#"{"data":{"symbol":"ETHUSDT","price":1,"timestamp":"1970-01-01T00:00:01Z"},"type":"price"}"#,
                "price ETHUSDT 1 t=1000",
            ),
            (
                r#"{"symbol":"BTCUSDT","timeframe":"4h","regime":"squeeze","adx":12,"atrPct":0.01,"timestamp":0}"#,
                "regime BTCUSDT 4h squeeze adx=12",
            ),
            (r#"{"type":"pong","id":7}"#, "pong Some(7)"),
            (r#"{"type":"ping","id":8}"#, "ping Some(8)"),
            (
                r#"{"type":"error","data":{"message":"unknown symbol"}}"#,
                r#"error "unknown symbol""#,
            ),
            (
                r#"{"type":"tick","data":{}}"#,
                r#"reject: unknown type "tick""#,
            ),
            ("not json", "reject: frame is not JSON: expected ident"),
            ("[]", "reject: frame is not a JSON object but an array"),
            (
                r#"{"type":"signal","data":{"id":1,"symbol":"B","timeframe":"1h","side":"long","timestamp":0}}"#,
                r#"reject: signal: missing field "price""#,
            ),
            (r#"{"type":"signal"}"#, r#"reject: signal: missing "data""#),
            (
                r#"{"type":"price","data":{"symbol":"B","price":1e999,"timestamp":0}}"#,
                "reject: frame is not JSON: number out of range",
            ),
            (
                r#"{"type":"price","data":{"symbol":"B","price":1,"timestamp":"yesterday"}}"#,
                r#"reject: price: not an RFC 3339 time: "yesterday""#,
            ),
            (r#"{"hello":"world"}"#, r#"reject: missing "type""#),
            (
                r#"0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#,
                "reject: frame is not JSON: trailing characters",
            ),
        ],
    );
}

/// PROTOCOL.md §3 "Batches": the elements in order, each decoded on its
/// own; a bad one is rejected in its place and the rest stand.
#[test]
fn plain_batches() {
    const S1: &str = r#"{"type":"signal","data":{"id":1,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":10,"timestamp":0}}"#;
    const S2: &str = r#"{"type":"signal","data":{"id":2,"symbol":"ETHUSDT","timeframe":"5m","side":"short","price":20,"timestamp":0}}"#;
    const P: &str = r#"{"type":"price","data":{"symbol":"BTCUSDT","price":11,"timestamp":5}}"#;
    let batch = |elements: &str| format!(r#"{{"type":"batch","data":[{elements}]}}"#);
    check_table(
        summarize_plain,
        &[
            (
                &batch(&format!("{S1},{P},{S2}")),
                "batch [signal #1 BTCUSDT 1h long @10; price BTCUSDT 11 t=5; signal #2 ETHUSDT 5m short @20]",
            ),
            // `data` before `type`, spaces, unknown fields: the same.
            (
                &format!(r#"{{ "data" : [ {S1} ] , "seq":9, "type" : "batch" }}"#),
                "batch [signal #1 BTCUSDT 1h long @10]",
            ),
            (r#"{"type":"batch","data":[]}"#, "batch []"),
            (
                &batch(&format!(
                    r#"{S1},{{"type":"signal","data":{{"id":"x"}}}},7,{{"type":"tick","data":{{}}}},{{"type":"pong"}},{S2}"#
                )),
                concat!(
                    "batch [signal #1 BTCUSDT 1h long @10; ",
                    r#"reject: batch element 2: signal: id is not an integer: "x"; "#,
                    "reject: batch element 3: frame is not a JSON object but a number; ",
                    r#"reject: batch element 4: unknown type "tick"; "#,
                    "reject: batch element 5: only market events (regime, regime:alert, signal, price) may be batched; ",
                    "signal #2 ETHUSDT 5m short @20]"
                ),
            ),
            (
                &batch(&batch(S1)),
                "batch [reject: batch element 1: a batch inside a batch]",
            ),
            (
                r#"{"type":"batch","data":{"type":"signal"}}"#,
                r#"reject: batch: "data" is not an array of envelopes"#,
            ),
            (
                r#"{"type":"batch","data":"[]"}"#,
                r#"reject: batch: "data" is not an array of envelopes"#,
            ),
            (r#"{"type":"batch"}"#, r#"reject: batch: missing "data""#),
            (
                &format!(r#"{{"type":"batch","data":[{S1},"#),
                "reject: frame is not JSON",
            ),
        ],
    );
}
