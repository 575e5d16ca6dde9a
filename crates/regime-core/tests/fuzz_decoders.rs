//! Nothing a server sends may panic the decoders or a session.
//!
//! A deterministic generator (SplitMix64) makes arbitrary strings and
//! near-miss mutations of valid frames (cut, spliced, with a character or a
//! JSON token inserted, replaced or deleted) and feeds each one to every
//! decoder and to live sessions of both kinds in every state they can be in.
//! Besides "no panic", it checks what must always hold: a decoded Socket.IO or
//! Engine.IO packet encodes back to itself, a session ends at most once and is
//! silent afterwards, a Socket.IO session never sends a ping, and every
//! rejection has a reason.
//!
//! `cargo test -p regime-core --test fuzz_decoders` runs 20 000 inputs.
//! `FUZZ_CASES=1000000 cargo test --release -p regime-core --test fuzz_decoders -- --nocapture`
//! runs a million; `FUZZ_SEED=n` picks another sequence.

use regime_core::engineio::EngineIoPacket;
use regime_core::live::{SessionEvent, TransportKind};
use regime_core::model::Subscription;
use regime_core::plain;
use regime_core::session::{LiveSession, PlainSessionConfig, SocketIoSessionConfig};
use regime_core::socketio::{self, SocketIoPacket};
use regime_core::Millis;

/// The demo backend's side of the plain envelope, compiled here too so that
/// the same inputs reach its decoder (it uses regime-core, serde and
/// serde_json only, for that reason).
#[allow(dead_code)]
#[path = "../../../demo-server/src/plain_codec.rs"]
mod plain_codec;

/// SplitMix64: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SIGNAL: &str = r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"strategy":"adx-breakout","confidence":0.72,"timestamp":"2025-10-09T13:00:00Z","note":"DI+ over DI-"}"#;
const SNAPSHOT: &str = r#"{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:00:00Z","plusDi":17.2,"minusDi":15.9,"close":64210.5}"#;
const ALERT: &str = r#"{"id":1042,"symbol":"BTCUSDT","timeframe":"1h","from":"range","to":"trend_up","adx":27.1,"atrPct":0.018,"timestamp":"2025-10-09T13:00:00Z","message":"ADX crossed 25"}"#;
const PRICE: &str = r#"{"symbol":"BTCUSDT","price":64251.0,"timestamp":1760014800000}"#;
const OPEN: &str = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#;

/// Valid frames of every kind, the seeds of the near misses.
fn corpus() -> Vec<String> {
    let mut frames: Vec<String> = [
        OPEN,
        r#"0{"pingTimeout":20000,"pingInterval":25000,"upgrades":[],"sid":"abc"}"#,
        "1",
        "2",
        "3",
        "6",
        "2probe",
        "4hello",
        "40",
        r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
        "40/admin,",
        r#"40/signals,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
        "40/random",
        r#"44/random,{"message":"Invalid namespace"}"#,
        r#"44/signals,"Unable to connect""#,
        r#"44{"message":"Not authorized"}"#,
        r#"42["foo"]"#,
        r#"42/admin,["bar"]"#,
        r#"42["hey","Jude"]"#,
        r#"4212["foo"]"#,
        r#"42/admin,1["tellme"]"#,
        r#"42/signals,0["hello"]"#,
        r#"43/admin,13["bar"]"#,
        r#"43456[1,"2",{"3":[false]}]"#,
        "4312[]",
        "41",
        "41/signals,",
        "41/admin,{}",
        r#"451-["baz",{"_placeholder":true,"num":0}]"#,
        r#"461-/admin,1[{"_placeholder":true,"num":0}]"#,
        r#"452-/signals,["f",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
        r#"40/signals,{"sid":"abc","pid":"def"}"#,
        r#"42/signals,["regime",{"x":1},"MzUPkW0"]"#,
        r#"{"type":"pong","id":7}"#,
        r#"{"type":"ping","id":3}"#,
        r#"{"type":"error","data":{"message":"bad symbol"}}"#,
        r#"{"type":"subscribe","symbols":["BTCUSDT"],"timeframes":["1h"]}"#,
        SNAPSHOT,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (name, data) in [
        ("signal", SIGNAL),
        ("regime", SNAPSHOT),
        ("regime:alert", ALERT),
        ("price", PRICE),
    ] {
        frames.push(format!(r#"{{"type":"{name}","data":{data}}}"#));
        frames.push(format!(r#"{{"data":{data},"type":"{name}"}}"#));
        frames.push(format!(r#"42/signals,["{name}",{data}]"#));
        frames.push(format!(r#"42/signals,["{name}",{data},"MzUPkW0"]"#));
        frames.push(format!(r#"42["{name}",{data}]"#));
    }
    // Batches (PROTOCOL.md "Batches"), with a bad element among good ones.
    let elements = format!(
        r#"[{{"type":"signal","data":{SIGNAL}}},{{"type":"price","data":{{"x":1}}}},{{"type":"price","data":{PRICE}}}]"#
    );
    frames.push(format!(r#"{{"type":"batch","data":{elements}}}"#));
    frames.push(format!(r#"{{"data":{elements},"type":"batch"}}"#));
    frames.push(format!(r#"42/signals,["batch",{elements}]"#));
    frames.push(format!(r#"42/signals,["batch",{elements},"MzUPkW0"]"#));
    frames
}

/// Pieces that make near misses interesting for a JSON or Socket.IO parser.
const TOKENS: &[&str] = &[
    "\"", "{", "}", "[", "]", ",", ":", "-", "/", "\\", "\\u", "\\ud800", "\\u0000", "null", "true", "false", "0",
    "-1", "1e999", "-0.0", "18446744073709551616", "99999999999999999999-", "1.5", "\"\"", "{}", "[]", "/signals,",
    "/admin,", "42", "4", "0{", "\"sid\"", "\"pid\"", "\"signal\"", "\"connect\"", "\"regime\"", "\"type\"",
    "\"data\"", "\"batch\"", "{\"_placeholder\":true,\"num\":0}", "\u{0}", "é", "€", "😀", "\u{fffd}", " ", "\n", "\t",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":",
];

const ALPHABET: &[char] = &[
    '{', '}', '[', ']', '"', ',', ':', '-', '/', '\\', '0', '1', '2', '3', '4', '5', '6', '7', '9',
    'a', 'e', 'n', 's', 't', 'u', ' ', '.', 'é', '😀', '\u{0}', '\u{7f}', '\u{2028}',
];

fn random_char(rng: &mut Rng) -> char {
    match rng.below(4) {
        0 | 1 => *rng.pick(ALPHABET),
        2 => (0x20 + rng.below(0x5f) as u8) as char,
        _ => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
    }
}

/// A string of any characters, most of them ones the parsers care about.
fn arbitrary(rng: &mut Rng) -> String {
    let len = match rng.below(10) {
        0 => 0,
        1..=6 => rng.below(16),
        _ => rng.below(200),
    };
    (0..len).map(|_| random_char(rng)).collect()
}

/// A valid frame, bent one to four times.
fn near_miss(rng: &mut Rng, corpus: &[String]) -> String {
    let mut chars: Vec<char> = rng.pick(corpus).chars().collect();
    for _ in 0..1 + rng.below(4) {
        let len = chars.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => {
                let end = (at + 1 + rng.below(8)).min(len);
                chars.drain(at.min(len)..end.max(at.min(len)));
            }
            1 => chars.insert(at, random_char(rng)),
            2 if at < len => chars[at] = random_char(rng),
            3 => chars.truncate(at),
            4 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                let piece: Vec<char> = chars[start..end].to_vec();
                let at = rng.below(chars.len() + 1);
                chars.splice(at..at, piece);
            }
            5 => {
                let other: Vec<char> = rng.pick(corpus).chars().collect();
                let cut = rng.below(other.len() + 1);
                chars.truncate(at);
                chars.extend_from_slice(&other[cut..]);
            }
            6 | 7 => {
                let token: Vec<char> = rng.pick(TOKENS).chars().collect();
                chars.splice(at..at, token);
            }
            _ if len > 1 => {
                let other = rng.below(len);
                chars.swap(at.min(len - 1), other);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Every decoder on one input, with the round-trip properties.
fn decode_everything(text: &str) {
    let _ = plain::decode_server_frame(text);
    let _ = plain_codec::decode_client_frame(text);
    if let Ok(plain::PlainServerFrame::Event(event)) = plain::decode_server_frame(text) {
        let _ = plain::decode_server_frame(&plain_codec::encode_event(&event));
    }
    if let Ok(packet) = EngineIoPacket::decode(text) {
        let again = packet.encode();
        let back = EngineIoPacket::decode(&again);
        match (&packet, &back) {
            (EngineIoPacket::Close | EngineIoPacket::Upgrade | EngineIoPacket::Noop, Ok(b)) => {
                assert_eq!(b.name(), packet.name(), "{text:?}")
            }
            (_, Ok(b)) => assert_eq!(b, &packet, "{text:?}"),
            (_, Err(e)) => panic!("{text:?} encoded as {again:?}, which does not decode: {e}"),
        }
        if let EngineIoPacket::Message(message) = packet {
            decode_socketio(message);
        }
    }
    decode_socketio(text);
}

fn decode_socketio(text: &str) {
    let _ = socketio::decode_event(text);
    let _ = socketio::decode_connect_reply(Some(text));
    let _ = socketio::connect_error_message(Some(text));
    if let Ok(header) = SocketIoPacket::decode_header(text) {
        let _ = header.check_payload();
        if let Some(payload) = header.payload {
            let _ = socketio::decode_event(payload);
        }
    }
    if let Ok(packet) = SocketIoPacket::decode(text) {
        let again = packet.encode();
        match SocketIoPacket::decode(&again) {
            Ok(back) => assert_eq!(back, packet, "{text:?} encoded as {again:?}"),
            Err(e) => panic!("{text:?} encoded as {again:?}, which does not decode: {e}"),
        }
    }
}

/// A session with what it has said so far.
#[derive(Clone)]
struct Watched {
    session: LiveSession,
    ended: bool,
}

impl Watched {
    fn new(session: LiveSession) -> Self {
        Watched {
            session,
            ended: false,
        }
    }

    fn check(&mut self, out: &[SessionEvent], what: &str) {
        let kind = self.session.kind();
        for (i, event) in out.iter().enumerate() {
            match event {
                SessionEvent::Ended(_) => {
                    assert!(!self.ended, "{what}: a second Ended: {out:?}");
                    assert_eq!(i + 1, out.len(), "{what}: events after Ended: {out:?}");
                    self.ended = true;
                }
                SessionEvent::Rejected(e) => {
                    assert!(!e.reason.is_empty(), "{what}: a rejection without a reason");
                    assert!(
                        e.excerpt.chars().count() <= 121,
                        "{what}: an excerpt too long"
                    );
                }
                SessionEvent::Send(text) => {
                    assert!(!text.is_empty(), "{what}: an empty frame to send");
                    if kind == TransportKind::SocketIo {
                        assert!(
                            !text.starts_with('2'),
                            "{what}: a Socket.IO client sent a ping: {text:?}"
                        );
                    }
                }
                _ => assert!(!self.ended, "{what}: an event after Ended: {event:?}"),
            }
        }
        if self.ended {
            assert!(self.session.is_over(), "{what}: ended but not over");
            assert_eq!(
                self.session.poll_timeout(),
                None,
                "{what}: ended but still asks to be woken"
            );
        }
    }

    fn text(&mut self, now: Millis, text: &str, out: &mut Vec<SessionEvent>) {
        out.clear();
        let was_over = self.session.is_over();
        self.session.handle_text(now, text, out);
        if was_over {
            assert!(
                out.is_empty(),
                "a session that is over answered {text:?}: {out:?}"
            );
        }
        self.check(out, text);
    }

    fn timeout(&mut self, now: Millis, out: &mut Vec<SessionEvent>) {
        out.clear();
        self.session.handle_timeout(now, out);
        self.check(out, "timeout");
    }

    fn binary(&mut self, now: Millis, len: usize, out: &mut Vec<SessionEvent>) {
        out.clear();
        self.session.handle_binary(now, len, out);
        self.check(out, "binary");
    }
}

/// Sessions of both kinds in each state they can be in.
fn sessions_in_every_state() -> Vec<Watched> {
    let sub = Subscription {
        symbols: vec!["BTCUSDT".into()],
        timeframes: vec!["1h".into()],
        batch: false,
    };
    let mut out = Vec::new();
    let mut states = Vec::new();
    fn step(session: &mut LiveSession, now: Millis, frame: Option<&str>) -> LiveSession {
        let mut out = Vec::new();
        match frame {
            None => session.handle_open(now, &mut out),
            Some(text) => session.handle_text(now, text, &mut out),
        }
        session.clone()
    }

    let mut p = LiveSession::plain(0, PlainSessionConfig::default());
    p.subscribe(&sub, &mut out);
    states.push(p.clone()); // opening
    states.push(step(&mut p, 10, None)); // open, nothing received
    states.push(step(&mut p, 20, Some(r#"{"type":"pong"}"#))); // after a frame
    p.handle_timeout(20_010, &mut out);
    states.push(step(&mut p, 20_050, Some(r#"{"type":"pong","id":1}"#))); // pongs seen
    let mut q = LiveSession::plain(0, PlainSessionConfig::default());
    q.handle_open(0, &mut out);
    q.handle_timeout(20_000, &mut out);
    q.handle_timeout(40_000, &mut out);
    states.push(q); // pongs not supported

    for recovery in [None, Some(("def".to_string(), "MzUPkW0".to_string()))] {
        let cfg = SocketIoSessionConfig {
            recovery,
            ..Default::default()
        };
        let mut s = LiveSession::socketio(0, cfg);
        s.subscribe(&sub, &mut out);
        states.push(s.clone()); // opening
        states.push(step(&mut s, 10, None)); // waiting for the open packet
        states.push(step(&mut s, 20, Some(OPEN))); // waiting for the CONNECT reply
        states.push(step(
            &mut s,
            30,
            Some(r#"40/signals,{"sid":"abc","pid":"def"}"#),
        )); // ready, recovery on
        states.push(step(
            &mut s,
            40,
            Some(
                r#"452-/signals,["f",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
            ),
        )); // skipping attachments
    }
    let mut root = LiveSession::socketio(
        0,
        SocketIoSessionConfig {
            namespace: "/".into(),
            ..Default::default()
        },
    );
    root.handle_open(0, &mut out);
    root.handle_text(0, OPEN, &mut out);
    root.handle_text(0, r#"40{"sid":"r"}"#, &mut out);
    states.push(root); // ready on the root namespace, no recovery
    states.into_iter().map(Watched::new).collect()
}

#[test]
fn no_input_panics_any_decoder_or_session() {
    let cases: u64 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_2025);
    let mut rng = Rng(seed);
    let corpus = corpus();
    let states = sessions_in_every_state();
    // Two long-lived sessions that see the whole stream, with time passing
    // and binary frames in between, started afresh whenever they end.
    let fresh = |kind: usize| match kind {
        0 => LiveSession::plain(0, PlainSessionConfig::default()),
        _ => LiveSession::socketio(0, SocketIoSessionConfig::default()),
    };
    let mut streams = [Watched::new(fresh(0)), Watched::new(fresh(1))];
    let mut now: Millis = 0;
    let mut out = Vec::new();
    let (mut near_misses, mut accepted_by_a_session) = (0u64, 0u64);

    for case in 0..cases {
        let text = if rng.below(3) == 0 {
            arbitrary(&mut rng)
        } else {
            near_misses += 1;
            near_miss(&mut rng, &corpus)
        };
        decode_everything(&text);

        // Every state meets the input; states are cloned so they stay put.
        let state = (case as usize) % states.len();
        let mut s = states[state].clone();
        let at = 100 + rng.below(100_000) as Millis;
        s.text(at, &text, &mut out);
        if out
            .iter()
            .any(|e| matches!(e, SessionEvent::Event(_) | SessionEvent::Ready { .. }))
        {
            accepted_by_a_session += 1;
        }
        match rng.below(4) {
            0 => s.timeout(at + rng.below(120_000) as Millis, &mut out),
            1 => s.binary(at, rng.below(64), &mut out),
            _ => s.text(at + 1, &text, &mut out),
        }

        // The streams: mostly valid frames and the fuzz input, with time.
        for (kind, stream) in streams.iter_mut().enumerate() {
            if stream.ended || stream.session.is_over() {
                now += 1;
                *stream = Watched::new(fresh(kind));
                stream.session.handle_open(now, &mut out);
                if kind == 1 {
                    stream.text(now, OPEN, &mut out);
                    stream.text(now, r#"40/signals,{"sid":"s","pid":"p"}"#, &mut out);
                }
            }
            now += rng.below(3_000) as Millis;
            match rng.below(10) {
                0 => stream.timeout(now, &mut out),
                1 => stream.binary(now, rng.below(10), &mut out),
                2 => {
                    let frame = rng.pick(&corpus).clone();
                    stream.text(now, &frame, &mut out);
                }
                _ => stream.text(now, &text, &mut out),
            }
            if let Some(deadline) = stream.session.poll_timeout() {
                if deadline <= now {
                    stream.timeout(now, &mut out);
                }
            }
        }
    }
    println!(
        "fuzz_decoders: {cases} inputs (seed {seed}), {near_misses} near misses of valid frames, \
         {accepted_by_a_session} yielded an event or Ready"
    );
    assert!(
        cases < 100 || accepted_by_a_session > 0,
        "the near misses never reach the decoders' inner paths"
    );
}
