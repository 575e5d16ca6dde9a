//! Backends that are legal but lenient, or failing in ordinary ways: REST
//! that ignores `after` or caps its pages, a wrong clock, a gateway that
//! fails for a moment, huge error bodies, odd handshakes, a thousand
//! symbols, a proxy that drops WebSocket upgrades.

mod support;

use regime_core::diagnosis::DiagnosisKind;
use regime_core::machine::{Mode, RestRequest};
use regime_core::settings::Protocol;
use support::*;

fn signal_fetches(sim: &Sim) -> usize {
    sim.fetches(|w| matches!(w, RestRequest::Signals { .. }))
        .len()
}

/// The backend makes `n` signals while the page cannot see them live.
fn make_signals(sim: &mut Sim, n: u64) {
    for _ in 0..n {
        let id = sim.server.next_signal_id;
        sim.server.next_signal_id += 1;
        sim.server.signals.push(signal(id));
    }
}

#[test]
fn an_api_that_ignores_after_cannot_make_the_page_ask_forever() {
    let mut server = Server::new(Speaks::Nothing);
    server.ignore_after = true;
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_for(1000);
    assert_eq!(sim.mode(), Mode::Api);
    make_signals(&mut sim, 300);
    let before = signal_fetches(&sim);
    sim.run_for(5000); // one poll
    let per_poll = signal_fetches(&sim) - before;
    assert!(per_poll <= 3, "{per_poll} signal requests in one poll");
    assert_eq!(sim.signal_ids().len(), 300, "the 300-signal gap is held");
    // Quiet polls: one request each (and now and then a restart check).
    let before = signal_fetches(&sim);
    sim.run_for(60_000);
    let quiet = signal_fetches(&sim) - before;
    assert!(quiet <= 12 + 4, "{quiet} requests in 12 quiet polls");
    assert!(!sim.has_problem(DiagnosisKind::IdsRestarted));
}

#[test]
fn capped_pages_are_not_taken_for_the_last_one() {
    for protocol in [Protocol::Native, Protocol::Off] {
        let speaks = if protocol == Protocol::Off {
            Speaks::Nothing
        } else {
            Speaks::Plain
        };
        let mut server = Server::new(speaks);
        server.page_cap = Some(100);
        let mut sim = Sim::new(server, settings(protocol));
        sim.start();
        sim.run_for(4000);
        sim.emit_signal();
        sim.run_for(6000);
        assert_eq!(sim.signal_ids(), [1], "{protocol:?}");
        // A 300-signal gap while the live side is away (or between polls).
        sim.restart_server(1);
        make_signals(&mut sim, 300);
        let before = signal_fetches(&sim);
        sim.run_for(8000);
        let ids = sim.signal_ids();
        assert_eq!(ids.len(), 301, "{protocol:?}: all 300 of the gap are held");
        assert_eq!(ids.last(), Some(&301));
        let asked = signal_fetches(&sim) - before;
        assert!(
            asked <= 8,
            "{protocol:?}: {asked} requests for 3 capped pages"
        );
        assert_eq!(
            sim.conn.status().recovered,
            300 + u64::from(protocol == Protocol::Off)
        );
    }
}

#[test]
fn one_frame_from_a_wrong_clock_does_not_freeze_the_symbol() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    // This computer's clock agrees with the simulated market.
    let now = sim.now;
    sim.conn.set_wall_clock(now, BASE_TS + now as i64);
    sim.start();
    sim.run_until_mode(Mode::Live, 2000);
    sim.run_for(200);
    let year_2100 = 4_102_444_800_000i64;
    let mut bad = snapshot("BTCUSDT", "1h", year_2100);
    bad.adx = 99.0;
    sim.emit_raw(&format!(
        r#"{{"type":"regime","data":{}}}"#,
        serde_json::to_string(&bad).unwrap()
    ));
    sim.run_for(100);
    let shown = |sim: &Sim| {
        sim.conn
            .store()
            .snapshot("BTCUSDT", "1h")
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(shown(&sim).adx, 99.0, "shown as sent");
    let clock = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::BackendClock)
        .expect("the wrong clock is flagged");
    assert!(clock.sentence.contains("years ahead"), "{}", clock.sentence);
    sim.run_for(1000);
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(100);
    let s = shown(&sim);
    assert_eq!(
        (s.adx, s.timestamp.0 < year_2100),
        (27.0, true),
        "a correct update wins"
    );
}

#[test]
fn a_recovery_that_a_gateway_fails_while_live_is_retried_and_not_called_cors() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo));
    sim.start();
    sim.run_until_mode(Mode::Live, 2000);
    sim.emit_signal();
    sim.run_for(500);
    // A rolling restart: the socket drops, signals are made meanwhile, and
    // the gateway fails the recovery requests for a moment.
    sim.restart_server(500);
    make_signals(&mut sim, 20);
    sim.run_for(600);
    sim.server.gateway_fail_next = 6;
    sim.run_until_mode(Mode::Live, 10_000);
    sim.run_for(300);
    assert!(
        !sim.has_problem(DiagnosisKind::RestBlockedByCors),
        "{:?}",
        sim.problem_sentences()
    );
    sim.run_for(20_000);
    assert_eq!(
        sim.signal_ids().len(),
        21,
        "retried until it succeeded, while Live"
    );
    assert_eq!(sim.mode(), Mode::Live);
    assert!(
        !sim.has_problem(DiagnosisKind::RestGatewayFailed),
        "cleared once REST answers"
    );
}

#[test]
fn a_failing_gateway_is_said_to_be_the_backend_or_a_proxy() {
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Native));
    sim.start();
    sim.run_for(1000);
    assert_eq!(sim.mode(), Mode::Api);
    sim.server.gateway_fail_next = 1000;
    sim.run_for(6000);
    let p = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::RestGatewayFailed)
        .unwrap_or_else(|| panic!("{:?}", sim.problem_sentences()));
    assert!(
        p.sentence.contains("or a proxy in front of it"),
        "{}",
        p.sentence
    );
    assert!(!sim.has_problem(DiagnosisKind::RestBlockedByCors));
}

#[test]
fn a_megabyte_error_body_is_cut_to_a_readable_sentence() {
    let mut server = Server::new(Speaks::Nothing);
    server.rest_status = Some(500);
    server.huge_errors = Some(1 << 20);
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_for(2000);
    let sentences = sim.problem_sentences();
    assert!(!sentences.is_empty());
    for s in &sentences {
        assert!(s.chars().count() < 500, "{} characters", s.chars().count());
    }
    assert!(sentences
        .iter()
        .any(|s| s.contains("1048576 characters in all")));
    let last = sim.conn.status().last_error.clone().unwrap_or_default();
    assert!(last.len() < 500, "{}", last.len());
}

#[test]
fn extreme_heartbeat_values_are_clamped_and_named() {
    let mut server = Server::socketio("/signals");
    server.ping_interval = 0;
    server.ping_timeout = 0;
    let mut sim = Sim::new(server, settings(Protocol::SocketIo));
    sim.start();
    sim.run_until_mode(Mode::Live, 2000);
    sim.run_for(10_000);
    let opened = sim.opened_kinds().len();
    assert!(opened <= 3, "{opened} sockets in 10 s: no reconnect loop");
    assert!(
        sim.has_problem(DiagnosisKind::BadHandshake),
        "{:?}",
        sim.problem_sentences()
    );
    assert!(!sim
        .problem_sentences()
        .iter()
        .any(|s| s.contains("went quiet")));
}

#[test]
fn a_thousand_symbols_are_fetched_a_few_at_a_time_and_only_as_shown() {
    let mut server = Server::new(Speaks::Nothing);
    server.symbols = (0..1000)
        .map(|i| (format!("SYM{i:04}USDT"), vec!["1h".to_string()]))
        .collect();
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.hold_rest = true;
    sim.start();
    sim.run_for(10);
    sim.release_rest(); // health, symbols, feeds
    let mut max_in_flight = 0;
    for _ in 0..40 {
        sim.run_for(50);
        let regime = sim
            .held
            .iter()
            .filter(|(_, w, _)| matches!(w, RestRequest::Regime { .. }))
            .count();
        max_in_flight = max_in_flight.max(regime);
        sim.release_rest();
    }
    assert!(
        max_in_flight <= 4,
        "{max_in_flight} regime requests at once"
    );
    sim.hold_rest = false;
    sim.run_for(4000);
    let regimes = sim
        .fetches(|w| matches!(w, RestRequest::Regime { .. }))
        .len();
    assert!(
        regimes <= 2 * 26,
        "{regimes} regime requests for the first rounds"
    );
}

#[test]
fn a_proxy_that_drops_the_websocket_upgrade_is_named() {
    for protocol in [Protocol::SocketIo, Protocol::Auto] {
        let mut server = Server::socketio("/signals");
        server.upgrade_refused = true;
        let mut sim = Sim::new(server, settings(protocol));
        sim.start();
        sim.run_for(15_000);
        assert_eq!(sim.mode(), Mode::Api, "{protocol:?}");
        let p = sim
            .conn
            .status()
            .problems
            .iter()
            .find(|p| p.kind == DiagnosisKind::WebSocketUpgradeBlocked)
            .unwrap_or_else(|| panic!("{protocol:?}: {:?}", sim.problem_sentences()));
        assert!(
            p.sentence.contains("Upgrade and Connection headers"),
            "{}",
            p.sentence
        );
    }
}
