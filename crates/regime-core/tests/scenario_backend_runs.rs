//! A backend that keeps its signals in memory is redeployed: it comes back
//! empty and numbers from 1 again. Every signal and alert of the new run
//! must reach the page, each once, whatever the protocol and whether or not
//! the backend sends an `epoch`; the old run's rows stay, marked by run.

mod support;

use regime_core::diagnosis::DiagnosisKind;
use regime_core::machine::{Mode, RestRequest};
use regime_core::settings::Protocol;
use support::*;

/// A backend that already made `n` signals and `n` alerts.
fn with_history(mut server: Server, n: u64) -> Server {
    for id in 1..=n {
        server.signals.push(signal(id));
        server.alerts.push(alert(id));
    }
    server.next_signal_id = n + 1;
    server.next_alert_id = n + 1;
    server
}

fn backends() -> Vec<(&'static str, Server, Protocol)> {
    vec![
        ("plain", Server::new(Speaks::Plain), Protocol::Native),
        (
            "socket.io",
            Server::socketio("/signals"),
            Protocol::SocketIo,
        ),
    ]
}

/// The new run's signals, emitted live right after the page is Live
/// again, are all held under the new run within 5 s, once each.
fn redeploy_keeps_every_new_signal(epoch: Option<&str>) {
    for (name, server, protocol) in backends() {
        let mut server = with_history(server, 57);
        server.epoch = epoch.map(String::from);
        let mut sim = Sim::new(server, settings(protocol));
        sim.start();
        sim.run_until_mode(Mode::Live, 2000);
        sim.run_for(500);
        assert_eq!(sim.signal_ids().len(), 57, "{name}");

        sim.redeploy_server(2000);
        sim.run_for(100);
        sim.run_until_mode(Mode::Live, 10_000);
        let live_at = sim.now;
        let ids: Vec<u64> = (0..5)
            .map(|_| {
                let id = sim.emit_signal();
                sim.run_for(50);
                id
            })
            .collect();
        assert_eq!(ids, [1, 2, 3, 4, 5], "{name}: the backend numbers from 1");
        sim.run_until(live_at + 5000);
        assert_eq!(
            sim.signal_ids(),
            [1, 2, 3, 4, 5],
            "{name} (epoch {epoch:?}): every signal of the new run, once"
        );
        let runs = sim.signal_runs();
        assert_eq!(
            runs.iter().filter(|(r, _)| *r == 0).count(),
            57,
            "{name}: old rows kept"
        );
        assert!(
            runs.iter().all(|(r, _)| *r <= 1),
            "{name}: one restart, one new run: {runs:?}"
        );
        assert!(sim.has_problem(DiagnosisKind::IdsRestarted), "{name}");

        // Alerts follow the same rule, and toast again under the new run.
        sim.conn.drain_fresh_alerts();
        let id = sim.emit_alert();
        sim.run_for(500);
        assert_eq!(id, 1);
        let fresh = sim.conn.drain_fresh_alerts();
        assert_eq!(fresh.len(), 1, "{name}: the new run's alert 1 is news");
        assert_eq!((fresh[0].run, fresh[0].alert.id), (1, 1), "{name}");
        let current = ids_of_run(sim.alert_runs(), 1);
        assert_eq!(current, [1], "{name}");
    }
}

#[test]
fn a_redeployed_backend_without_epoch_loses_nothing_in_either_protocol() {
    redeploy_keeps_every_new_signal(None);
}

#[test]
fn a_redeployed_backend_with_epoch_loses_nothing_in_either_protocol() {
    redeploy_keeps_every_new_signal(Some("run-1"));
}

#[test]
fn signals_made_during_the_redeploy_are_recovered_under_the_new_run() {
    for (name, server, protocol) in backends() {
        let mut sim = Sim::new(with_history(server, 57), settings(protocol));
        sim.start();
        sim.run_until_mode(Mode::Live, 2000);
        sim.run_for(500);
        sim.redeploy_server(2000);
        sim.run_for(2100);
        // Made by the new run before the page reconnected.
        for _ in 0..3 {
            sim.emit_signal();
        }
        sim.run_until_mode(Mode::Live, 10_000);
        sim.run_for(100);
        sim.emit_signal();
        sim.run_for(3000);
        assert_eq!(sim.signal_ids(), [1, 2, 3, 4], "{name}");
        assert_eq!(sim.signal_runs().len(), 57 + 4, "{name}: nothing twice");
    }
}

#[test]
fn api_mode_notices_a_redeploy_with_and_without_epoch() {
    for epoch in [None, Some("e1".to_string())] {
        let mut server = with_history(Server::new(Speaks::Nothing), 57);
        server.epoch = epoch.clone();
        let mut sim = Sim::new(server, settings(Protocol::Native));
        sim.start();
        sim.run_for(4000);
        assert_eq!(sim.mode(), Mode::Api);
        assert_eq!(sim.signal_ids().len(), 57);
        sim.redeploy_server(1000);
        sim.run_for(1500);
        let made_at = sim.now;
        for _ in 0..3 {
            sim.emit_signal();
        }
        sim.run_until(made_at + 12_000);
        assert_eq!(sim.signal_ids(), [1, 2, 3], "epoch {epoch:?}");
        assert_eq!(sim.signal_runs().len(), 60, "epoch {epoch:?}");
    }
}

#[test]
fn an_epoch_change_alone_is_enough_even_when_the_new_ids_overtake_the_old() {
    // A zero-downtime redeploy: the new run already made more signals than
    // the old one had when the page notices, so only the epoch can tell.
    let mut server = with_history(Server::new(Speaks::Nothing), 3);
    server.epoch = Some("blue".into());
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_for(1000);
    sim.server.signals.clear();
    for id in 1..=6 {
        sim.server.signals.push(signal(id + 1000));
        sim.server.signals.last_mut().unwrap().id = id;
    }
    sim.server.next_signal_id = 7;
    sim.server.epoch = Some("green".into());
    sim.run_for(6000);
    assert_eq!(sim.signal_ids(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(sim.signal_runs().iter().filter(|(r, _)| *r == 0).count(), 3);
    let p = sim
        .conn
        .status()
        .problems
        .iter()
        .find(|p| p.kind == DiagnosisKind::IdsRestarted)
        .unwrap();
    assert!(p.detail.contains("epoch"), "{}", p.detail);
}

#[test]
fn a_live_signal_that_arrives_while_the_epoch_is_checked_is_held_not_dropped() {
    let mut server = with_history(Server::new(Speaks::Plain), 10);
    server.epoch = Some("a".into());
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 2000);
    sim.run_for(500);
    sim.redeploy_server(500);
    sim.run_for(600);
    sim.hold_rest = true;
    sim.run_until_mode(Mode::Live, 10_000);
    assert!(
        sim.held.iter().any(|(_, w, _)| *w == RestRequest::Health),
        "the reconnection asks whether the epoch changed"
    );
    sim.emit_signal();
    sim.run_for(100);
    assert_eq!(
        sim.signal_ids().len(),
        10,
        "held while the check is in flight"
    );
    sim.hold_rest = false;
    sim.release_rest();
    sim.run_for(500);
    assert_eq!(
        sim.signal_ids(),
        [1],
        "applied under the new run, not dropped"
    );
}

#[test]
fn fifty_redeploys_keep_every_signal_of_every_run_once() {
    let mut sim = Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo));
    sim.start();
    sim.run_until_mode(Mode::Live, 2000);
    let mut expected_total = 0;
    for round in 0..50u64 {
        let n = 1 + round % 4;
        for _ in 0..n {
            sim.emit_signal();
            sim.run_for(30);
        }
        expected_total += n;
        sim.run_for(1000);
        assert_eq!(
            sim.signal_ids().len() as u64,
            n,
            "round {round}: {:?} {:?}",
            sim.signal_runs(),
            sim.problem_sentences()
        );
        sim.redeploy_server(300);
        sim.run_for(400);
        sim.run_until_mode(Mode::Live, 10_000);
    }
    sim.run_for(2000);
    assert_eq!(sim.signal_runs().len() as u64, expected_total);
}

/// A backend redeployed while the page was away, which made more signals
/// in its new run than the page keeps: its epoch tells of the new run (ids
/// above every held one show nothing without it), and recovery pages
/// through the run from its start. Every signal of the new run is taken in
/// once (counted), though only the newest 500 are kept.
#[test]
fn a_new_run_longer_than_the_ring_is_taken_in_whole() {
    for (name, server, protocol) in backends() {
        let mut server = with_history(server, 57);
        server.epoch = Some("run-a".into());
        let mut sim = Sim::new(server, settings(protocol));
        sim.start();
        sim.run_until_mode(Mode::Live, 2000);
        sim.run_for(500);
        sim.redeploy_server(2000);
        for _ in 0..1_200 {
            sim.emit_signal();
        }
        let accepted0 = sim.conn.store().signals().accepted();
        sim.run_for(100);
        sim.run_until_mode(Mode::Live, 10_000);
        sim.run_for(5_000);
        let current = ids_of_run(sim.signal_runs(), 1);
        assert_eq!(
            current,
            (701..=1200).collect::<Vec<u64>>(),
            "{name}: the newest kept"
        );
        let taken = sim.conn.store().signals().accepted() - accepted0;
        assert_eq!(
            taken, 1_200,
            "{name}: every signal of the new run taken in, once"
        );
    }
}
