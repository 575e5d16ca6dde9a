//! Batches on the wire (PROTOCOL.md §3 and §4, "Batches"): the client asks
//! for them, takes a batch whether it asked or not, applies its elements in
//! order, and counts a bad element as one malformed frame without losing the
//! rest. Both transports, one script.

mod support;

use regime_core::live::TransportKind;
use regime_core::machine::Mode;
use regime_core::model::{Signal, Timestamp};
use regime_core::settings::Protocol;
use support::*;

/// A Live connection of this transport.
fn live(kind: TransportKind) -> Sim {
    let mut sim = match kind {
        TransportKind::Plain => Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native)),
        TransportKind::SocketIo => {
            Sim::new(Server::socketio("/signals"), settings(Protocol::SocketIo))
        }
    };
    sim.start();
    sim.run_for(300);
    assert_eq!(sim.mode(), Mode::Live, "{kind:?}");
    sim
}

/// `n` new signals kept by the backend (for REST), as batch elements.
fn new_signals(sim: &mut Sim, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let id = sim.server.next_signal_id;
            sim.server.next_signal_id += 1;
            let s = Signal {
                timestamp: Timestamp(1_760_000_000_000 + sim.now as i64),
                ..signal(id)
            };
            let data = serde_json::to_string(&s).unwrap();
            sim.server.signals.push(s);
            format!(r#"{{"type":"signal","data":{data}}}"#)
        })
        .collect()
}

/// One batch frame of these elements, as the transport carries it.
fn batch_frame(kind: TransportKind, elements: &[String]) -> String {
    let array = format!("[{}]", elements.join(","));
    match kind {
        TransportKind::Plain => format!(r#"{{"type":"batch","data":{array}}}"#),
        TransportKind::SocketIo => format!(r#"42/signals,["batch",{array}]"#),
    }
}

#[test]
fn the_subscription_asks_for_batches_on_both_transports() {
    for kind in [TransportKind::Plain, TransportKind::SocketIo] {
        let sim = live(kind);
        let sub = sim
            .server
            .client_frames
            .iter()
            .map(|(_, t)| t)
            .find(|t| t.contains("subscribe"))
            .expect("a subscribe frame");
        assert!(sub.contains(r#""batch":true"#), "{kind:?}: {sub}");
    }
}

#[test]
fn a_batch_is_applied_in_order_and_a_bad_element_is_counted_and_skipped() {
    for kind in [TransportKind::Plain, TransportKind::SocketIo] {
        let mut sim = live(kind);
        let before = sim.conn.status().clone();
        let mut elements = new_signals(&mut sim, 3);
        // A bad element between good ones, and an alert after them.
        elements.insert(1, r#"{"type":"signal","data":{"id":"x"}}"#.to_string());
        let alert = serde_json::to_string(&alert(7)).unwrap();
        elements.push(format!(r#"{{"type":"regime:alert","data":{alert}}}"#));
        sim.emit_raw(&batch_frame(kind, &elements));
        sim.run_for(100);

        let st = sim.conn.status();
        assert_eq!(sim.mode(), Mode::Live, "{kind:?}");
        assert_eq!(
            sim.signal_ids()
                .iter()
                .rev()
                .take(3)
                .rev()
                .copied()
                .collect::<Vec<_>>(),
            [1, 2, 3],
            "{kind:?}: every good element stored, in order"
        );
        assert!(
            sim.conn
                .store()
                .alerts()
                .oldest_first()
                .any(|a| a.value.id == 7),
            "{kind:?}: the element after the bad one stands"
        );
        assert_eq!(st.malformed, before.malformed + 1, "{kind:?}");
        assert!(
            st.last_malformed_reason
                .as_deref()
                .is_some_and(|r| r.starts_with("batch element 2: signal: ")),
            "{kind:?}: {:?}",
            st.last_malformed_reason
        );
        assert_eq!(st.messages_total, before.messages_total + 1, "{kind:?}");
        assert_eq!((st.batches, st.batched_elements), (1, 5), "{kind:?}");
    }
}

#[test]
fn a_batch_that_is_not_an_array_is_one_bad_frame() {
    for kind in [TransportKind::Plain, TransportKind::SocketIo] {
        let mut sim = live(kind);
        let malformed = sim.conn.status().malformed;
        let frame = match kind {
            TransportKind::Plain => r#"{"type":"batch","data":{"type":"signal"}}"#,
            TransportKind::SocketIo => r#"42/signals,["batch",{"type":"signal"}]"#,
        };
        sim.emit_raw(frame);
        sim.run_for(100);
        let st = sim.conn.status();
        assert_eq!(st.malformed, malformed + 1, "{kind:?}");
        assert_eq!(st.batches, 0, "{kind:?}");
        assert_eq!(sim.mode(), Mode::Live, "{kind:?}");
    }
}

#[test]
fn a_batched_flood_of_20_000_signals_is_stored_whole() {
    for kind in [TransportKind::Plain, TransportKind::SocketIo] {
        let mut sim = live(kind);
        let frames = sim.conn.status().messages_total;
        for _ in 0..40 {
            let elements = new_signals(&mut sim, 500);
            sim.emit_raw(&batch_frame(kind, &elements));
            sim.run_for(100);
        }
        let st = sim.conn.status();
        assert_eq!(st.malformed, 0, "{kind:?}");
        assert_eq!((st.batches, st.batched_elements), (40, 20_000), "{kind:?}");
        assert_eq!(st.messages_total, frames + 40, "{kind:?}");
        // The store keeps the newest 500, contiguous up to the last id.
        let ids = sim.signal_ids();
        assert_eq!(ids.last(), Some(&20_000), "{kind:?}");
        assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{kind:?}");
        assert_eq!(sim.mode(), Mode::Live, "{kind:?}");
    }
}
