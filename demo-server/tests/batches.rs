//! Batches (PROTOCOL.md §3 and §4, "Batches") as a client sees them: only to
//! a client that asked with `"batch":true` (unless `batchUnasked`), at most
//! `batchMax` events a frame, a batch waiting at most `batchMs`, every event
//! of a flood delivered once and in order on both transports.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const SUBSCRIBE_BATCH: &str = r#"{"type":"subscribe","symbols":[],"timeframes":[],"batch":true}"#;
const SIO_SUBSCRIBE_BATCH: &str =
    r#"42/signals,["subscribe",{"symbols":[],"timeframes":[],"batch":true}]"#;

/// What one live frame carried: the events' envelopes, and whether it was a
/// batch.
struct Carried {
    batch: bool,
    envelopes: Vec<Value>,
}

/// A plain frame's envelopes.
fn plain_carried(text: &str) -> Carried {
    let v: Value = serde_json::from_str(text).expect("JSON");
    match v["type"].as_str() {
        Some("batch") => Carried {
            batch: true,
            envelopes: v["data"].as_array().expect("an array").clone(),
        },
        _ => Carried {
            batch: false,
            envelopes: vec![v],
        },
    }
}

/// A Socket.IO EVENT's envelopes (`["batch",[…]]` or `["signal",{…}]`).
fn sio_carried(payload: &str) -> Carried {
    let v: Value = serde_json::from_str(payload).expect("JSON");
    let name = v[0].as_str().expect("an event name");
    match name {
        "batch" => Carried {
            batch: true,
            envelopes: v[1].as_array().expect("an array").clone(),
        },
        _ => Carried {
            batch: false,
            envelopes: vec![serde_json::json!({"type": name, "data": v[1]})],
        },
    }
}

/// Every frame until the line is quiet for `quiet`.
async fn plain_frames(ws: &mut Ws, quiet: Duration) -> Vec<Carried> {
    let mut out = Vec::new();
    while let Got::Text(t) = next_frame(ws, quiet).await {
        out.push(plain_carried(&t));
    }
    out
}

async fn sio_frames(sio: &mut Sio, quiet: Duration) -> Vec<Carried> {
    let mut out = Vec::new();
    while let Some(p) = sio.next_packet(quiet).await {
        if p.kind == 2 {
            out.push(sio_carried(&p.payload));
        }
    }
    out
}

/// The signal ids the frames carried, in order.
fn signal_ids(frames: &[Carried]) -> Vec<u64> {
    frames
        .iter()
        .flat_map(|f| &f.envelopes)
        .filter(|e| e["type"] == "signal")
        .map(|e| e["data"]["id"].as_u64().expect("an id"))
        .collect()
}

fn last_signal_id(state: &Value) -> u64 {
    state["counters"]["lastSignalId"].as_u64().expect("an id")
}

#[tokio::test]
async fn a_batched_flood_reaches_both_transports_whole_and_in_order() {
    let srv = server(&["--speed", "0.001", "--batch-max", "500", "--batch-ms", "20"]).await;
    let mut batched = ws_connect(&srv, "/ws").await;
    send(&mut batched, SUBSCRIBE_BATCH).await;
    let mut single = ws_connect(&srv, "/ws").await;
    send(
        &mut single,
        r#"{"type":"subscribe","symbols":[],"timeframes":[]}"#,
    )
    .await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    sio.send(SIO_SUBSCRIBE_BATCH).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let first = last_signal_id(&control_state(&srv).await);
    set_faults(&srv, r#"{"floodPerSec":5000}"#).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    set_faults(&srv, r#"{"floodPerSec":0}"#).await;
    let state = control_state(&srv).await;
    let last = last_signal_id(&state);
    assert!(
        last - first >= 2000,
        "{} flood signals in 1 s",
        last - first
    );
    // Nothing skipped for a slow reader, or the ids below could not be whole.
    let skipped = |s: &Value| {
        s["counters"]["plainLagged"].as_u64().unwrap()
            + s["counters"]["socketioDropped"].as_u64().unwrap()
    };
    let every: Vec<u64> = (first + 1..=last).collect();

    let quiet = Duration::from_millis(700);
    for (who, frames) in [
        ("plain, batch:true", plain_frames(&mut batched, quiet).await),
        ("Socket.IO, batch:true", sio_frames(&mut sio, quiet).await),
    ] {
        assert_eq!(signal_ids(&frames), every, "{who}: every id once, in order");
        assert!(frames.iter().all(|f| f.batch), "{who}: only batches");
        assert!(
            frames.iter().all(|f| f.envelopes.len() <= 500),
            "{who}: no batch above --batch-max"
        );
        assert!(
            frames.len() * 10 <= every.len(),
            "{who}: {} frames for {} events",
            frames.len(),
            every.len()
        );
    }
    let frames = plain_frames(&mut single, quiet).await;
    assert_eq!(signal_ids(&frames), every, "plain, not asked: every id");
    assert!(
        frames.iter().all(|f| !f.batch),
        "no batch to a client that did not ask"
    );

    let state = control_state(&srv).await;
    assert_eq!(skipped(&state), 0);
    let c = &state["counters"];
    assert!(c["batchesSent"].as_u64().unwrap() > 0);
    assert!(c["batchedEventsSent"].as_u64().unwrap() >= 2 * every.len() as u64);
    srv.shutdown().await;
}

#[tokio::test]
async fn batch_max_and_batch_ms_shape_the_batches_on_both_transports() {
    let srv = server(&["--speed", "0.001"]).await;
    set_faults(&srv, r#"{"batchMax":2,"batchMs":1500}"#).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    send(&mut ws, SUBSCRIBE_BATCH).await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    sio.send(SIO_SUBSCRIBE_BATCH).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    for _ in 0..3 {
        emit(&srv, r#"{"type":"signal"}"#).await;
    }
    // Two events fill a batch: it goes at once. The third waits for more
    // until batchMs has passed, then goes alone.
    let plain_full = plain_carried(&next_text(&mut ws, Duration::from_secs(1)).await);
    let sio_full = loop {
        let p = sio
            .next_packet(Duration::from_secs(1))
            .await
            .expect("a packet");
        if p.kind == 2 {
            break sio_carried(&p.payload);
        }
    };
    assert!(started.elapsed() < Duration::from_millis(1000));
    for full in [&plain_full, &sio_full] {
        assert!(full.batch);
        assert_eq!(full.envelopes.len(), 2);
    }
    let plain_rest = plain_carried(&next_text(&mut ws, Duration::from_secs(5)).await);
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "the third event waited for batchMs"
    );
    assert_eq!((plain_rest.batch, plain_rest.envelopes.len()), (true, 1));
    let sio_rest = loop {
        let p = sio
            .next_packet(Duration::from_secs(5))
            .await
            .expect("a packet");
        if p.kind == 2 {
            break sio_carried(&p.payload);
        }
    };
    assert_eq!((sio_rest.batch, sio_rest.envelopes.len()), (true, 1));
    srv.shutdown().await;
}

#[tokio::test]
async fn batch_unasked_sends_batches_to_a_client_that_did_not_ask_and_batch_max_0_stops_them() {
    let srv = server(&["--speed", "0.001", "--batch-max", "100", "--batch-unasked"]).await;
    assert_eq!(control_state(&srv).await["faults"]["batchUnasked"], true);
    let mut ws = ws_connect(&srv, "/ws").await;
    send(
        &mut ws,
        r#"{"type":"subscribe","symbols":[],"timeframes":[]}"#,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    emit(&srv, r#"{"type":"signal"}"#).await;
    let got = plain_carried(&next_text(&mut ws, Duration::from_secs(2)).await);
    assert!(got.batch, "batchUnasked: a batch all the same");

    set_faults(&srv, r#"{"batchMax":0}"#).await;
    emit(&srv, r#"{"type":"signal"}"#).await;
    let got = plain_carried(&next_text(&mut ws, Duration::from_secs(2)).await);
    assert!(!got.batch, "batchMax 0: one event per frame");

    for bad in [r#"{"batchMax":10001}"#, r#"{"batchMs":20000}"#] {
        let r = post(&srv, "/control/faults", bad).await;
        assert_eq!(r.status, 400, "{bad}");
    }
    srv.shutdown().await;
}
