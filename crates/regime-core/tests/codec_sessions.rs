//! Live sessions driven through scripts with a virtual clock: each test reads
//! like a log of a connection's life, frame by frame, with the session's
//! answers after each step.

use regime_core::live::{LiveEvent, SessionEnd, SessionEvent, TransportKind};
use regime_core::model::Subscription;
use regime_core::session::{LiveSession, PlainSessionConfig, SocketIoSessionConfig};
use regime_core::Millis;

/// A session, a virtual clock and what the session said.
struct Drive {
    session: LiveSession,
    now: Millis,
}

impl Drive {
    fn plain() -> Self {
        Drive {
            session: LiveSession::plain(0, PlainSessionConfig::default()),
            now: 0,
        }
    }

    fn socketio(cfg: SocketIoSessionConfig) -> Self {
        Drive {
            session: LiveSession::socketio(0, cfg),
            now: 0,
        }
    }

    fn open(&mut self) -> Vec<SessionEvent> {
        let mut out = Vec::new();
        self.session.handle_open(self.now, &mut out);
        out
    }

    fn text(&mut self, frame: &str) -> Vec<SessionEvent> {
        let mut out = Vec::new();
        self.session.handle_text(self.now, frame, &mut out);
        out
    }

    fn binary(&mut self, len: usize) -> Vec<SessionEvent> {
        let mut out = Vec::new();
        self.session.handle_binary(self.now, len, &mut out);
        out
    }

    fn subscribe(&mut self, sub: &Subscription) -> Vec<SessionEvent> {
        let mut out = Vec::new();
        self.session.subscribe(sub, &mut out);
        out
    }

    fn close(&mut self) -> Vec<SessionEvent> {
        let mut out = Vec::new();
        self.session.close(&mut out);
        out
    }

    /// Moves the clock to `to`, firing every deadline on the way as a timer
    /// would, each at its own time.
    fn advance_to(&mut self, to: Millis) -> Vec<(Millis, SessionEvent)> {
        let mut log = Vec::new();
        for _ in 0..10_000 {
            match self.session.poll_timeout() {
                Some(at) if at <= to => {
                    self.now = self.now.max(at);
                    let mut out = Vec::new();
                    self.session.handle_timeout(self.now, &mut out);
                    log.extend(out.into_iter().map(|e| (self.now, e)));
                }
                _ => {
                    self.now = self.now.max(to);
                    return log;
                }
            }
        }
        panic!("the session kept asking to be woken before {to}");
    }

    /// A timer that fires only once, late (a throttled background tab).
    fn late_timer(&mut self, at: Millis) -> Vec<SessionEvent> {
        self.now = at;
        let mut out = Vec::new();
        self.session.handle_timeout(at, &mut out);
        out
    }
}

fn send(text: &str) -> SessionEvent {
    SessionEvent::Send(text.to_string())
}

fn rejected_reason(event: &SessionEvent) -> &str {
    match event {
        SessionEvent::Rejected(e) => &e.reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn sub() -> Subscription {
    Subscription {
        symbols: vec!["BTCUSDT".into()],
        timeframes: vec!["1h".into()],
        batch: false,
    }
}

const OPEN: &str = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
const SIGNAL: &str = r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"timestamp":"2025-10-09T13:00:00Z"}"#;
const PRICE: &str = r#"{"symbol":"BTCUSDT","price":64251.0,"timestamp":1760014800000}"#;

fn is_signal(event: &SessionEvent, id: u64) -> bool {
    matches!(event, SessionEvent::Event(LiveEvent::Signal(s)) if s.id == id)
}

// ---------------------------------------------------------------------------
// Socket.IO.
// ---------------------------------------------------------------------------

#[test]
fn socketio_a_whole_session_until_the_heartbeat_stops() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    assert_eq!(d.session.kind(), TransportKind::SocketIo);
    assert_eq!(
        d.session.poll_timeout(),
        Some(10_000),
        "the handshake deadline"
    );
    assert_eq!(d.subscribe(&sub()), vec![], "remembered until ready");

    d.now = 40;
    assert_eq!(d.open(), vec![]);
    d.now = 55;
    assert_eq!(d.text(OPEN), vec![send("40/signals,")]);
    assert!(!d.session.is_ready());
    assert_eq!(
        d.session.poll_timeout(),
        Some(10_000),
        "handshake before heartbeat (55 + 45 000)"
    );

    d.now = 70;
    assert_eq!(
        d.text(r#"40/signals,{"sid":"wZX3oN0bSVIhsaknAAAI"}"#),
        vec![
            SessionEvent::Ready {
                sid: Some("wZX3oN0bSVIhsaknAAAI".into()),
                recovery_pid: None
            },
            send(r#"42/signals,["subscribe",{"symbols":["BTCUSDT"],"timeframes":["1h"]}]"#),
        ]
    );
    assert!(d.session.is_ready());
    assert_eq!(
        d.session.poll_timeout(),
        Some(55 + 45_000),
        "now only the heartbeat"
    );

    let out = d.text(&format!(r#"42/signals,["signal",{SIGNAL}]"#));
    assert!(out.len() == 1 && is_signal(&out[0], 57), "{out:?}");
    let out = d.text(&format!(r#"42/signals,["price",{PRICE}]"#));
    assert!(
        matches!(&out[..], [SessionEvent::Event(LiveEvent::Price(p))] if p.price == 64251.0),
        "{out:?}"
    );

    // The server pings; the client answers at once and the deadline moves.
    assert_eq!(d.advance_to(25_055), vec![]);
    assert_eq!(d.text("2"), vec![send("3")]);
    assert_eq!(d.session.poll_timeout(), Some(25_055 + 45_000));
    assert_eq!(d.advance_to(50_000), vec![]);
    assert_eq!(d.text("2"), vec![send("3")]);

    // A noop changes nothing; an unknown event is counted, not fatal.
    assert_eq!(d.text("6"), vec![]);
    let out = d.text(r#"42/signals,["tick",{"x":1}]"#);
    assert_eq!(rejected_reason(&out[0]), r#"unknown event "tick""#);
    assert!(d.session.is_ready());

    // Then silence: the heartbeat deadline passes.
    let log = d.advance_to(200_000);
    assert_eq!(
        log,
        vec![(
            95_000,
            SessionEvent::Ended(SessionEnd::HeartbeatTimeout { waited_ms: 45_000 })
        )]
    );
    assert_eq!(d.session.poll_timeout(), None);
    assert!(d.session.is_over());
    assert_eq!(d.text("2"), vec![], "silent once over");
}

#[test]
fn socketio_never_sends_a_ping() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    let mut sent = Vec::new();
    d.open();
    for frame in [OPEN, r#"40/signals,{"sid":"a"}"#, "2", "2probe", "3", "6"] {
        for e in d.text(frame) {
            if let SessionEvent::Send(text) = e {
                sent.push(text);
            }
        }
    }
    for (_, e) in d.advance_to(44_999) {
        if let SessionEvent::Send(text) = e {
            sent.push(text);
        }
    }
    assert_eq!(sent, vec!["40/signals,", "3", "3probe"]);
}

#[test]
fn socketio_a_late_timer_sees_the_real_time() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    d.text(r#"40/signals,{"sid":"a"}"#);
    assert_eq!(
        d.late_timer(30_000),
        vec![],
        "an early or spurious wake-up is harmless"
    );
    assert_eq!(
        d.late_timer(120_000),
        vec![SessionEvent::Ended(SessionEnd::HeartbeatTimeout {
            waited_ms: 120_000
        })]
    );
}

#[test]
fn socketio_connect_error_as_an_object_and_as_a_string() {
    for (frame, message) in [
        (
            r#"44/signals,{"message":"Invalid namespace"}"#,
            "Invalid namespace",
        ),
        (
            r#"44/signals,{"message":"Not authorized","data":{"code":4}}"#,
            "Not authorized",
        ),
        (r#"44/signals,"Unable to connect""#, "Unable to connect"),
        // Some servers answer for the root namespace: it is still the answer.
        (r#"44{"message":"Invalid namespace"}"#, "Invalid namespace"),
        ("44/signals,", "the server gave no reason"),
    ] {
        let mut d = Drive::socketio(SocketIoSessionConfig::default());
        d.open();
        d.text(OPEN);
        assert_eq!(
            d.text(frame),
            vec![SessionEvent::Ended(SessionEnd::NamespaceRefused {
                namespace: "/signals".into(),
                message: message.into()
            })],
            "{frame}"
        );
        assert_eq!(d.session.poll_timeout(), None);
    }
}

#[test]
fn socketio_v2_is_told_apart() {
    for reply in ["40/signals,", "40/signals", r#"40/signals,{}"#] {
        let mut d = Drive::socketio(SocketIoSessionConfig::default());
        d.open();
        d.text(OPEN);
        assert_eq!(
            d.text(reply),
            vec![SessionEvent::Ended(SessionEnd::SocketIoV2)],
            "{reply}"
        );
    }
}

#[test]
fn socketio_root_namespace_and_a_namespace_without_slash() {
    let mut d = Drive::socketio(SocketIoSessionConfig {
        namespace: "/".into(),
        ..Default::default()
    });
    d.open();
    assert_eq!(d.text(OPEN), vec![send("40")]);
    assert_eq!(
        d.text(r#"40{"sid":"r"}"#),
        vec![SessionEvent::Ready {
            sid: Some("r".into()),
            recovery_pid: None
        }]
    );
    assert_eq!(
        d.subscribe(&sub()),
        vec![send(
            r#"42["subscribe",{"symbols":["BTCUSDT"],"timeframes":["1h"]}]"#
        )]
    );
    let out = d.text(&format!(r#"42["signal",{SIGNAL}]"#));
    assert!(is_signal(&out[0], 57));
    assert_eq!(d.close(), vec![send("41")]);

    let mut d = Drive::socketio(SocketIoSessionConfig {
        namespace: "signals".into(),
        ..Default::default()
    });
    d.open();
    assert_eq!(d.text(OPEN), vec![send("40/signals,")]);
}

#[test]
fn socketio_recovery_offsets_are_stripped_and_remembered() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    assert_eq!(d.session.recovery(), None);
    assert_eq!(
        d.text(r#"40/signals,{"sid":"abc","pid":"def"}"#),
        vec![SessionEvent::Ready {
            sid: Some("abc".into()),
            recovery_pid: Some("def".into())
        }]
    );
    assert_eq!(d.session.recovery(), None, "no offset seen yet");
    let out = d.text(&format!(r#"42/signals,["signal",{SIGNAL},"MzUPkW0"]"#));
    assert!(out.len() == 1 && is_signal(&out[0], 57), "{out:?}");
    assert_eq!(d.session.recovery(), Some(("def".into(), "MzUPkW0".into())));
    // An unknown event's offset counts too: the server would replay it.
    d.text(r#"42/signals,["tick",{"x":1},"MzUPkW1"]"#);
    assert_eq!(d.session.recovery(), Some(("def".into(), "MzUPkW1".into())));
    // Events without an offset leave it alone.
    d.text(&format!(r#"42/signals,["price",{PRICE}]"#));
    assert_eq!(d.session.recovery(), Some(("def".into(), "MzUPkW1".into())));

    // The next connection asks for recovery; the server replays before its
    // CONNECT reply, and those offsets count.
    let (pid, offset) = d.session.recovery().expect("recovery");
    let mut next = Drive::socketio(SocketIoSessionConfig {
        recovery: Some((pid, offset)),
        ..Default::default()
    });
    next.open();
    assert_eq!(
        next.text(OPEN),
        vec![send(r#"40/signals,{"pid":"def","offset":"MzUPkW1"}"#)]
    );
    assert_eq!(
        next.session.recovery(),
        Some(("def".into(), "MzUPkW1".into())),
        "kept while connecting"
    );
    let out = next.text(&format!(r#"42/signals,["signal",{SIGNAL},"MzUPkW2"]"#));
    assert!(is_signal(&out[0], 57), "replayed before the reply: {out:?}");
    next.text(r#"40/signals,{"sid":"abd","pid":"def"}"#);
    assert_eq!(
        next.session.recovery(),
        Some(("def".into(), "MzUPkW2".into()))
    );
}

#[test]
fn socketio_without_recovery_a_trailing_string_is_not_an_offset() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    d.text(r#"40/signals,{"sid":"abc"}"#);
    let out = d.text(&format!(r#"42/signals,["signal",{SIGNAL},"extra"]"#));
    assert!(is_signal(&out[0], 57));
    assert_eq!(d.session.recovery(), None);
}

#[test]
fn socketio_a_new_pid_replaces_the_old_recovery() {
    let mut d = Drive::socketio(SocketIoSessionConfig {
        recovery: Some(("old".into(), "o1".into())),
        ..Default::default()
    });
    d.open();
    d.text(OPEN);
    d.text(r#"40/signals,{"sid":"s","pid":"new"}"#);
    assert_eq!(
        d.session.recovery(),
        None,
        "the old offset does not belong to the new pid"
    );
    d.text(&format!(r#"42/signals,["signal",{SIGNAL},"n1"]"#));
    assert_eq!(d.session.recovery(), Some(("new".into(), "n1".into())));
}

#[test]
fn socketio_binary_attachments_are_skipped_exactly() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    d.text(r#"40/signals,{"sid":"a"}"#);
    assert_eq!(
        d.text(
            r#"452-/signals,["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
        ),
        vec![]
    );
    assert_eq!(d.binary(1000), vec![]);
    assert_eq!(
        d.binary(20),
        vec![SessionEvent::BinarySkipped { frames: 2 }]
    );
    let out = d.binary(5);
    assert_eq!(
        rejected_reason(&out[0]),
        "a binary frame of 5 bytes that no binary packet announced"
    );
    // A binary ACK, too.
    assert_eq!(
        d.text(r#"461-/signals,1[{"_placeholder":true,"num":0}]"#),
        vec![]
    );
    assert_eq!(d.binary(3), vec![SessionEvent::BinarySkipped { frames: 1 }]);
    // Attachments cut short by a text frame: counted, and the text still read.
    d.text(r#"452-/signals,["f",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#);
    d.binary(1);
    let out = d.text(&format!(r#"42/signals,["signal",{SIGNAL}]"#));
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(rejected_reason(&out[0]).starts_with("binary packet cut short"));
    assert!(is_signal(&out[1], 57));
    assert!(d.session.is_ready());
}

#[test]
fn socketio_other_namespaces_and_odd_packets_are_rejected_not_fatal() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    d.text(r#"40/signals,{"sid":"a"}"#);
    let cases = [
        (
            format!(r#"42/admin,["signal",{SIGNAL}]"#),
            r#"event for namespace "/admin", which this client has not joined"#,
        ),
        (
            format!(r#"42["signal",{SIGNAL}]"#),
            r#"event for namespace "/", which this client has not joined"#,
        ),
        (
            r#"40/admin,{"sid":"x"}"#.to_string(),
            r#"CONNECT for namespace "/admin", which this client did not ask for"#,
        ),
        (
            r#"40/signals,{"sid":"x"}"#.to_string(),
            "a second CONNECT reply for this namespace",
        ),
        (
            "41/admin,".to_string(),
            r#"DISCONNECT for namespace "/admin", which this client has not joined"#,
        ),
        (
            r#"44/admin,{"message":"no"}"#.to_string(),
            r#"CONNECT_ERROR for namespace "/admin", which this client did not ask for"#,
        ),
        (
            r#"43/signals,1[]"#.to_string(),
            "an ACK, but this client asks for none",
        ),
        (OPEN.to_string(), "a second Engine.IO open packet"),
        (
            "3".to_string(),
            "an Engine.IO pong, but this client never pings",
        ),
        ("x".to_string(), "unknown Engine.IO packet type 'x'"),
        (String::new(), "empty frame"),
        ("4".to_string(), "empty Socket.IO packet"),
        ("42/signals,".to_string(), "EVENT without an event name"),
        (
            r#"42/signals,["signal",{"id":1}]"#.to_string(),
            r#"signal: missing field "symbol""#,
        ),
        (
            r#"42/signals,["signal""#.to_string(),
            "EVENT payload is not JSON: EOF while parsing a list",
        ),
        (
            r#"42/signals,["connect"]"#.to_string(),
            r#"invalid EVENT payload: reserved event name "connect""#,
        ),
        (
            r#"42/signals,[]"#.to_string(),
            "invalid EVENT payload: the array is empty",
        ),
        (r#"42/signals,[7,{}]"#.to_string(), r#"unknown event "7""#),
        (
            r#"{"type":"signal","data":{}}"#.to_string(),
            "unknown Engine.IO packet type '{'",
        ),
    ];
    for (frame, reason) in &cases {
        let out = d.text(frame);
        assert_eq!(out.len(), 1, "{frame}: {out:?}");
        assert!(
            rejected_reason(&out[0]).starts_with(reason),
            "{frame}: {:?}",
            rejected_reason(&out[0])
        );
        if let SessionEvent::Rejected(e) = &out[0] {
            assert!(
                frame.starts_with(e.excerpt.trim_end_matches('…')),
                "the excerpt shows the whole frame"
            );
        }
    }
    assert!(d.session.is_ready(), "none of that ends the session");
    let out = d.text(&format!(r#"42/signals,["signal",{SIGNAL}]"#));
    assert!(is_signal(&out[0], 57));
}

#[test]
fn socketio_an_event_that_asks_for_an_ack_gets_one() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    d.text(r#"40/signals,{"sid":"a"}"#);
    let out = d.text(&format!(r#"42/signals,12["signal",{SIGNAL}]"#));
    assert!(is_signal(&out[0], 57));
    assert_eq!(out[1], send("43/signals,12[]"));
}

#[test]
fn socketio_the_server_closes() {
    for frame in ["1", "41/signals,", "41/signals,{}"] {
        let mut d = Drive::socketio(SocketIoSessionConfig::default());
        d.open();
        d.text(OPEN);
        d.text(r#"40/signals,{"sid":"a"}"#);
        assert_eq!(
            d.text(frame),
            vec![SessionEvent::Ended(SessionEnd::ServerClosed)],
            "{frame}"
        );
    }
}

#[test]
fn socketio_handshake_timeouts() {
    // The socket never opens.
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    assert_eq!(
        d.advance_to(60_000),
        vec![(
            10_000,
            SessionEvent::Ended(SessionEnd::HandshakeTimeout { waited_ms: 10_000 })
        )]
    );
    // It opens, but no open packet comes.
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.now = 3_000;
    d.open();
    assert_eq!(
        d.advance_to(60_000),
        vec![(
            10_000,
            SessionEvent::Ended(SessionEnd::HandshakeTimeout { waited_ms: 10_000 })
        )]
    );
    // The open packet comes, the CONNECT reply does not; server pings go on.
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    d.now = 9_000;
    assert_eq!(d.text("2"), vec![send("3")]);
    assert_eq!(
        d.advance_to(60_000),
        vec![(
            10_000,
            SessionEvent::Ended(SessionEnd::HandshakeTimeout { waited_ms: 10_000 })
        )]
    );
}

#[test]
fn socketio_a_plain_server_is_not_socketio() {
    for (frame, first) in [
        (
            r#"{"type":"regime","data":{}}"#,
            r#"{"type":"regime","data":{}}"#,
        ),
        ("42/signals,[\"x\"]", "42/signals,[\"x\"]"),
        ("2", "2"),
    ] {
        let mut d = Drive::socketio(SocketIoSessionConfig::default());
        d.open();
        assert_eq!(
            d.text(frame),
            vec![SessionEvent::Ended(SessionEnd::NotSocketIo {
                first_frame: first.into()
            })],
            "{frame}"
        );
    }
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    assert_eq!(
        d.binary(12),
        vec![SessionEvent::Ended(SessionEnd::NotSocketIo {
            first_frame: "(a binary frame of 12 bytes)".into()
        })]
    );
}

#[test]
fn socketio_close_says_goodbye_only_when_connected() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    assert_eq!(d.close(), vec![], "nothing to leave before the open packet");
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    d.open();
    d.text(OPEN);
    assert_eq!(d.close(), vec![send("41/signals,")]);
    assert_eq!(d.session.poll_timeout(), None);
    assert_eq!(d.text(r#"40/signals,{"sid":"a"}"#), vec![]);
    assert_eq!(d.subscribe(&sub()), vec![]);
}

#[test]
fn socketio_frames_before_the_open_event_imply_it() {
    let mut d = Drive::socketio(SocketIoSessionConfig::default());
    assert_eq!(d.text(OPEN), vec![send("40/signals,")]);
}

// ---------------------------------------------------------------------------
// Plain.
// ---------------------------------------------------------------------------

#[test]
fn plain_ping_pong_and_round_trips() {
    let mut d = Drive::plain();
    assert_eq!(d.session.kind(), TransportKind::Plain);
    assert_eq!(d.session.pongs_supported(), None);
    assert_eq!(d.session.poll_timeout(), Some(10_000));
    assert_eq!(d.subscribe(&sub()), vec![]);
    d.now = 100;
    assert_eq!(
        d.open(),
        vec![
            SessionEvent::Ready {
                sid: None,
                recovery_pid: None
            },
            send(r#"{"type":"subscribe","symbols":["BTCUSDT"],"timeframes":["1h"]}"#),
        ]
    );
    assert!(d.session.is_ready());
    assert_eq!(d.session.poll_timeout(), Some(20_100), "the first ping");

    assert_eq!(
        d.advance_to(20_100),
        vec![(20_100, send(r#"{"type":"ping","id":1}"#))]
    );
    d.now = 20_142;
    assert_eq!(
        d.text(r#"{"type":"pong","id":1}"#),
        vec![SessionEvent::RoundTrip(42)]
    );
    assert_eq!(d.session.pongs_supported(), Some(true));
    assert_eq!(
        d.advance_to(40_100),
        vec![(40_100, send(r#"{"type":"ping","id":2}"#))]
    );
    d.now = 40_107;
    assert_eq!(
        d.text(r#"{"type":"pong","id":2}"#),
        vec![SessionEvent::RoundTrip(7)]
    );
    // A stale pong is no round trip.
    assert_eq!(d.text(r#"{"type":"pong","id":1}"#), vec![]);
    // The server's own ping is answered.
    assert_eq!(
        d.text(r#"{"type":"ping","id":5}"#),
        vec![send(r#"{"type":"pong","id":5}"#)]
    );
    // Subscribing while ready sends at once.
    assert_eq!(
        d.subscribe(&Subscription::default()),
        vec![send(r#"{"type":"subscribe","symbols":[],"timeframes":[]}"#)]
    );
}

#[test]
fn plain_silence_ends_the_session() {
    let mut d = Drive::plain();
    d.open();
    let out = d.text(&format!(r#"{{"type":"signal","data":{SIGNAL}}}"#));
    assert!(is_signal(&out[0], 57));
    d.now = 15_000;
    d.text(&format!(r#"{{"type":"price","data":{PRICE}}}"#));
    // Pings go out at 20 000 and 40 000 and are answered; then the server goes quiet.
    let log = d.advance_to(20_000);
    assert_eq!(log, vec![(20_000, send(r#"{"type":"ping","id":1}"#))]);
    d.now = 20_010;
    d.text(r#"{"type":"pong","id":1}"#);
    let log = d.advance_to(100_000);
    assert_eq!(
        log,
        vec![
            (40_000, send(r#"{"type":"ping","id":2}"#)),
            (
                50_010,
                SessionEvent::Ended(SessionEnd::Silence {
                    silence_ms: 30_000,
                    pongs_seen: true
                })
            ),
        ]
    );
    assert_eq!(d.session.poll_timeout(), None);
    assert_eq!(
        d.text(r#"{"type":"pong","id":2}"#),
        vec![],
        "silent once over"
    );
}

#[test]
fn plain_any_frame_resets_silence_even_a_bad_one() {
    let cfg = PlainSessionConfig {
        ping_every_ms: 1_000_000,
        ..Default::default()
    };
    let mut d = Drive {
        session: LiveSession::plain(0, cfg),
        now: 0,
    };
    d.open();
    assert_eq!(d.session.poll_timeout(), Some(30_000));
    d.now = 25_000;
    let out = d.text("garbage");
    assert!(rejected_reason(&out[0]).starts_with("frame is not JSON"));
    assert_eq!(d.session.poll_timeout(), Some(55_000));
    d.now = 50_000;
    d.binary(3);
    assert_eq!(d.session.poll_timeout(), Some(80_000));
}

#[test]
fn plain_a_backend_without_pongs() {
    let mut d = Drive::plain();
    d.open();
    // The backend streams prices every 5 s but never answers pings.
    let mut log = Vec::new();
    for t in (5_000..=70_000).step_by(5_000) {
        log.extend(d.advance_to(t));
        d.text(&format!(r#"{{"type":"price","data":{PRICE}}}"#));
    }
    assert_eq!(
        log,
        vec![
            (20_000, send(r#"{"type":"ping","id":1}"#)),
            (40_000, SessionEvent::PongsNotSupported)
        ],
        "said once; pings stop"
    );
    assert_eq!(d.session.pongs_supported(), Some(false));
    assert!(d.session.is_ready(), "not a reason to drop the connection");
    // Only silence counts from now on.
    let log = d.advance_to(200_000);
    assert_eq!(
        log,
        vec![(
            100_000,
            SessionEvent::Ended(SessionEnd::Silence {
                silence_ms: 30_000,
                pongs_seen: false
            })
        )]
    );
}

#[test]
fn plain_a_late_pong_resumes_pinging() {
    let mut d = Drive::plain();
    d.open();
    d.advance_to(20_000);
    d.now = 39_000;
    d.text(&format!(r#"{{"type":"price","data":{PRICE}}}"#));
    assert_eq!(
        d.advance_to(40_000),
        vec![(40_000, SessionEvent::PongsNotSupported)]
    );
    d.now = 41_000;
    assert_eq!(
        d.text(r#"{"type":"pong","id":1}"#),
        vec![SessionEvent::RoundTrip(21_000)]
    );
    assert_eq!(d.session.pongs_supported(), Some(true));
    assert_eq!(
        d.advance_to(61_000),
        vec![(61_000, send(r#"{"type":"ping","id":2}"#))]
    );
}

#[test]
fn plain_errors_and_rejections_are_not_fatal() {
    let mut d = Drive::plain();
    d.open();
    assert_eq!(
        d.text(r#"{"type":"error","data":{"message":"unknown symbol XYZ"}}"#),
        vec![SessionEvent::ServerError("unknown symbol XYZ".into())]
    );
    for (frame, reason) in [
        (r#"{"type":"tick","data":{}}"#, r#"unknown type "tick""#),
        (
            r#"{"type":"signal","data":{"id":1}}"#,
            r#"signal: missing field "symbol""#,
        ),
        ("[1]", "frame is not a JSON object but an array"),
        ("", "empty frame"),
    ] {
        let out = d.text(frame);
        assert_eq!(rejected_reason(&out[0]), reason, "{frame}");
    }
    let out = d.binary(64);
    assert_eq!(
        rejected_reason(&out[0]),
        "binary frame of 64 bytes: this transport carries JSON text"
    );
    assert!(d.session.is_ready());
}

#[test]
fn plain_a_socketio_server_is_recognised_from_its_first_frame() {
    let mut d = Drive::plain();
    assert_eq!(
        d.open(),
        vec![SessionEvent::Ready {
            sid: None,
            recovery_pid: None
        }]
    );
    assert_eq!(
        d.text(OPEN),
        vec![SessionEvent::Ended(SessionEnd::LooksLikeSocketIo {
            first_frame: OPEN.into()
        })]
    );
    // Key order does not matter (python-engineio).
    let mut d = Drive::plain();
    d.open();
    let py = r#"0{"pingInterval":25000,"pingTimeout":20000,"upgrades":[],"sid":"x"}"#;
    assert_eq!(
        d.text(py),
        vec![SessionEvent::Ended(SessionEnd::LooksLikeSocketIo {
            first_frame: py.into()
        })]
    );
    // Only the first frame is judged so.
    let mut d = Drive::plain();
    d.open();
    d.text(r#"{"type":"pong"}"#);
    let out = d.text(OPEN);
    assert!(rejected_reason(&out[0]).starts_with("frame is not JSON"));
}

#[test]
fn plain_handshake_timeout_and_close() {
    let mut d = Drive::plain();
    assert_eq!(
        d.advance_to(30_000),
        vec![(
            10_000,
            SessionEvent::Ended(SessionEnd::HandshakeTimeout { waited_ms: 10_000 })
        )]
    );
    assert_eq!(d.open(), vec![], "too late");

    let mut d = Drive::plain();
    d.open();
    assert_eq!(d.close(), vec![]);
    assert_eq!(d.session.poll_timeout(), None);
    assert!(!d.session.is_ready());
    assert_eq!(d.advance_to(1_000_000), vec![]);
    assert_eq!(d.session.recovery(), None);
}

#[test]
fn plain_frames_before_the_open_event_imply_it() {
    let mut d = Drive::plain();
    let out = d.text(&format!(r#"{{"type":"signal","data":{SIGNAL}}}"#));
    assert_eq!(
        out[0],
        SessionEvent::Ready {
            sid: None,
            recovery_pid: None
        }
    );
    assert!(is_signal(&out[1], 57));
}
