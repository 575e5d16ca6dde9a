//! Cold starts: from an empty page to Live (or API) against each kind of
//! backend, and what the page asks for on the way.

mod support;

use regime_core::live::TransportKind;
use regime_core::machine::{Command, Mode, RestRequest};
use regime_core::settings::Protocol;
use support::*;

#[test]
fn plain_backend_cold_start_to_live() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    assert_eq!(sim.mode(), Mode::Connecting);
    // Health, symbols, newest signals and alerts, and the socket, at once.
    let first: Vec<RestRequest> = sim
        .fetches(|_| true)
        .into_iter()
        .map(|(_, _, w)| w)
        .collect();
    assert!(first.contains(&RestRequest::Health) && first.contains(&RestRequest::Symbols));
    assert!(first.contains(&RestRequest::Signals { after: None }));
    assert!(first.contains(&RestRequest::Alerts { after: None }));
    assert_eq!(sim.opened_kinds(), [TransportKind::Plain]);

    sim.run_for(200);
    assert_eq!(sim.mode(), Mode::Live);
    let st = sim.conn.status();
    assert_eq!(st.transport, Some(TransportKind::Plain));
    assert_eq!(st.live_url, "ws://backend.test/ws");
    assert_eq!(st.backend_version.as_deref(), Some("fake-1.0"));
    assert_eq!(sim.conn.selection(), Some(("BTCUSDT", "1h")));
    assert!(sim.conn.store().snapshot("BTCUSDT", "1h").is_some());
    assert!(
        sim.conn.store().snapshot("ETHUSDT", "1h").is_some(),
        "overview fetched"
    );
    assert_eq!(sim.conn.store().history_len("BTCUSDT", "1h"), 5);
    assert!(st.problems.is_empty(), "{:?}", st.problems);
    // Subscribed to every known symbol at the selected timeframe.
    let sub = sim
        .server
        .client_frames
        .iter()
        .find(|(_, t)| t.contains("subscribe"))
        .unwrap();
    assert!(sub.1.contains("BTCUSDT") && sub.1.contains("ETHUSDT") && sub.1.contains("\"1h\""));
}

#[test]
fn socketio_backend_cold_start_to_live_after_namespace_ack() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo));
    sim.start();
    sim.run_for(21); // the socket opened, Engine.IO open not yet read
    assert_ne!(sim.mode(), Mode::Live);
    sim.run_for(200);
    assert_eq!(sim.mode(), Mode::Live);
    assert_eq!(sim.conn.status().transport, Some(TransportKind::SocketIo));
    let frames: Vec<&str> = sim
        .server
        .client_frames
        .iter()
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(frames[0], "40/signals,");
    assert!(
        frames[1].starts_with(r#"42/signals,["subscribe","#),
        "{frames:?}"
    );
    // The server pings, the client pongs, and the connection stays up.
    sim.run_for(120_000);
    assert_eq!(sim.mode(), Mode::Live);
    assert!(
        sim.server
            .client_frames
            .iter()
            .filter(|(_, t)| t == "3")
            .count()
            >= 4
    );
    assert!(
        !sim.server.client_frames.iter().any(|(_, t)| t == "2"),
        "a client never pings Engine.IO"
    );
}

#[test]
fn live_events_land_in_the_store_and_count() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_for(200);
    for _ in 0..3 {
        sim.emit_signal();
    }
    sim.emit_alert();
    sim.emit_regime("BTCUSDT", "1h");
    sim.emit_raw(r#"{"type":"price","data":{"symbol":"BTCUSDT","price":64000.5,"timestamp":1}}"#);
    sim.emit_raw(r#"{"type":"price","data":{"symbol":"BTCUSDT","price":64001.5,"timestamp":2}}"#);
    sim.run_for(100);
    assert_eq!(sim.signal_ids(), [1, 2, 3]);
    let price = sim.conn.store().price("BTCUSDT").unwrap();
    assert_eq!((price.tick.price, price.previous), (64001.5, Some(64000.5)));
    assert_eq!(
        sim.conn.store().history_len("BTCUSDT", "1h"),
        6,
        "a newer live regime appends a point"
    );
    let fresh = sim.conn.drain_fresh_alerts();
    assert_eq!(
        fresh.len(),
        1,
        "a live alert after the initial load is a toast"
    );
    assert!(sim.conn.drain_fresh_alerts().is_empty());
    let st = sim.conn.status();
    assert!(st.messages_total >= 7);
    assert!(st.messages_per_sec > 0.0);
    let changes = sim.conn.take_changes();
    assert!(
        changes.signals && changes.alerts && changes.prices && changes.snapshots && changes.history
    );
    assert!(!sim.conn.take_changes().any());
}

#[test]
fn auto_picks_socketio_when_the_probe_answers_an_open_packet() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::Auto));
    sim.start();
    assert!(sim.opened_kinds().is_empty(), "auto asks the probe first");
    assert_eq!(sim.fetches(|w| *w == RestRequest::SocketIoProbe).len(), 1);
    sim.run_for(300);
    assert_eq!(sim.opened_kinds(), [TransportKind::SocketIo]);
    assert_eq!(sim.mode(), Mode::Live);
    assert!(sim.conn.status().problems.is_empty());
}

#[test]
fn auto_picks_plain_when_the_probe_is_a_404() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Auto));
    sim.start();
    sim.run_for(300);
    assert_eq!(sim.opened_kinds(), [TransportKind::Plain]);
    assert_eq!(sim.mode(), Mode::Live);
    assert!(
        sim.conn.status().problems.is_empty(),
        "auto doing its job is not a problem"
    );
}

#[test]
fn auto_switches_transport_when_the_probe_could_not_tell() {
    // The probe is blocked (no CORS on /socket.io/ for us): plain first,
    // then Socket.IO after the plain sockets keep failing.
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::Auto));
    sim.hold_rest = true;
    sim.start();
    let probe = sim
        .held
        .iter()
        .position(|(_, w, _)| *w == RestRequest::SocketIoProbe)
        .unwrap();
    let (req, _, _) = sim.held.remove(probe);
    sim.conn.handle_rest(
        sim.now,
        req,
        regime_core::machine::RestOutcome::NetworkError {
            message: "Failed to fetch".into(),
        },
    );
    sim.hold_rest = false;
    sim.release_rest();
    sim.run_until_mode(Mode::Live, 30_000);
    let kinds = sim.opened_kinds();
    assert_eq!(kinds.first(), Some(&TransportKind::Plain));
    assert_eq!(kinds.last(), Some(&TransportKind::SocketIo));
    assert_eq!(
        kinds.iter().filter(|k| **k == TransportKind::Plain).count(),
        3,
        "switch after 3 failures"
    );
}

#[test]
fn protocol_off_is_rest_only() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Off));
    sim.start();
    sim.run_for(100);
    assert_eq!(
        sim.mode(),
        Mode::Api,
        "no live attempt, so no grace: API as soon as REST answers"
    );
    sim.run_for(60_000);
    assert!(sim.opened_kinds().is_empty());
    assert_eq!(sim.conn.status().transport, None);
    // Polling every 5 s: regime of the selection at least 12 times in a minute.
    let polls =
        sim.fetches(|w| matches!(w, RestRequest::Regime { symbol, .. } if symbol == "BTCUSDT"));
    assert!(polls.len() >= 12, "{}", polls.len());
}

#[test]
fn no_api_flash_while_the_first_live_attempt_is_in_progress() {
    // The socket takes 5 s to open (a slow proxy); REST answers in 40 ms.
    let mut server = Server::new(Speaks::Plain);
    server.open_delay = 5000;
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    let mut modes = Vec::new();
    for _ in 0..29 {
        sim.run_for(100);
        modes.push(sim.mode());
    }
    assert!(modes.iter().all(|m| *m == Mode::Connecting), "{modes:?}");
    assert!(
        sim.conn.store().snapshot("BTCUSDT", "1h").is_some(),
        "REST data is there meanwhile"
    );
    sim.run_for(200);
    assert_eq!(
        sim.mode(),
        Mode::Api,
        "after the 3 s grace, REST shows as API"
    );
    sim.run_until_mode(Mode::Live, 3000);
}

#[test]
fn grace_ends_in_api_when_the_live_side_is_slow() {
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Native));
    sim.latency = 20;
    sim.start();
    sim.run_for(10);
    assert_eq!(sim.mode(), Mode::Connecting);
    // The live side fails at once; REST answers: API right away, no grace needed.
    sim.run_for(100);
    assert_eq!(sim.mode(), Mode::Api);
}

#[test]
fn select_cancels_requests_for_the_old_choice_and_resubscribes() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_for(200);
    assert_eq!(sim.mode(), Mode::Live);
    sim.hold_rest = true;
    sim.conn.select(sim.now, "ETHUSDT", "1h");
    sim.perform();
    let first: Vec<_> = sim.held.iter().map(|(r, w, _)| (*r, w.clone())).collect();
    assert!(first.contains(&(
        first[0].0,
        RestRequest::Regime {
            symbol: "ETHUSDT".into(),
            timeframe: "1h".into()
        }
    )));
    // The user changes their mind before the answers come.
    sim.conn.select(sim.now, "BTCUSDT", "5m");
    sim.perform();
    let cancelled: Vec<u64> = sim
        .log
        .iter()
        .filter_map(|(_, c)| match c {
            Command::CancelFetch { request } => Some(*request),
            _ => None,
        })
        .collect();
    for (r, w) in &first {
        if matches!(w, RestRequest::Regime { .. } | RestRequest::History { .. }) {
            assert!(cancelled.contains(r), "{w:?} not cancelled");
        }
    }
    assert_eq!(sim.conn.selection(), Some(("BTCUSDT", "5m")));
    sim.hold_rest = false;
    sim.release_rest();
    sim.run_for(100);
    assert!(sim.conn.store().snapshot("BTCUSDT", "5m").is_some());
    assert!(
        sim.conn.store().snapshot("ETHUSDT", "1h").is_some(),
        "from the cold start overview"
    );
    let last_sub = sim
        .server
        .client_frames
        .iter()
        .rev()
        .find(|(_, t)| t.contains("subscribe"))
        .unwrap();
    assert!(last_sub.1.contains("\"5m\""), "{last_sub:?}");
    assert!(sim.conn.take_changes().selection);
}

#[test]
fn settings_symbol_and_timeframe_fetch_the_selection_at_once() {
    let mut s = settings(Protocol::Native);
    s.symbol = Some("ETHUSDT".into());
    s.timeframe = Some("1h".into());
    let mut sim = Sim::new(Server::new(Speaks::Plain), s);
    sim.start();
    assert_eq!(sim.conn.selection(), Some(("ETHUSDT", "1h")));
    assert_eq!(
        sim.fetches(|w| matches!(w, RestRequest::History { symbol, .. } if symbol == "ETHUSDT"))
            .len(),
        1
    );
}

#[test]
fn auto_shows_the_candidate_live_urls_while_its_probe_is_out() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::Auto));
    sim.hold_rest = true;
    sim.start();
    assert!(sim.opened_kinds().is_empty(), "the probe has not answered");
    assert_eq!(
        sim.conn.status().live_url,
        "ws://backend.test/ws or ws://backend.test/socket.io/?EIO=4&transport=websocket"
    );
    sim.hold_rest = false;
    sim.release_rest();
    sim.run_until_mode(Mode::Live, 1000);
    assert_eq!(
        sim.conn.status().live_url,
        "ws://backend.test/socket.io/?EIO=4&transport=websocket",
        "once chosen, the URL tried"
    );

    // A `ws` path of the user's own is what the candidates show.
    let mut s = settings(Protocol::Auto);
    s.ws = Some("/ws/price".into());
    let conn = regime_core::machine::Connection::new(s, Default::default(), 1);
    assert_eq!(
        conn.status().live_url,
        "ws://backend.test/ws/price or ws://backend.test/ws/price?EIO=4&transport=websocket"
    );
    // protocol=off has no live URL at all.
    let off = regime_core::machine::Connection::new(settings(Protocol::Off), Default::default(), 1);
    assert_eq!(off.status().live_url, "");
}
