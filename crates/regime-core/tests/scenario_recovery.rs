//! What the trader sees across a gap: REST `after` recovery, toasts for
//! alerts that are news and not for the initial load, polling in API mode.

mod support;

use regime_core::machine::{Mode, RestRequest};
use regime_core::settings::Protocol;
use support::*;

#[test]
fn initial_alerts_are_not_toasts_but_recovered_and_live_ones_are() {
    let mut server = Server::new(Speaks::Plain);
    for id in 1..=5 {
        server.alerts.push(alert(id));
    }
    server.next_alert_id = 6;
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_for(300);
    assert_eq!(sim.conn.store().alerts().len(), 5);
    assert!(
        sim.conn.drain_fresh_alerts().is_empty(),
        "the initial load is history, not news"
    );

    sim.restart_server(3000);
    sim.run_for(500);
    sim.server.alerts.push(alert(6)); // made while we were away
    sim.server.next_alert_id = 7;
    sim.run_until_mode(Mode::Live, 10_000);
    sim.run_for(300);
    sim.emit_alert(); // 7, live
    sim.run_for(100);
    let fresh: Vec<u64> = sim
        .conn
        .drain_fresh_alerts()
        .iter()
        .map(|a| a.alert.id)
        .collect();
    assert_eq!(fresh, [6, 7]);
    assert_eq!(sim.conn.status().recovered, 1);
}

#[test]
fn api_mode_polls_signals_after_the_highest_id_and_counts_them() {
    // A backend that sends an epoch: its health says whether ids started
    // again, so a round needs only `after` (without one, a round looks at
    // the newest ids instead: scenario_backend_runs.rs).
    let mut server = Server::new(Speaks::Nothing);
    server.epoch = Some("1".into());
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_for(1000);
    assert_eq!(sim.mode(), Mode::Api);
    for _ in 0..3 {
        let id = sim.server.next_signal_id;
        sim.server.signals.push(signal(id));
        sim.server.next_signal_id += 1;
        sim.run_for(5000);
    }
    assert_eq!(sim.signal_ids(), [1, 2, 3]);
    assert_eq!(sim.conn.status().recovered, 3);
    let afters = sim.fetches(|w| matches!(w, RestRequest::Signals { after: Some(_) }));
    assert!(afters
        .iter()
        .any(|(_, _, w)| *w == RestRequest::Signals { after: Some(2) }));
}

#[test]
fn going_live_refetches_the_selection_and_stops_polling() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_for(300);
    sim.restart_server(8000);
    sim.run_for(10);
    let before = sim
        .fetches(|w| matches!(w, RestRequest::History { .. }))
        .len();
    sim.run_until_mode(Mode::Live, 20_000);
    sim.run_for(100);
    assert_eq!(
        sim.fetches(|w| matches!(w, RestRequest::History { .. }))
            .len(),
        before + 1
    );
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(100);
    let polls = sim
        .fetches(|w| matches!(w, RestRequest::Regime { .. }))
        .len();
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(25_000);
    assert_eq!(
        sim.fetches(|w| matches!(w, RestRequest::Regime { .. }))
            .len(),
        polls,
        "no polling while Live"
    );
}

#[test]
fn changes_report_only_what_changed() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_for(300);
    let c = sim.conn.take_changes();
    assert!(c.status && c.symbols && c.snapshots && c.history && c.selection);
    sim.emit_signal();
    sim.run_for(50);
    let c = sim.conn.take_changes();
    assert!(c.signals && !c.alerts && !c.symbols && !c.history);
    // A live frame is traffic, not a status change: views may refresh the
    // counters at their own pace without missing a real status change.
    assert!(c.traffic && !c.status, "{c:?}");
}

#[test]
fn stale_socket_events_are_ignored() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    let now = sim.now;
    for stale in [0, 77, 1_000_000] {
        sim.conn.handle_socket_open(now, stale);
        sim.conn.handle_socket_error(now, stale);
        sim.conn.handle_socket_closed(now, stale, 1006, "", false);
    }
    assert_eq!(sim.mode(), Mode::Live);
    assert_eq!(sim.conn.status().retries, 0);
}

#[test]
fn a_market_that_goes_silent_after_data_is_warned_about_and_polled() {
    // The connection stays open (pongs answer), but after a regime event
    // nothing comes for longer than the warning: the same warning as "no
    // regime event at all", and the regime is polled; a regime event ends both.
    use regime_core::diagnosis::DiagnosisKind::NoRegimeEvents;
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200);
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(100);
    let polls = || |w: &RestRequest| matches!(w, RestRequest::Regime { .. });
    let before = sim.fetches(polls()).len();
    sim.run_for(29_000);
    assert!(!sim.has_problem(NoRegimeEvents), "not before the threshold");
    assert_eq!(sim.fetches(polls()).len(), before, "no polling while Live");
    sim.run_for(2_000);
    assert_eq!(sim.mode(), Mode::Live, "the connection itself is fine");
    assert!(
        sim.has_problem(NoRegimeEvents),
        "{:?}",
        sim.problem_sentences()
    );
    sim.run_for(12_000);
    let polled = sim.fetches(polls()).len();
    assert!(polled > before, "the regime is polled meanwhile");
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(100);
    assert!(!sim.has_problem(NoRegimeEvents));
    let after = sim.fetches(polls()).len();
    sim.run_for(12_000);
    assert_eq!(
        sim.fetches(polls()).len(),
        after,
        "polling stops with live regime events"
    );
}
