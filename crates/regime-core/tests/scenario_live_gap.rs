//! The live Worker's bounded queue (docs/ARCHITECTURE.md, "The live socket
//! in a Worker"): when the page falls behind, the Worker skips frames and
//! says how many (`handle_socket_gap`). The core treats that like a short
//! reconnect: counted, said in words, every skipped signal and alert fetched
//! again with REST `after`, and the session stays up.

mod support;

use regime_core::diagnosis::DiagnosisKind;
use regime_core::machine::{Mode, RestRequest};
use regime_core::settings::Protocol;
use support::*;

/// A page Live for 300 ms on a backend of that protocol.
fn live_for_a_while(protocol: Protocol) -> Sim {
    let server = match protocol {
        Protocol::SocketIo => Server::socketio("/signals"),
        _ => Server::new(Speaks::Plain),
    };
    let mut sim = Sim::new(server, settings(protocol));
    sim.start();
    sim.run_until_mode(Mode::Live, 5_000);
    sim.run_for(300);
    sim
}

/// Five signals a millisecond for `ms` ms; answers their ids.
fn flood(sim: &mut Sim, ms: u64) -> Vec<u64> {
    let mut emitted = Vec::new();
    for _ in 0..ms {
        for _ in 0..5 {
            emitted.push(sim.emit_signal());
        }
        sim.run_for(1);
    }
    emitted
}

fn gap_mid_flood(protocol: Protocol, server: Server) {
    let mut sim = Sim::new(server, settings(protocol));
    sim.start();
    sim.run_until_mode(Mode::Live, 5_000);
    sim.run_for(300);
    let socket = sim.open_socket().expect("a live socket");
    let held_before = sim.signal_ids().len();
    let before_gap = sim.fetches(|w| matches!(w, RestRequest::Signals { after: Some(_) }));

    // A flood: 200 signals and a few alerts, of which the middle 120
    // signals and 3 alerts never reach the page.
    let mut emitted = Vec::new();
    for i in 0..200 {
        if i == 40 {
            sim.lose_live = true;
        }
        if i == 160 {
            sim.lose_live = false;
        }
        emitted.push(sim.emit_signal());
        if i % 50 == 45 {
            sim.emit_alert();
        }
        sim.run_for(2);
    }
    assert_eq!(
        sim.lost, 123,
        "the fake Worker skipped the middle of the flood"
    );
    // The Worker's gap report came ahead of the first frame it kept after
    // the gap (signal 161), as the Worker posts it.
    sim.run_for(2_000);

    let ids = sim.signal_ids();
    for id in &emitted {
        assert!(ids.contains(id), "signal {id} is back after recovery");
    }
    assert_eq!(
        ids.len(),
        held_before + emitted.len(),
        "every id exactly once"
    );
    let alerts = sim.conn.store().alerts().len();
    assert_eq!(alerts, sim.server.alerts.len(), "every alert back");
    let status = sim.conn.status();
    assert_eq!(status.live_gaps, 1);
    assert_eq!(status.live_skipped, 123);
    assert!(status.recovered >= 123, "recovered {}", status.recovered);
    assert!(sim.has_problem(DiagnosisKind::PageFellBehind));
    let words = sim.problem_sentences().join(" ");
    assert!(
        words.contains("fell behind a fast feed; 123 live message(s)"),
        "{words}"
    );
    let after_gap = sim.fetches(|w| matches!(w, RestRequest::Signals { after: Some(_) }));
    assert!(after_gap.len() > before_gap.len(), "REST `after` was asked");
    assert_eq!(
        sim.mode(),
        Mode::Live,
        "a gap is no reconnect: the session stays up"
    );
    assert_eq!(sim.open_socket(), Some(socket));

    // The diagnosis fades once the page keeps up again.
    sim.run_for(120_000);
    assert!(!sim.has_problem(DiagnosisKind::PageFellBehind));
}

#[test]
fn a_gap_in_a_plain_flood_is_recovered_through_rest_after() {
    gap_mid_flood(Protocol::Native, Server::new(Speaks::Plain));
}

#[test]
fn a_gap_in_a_socketio_flood_is_recovered_through_rest_after() {
    gap_mid_flood(Protocol::SocketIo, Server::socketio("/signals"));
}

#[test]
fn a_gap_for_a_socket_that_is_gone_changes_nothing() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 5_000);
    let socket = sim.open_socket().unwrap();
    let now = sim.now;
    sim.conn.handle_socket_gap(now, socket + 1000, 10);
    assert_eq!(sim.conn.status().live_gaps, 0);
    assert!(!sim.has_problem(DiagnosisKind::PageFellBehind));
}

#[test]
fn texts_in_one_batch_do_what_they_do_one_by_one() {
    let run = |batched: bool| {
        let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
        sim.start();
        sim.run_until_mode(Mode::Live, 5_000);
        sim.run_for(300);
        let socket = sim.open_socket().unwrap();
        let frames: Vec<String> = (1000..1050)
            .map(|id| {
                let s = serde_json::to_string(&signal(id)).unwrap();
                format!(r#"{{"type":"signal","data":{s}}}"#)
            })
            .chain(["not json".to_string()])
            .collect();
        let now = sim.now;
        if batched {
            let texts: Vec<&str> = frames.iter().map(String::as_str).collect();
            sim.conn.handle_socket_texts(now, socket, &texts);
        } else {
            for f in &frames {
                sim.conn.handle_socket_text(now, socket, f);
            }
        }
        sim.perform();
        let s = sim.conn.status();
        (sim.signal_ids(), s.messages_total, s.malformed)
    };
    let one_by_one = run(false);
    assert_eq!(run(true), one_by_one);
    assert_eq!(one_by_one.2, 1, "the bad frame is counted in both");
}

/// The first live signal of a connection asks REST for what came before
/// it. Under a flood every answer holds ids that live brought meanwhile:
/// a page of ids all held brings nothing new and ends the paging, as
/// docs/PROTOCOL.md says, instead of asking again for as long as the flood
/// lasts (it did: one request per answer).
#[test]
fn a_flood_does_not_keep_the_recovery_paging() {
    for protocol in [Protocol::Native, Protocol::SocketIo] {
        let mut sim = live_for_a_while(protocol);
        let asked = |sim: &Sim| {
            sim.fetches(|w| matches!(w, RestRequest::Signals { after: Some(_) }))
                .len()
        };
        let before = asked(&sim);
        // 2 s at 5 000 signals/s.
        let emitted = flood(&mut sim, 2_000);
        sim.run_for(1_000);
        let during = asked(&sim) - before;
        assert!(
            during <= 3,
            "{protocol:?}: {during} `after` requests during a 2 s flood"
        );
        // Nothing lost for it: the newest 500 are held, every one once.
        let ids = sim.signal_ids();
        let kept: Vec<u64> = emitted[emitted.len() - ids.len()..].to_vec();
        assert_eq!(ids.len(), 500, "{protocol:?}");
        assert_eq!(ids, kept, "{protocol:?}: the newest, in order, once each");
    }
}

/// A flood the page is behind on (its frames waiting in the live queue)
/// while REST answers at once: the check of the newest ids, made after the
/// first recovery, brings ids far above those still queued. Nothing may be
/// lost for it: every signal is taken in once, whether it comes live or
/// from REST, and the newest are held in order.
#[test]
fn a_newest_page_ahead_of_a_queued_flood_loses_nothing() {
    for protocol in [Protocol::Native, Protocol::SocketIo] {
        let mut sim = live_for_a_while(protocol);
        let accepted0 = sim.conn.store().signals().accepted();
        // The page falls 400 ms behind on its live frames: 2 s at 5 000/s.
        sim.live_lag = 400;
        let emitted = flood(&mut sim, 2_000);
        sim.live_lag = 0;
        sim.run_for(20_000);
        let newest_checks = sim
            .fetches(|w| matches!(w, RestRequest::Signals { after: None }))
            .len();
        assert!(
            newest_checks >= 2,
            "{protocol:?}: the newest page was never asked during the flood"
        );
        let taken = sim.conn.store().signals().accepted() - accepted0;
        assert_eq!(
            taken,
            emitted.len() as u64,
            "{protocol:?}: every signal of the flood taken in, once"
        );
        let ids = sim.signal_ids();
        assert_eq!(ids, emitted[emitted.len() - 500..].to_vec(), "{protocol:?}");
    }
}

/// The same for regime alerts: a storm of regime changes queued on the
/// live side while REST answers at once. Every alert is taken in once,
/// though only the newest 100 are kept, and every one reaches the toasts
/// once (a REST page of 500 new alerts among them).
#[test]
fn a_queued_storm_of_alerts_is_taken_in_whole() {
    for protocol in [Protocol::Native, Protocol::SocketIo] {
        let mut sim = live_for_a_while(protocol);
        sim.conn.drain_fresh_alerts();
        let accepted0 = sim.conn.store().alerts().accepted();
        // 2 000 alerts in 400 ms, the page 400 ms behind on its live frames.
        sim.live_lag = 400;
        let mut emitted = Vec::new();
        let mut told = Vec::new();
        for ms in 0..5_400 {
            if ms < 400 {
                for _ in 0..5 {
                    emitted.push(sim.emit_alert());
                }
            } else {
                sim.live_lag = 0;
            }
            sim.run_for(1);
            let fresh = sim.conn.drain_fresh_alerts();
            told.extend(fresh.into_iter().map(|f| f.alert.id));
        }
        let taken = sim.conn.store().alerts().accepted() - accepted0;
        assert_eq!(
            taken,
            emitted.len() as u64,
            "{protocol:?}: every alert taken in, once"
        );
        told.sort_unstable();
        assert_eq!(told, emitted, "{protocol:?}: every alert told, once");
    }
}
