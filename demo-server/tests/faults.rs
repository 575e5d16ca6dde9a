//! Fault injection through the control API, observed as a client would.

mod common;

use std::time::Duration;

use common::*;
use regime_core::model::{RegimeSnapshot, Signal, SignalsResponse};
use serde_json::Value;

const SECS: Duration = Duration::from_secs(10);

/// The WebSocket handshake's HTTP status, when the upgrade is refused.
async fn upgrade_status(srv: &demo_server::Server, path: &str) -> Option<u16> {
    use tokio_tungstenite::tungstenite::Error;
    match tokio_tungstenite::connect_async(format!("ws://{}{path}", srv.addr)).await {
        Ok(_) => None,
        Err(Error::Http(r)) => Some(r.status().as_u16()),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[tokio::test]
async fn control_state_reset_and_validation() {
    let srv = server(&[]).await;
    let s = control_state(&srv).await;
    assert_eq!(s["faults"]["liveEnabled"], true);
    assert_eq!(s["faults"]["malformedRate"], 0.0);
    for k in [
        "plainClients",
        "socketioClients",
        "lastSignalId",
        "lastAlertId",
        "messagesSent",
    ] {
        assert!(s["counters"][k].is_u64(), "{k}");
    }
    let s = set_faults(&srv, r#"{"plainNoPong":true,"restLatencyMs":5}"#).await;
    assert_eq!(s["faults"]["plainNoPong"], true);
    assert_eq!(s["faults"]["restLatencyMs"], 5);
    assert_eq!(s["faults"]["liveEnabled"], true, "a partial object merges");
    for bad in [
        r#"{"bogus":1}"#,
        r#"{"malformedRate":3}"#,
        r#"{"liveEnabled":"no"}"#,
        "not json",
        "[]",
    ] {
        let r = post(&srv, "/control/faults", bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    let s = post(&srv, "/control/reset", "").await.json();
    assert_eq!(s["faults"]["plainNoPong"], false);
    assert_eq!(s["faults"]["restLatencyMs"], 0);
    srv.shutdown().await;

    // without --control there is no control API
    let srv = demo_server::start(<demo_server::Args as clap::Parser>::parse_from([
        "demo-server",
        "--port",
        "0",
    ]))
    .await
    .unwrap();
    let r = get(&srv, "/control/state").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
    srv.shutdown().await;
}

#[tokio::test]
async fn live_off_drops_both_kinds_and_refuses_new_ones_while_rest_answers() {
    let srv = server(&["--speed", "10"]).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    next_text(&mut ws, SECS).await;
    let st = control_state(&srv).await;
    assert_eq!(st["counters"]["plainClients"], 1);
    assert_eq!(st["counters"]["socketioClients"], 1);

    set_faults(&srv, r#"{"liveEnabled":false}"#).await;
    expect_closed(&mut ws, SECS).await;
    assert!(sio.closed_within(SECS).await);
    assert_eq!(upgrade_status(&srv, "/ws").await, Some(503));
    assert_eq!(upgrade_status(&srv, "/ws/price").await, Some(503));
    assert_eq!(
        upgrade_status(&srv, "/socket.io/?EIO=4&transport=websocket").await,
        Some(503)
    );
    let r = get(&srv, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(r.status, 503);
    assert!(r.json()["error"].is_string());
    assert_eq!(get(&srv, "/api/health").await.status, 200);
    assert_eq!(get(&srv, "/api/signals").await.status, 200);

    // back on: both transports accept again
    set_faults(&srv, r#"{"liveEnabled":true}"#).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    next_text(&mut ws, SECS).await;
    let mut sio = Sio::connect(&srv).await;
    let ack = sio.join("/signals").await;
    assert_eq!(ack.kind, 0);
    sio.wait_event(SECS, "price", |_| true).await;
    srv.shutdown().await;
}

#[tokio::test]
async fn a_transport_that_is_off_looks_absent() {
    let srv = server(&["--speed", "10"]).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;

    set_faults(&srv, r#"{"socketioEnabled":false}"#).await;
    assert!(sio.closed_within(SECS).await);
    assert_eq!(
        get(&srv, "/socket.io/?EIO=4&transport=polling")
            .await
            .status,
        404
    );
    assert_eq!(
        upgrade_status(&srv, "/socket.io/?EIO=4&transport=websocket").await,
        Some(404)
    );
    // the plain socket is untouched
    next_text(&mut ws, SECS).await;

    set_faults(&srv, r#"{"socketioEnabled":true,"plainEnabled":false}"#).await;
    expect_closed(&mut ws, SECS).await;
    assert_eq!(upgrade_status(&srv, "/ws").await, Some(404));
    let mut sio = Sio::connect(&srv).await;
    assert_eq!(sio.join("/signals").await.kind, 0);
    srv.shutdown().await;
}

#[tokio::test]
async fn rest_off_failing_and_slow() {
    let srv = server(&[]).await;
    set_faults(&srv, r#"{"restEnabled":false}"#).await;
    let r = get(&srv, "/api/health").await;
    assert_eq!(r.status, 503);
    assert!(r.json()["error"].is_string());
    set_faults(&srv, r#"{"restEnabled":true,"restFailRate":1}"#).await;
    let r = get(&srv, "/api/signals").await;
    assert_eq!(r.status, 500);
    assert!(r.json()["error"].is_string());
    set_faults(&srv, r#"{"restFailRate":0.5}"#).await;
    let mut fails = 0;
    for _ in 0..60 {
        if get(&srv, "/api/health").await.status == 500 {
            fails += 1;
        }
    }
    assert!((10..=50).contains(&fails), "{fails}/60 failed at rate 0.5");
    set_faults(&srv, r#"{"restFailRate":0,"restLatencyMs":300}"#).await;
    let t = std::time::Instant::now();
    assert_eq!(get(&srv, "/api/health").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    srv.shutdown().await;
}

#[tokio::test]
async fn socketio_silent_keeps_the_heartbeat_but_sends_no_event() {
    let srv = server(&[
        "--speed",
        "20",
        "--sio-ping-interval-ms",
        "200",
        "--sio-ping-timeout-ms",
        "500",
    ])
    .await;
    set_faults(&srv, r#"{"socketioSilent":true}"#).await;
    let mut sio = Sio::connect(&srv).await;
    let ack = sio.join("/signals").await;
    assert_eq!(ack.kind, 0, "CONNECT is still acknowledged");
    emit(&srv, r#"{"type":"signal"}"#).await;
    assert!(
        sio.next_packet(Duration::from_millis(1500)).await.is_none(),
        "no event while silent"
    );
    assert!(sio.pings >= 4, "pings still come: {}", sio.pings);
    // still connected: un-silence and the events flow on the same socket
    set_faults(&srv, r#"{"socketioSilent":false}"#).await;
    sio.wait_event(SECS, "regime", |_| true).await;
    srv.shutdown().await;
}

#[tokio::test]
async fn plain_no_pong_and_plain_silent() {
    let srv = server(&["--speed", "20"]).await;
    set_faults(&srv, r#"{"plainNoPong":true}"#).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    send(&mut ws, r#"{"type":"ping","id":1}"#).await;
    let deadline = std::time::Instant::now() + Duration::from_millis(1200);
    let mut events = 0;
    while let Got::Text(t) = next_frame(
        &mut ws,
        deadline.saturating_duration_since(std::time::Instant::now()),
    )
    .await
    {
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_ne!(v["type"], "pong");
        events += 1;
    }
    assert!(events > 10, "events still flow without pongs");

    set_faults(&srv, r#"{"plainNoPong":false,"plainSilent":true}"#).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    while let Got::Text(_) = next_frame(&mut ws, Duration::from_millis(30)).await {}
    send(&mut ws, r#"{"type":"ping","id":2}"#).await;
    match next_frame(&mut ws, Duration::from_millis(1200)).await {
        Got::Timeout => {}
        other => panic!("a silent socket sent {other:?}"),
    }
    set_faults(&srv, r#"{"plainSilent":false}"#).await;
    send(&mut ws, r#"{"type":"ping","id":3}"#).await;
    let pong = wait_envelope(&mut ws, SECS, |v| v["type"] == "pong").await;
    assert_eq!(pong["id"], 3);
    srv.shutdown().await;
}

fn is_valid_envelope(t: &str) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(t) else {
        return false;
    };
    let d = v["data"].clone();
    match v["type"].as_str() {
        Some("signal") => serde_json::from_value::<Signal>(d).is_ok(),
        Some("regime") => serde_json::from_value::<RegimeSnapshot>(d).is_ok(),
        Some("regime:alert") => {
            serde_json::from_value::<regime_core::model::RegimeAlert>(d).is_ok()
        }
        Some("price") => serde_json::from_value::<regime_core::model::PriceTick>(d).is_ok(),
        _ => false,
    }
}

#[tokio::test]
async fn malformed_frames_rotate_through_every_shape_and_never_close() {
    let srv = server(&["--speed", "0.01"]).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    set_faults(&srv, r#"{"malformedRate":1}"#).await;
    for _ in 0..18 {
        emit(&srv, r#"{"type":"signal"}"#).await;
    }
    // plain: 18 frames, none a valid contract envelope, all nine shapes
    let mut kinds = std::collections::BTreeSet::new();
    for _ in 0..18 {
        match next_frame(&mut ws, SECS).await {
            Got::Text(t) => {
                assert!(!is_valid_envelope(&t), "{}", &t[..t.len().min(80)]);
                let parsed = serde_json::from_str::<Value>(&t);
                kinds.insert(if t.is_empty() {
                    "empty"
                } else if t.len() > 200_000 {
                    "huge string"
                } else if t.contains("\\ud800") {
                    "lone surrogate escapes"
                } else {
                    match parsed {
                        Err(_) => "not JSON",
                        Ok(Value::Object(o)) if o.get("type") == Some(&Value::from("mystery")) => {
                            "unknown type"
                        }
                        Ok(Value::Object(o)) if !o.contains_key("data") => "missing data",
                        Ok(Value::Object(_)) => "wrong field types",
                        Ok(_) => "not an object",
                    }
                });
            }
            Got::Binary(_) => {
                kinds.insert("binary, not UTF-8");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(kinds.len(), 9, "{kinds:?}");

    // Socket.IO: garbage after 42, a non-array payload, an unknown event, a
    // binary event header (with its attachment), wrong types, huge, non-object
    let mut frames = vec![];
    while frames.len() < 18 {
        match sio.next_engine(SECS).await {
            Ok(Got::Text(t)) => frames.push(t),
            Ok(Got::Binary(_)) => frames.push("<binary attachment>".into()),
            Ok(_) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(frames.iter().any(|f| f == "42/signals,this is not JSON {"));
    assert!(frames.iter().any(|f| f.starts_with("42/signals,{")));
    assert!(frames
        .iter()
        .any(|f| f.starts_with(r#"42/signals,["mystery:event""#)));
    assert!(frames
        .iter()
        .any(|f| f.starts_with(r#"451-/signals,["signal",{"_placeholder":true,"num":0}]"#)));
    assert!(frames.iter().any(|f| f == "<binary attachment>"));
    assert!(frames.iter().any(|f| f.len() > 200_000));

    // back to normal on the same connections
    set_faults(&srv, r#"{"malformedRate":0}"#).await;
    emit(&srv, r#"{"type":"signal","data":{"note":"clean"}}"#).await;
    wait_envelope(&mut ws, SECS, |v| v["data"]["note"] == "clean").await;
    sio.wait_event(SECS, "signal", |v| v["note"] == "clean")
        .await;
    let st = control_state(&srv).await;
    assert!(st["counters"]["malformedPublished"].as_u64().unwrap() >= 18);
    srv.shutdown().await;
}

#[tokio::test]
async fn emit_fills_stores_and_broadcasts_exact_content() {
    let srv = server(&["--speed", "0.01"]).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    let note = "<img src=x onerror=alert(1)>";
    let body = serde_json::json!({"type":"signal","data":{"symbol":"ETHUSDT","side":"short","price":1234.5,"note":note,"id":999999}});
    let sent = emit(&srv, &body.to_string()).await;
    let s: Signal = serde_json::from_value(sent["data"].clone()).unwrap();
    assert_eq!(s.note.as_deref(), Some(note));
    assert_eq!(s.price, 1234.5);
    assert_ne!(s.id, 999_999, "ids come from the sequence");
    assert_eq!(control_state(&srv).await["counters"]["lastSignalId"], s.id);

    let plain = wait_envelope(&mut ws, SECS, |v| v["type"] == "signal").await;
    assert_eq!(
        serde_json::from_value::<Signal>(plain["data"].clone()).unwrap(),
        s
    );
    let ev = sio.wait_event(SECS, "signal", |_| true).await;
    assert_eq!(serde_json::from_value::<Signal>(ev).unwrap(), s);
    let rest: SignalsResponse = serde_json::from_value(
        get(&srv, &format!("/api/signals?after={}", s.id - 1))
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(rest.signals, vec![s.clone()]);

    // regime: stored as the latest snapshot and a history point
    let r = emit(&srv, r#"{"type":"regime","data":{"symbol":"BTCUSDT","timeframe":"5m","regime":"squeeze","adx":33.3}}"#).await;
    assert_eq!(r["data"]["regime"], "squeeze");
    let latest = get(&srv, "/api/regime?symbol=BTCUSDT&timeframe=5m")
        .await
        .json();
    assert_eq!(
        (latest["regime"].as_str(), latest["adx"].as_f64()),
        (Some("squeeze"), Some(33.3))
    );
    let ev = sio
        .wait_event(SECS, "regime", |v| v["regime"] == "squeeze")
        .await;
    assert_eq!(ev["adx"], 33.3);
    // price and alert
    emit(
        &srv,
        r#"{"type":"price","data":{"symbol":"SOLUSDT","price":99.5}}"#,
    )
    .await;
    let p = wait_envelope(&mut ws, SECS, |v| {
        v["type"] == "price" && v["data"]["price"] == 99.5
    })
    .await;
    assert_eq!(p["data"]["symbol"], "SOLUSDT");
    let a = emit(
        &srv,
        r#"{"type":"regime:alert","data":{"message":"hand-made"}}"#,
    )
    .await;
    let got = sio
        .wait_event(SECS, "regime:alert", |v| v["message"] == "hand-made")
        .await;
    assert_eq!(got, a["data"]);

    for bad in [
        r#"{"type":"nope"}"#,
        r#"{"data":{}}"#,
        r#"{"type":"signal","data":{"price":"cheap"}}"#,
        r#"{"type":"signal","data":5}"#,
    ] {
        let r = post(&srv, "/control/emit", bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    srv.shutdown().await;
}

#[tokio::test]
async fn flood_and_steady_signals_are_real_signals_with_increasing_ids() {
    let srv = server(&["--speed", "0.01"]).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    let first = control_state(&srv).await["counters"]["lastSignalId"]
        .as_u64()
        .unwrap();
    set_faults(&srv, r#"{"floodPerSec":5000}"#).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    set_faults(&srv, r#"{"floodPerSec":0}"#).await;
    let last = control_state(&srv).await["counters"]["lastSignalId"]
        .as_u64()
        .unwrap();
    assert!(
        last - first >= 2000,
        "{} flood signals in 1 s",
        last - first
    );

    let mut prev = first;
    let mut n = 0;
    while let Got::Text(t) = next_frame(&mut ws, Duration::from_millis(500)).await {
        let v: Value = serde_json::from_str(&t).unwrap();
        if v["type"] == "signal" {
            let id = v["data"]["id"].as_u64().unwrap();
            assert!(id > prev, "ids grow strictly: {id} after {prev}");
            prev = id;
            n += 1;
        }
    }
    assert!(n >= 1000, "the plain client got {n} flood signals");
    let mut sio_n = 0;
    while let Some(p) = sio.next_packet(Duration::from_millis(500)).await {
        if p.payload.starts_with(r#"["signal""#) {
            sio_n += 1;
        }
    }
    assert!(
        sio_n >= 1000,
        "the Socket.IO client got {sio_n} flood signals"
    );
    // every one is in REST too
    let page: SignalsResponse = serde_json::from_value(
        get(&srv, &format!("/api/signals?after={}&limit=5", last - 5))
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(page.signals.len(), 5);
    assert_eq!(page.signals[0].id, last - 4);
    assert_eq!(page.signals[0].strategy.as_deref(), Some("flood"));

    set_faults(&srv, r#"{"signalsPerSec":20}"#).await;
    let a = control_state(&srv).await["counters"]["lastSignalId"]
        .as_u64()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let b = control_state(&srv).await["counters"]["lastSignalId"]
        .as_u64()
        .unwrap();
    assert!(
        (12..=30).contains(&(b - a)),
        "{} steady signals in 1 s at 20/s",
        b - a
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn restart_live_every_drops_sockets_periodically() {
    let srv = server(&["--speed", "10", "--restart-live-every", "1"]).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    expect_closed(&mut ws, Duration::from_secs(3)).await;
    assert!(sio.closed_within(Duration::from_secs(3)).await);
    // and reconnecting works
    let mut ws = ws_connect(&srv, "/ws").await;
    next_text(&mut ws, SECS).await;
    let drops = control_state(&srv).await["counters"]["liveDrops"]
        .as_u64()
        .unwrap();
    assert!(drops >= 1);
    // POST /control/drop does it at once
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    set_faults(&srv, r#"{"restartLiveEverySecs":0}"#).await;
    post(&srv, "/control/drop", "").await;
    expect_closed(&mut ws, Duration::from_secs(3)).await;
    assert!(sio.closed_within(Duration::from_secs(3)).await);
    srv.shutdown().await;
}

/// A raw request to `path` with exactly these headers (Host included).
async fn raw(
    srv: &demo_server::Server,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> HttpResponse {
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    exchange(srv.addr, &req).await
}

fn has_cors(r: &HttpResponse) -> bool {
    r.headers
        .iter()
        .any(|(k, _)| k.to_ascii_lowercase().starts_with("access-control-"))
}

#[tokio::test]
async fn control_refuses_what_a_web_page_could_send() {
    let srv = server(&[]).await;
    let host = format!("Host: {}", srv.addr);
    let port = srv.addr.port();
    let body = r#"{"restEnabled":false}"#;
    // a POST without a JSON content type needs no preflight: refused
    for ct in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut h = vec![host.clone()];
        if let Some(ct) = ct {
            h.push(format!("Content-Type: {ct}"));
        }
        let h: Vec<&str> = h.iter().map(String::as_str).collect();
        let r = raw(&srv, "POST", "/control/faults", &h, body).await;
        assert_eq!(r.status, 415, "{ct:?}");
        assert!(r.json()["error"].is_string());
    }
    assert_eq!(
        control_state(&srv).await["faults"]["restEnabled"],
        true,
        "nothing changed"
    );
    let ok = raw(
        &srv,
        "POST",
        "/control/faults",
        &[&host, "Content-Type: application/json; charset=utf-8"],
        r#"{"restLatencyMs":1}"#,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());

    // DNS rebinding: a foreign Host is refused, loopback names are not
    for bad in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.2:80",
        "10.0.0.1:8080",
        "localhost.evil.example:1",
        "[::2]:80",
        "127.0.0.1:x",
    ] {
        let h = format!("Host: {bad}");
        let r = raw(&srv, "GET", "/control/state", &[&h], "").await;
        assert_eq!(r.status, 403, "{bad}");
        let r = raw(
            &srv,
            "POST",
            "/control/reset",
            &[&h, "Content-Type: application/json"],
            "{}",
        )
        .await;
        assert_eq!(r.status, 403, "{bad}");
    }
    for good in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
        "localhost".into(),
    ] {
        let h = format!("Host: {good}");
        let r = raw(&srv, "GET", "/control/state", &[&h], "").await;
        assert_eq!(r.status, 200, "{good}");
    }
    // the REST API does not check Host (a backend may sit behind any name)
    let r = raw(&srv, "GET", "/api/health", &["Host: evil.example"], "").await;
    assert_eq!(r.status, 200);

    // no CORS at all on /control, whatever the origin; a foreign origin is refused
    let r = raw(
        &srv,
        "GET",
        "/control/state",
        &[&host, "Origin: http://elsewhere.example"],
        "",
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(!has_cors(&r), "{:?}", r.headers);
    let r = raw(
        &srv,
        "OPTIONS",
        "/control/faults",
        &[
            &host,
            "Origin: http://127.0.0.1:9",
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type",
        ],
        "",
    )
    .await;
    assert!(
        !has_cors(&r),
        "preflight answered {}: {:?}",
        r.status,
        r.headers
    );
    let r = raw(&srv, "GET", "/control/state", &[&host], "").await;
    assert_eq!(r.status, 200);
    assert!(!has_cors(&r), "{:?}", r.headers);
    // a page of the server's own origin may (the same host and port)
    let own = format!("Origin: http://{}", srv.addr);
    let r = raw(
        &srv,
        "POST",
        "/control/reset",
        &[&host, &own, "Content-Type: application/json"],
        "{}",
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(!has_cors(&r));
    // while /api keeps its CORS for any origin
    let r = raw(
        &srv,
        "GET",
        "/api/health",
        &[&host, "Origin: http://elsewhere.example"],
        "",
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    srv.shutdown().await;

    // control off: still no CORS, still 404
    let srv = demo_server::start(<demo_server::Args as clap::Parser>::parse_from([
        "demo-server",
        "--port",
        "0",
    ]))
    .await
    .unwrap();
    let r = raw(
        &srv,
        "GET",
        "/control/state",
        &[&format!("Host: {}", srv.addr)],
        "",
    )
    .await;
    assert_eq!(r.status, 404);
    assert!(!has_cors(&r));
    srv.shutdown().await;
}

#[tokio::test]
async fn control_allows_exactly_the_configured_origins() {
    let page = "http://127.0.0.1:8123";
    let srv = server(&[
        "--control-allow-origin",
        page,
        "--control-allow-origin",
        "http://localhost:9999",
    ])
    .await;
    let host = format!("Host: {}", srv.addr);
    let origin = format!("Origin: {page}");
    let r = raw(
        &srv,
        "OPTIONS",
        "/control/faults",
        &[
            &host,
            &origin,
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type",
        ],
        "",
    )
    .await;
    assert!(r.status < 300, "preflight {}", r.status);
    assert_eq!(r.header("access-control-allow-origin"), Some(page));
    assert!(r
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase()
        .contains("content-type"));
    assert!(r
        .header("access-control-allow-methods")
        .unwrap_or("")
        .contains("POST"));
    let r = raw(
        &srv,
        "POST",
        "/control/faults",
        &[&host, &origin, "Content-Type: application/json"],
        r#"{"restLatencyMs":2}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), Some(page));
    assert_eq!(r.json()["faults"]["restLatencyMs"], 2);
    // the content type is still required (and the browser may read the refusal)
    let r = raw(
        &srv,
        "POST",
        "/control/faults",
        &[&host, &origin, "Content-Type: text/plain"],
        "{}",
    )
    .await;
    assert_eq!(r.status, 415);
    assert_eq!(r.header("access-control-allow-origin"), Some(page));
    let r = raw(
        &srv,
        "GET",
        "/control/state",
        &[&host, "Origin: http://localhost:9999"],
        "",
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:9999")
    );
    // any other origin, even another loopback port, gets nothing
    for other in ["http://127.0.0.1:8124", "http://evil.example", "null"] {
        let o = format!("Origin: {other}");
        let r = raw(&srv, "GET", "/control/state", &[&host, &o], "").await;
        assert_eq!(r.status, 403, "{other}");
        assert!(!has_cors(&r), "{other}");
        let r = raw(
            &srv,
            "OPTIONS",
            "/control/faults",
            &[&host, &o, "Access-Control-Request-Method: POST"],
            "",
        )
        .await;
        assert!(!has_cors(&r), "{other}");
    }
    srv.shutdown().await;

    // a value a browser never sends is a start error
    for bad in ["127.0.0.1:8000", "http://127.0.0.1:8000/", "ftp://x"] {
        let args = <demo_server::Args as clap::Parser>::parse_from([
            "demo-server",
            "--port",
            "0",
            "--control",
            "--control-allow-origin",
            bad,
        ]);
        assert!(demo_server::start(args).await.is_err(), "{bad}");
    }
}
