//! Scripts of bad days: restarts, silence, refusals, the wrong protocol,
//! CORS, floods, a laptop lid, and a backend that forgot its ids.

mod support;

use regime_core::diagnosis::{DiagnosisKind, Severity};
use regime_core::live::TransportKind;
use regime_core::machine::{Command, Mode, Policy, RestOutcome, RestRequest};
use regime_core::settings::Protocol;
use regime_core::store::StoreLimits;
use support::*;

fn big_store() -> Policy {
    Policy {
        limits: StoreLimits {
            signals: 5000,
            alerts: 5000,
            ..StoreLimits::default()
        },
        ..Policy::default()
    }
}

#[test]
fn fifty_restarts_while_signals_keep_coming_lose_nothing_and_repeat_nothing() {
    for (server, protocol) in [
        (Server::new(Speaks::Plain), Protocol::Native),
        (Server::socketio("/signals"), Protocol::SocketIo),
    ] {
        let mut sim = Sim::with_policy(server, settings(protocol), big_store());
        sim.start();
        sim.run_until_mode(Mode::Live, 1000);
        for round in 0..50u64 {
            // Signals and alerts flow while live...
            for _ in 0..7 {
                sim.emit_signal();
                if round % 2 == 0 {
                    sim.emit_alert();
                }
                sim.run_for(150);
            }
            // ...the backend dies for a while, and keeps producing (a queue
            // behind it, another instance: REST has them when it is back).
            sim.restart_server(800 + (round * 97) % 1500);
            for _ in 0..3 {
                sim.run_for(200);
                let id = sim.server.next_signal_id;
                sim.server.signals.push(signal(id));
                sim.server.next_signal_id += 1;
            }
            sim.run_until_mode(Mode::Live, 20_000);
            sim.run_for(300);
        }
        sim.run_for(2000);
        let produced = sim.server.next_signal_id - 1;
        assert_eq!(produced, 50 * 10);
        let ids = sim.signal_ids();
        assert_eq!(
            ids,
            (1..=produced).collect::<Vec<u64>>(),
            "{protocol:?}: every id exactly once"
        );
        assert_eq!(
            sim.conn.store().signals().accepted(),
            produced,
            "none accepted twice"
        );
        let alerts: Vec<u64> = sim
            .conn
            .store()
            .alerts()
            .oldest_first()
            .map(|a| a.value.id)
            .collect();
        assert_eq!(alerts, (1..sim.server.next_alert_id).collect::<Vec<u64>>());
        assert!(
            sim.conn.status().recovered >= 150,
            "the gaps came back through REST `after`"
        );
        assert_eq!(sim.mode(), Mode::Live);
        assert!(
            sim.conn.status().problems.is_empty(),
            "{:?}",
            sim.conn.status().problems
        );
    }
}

#[test]
fn recovery_pages_until_a_short_page() {
    let policy = Policy {
        limits: StoreLimits {
            signals: 5000,
            recovery_page: 100,
            ..StoreLimits::default()
        },
        ..Policy::default()
    };
    let mut sim = Sim::with_policy(
        Server::new(Speaks::Plain),
        settings(Protocol::Native),
        policy,
    );
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200); // subscribed: signal 1 comes live
    sim.emit_signal();
    sim.run_for(100);
    assert_eq!(sim.conn.status().recovered, 0);
    sim.restart_server(2000);
    for id in 2..=351 {
        sim.server.signals.push(signal(id));
    }
    sim.server.next_signal_id = 352;
    sim.run_until_mode(Mode::Offline, 100);
    sim.run_until_mode(Mode::Live, 20_000);
    sim.run_for(500);
    assert_eq!(sim.signal_ids(), (1..=351).collect::<Vec<u64>>());
    let afters: Vec<Option<u64>> = sim
        .fetches(|w| matches!(w, RestRequest::Signals { after: Some(a) } if *a >= 1))
        .into_iter()
        .map(|(_, _, w)| match w {
            RestRequest::Signals { after } => after,
            _ => None,
        })
        .collect();
    for page in [Some(1), Some(101), Some(201), Some(301)] {
        assert!(
            afters.contains(&page),
            "page after {page:?} missing from {afters:?}"
        );
    }
    assert_eq!(sim.conn.status().recovered, 350);
}

#[test]
fn a_silent_server_is_dropped_within_silence_plus_one_check_and_said_so() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(1000);
    sim.server.silent = true;
    let silent_at = sim.now;
    let took = sim.run_until_mode(Mode::Api, 60_000);
    assert!(took <= 30_000 + 20_000, "dropped after {took} ms");
    let _ = silent_at;
    let dead = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::DeadConnection)
        .unwrap();
    assert!(dead.sentence.contains("silent"), "{}", dead.sentence);
    assert!(dead.detail.contains("30 s"), "{}", dead.detail);
    // The socket is closed, and REST was asked at once.
    assert!(sim
        .log
        .iter()
        .any(|(_, c)| matches!(c, Command::CloseSocket { .. })));
    // It comes back when the server talks again: the warning stays until a
    // frame proves the new connection alive, then goes.
    sim.server.silent = false;
    sim.run_until_mode(Mode::Live, 10_000);
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(100);
    assert!(!sim.has_problem(DiagnosisKind::DeadConnection));
}

#[test]
fn reconnecting_to_a_still_silent_server_never_reads_as_all_good() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(1000);
    sim.server.silent = true;
    sim.run_until_mode(Mode::Api, 60_000);
    // The server accepts the next socket but still says nothing: the page is
    // connected (Live), and must keep saying that the feed went silent.
    sim.run_until_mode(Mode::Live, 10_000);
    assert!(
        sim.has_problem(DiagnosisKind::DeadConnection),
        "{:?}",
        sim.problem_sentences()
    );
    sim.run_for(5_000);
    assert_eq!(sim.mode(), Mode::Live);
    assert!(
        sim.has_problem(DiagnosisKind::DeadConnection),
        "{:?}",
        sim.problem_sentences()
    );
    // The first frame on the new connection clears it.
    sim.server.silent = false;
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(100);
    assert!(!sim.has_problem(DiagnosisKind::DeadConnection));
}

#[test]
fn a_server_that_never_answers_pings_stays_live_judged_by_traffic() {
    let mut server = Server::new(Speaks::Plain);
    server.answer_pings = false;
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    for _ in 0..120 {
        sim.emit_regime("BTCUSDT", "1h");
        sim.run_for(1000);
    }
    assert_eq!(sim.mode(), Mode::Live);
    assert_eq!(sim.conn.status().pongs_supported, Some(false));
    let info = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::PongsNotSupported)
        .unwrap();
    assert_eq!(info.severity, Severity::Info);
    assert_eq!(
        info.sentence,
        "This server does not answer pings; the connection is judged by its traffic."
    );
}

#[test]
fn socketio_heartbeat_timeout_goes_to_api() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.server.silent = true; // no more Engine.IO pings
    let took = sim.run_until_mode(Mode::Api, 100_000);
    assert!(took <= 45_000 + 25_000, "{took}");
    assert!(sim.has_problem(DiagnosisKind::DeadConnection));
    assert!(sim
        .problem_sentences()
        .iter()
        .any(|s| s.contains("went quiet")));
}

#[test]
fn a_refused_namespace_goes_to_api_naming_namespace_and_message() {
    let mut sim = Sim::new(Server::socketio("/"), settings(Protocol::SocketIo));
    sim.start();
    sim.run_until_mode(Mode::Api, 10_000);
    let p = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::NamespaceRefused)
        .unwrap()
        .clone();
    assert!(p.sentence.contains("/signals"), "{}", p.sentence);
    assert!(p.sentence.contains("Invalid namespace"), "{}", p.sentence);
    assert!(p.sentence.contains("ns=/"), "{}", p.sentence);
    assert_eq!(p.severity, Severity::Error);
    // Still retrying in the background, with back-off.
    sim.run_for(20_000);
    assert!(sim.opened_kinds().len() >= 3);
    assert_eq!(sim.mode(), Mode::Api);
}

#[test]
fn socketio_asked_of_a_plain_only_server_explains_the_404_storm() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::SocketIo));
    sim.start();
    sim.run_for(15_000);
    assert_eq!(sim.mode(), Mode::Api);
    let probes = sim.fetches(|w| *w == RestRequest::SocketIoProbe);
    assert_eq!(probes.len(), 1, "one probe per failure streak, not a storm");
    assert_eq!(
        sim.conn.status().problems[0].sentence,
        "This backend has no Socket.IO endpoint at /socket.io/ (HTTP 404): it probably speaks plain WebSocket. Set protocol=native or protocol=auto."
    );
    let refused = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::LiveRefused)
        .unwrap();
    assert!(
        refused.sentence.contains("cannot be opened"),
        "{}",
        refused.sentence
    );
    assert!(sim.conn.status().next_retry_at.is_some());
    assert!(sim.conn.status().retries >= 2);
}

#[test]
fn plain_asked_of_a_socketio_server_says_so() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::Native));
    sim.start();
    sim.run_for(15_000);
    assert_eq!(sim.mode(), Mode::Api);
    assert!(sim.has_problem(DiagnosisKind::SocketIoServerAsPlain));
    assert!(sim
        .problem_sentences()
        .iter()
        .any(|s| s.contains("speaks Socket.IO") && s.contains("protocol=socketio")));
}

#[test]
fn plain_socket_receiving_engineio_frames_is_recognised() {
    // A Socket.IO server that also takes WebSockets at the plain URL.
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Native));
    sim.start();
    sim.perform();
    let t = sim.now + 5;
    sim.conn.handle_socket_open(t, 1);
    sim.conn.handle_socket_text(
        t,
        1,
        r#"0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#,
    );
    assert!(
        sim.has_problem(DiagnosisKind::SocketIoServerAsPlain),
        "{:?}",
        sim.problem_sentences()
    );
    sim.perform();
    assert!(sim
        .log
        .iter()
        .any(|(_, c)| *c == Command::CloseSocket { socket: 1 }));
    assert_ne!(sim.mode(), Mode::Live);
}

#[test]
fn auto_switches_at_once_when_the_socket_speaks_the_other_protocol() {
    // The probe was wrong (a proxy answers /socket.io/ for another app):
    // the first frame on the Socket.IO socket is not Engine.IO.
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Auto));
    sim.hold_rest = true;
    sim.start();
    let (req, _, _) = sim
        .held
        .iter()
        .find(|(_, w, _)| *w == RestRequest::SocketIoProbe)
        .cloned()
        .unwrap();
    let t = sim.now + 5;
    sim.conn.handle_rest(
        t,
        req,
        RestOutcome::Answered {
            status: 200,
            body: "0{\"sid\":\"p\"}".into(),
        },
    );
    sim.conn.handle_socket_open(t, 1);
    sim.conn
        .handle_socket_text(t, 1, r#"{"type":"regime","data":{}}"#);
    sim.perform();
    let kinds = sim.opened_kinds();
    assert_eq!(
        kinds,
        [TransportKind::SocketIo, TransportKind::Plain],
        "switched with no back-off wait"
    );
    assert!(
        !sim.has_problem(DiagnosisKind::SocketIoNotOffered),
        "auto fixes it rather than complaining"
    );
}

#[test]
fn rest_blocked_by_cors_is_told_apart_from_a_host_that_is_down() {
    let mut server = Server::new(Speaks::Nothing);
    server.rest = Rest::CorsBlocked;
    let mut sim = Sim::new(server, settings(Protocol::Off));
    sim.start();
    sim.run_for(500);
    assert_eq!(sim.mode(), Mode::Offline);
    let reach = sim.log.iter().find(|(_, c)| {
        matches!(
            c,
            Command::Fetch {
                what: RestRequest::Reachability,
                ..
            }
        )
    });
    assert!(
        matches!(reach, Some((_, Command::Fetch { opaque: true, .. }))),
        "a no-cors request"
    );
    assert!(sim.has_problem(DiagnosisKind::RestBlockedByCors));
    assert!(sim.problem_sentences()[0].contains("CORS"));

    sim.server.rest = Rest::Down;
    sim.run_for(10_000);
    assert!(
        sim.has_problem(DiagnosisKind::RestHostDown),
        "{:?}",
        sim.problem_sentences()
    );
    assert!(!sim.has_problem(DiagnosisKind::RestBlockedByCors));

    sim.server.rest = Rest::Up;
    sim.run_for(6000);
    assert_eq!(sim.mode(), Mode::Api);
    assert!(
        sim.conn.status().problems.is_empty(),
        "{:?}",
        sim.problem_sentences()
    );
}

#[test]
fn a_flood_of_100_000_frames_stays_bounded_and_is_all_counted() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    let socket = sim.open_socket().unwrap();
    let start = sim.now;
    let before = sim.conn.status().messages_total;
    for i in 0..100_000u64 {
        let now = start + i / 20; // 20 frames per ms
        let frame = match i % 5 {
            0 | 1 => format!(
                r#"{{"type":"signal","data":{}}}"#,
                serde_json::to_string(&signal(i + 1)).unwrap()
            ),
            2 => format!(
                r#"{{"type":"regime:alert","data":{}}}"#,
                serde_json::to_string(&alert(i + 1)).unwrap()
            ),
            3 => format!(
                r#"{{"type":"regime","data":{{"symbol":"S{}","timeframe":"1h","regime":"range","adx":20,"atrPct":0.01,"timestamp":{}}}}}"#,
                i % 3000,
                i
            ),
            _ => format!(
                r#"{{"type":"price","data":{{"symbol":"BTCUSDT","price":{},"timestamp":{i}}}}}"#,
                64000 + i % 7
            ),
        };
        sim.conn.handle_socket_text(now, socket, &frame);
        while sim.conn.poll_command().is_some() {}
    }
    let st = sim.conn.status();
    assert_eq!(st.messages_total - before, 100_000);
    assert!(st.messages_per_sec > 1000.0, "{}", st.messages_per_sec);
    let store = sim.conn.store();
    assert_eq!(store.signals().len(), 500);
    assert_eq!(store.alerts().len(), 100);
    let store_max_alert = store.max_alert_id();
    assert_eq!(store.max_signal_id(), Some(99_997));
    assert!(store.snapshots_at("1h").len() <= 1000, "keys bounded");
    // Twice a REST page (the alerts limit is smaller): bounded, and the
    // newest kept.
    let fresh = sim.conn.drain_fresh_alerts();
    assert_eq!(fresh.len(), 1000, "toasts bounded");
    assert_eq!(
        fresh.last().map(|f| f.alert.id),
        store_max_alert,
        "the newest kept"
    );
    assert_eq!(sim.mode(), Mode::Live);
}

#[test]
fn malformed_frames_are_counted_described_and_fade() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.emit_raw("not json at all");
    sim.emit_raw(r#"{"type":"tick","data":{}}"#);
    sim.emit_raw(r#"{"type":"signal","data":{"id":1}}"#);
    sim.run_for(100);
    let st = sim.conn.status();
    assert_eq!(st.malformed, 3);
    assert!(st.last_malformed_reason.is_some());
    let p = st
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::MalformedFrames)
        .unwrap();
    assert_eq!(p.severity, Severity::Warning);
    assert!(p.sentence.starts_with("3 live message"), "{}", p.sentence);
    assert_eq!(
        sim.mode(),
        Mode::Live,
        "malformed frames never close the connection"
    );
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(61_000);
    assert!(
        !sim.has_problem(DiagnosisKind::MalformedFrames),
        "the cause is gone"
    );
}

#[test]
fn offline_is_offline_at_once_without_retries_and_online_retries_at_once() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    let now = sim.now;
    sim.conn.handle_online(now, false);
    assert_eq!(sim.mode(), Mode::Offline, "within the same call");
    assert!(sim.has_problem(DiagnosisKind::BrowserOffline));
    sim.perform();
    let opened = sim.opened_kinds().len();
    let fetched = sim.fetches(|_| true).len();
    sim.run_for(60_000);
    assert_eq!(sim.opened_kinds().len(), opened, "no retries while offline");
    assert_eq!(
        sim.fetches(|_| true).len(),
        fetched,
        "no polling while offline"
    );
    assert_eq!(sim.mode(), Mode::Offline);
    let now = sim.now;
    sim.conn.handle_online(now, true);
    sim.perform();
    assert_eq!(sim.opened_kinds().len(), opened + 1, "an immediate retry");
    sim.run_for(100);
    assert_eq!(sim.mode(), Mode::Live);
    assert!(sim.conn.status().problems.is_empty());
}

#[test]
fn visible_again_retries_at_once_when_not_live() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.restart_server(60_000);
    sim.run_for(20_000);
    assert_ne!(sim.mode(), Mode::Live);
    sim.server.down_until = 0; // the backend is back; the next retry is up to 5 s away
    let now = sim.now;
    let next_retry = sim.conn.status().next_retry_at;
    sim.conn.handle_visibility(now, true);
    sim.perform();
    let last_open = sim
        .log
        .iter()
        .rev()
        .find(|(_, c)| matches!(c, Command::OpenSocket { .. }))
        .unwrap()
        .0;
    assert_eq!(
        last_open, now,
        "retried at once (next retry was {next_retry:?})"
    );
    sim.run_for(100);
    assert_eq!(sim.mode(), Mode::Live);
    // While Live, visibility changes nothing.
    let n = sim.opened_kinds().len();
    let now = sim.now;
    sim.conn.handle_visibility(now, true);
    sim.perform();
    assert_eq!(sim.opened_kinds().len(), n);
}

#[test]
fn user_reconnect_opens_a_fresh_socket_at_once_and_ignores_the_old_one() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    let old = sim.open_socket().unwrap();
    let now = sim.now;
    sim.conn.user_reconnect(now);
    sim.perform();
    assert!(sim
        .log
        .iter()
        .any(|(_, c)| *c == Command::CloseSocket { socket: old }));
    let new = sim.open_socket().unwrap();
    assert!(new > old);
    // The old socket's late events change nothing.
    let now = sim.now;
    sim.conn.handle_socket_text(now, old, r#"{"type":"signal","data":{"id":999,"symbol":"B","timeframe":"1h","side":"long","price":1,"timestamp":0}}"#);
    sim.conn.handle_socket_closed(now, old, 1006, "", false);
    assert!(sim.conn.store().signals().is_empty());
    sim.run_for(100);
    assert_eq!(sim.mode(), Mode::Live);
}

#[test]
fn a_socket_that_never_opens_is_closed_after_the_connect_timeout() {
    let mut server = Server::new(Speaks::Plain);
    server.open_delay = 1_000_000; // a black hole
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_for(9_999);
    assert!(!sim
        .log
        .iter()
        .any(|(_, c)| matches!(c, Command::CloseSocket { .. })));
    sim.run_for(2);
    assert!(sim
        .log
        .iter()
        .any(|(_, c)| matches!(c, Command::CloseSocket { socket: 1 })));
    assert_eq!(sim.mode(), Mode::Api);
    let refused = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::LiveRefused)
        .unwrap();
    assert!(
        refused.detail.contains("did not open within 10 s"),
        "{}",
        refused.detail
    );
    assert_eq!(sim.conn.status().retries, 1);
}

#[test]
fn a_close_while_live_is_api_within_the_same_call() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200); // REST has answered too
    let socket = sim.open_socket().unwrap();
    let now = sim.now;
    sim.conn
        .handle_socket_closed(now, socket, 1001, "going away", true);
    assert_eq!(sim.mode(), Mode::Api);
    assert!(sim.conn.status().next_retry_at.is_some());
    assert!(sim
        .conn
        .status()
        .last_error
        .as_deref()
        .unwrap()
        .contains("1001"));
    // REST is asked at once.
    sim.perform();
    assert!(sim
        .log
        .iter()
        .rev()
        .take(6)
        .any(|(t, c)| *t == now && matches!(c, Command::Fetch { .. })));
}

#[test]
fn a_close_while_live_with_rest_down_is_offline() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.restart_server(30_000);
    sim.run_until_mode(Mode::Offline, 2000);
    sim.run_until_mode(Mode::Live, 40_000);
}

#[test]
fn live_without_regime_events_warns_and_keeps_rest_fresh() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    let polls_before = sim
        .fetches(|w| matches!(w, RestRequest::Regime { .. }))
        .len();
    sim.run_for(29_000);
    assert!(!sim.has_problem(DiagnosisKind::NoRegimeEvents));
    sim.run_for(2_000);
    let p = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::NoRegimeEvents)
        .unwrap();
    assert_eq!(
        p.sentence,
        "The server accepts the live connection but sends no regime events."
    );
    assert_eq!(sim.mode(), Mode::Live);
    sim.run_for(20_000);
    let polls = sim
        .fetches(|w| matches!(w, RestRequest::Regime { .. }))
        .len()
        - polls_before;
    assert!(polls >= 8, "regime polled while live: {polls}");
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(100);
    assert!(!sim.has_problem(DiagnosisKind::NoRegimeEvents));
}

#[test]
fn ids_that_go_backwards_wholesale_are_accepted_as_a_new_sequence() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    for _ in 0..800 {
        let id = sim.server.next_signal_id;
        sim.server.signals.push(signal(id));
        sim.server.next_signal_id += 1;
    }
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200);
    assert_eq!(sim.conn.store().max_signal_id(), Some(800));
    // The backend restarts with an empty database and numbers from 1 again.
    sim.restart_server(1000);
    sim.server.signals.clear();
    sim.server.next_signal_id = 1;
    sim.run_for(100);
    sim.run_until_mode(Mode::Live, 10_000);
    sim.run_for(500);
    let a = sim.emit_signal();
    let b = sim.emit_signal();
    sim.run_for(500);
    assert_eq!((a, b), (1, 2));
    assert_eq!(
        sim.signal_ids(),
        [1, 2],
        "the new sequence, not dropped as 'old'"
    );
    let p = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::IdsRestarted)
        .unwrap();
    assert_eq!(p.severity, Severity::Info);
    sim.emit_signal();
    sim.run_for(100);
    assert_eq!(sim.signal_ids(), [1, 2, 3]);
}

#[test]
fn rest_http_errors_and_unreadable_bodies_are_problems_not_panics() {
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Off));
    sim.hold_rest = true;
    sim.start();
    let held = std::mem::take(&mut sim.held);
    let now = sim.now;
    for (req, what, _) in held {
        let outcome = match what {
            RestRequest::Health => RestOutcome::Answered {
                status: 200,
                body: "<html>proxy page</html>".into(),
            },
            RestRequest::Symbols => RestOutcome::Answered {
                status: 500,
                body: r#"{"error":"database is locked"}"#.into(),
            },
            RestRequest::Signals { .. } => RestOutcome::Answered {
                status: 200,
                body: r#"{"signals":[{"id":"x"}]}"#.into(),
            },
            _ => RestOutcome::Answered {
                status: 200,
                body: String::new(),
            },
        };
        sim.conn.handle_rest(now, req, outcome);
    }
    let st = sim.conn.status();
    assert_eq!(st.rest_invalid, 3, "health, signals, alerts");
    let http = st
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::RestHttpError)
        .unwrap();
    assert_eq!(
        http.sentence,
        "The backend answers /api/symbols with HTTP 500: \"database is locked\"."
    );
    assert!(
        st.problems
            .iter()
            .filter(|p| p.kind == DiagnosisKind::RestInvalidBody)
            .count()
            >= 2
    );
    assert_eq!(
        st.problems[0].severity,
        Severity::Error,
        "most important first"
    );
    // Garbage of every sort to every question of the next poll: no panic.
    sim.run_for(5000);
    let held = std::mem::take(&mut sim.held);
    assert!(!held.is_empty());
    let garbage = [
        "",
        "null",
        "[]",
        "{",
        "\u{0}",
        r#"{"symbols":null}"#,
        r#"{"signals":[null]}"#,
        "9e999",
    ];
    let now = sim.now;
    for (i, (req, _, _)) in held.into_iter().enumerate() {
        let body = garbage[i % garbage.len()].to_string();
        sim.conn
            .handle_rest(now, req, RestOutcome::Answered { status: 200, body });
    }
    sim.conn.handle_rest(
        now,
        999_999,
        RestOutcome::Answered {
            status: 200,
            body: "{}".into(),
        },
    );
    sim.conn.handle_socket_text(now, 424242, "garbage");
    sim.conn.handle_socket_binary(now, 424242, 10);
    sim.conn.handle_timeout(0); // a clock from the past
                                // The next poll asks again and everything recovers.
    sim.hold_rest = false;
    sim.run_for(6000);
    assert_eq!(sim.mode(), Mode::Api);
    assert!(
        sim.conn.status().problems.is_empty(),
        "{:?}",
        sim.problem_sentences()
    );
}

#[test]
fn a_socketio_v2_server_is_named() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo));
    sim.hold_rest = false;
    sim.start();
    let socket = 1;
    let t = sim.now + 5;
    sim.conn.handle_socket_open(t, socket);
    sim.conn.handle_socket_text(
        t,
        socket,
        r#"0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#,
    );
    sim.conn.handle_socket_text(t, socket, "40/signals,");
    assert!(
        sim.has_problem(DiagnosisKind::SocketIoV2),
        "{:?}",
        sim.problem_sentences()
    );
    assert!(sim.problem_sentences().iter().any(|s| s.contains("v2")));
    assert_ne!(sim.mode(), Mode::Live);
}

#[test]
fn transport_choice_is_reported() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::Auto));
    assert_eq!(sim.conn.transport_choice(), None);
    sim.start();
    sim.run_for(200);
    assert_eq!(sim.conn.transport_choice(), Some(TransportKind::SocketIo));
}

#[test]
fn a_socket_the_browser_refuses_to_create_shows_the_browsers_words() {
    // The adapter reports a socket the browser would not even create (a
    // malformed URL, a blocked port) with the browser's message.
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    let message =
        "SyntaxError: Failed to construct 'WebSocket': The URL 'ws://exa mple/ws' is invalid.";
    let reason = &format!("the browser refused to open it: {message}");
    sim.conn.handle_socket_refused(sim.now, 1, message);
    let refused = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::LiveRefused)
        .unwrap()
        .clone();
    assert!(refused.detail.contains(reason), "{}", refused.detail);
    assert!(
        !refused.detail.contains("hides the HTTP status"),
        "the browser said why: {}",
        refused.detail
    );
    let last = sim.conn.status().last_error.clone().unwrap();
    assert!(last.contains(reason), "{last}");

    // Without words from the browser, 1006 still gets the generic hint.
    sim.run_for(10);
    let retry = sim.conn.status().next_retry_at.unwrap();
    sim.run_until(retry);
    let socket = sim.open_socket().unwrap();
    sim.conn
        .handle_socket_closed(sim.now, socket, 1006, "", false);
    let refused = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::LiveRefused)
        .unwrap();
    assert!(
        refused.detail.contains("hides the HTTP status"),
        "{}",
        refused.detail
    );
}

#[test]
fn a_port_the_browser_blocks_is_retried_with_back_off_while_rest_serves() {
    // Every socket is refused by the browser itself: no socket exists, so
    // none is closed, and no event follows. The page says why in the
    // browser's words, keeps retrying, and shows REST data meanwhile.
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    let words = "SecurityError: Failed to construct 'WebSocket': The port 6000 is not allowed.";
    sim.browser_refuses = Some(words.to_string());
    sim.start();
    sim.run_for(20_000);
    assert_eq!(sim.mode(), Mode::Api);

    let url = settings(Protocol::Native).live_url(TransportKind::Plain);
    let cause =
        format!("closed with code 1006 before opening: the browser refused to open it: {words}");
    let refused = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::LiveRefused)
        .unwrap()
        .clone();
    assert_eq!(refused.detail, format!("{url}: {cause}"));
    assert_eq!(
        sim.conn.status().last_error.as_deref(),
        Some(format!("{}: {cause}", TransportKind::Plain.label()).as_str())
    );

    let opens = sim.opened_kinds().len();
    assert!((4..=40).contains(&opens), "{opens} attempts in 20 s");
    assert_eq!(sim.conn.status().retries as usize, opens);
    assert!(
        !sim.log
            .iter()
            .any(|(_, c)| matches!(c, Command::CloseSocket { .. })),
        "a socket that was never created is not closed"
    );

    // The port is let through: the next attempt goes Live.
    sim.browser_refuses = None;
    sim.run_until_mode(Mode::Live, 6000);
    assert!(!sim.has_problem(DiagnosisKind::LiveRefused));

    // A refusal reported for a socket that opened, or for one given up,
    // changes nothing.
    let live = sim.open_socket().unwrap();
    sim.conn.handle_socket_refused(sim.now, live, "late");
    sim.conn.handle_socket_refused(sim.now, 1, "stale");
    sim.run_for(100);
    assert_eq!(sim.mode(), Mode::Live);
    assert!(!sim.has_problem(DiagnosisKind::LiveRefused));
}

#[test]
fn a_close_before_opening_shows_its_reason_when_it_has_one() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.conn
        .handle_socket_closed(sim.now, 1, 1006, "proxy says no", false);
    let refused = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::LiveRefused)
        .unwrap();
    assert!(
        refused
            .detail
            .ends_with(": closed with code 1006 \"proxy says no\" before opening"),
        "{}",
        refused.detail
    );
}

#[test]
fn a_socket_closed_after_opening_but_before_the_handshake_is_diagnosed_until_live() {
    // A Socket.IO server that upgrades, then turns this client away before
    // the namespace is acknowledged (an auth check, a full server).
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo));
    sim.start();
    sim.run_for(20); // the socket opened; the Engine.IO open packet not yet read
    assert_ne!(sim.mode(), Mode::Live);
    let socket = sim.open_socket().unwrap();
    sim.conn
        .handle_socket_closed(sim.now, socket, 1008, "unauthorized", true);
    let url = "ws://backend.test/socket.io/?EIO=4&transport=websocket";
    let p = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::ClosedBeforeReady)
        .unwrap_or_else(|| panic!("{:?}", sim.conn.status()))
        .clone();
    assert_eq!(p.severity, Severity::Warning);
    assert!(sim.conn.status().next_retry_at.is_some());
    assert_eq!(
        p.sentence,
        format!(
            "The live server at {url} accepts the connection but closes it before the Socket.IO handshake finishes (code 1008, \"unauthorized\"); it is retried with back-off."
        )
    );
    assert!(
        p.detail
            .contains("closed cleanly with code 1008 \"unauthorized\""),
        "{}",
        p.detail
    );
    assert!(
        !sim.has_problem(DiagnosisKind::LiveRefused),
        "it did open: not a refusal"
    );
    assert!(!sim.has_problem(DiagnosisKind::HandshakeTimeout));

    // The retry goes Live, and the problem is gone.
    sim.run_until_mode(Mode::Live, 10_000);
    assert!(
        sim.conn.status().problems.is_empty(),
        "{:?}",
        sim.conn.status().problems
    );
}

#[test]
fn a_refusal_after_an_early_close_replaces_it_and_the_other_way_round() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo));
    sim.start();
    sim.run_for(20);
    let socket = sim.open_socket().unwrap();
    sim.conn
        .handle_socket_closed(sim.now, socket, 1001, "", false);
    assert!(sim.has_problem(DiagnosisKind::ClosedBeforeReady));
    // The server goes away altogether: now it refuses.
    sim.server.down_until = sim.now + 60_000;
    sim.run_for(6_000);
    assert!(sim.has_problem(DiagnosisKind::LiveRefused));
    assert!(!sim.has_problem(DiagnosisKind::ClosedBeforeReady));
}
