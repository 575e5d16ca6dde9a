//! The wire contract (PROTOCOL.md), end to end against an in-process server:
//! REST, the plain WebSocket and Socket.IO spoken by hand.

mod common;

use std::time::Duration;

use common::*;
use regime_core::model::{
    AlertsResponse, ErrorResponse, Health, HistoryResponse, PriceTick, Regime, RegimeAlert,
    RegimeSnapshot, Signal, SignalsResponse, SymbolsResponse,
};
use serde_json::Value;

const SECS: Duration = Duration::from_secs(10);

fn ids(v: &[Signal]) -> Vec<u64> {
    v.iter().map(|s| s.id).collect()
}

#[tokio::test]
async fn health_symbols_regime_and_history() {
    let srv = server(&[]).await;
    let h: Health = serde_json::from_value(get(&srv, "/api/health").await.json()).unwrap();
    assert_eq!(h.status, "ok");
    assert!(regime_core::time::parse_rfc3339(h.time.as_deref().unwrap()).is_some());
    assert_eq!(
        h.version.as_deref(),
        Some(concat!("demo-server ", env!("CARGO_PKG_VERSION")))
    );

    let s: SymbolsResponse =
        serde_json::from_value(get(&srv, "/api/symbols").await.json()).unwrap();
    let names: Vec<&str> = s.symbols.iter().map(|x| x.symbol.as_str()).collect();
    assert_eq!(names, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
    assert!(s.symbols.iter().all(|x| x.timeframes == ["1m", "5m", "1h"]));

    let r = get(&srv, "/api/regime?symbol=BTCUSDT&timeframe=1h").await;
    assert_eq!(r.status, 200);
    let snap: RegimeSnapshot = serde_json::from_value(r.json()).unwrap();
    assert_eq!(
        (snap.symbol.as_str(), snap.timeframe.as_str()),
        ("BTCUSDT", "1h")
    );
    assert!(snap.regime.is_known());
    assert!((0.0..=100.0).contains(&snap.adx) && snap.atr_pct > 0.0 && snap.atr_pct < 0.5);
    assert!(snap.plus_di.is_some() && snap.minus_di.is_some());
    // BTC at a realistic level
    assert!(snap.close.unwrap() > 5_000.0 && snap.close.unwrap() < 1_000_000.0);

    // history: default 120, oldest first, spaced by the timeframe
    let hist: HistoryResponse = serde_json::from_value(
        get(&srv, "/api/regime/history?symbol=BTCUSDT&timeframe=1h")
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(hist.points.len(), 120);
    assert_eq!(
        (hist.symbol.as_str(), hist.timeframe.as_str()),
        ("BTCUSDT", "1h")
    );
    for w in hist.points.windows(2) {
        assert_eq!(w[1].timestamp.millis() - w[0].timestamp.millis(), 3_600_000);
    }
    let hist: HistoryResponse = serde_json::from_value(
        get(
            &srv,
            "/api/regime/history?symbol=ETHUSDT&timeframe=5m&limit=7",
        )
        .await
        .json(),
    )
    .unwrap();
    assert_eq!(hist.points.len(), 7);
    let huge = get(
        &srv,
        "/api/regime/history?symbol=ETHUSDT&timeframe=5m&limit=100000",
    )
    .await
    .json();
    let n = huge["points"].as_array().unwrap().len();
    assert!(
        (270..=500).contains(&n),
        "{n} points: warm-up history is kept"
    );
    srv.shutdown().await;
}

fn wall_ms() -> i64 {
    demo_server::state::now_ms()
}

#[tokio::test]
async fn one_market_clock_never_ahead_of_the_wall_and_ids_follow_time() {
    let start = wall_ms();
    // speed 120: the 1m series closes 120 candles a second, the 1h series 2
    let srv = server(&["--speed", "120", "--signals-per-sec", "20"]).await;
    // Wait for the simulator's live work rather than a fixed time: on a
    // loaded machine 1.5 s was sometimes not enough for a live di-cross or a
    // 1h close. 20 s is a bound, not the expected time (about 1.5 s).
    let deadline = wall_ms() + 20_000;
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if live_work_done(&srv, start).await || wall_ms() > deadline {
            break;
        }
    }
    let emitted = emit(&srv, r#"{"type":"signal","data":{"note":"now"}}"#).await;
    let alert = emit(&srv, r#"{"type":"regime:alert","data":{}}"#).await;
    let now = wall_ms();
    for v in [&emitted, &alert] {
        let t = regime_core::time::parse_rfc3339(v["data"]["timestamp"].as_str().unwrap()).unwrap();
        assert!(start <= t && t <= now, "{v}");
    }

    let signals: SignalsResponse =
        serde_json::from_value(get(&srv, "/api/signals?limit=100000").await.json()).unwrap();
    let alerts: AlertsResponse =
        serde_json::from_value(get(&srv, "/api/alerts?limit=100000").await.json()).unwrap();
    let now = wall_ms();
    let sig: Vec<(u64, i64, &str)> = signals
        .signals
        .iter()
        .map(|s| {
            (
                s.id,
                s.timestamp.millis(),
                s.strategy.as_deref().unwrap_or(""),
            )
        })
        .collect();
    let al: Vec<(u64, i64)> = alerts
        .alerts
        .iter()
        .map(|a| (a.id, a.timestamp.millis()))
        .collect();
    // warm-up and live signals of the strategy and the steady ones, all there
    assert!(
        sig.iter().any(|s| s.2 == "di-cross" && s.1 < start),
        "{sig:?}"
    );
    assert!(
        sig.iter().any(|s| s.2 == "di-cross" && s.1 >= start),
        "{sig:?}"
    );
    assert!(sig.iter().any(|s| s.2 == "steady"), "{sig:?}");
    assert!(al.iter().any(|a| a.1 >= start), "{al:?}");
    // contiguous ids, and never a time in the future; time follows the ids
    // (give or take a scheduling delay: the steady task stamps on its own thread)
    for w in sig.windows(2) {
        assert_eq!(w[1].0, w[0].0 + 1);
        assert!(w[1].1 >= w[0].1 - 250, "{w:?}");
    }
    for w in al.windows(2) {
        assert_eq!(w[1].0, w[0].0 + 1);
        assert!(w[1].1 >= w[0].1, "{w:?}");
    }
    assert!(sig.iter().all(|s| s.1 <= now) && al.iter().all(|a| a.1 <= now));

    // every series' latest snapshot: closed live, not in the future
    for sym in ["BTCUSDT", "ETHUSDT", "SOLUSDT"] {
        for tf in ["1m", "5m", "1h"] {
            let r = get(&srv, &format!("/api/regime?symbol={sym}&timeframe={tf}")).await;
            let s: RegimeSnapshot = serde_json::from_value(r.json()).unwrap();
            let (t, now) = (s.timestamp.millis(), wall_ms());
            assert!(
                start <= t && t <= now,
                "{sym}/{tf}: {t} not in {start}..={now}"
            );
        }
    }
    srv.shutdown().await;
}

/// Has the simulator, since `start`, stamped a live di-cross signal and
/// closed a live candle in every series?
async fn live_work_done(srv: &demo_server::Server, start: i64) -> bool {
    let signals: SignalsResponse =
        match serde_json::from_value(get(srv, "/api/signals?limit=100000").await.json()) {
            Ok(s) => s,
            Err(_) => return false,
        };
    let live_cross = signals
        .signals
        .iter()
        .any(|s| s.strategy.as_deref() == Some("di-cross") && s.timestamp.millis() >= start);
    if !live_cross {
        return false;
    }
    for sym in ["BTCUSDT", "ETHUSDT", "SOLUSDT"] {
        for tf in ["1m", "5m", "1h"] {
            let r = get(srv, &format!("/api/regime?symbol={sym}&timeframe={tf}")).await;
            match serde_json::from_value::<RegimeSnapshot>(r.json()) {
                Ok(s) if s.timestamp.millis() >= start => {}
                _ => return false,
            }
        }
    }
    true
}

#[tokio::test]
async fn errors_are_json_with_the_right_status() {
    let srv = server(&[]).await;
    for (path, status) in [
        ("/api/regime?symbol=NOPE&timeframe=1h", 404),
        ("/api/regime?symbol=BTCUSDT&timeframe=7m", 404),
        ("/api/regime/history?symbol=NOPE&timeframe=1h", 404),
        ("/api/regime/history?symbol=BTCUSDT&timeframe=2d", 404),
        ("/api/regime?symbol=BTCUSDT", 400),
        (
            "/api/regime/history?symbol=BTCUSDT&timeframe=1h&limit=-1",
            400,
        ),
        ("/api/signals?after=abc", 400),
        ("/api/signals?limit=1.5", 400),
        ("/api/alerts?after=-3", 400),
        ("/api/nothing-here", 404),
    ] {
        let r = get(&srv, path).await;
        assert_eq!(r.status, status, "{path}");
        let e: ErrorResponse =
            serde_json::from_value(r.json()).unwrap_or_else(|_| panic!("{path}: {}", r.text()));
        assert!(!e.error.is_empty());
    }
    let r = post(&srv, "/api/signals", "{}").await;
    assert_eq!(r.status, 405);
    assert!(r.json()["error"].is_string());
    srv.shutdown().await;
}

#[tokio::test]
async fn cors_for_any_origin_and_restricted() {
    let srv = server(&[]).await;
    let r = http(
        srv.addr,
        "GET",
        "/api/health",
        &[("Origin", "http://elsewhere.example")],
        "",
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let r = http(
        srv.addr,
        "OPTIONS",
        "/api/signals",
        &[
            ("Origin", "http://x.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        "",
    )
    .await;
    assert!(r.status < 300, "preflight {}", r.status);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    srv.shutdown().await;

    let srv = server(&["--cors-origin", "http://good.example"]).await;
    let r = http(
        srv.addr,
        "GET",
        "/api/health",
        &[("Origin", "http://good.example")],
        "",
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://good.example")
    );
    let r = http(
        srv.addr,
        "GET",
        "/api/health",
        &[("Origin", "http://bad.example")],
        "",
    )
    .await;
    // tower-http always names the allowed origin; the browser then refuses the answer
    assert_ne!(
        r.header("access-control-allow-origin"),
        Some("http://bad.example")
    );
    assert_ne!(r.header("access-control-allow-origin"), Some("*"));
    srv.shutdown().await;
}

#[tokio::test]
async fn signal_and_alert_paging_exactly_as_written() {
    let srv = server(&["--speed", "0.01"]).await; // quiet market: only our signals
    let before: SignalsResponse =
        serde_json::from_value(get(&srv, "/api/signals?limit=100000").await.json()).unwrap();
    let base = before.signals.last().map(|s| s.id).unwrap_or(0);
    for i in 0..30 {
        let sym = if i % 3 == 0 { "SOLUSDT" } else { "BTCUSDT" };
        emit(
            &srv,
            &format!(r#"{{"type":"signal","data":{{"symbol":"{sym}","note":"n{i}"}}}}"#),
        )
        .await;
    }
    let page = |q: String| {
        let srv = &srv;
        async move {
            let r: SignalsResponse =
                serde_json::from_value(get(srv, &format!("/api/signals?{q}")).await.json())
                    .unwrap();
            r.signals
        }
    };
    // without after: the newest N, ascending
    assert_eq!(
        ids(&page("limit=3".into()).await),
        vec![base + 28, base + 29, base + 30]
    );
    // default limit 100
    let all = page(String::new()).await;
    assert_eq!(all.len(), (base as usize + 30).min(100));
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    // with after: ids > after, ascending, at most N
    assert_eq!(
        ids(&page(format!("after={}&limit=4", base + 5)).await),
        vec![base + 6, base + 7, base + 8, base + 9]
    );
    assert_eq!(
        ids(&page(format!("after={}&limit=4", base + 28)).await),
        vec![base + 29, base + 30]
    );
    assert!(page(format!("after={}", base + 30)).await.is_empty());
    // recovery page by page until a short page
    let mut after = base;
    let mut got = vec![];
    loop {
        let p = page(format!("after={after}&limit=7")).await;
        got.extend(ids(&p));
        if p.len() < 7 {
            break;
        }
        after = p.last().unwrap().id;
    }
    assert_eq!(got, (base + 1..=base + 30).collect::<Vec<_>>());
    // symbol filter, then paging
    let sol = page(format!("after={base}&symbol=SOLUSDT")).await;
    assert_eq!(sol.len(), 10);
    assert!(sol.iter().all(|s| s.symbol == "SOLUSDT"));
    let sol = page("symbol=SOLUSDT&limit=2".into()).await;
    assert_eq!(ids(&sol), vec![base + 25, base + 28]);
    assert_eq!(sol[1].note.as_deref(), Some("n27"));

    // alerts: their own id sequence, same rules
    let a0: AlertsResponse =
        serde_json::from_value(get(&srv, "/api/alerts?limit=100000").await.json()).unwrap();
    let abase = a0.alerts.last().map(|a| a.id).unwrap_or(0);
    for _ in 0..5 {
        emit(&srv, r#"{"type":"regime:alert","data":{"to":"volatile"}}"#).await;
    }
    let a: AlertsResponse = serde_json::from_value(
        get(&srv, &format!("/api/alerts?after={}&limit=2", abase + 1))
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(
        a.alerts.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![abase + 2, abase + 3]
    );
    assert_eq!(a.alerts[0].to, Regime::Volatile);
    let a: AlertsResponse =
        serde_json::from_value(get(&srv, "/api/alerts?limit=1").await.json()).unwrap();
    assert_eq!(a.alerts[0].id, abase + 5);
    srv.shutdown().await;
}

#[tokio::test]
async fn history_is_bounded_but_after_keeps_working() {
    let srv = server(&["--speed", "0.01", "--history", "20"]).await;
    for _ in 0..50 {
        emit(&srv, r#"{"type":"signal"}"#).await;
    }
    let all: SignalsResponse =
        serde_json::from_value(get(&srv, "/api/signals?after=0&limit=1000").await.json()).unwrap();
    assert_eq!(all.signals.len(), 20);
    let last = all.signals.last().unwrap().id;
    assert!(all.signals.windows(2).all(|w| w[1].id == w[0].id + 1));
    let r: SignalsResponse = serde_json::from_value(
        get(&srv, &format!("/api/signals?after={}", last - 3))
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(ids(&r.signals), vec![last - 2, last - 1, last]);
    srv.shutdown().await;
}

// ------------------------------------------------------------ plain WebSocket

#[tokio::test]
async fn plain_ws_envelopes_ping_and_subscribe() {
    // speed 60: the 5m series closes 12 candles a second, the 1h series one
    let srv = server(&["--speed", "60"]).await;
    let mut ws = ws_connect(&srv, "/ws").await;
    // Before a subscribe: everything, every envelope parses with the shared model.
    let mut seen_regime = std::collections::HashSet::new();
    let mut seen_price = std::collections::HashSet::new();
    let deadline = std::time::Instant::now() + SECS;
    while (seen_regime.len() < 9 || seen_price.len() < 3) && std::time::Instant::now() < deadline {
        let v: Value = serde_json::from_str(&next_text(&mut ws, SECS).await).unwrap();
        match v["type"].as_str().unwrap() {
            "regime" => {
                let s: RegimeSnapshot = serde_json::from_value(v["data"].clone()).unwrap();
                seen_regime.insert((s.symbol, s.timeframe));
            }
            "price" => {
                let p: PriceTick = serde_json::from_value(v["data"].clone()).unwrap();
                seen_price.insert(p.symbol);
            }
            "signal" => drop(serde_json::from_value::<Signal>(v["data"].clone()).unwrap()),
            "regime:alert" => {
                drop(serde_json::from_value::<RegimeAlert>(v["data"].clone()).unwrap())
            }
            other => panic!("unexpected type {other}"),
        }
    }
    assert_eq!(seen_regime.len(), 9, "{seen_regime:?}");
    assert_eq!(seen_price.len(), 3);

    // ping → pong with the same id
    send(&mut ws, r#"{"type":"ping","id":7}"#).await;
    let pong = wait_envelope(&mut ws, SECS, |v| v["type"] == "pong").await;
    assert_eq!(pong, serde_json::json!({"type":"pong","id":7}));

    // subscribe: regime by symbol and timeframe, price by symbol; signals all
    send(
        &mut ws,
        r#"{"type":"subscribe","symbols":["ETHUSDT"],"timeframes":["5m"]}"#,
    )
    .await;
    // let frames already on their way drain
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Bounded by time: at this speed price ticks never leave a 50 ms gap.
    let drained = std::time::Instant::now() + Duration::from_millis(300);
    while std::time::Instant::now() < drained {
        if !matches!(
            next_frame(&mut ws, Duration::from_millis(50)).await,
            Got::Text(_)
        ) {
            break;
        }
    }
    emit(
        &srv,
        r#"{"type":"signal","data":{"symbol":"SOLUSDT","note":"other symbol"}}"#,
    )
    .await;
    let mut regimes = 0;
    let mut got_signal = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while std::time::Instant::now() < deadline {
        let Got::Text(t) = next_frame(&mut ws, Duration::from_millis(500)).await else {
            continue;
        };
        let v: Value = serde_json::from_str(&t).unwrap();
        match v["type"].as_str().unwrap() {
            "regime" => {
                assert_eq!(
                    (
                        v["data"]["symbol"].as_str(),
                        v["data"]["timeframe"].as_str()
                    ),
                    (Some("ETHUSDT"), Some("5m"))
                );
                regimes += 1;
            }
            "price" => assert_eq!(v["data"]["symbol"], "ETHUSDT"),
            "signal" if v["data"]["note"] == "other symbol" => got_signal = true,
            _ => {}
        }
    }
    assert!(
        regimes >= 10,
        "{regimes} ETHUSDT/5m regimes in 3 s at speed 60"
    );
    assert!(got_signal, "signals of every symbol still come");
    srv.shutdown().await;
}

#[tokio::test]
async fn plain_ws_alias_and_bad_client_frames() {
    let srv = server(&["--speed", "5"]).await;
    let mut ws = ws_connect(&srv, "/ws/price").await;
    for bad in [
        "not json",
        "[1,2]",
        r#"{"type":"dance"}"#,
        r#"{"no":"type"}"#,
    ] {
        send(&mut ws, bad).await;
        let e = wait_envelope(&mut ws, SECS, |v| v["type"] == "error").await;
        assert!(e["data"]["message"].is_string());
    }
    // the connection survived all of that
    send(&mut ws, r#"{"type":"ping","id":"abc"}"#).await;
    let pong = wait_envelope(&mut ws, SECS, |v| v["type"] == "pong").await;
    assert_eq!(pong["id"], "abc");
    srv.shutdown().await;
}

// ------------------------------------------------------------------ Socket.IO

#[tokio::test]
async fn socketio_handshake_connect_subscribe_events_and_heartbeat() {
    let srv = server(&[
        "--speed",
        "20",
        "--sio-ping-interval-ms",
        "300",
        "--sio-ping-timeout-ms",
        "2000",
    ])
    .await;
    let mut sio = Sio::connect(&srv).await;
    assert!(sio.open["sid"].is_string());
    assert_eq!(sio.open["pingInterval"], 300);
    assert_eq!(sio.open["pingTimeout"], 2000);

    let ack = sio.join("/signals").await;
    assert_eq!((ack.kind, ack.ns.as_str()), (0, "/signals"));
    let v: Value = serde_json::from_str(&ack.payload).unwrap();
    assert!(v["sid"].is_string(), "{ack:?}");

    // before subscribing: everything
    let r = sio.wait_event(SECS, "regime", |_| true).await;
    serde_json::from_value::<RegimeSnapshot>(r).unwrap();
    let p = sio.wait_event(SECS, "price", |_| true).await;
    serde_json::from_value::<PriceTick>(p).unwrap();

    // speed 20: the 1m series closes 20 candles a second, the 5m 4, the 1h 1/3
    sio.send(r#"42/signals,["subscribe",{"symbols":["BTCUSDT"],"timeframes":["1m"]}]"#)
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Bounded by time: at this speed events never leave a 50 ms gap.
    let drained = std::time::Instant::now() + Duration::from_millis(300);
    while std::time::Instant::now() < drained
        && sio.next_packet(Duration::from_millis(50)).await.is_some()
    {}
    let mut n = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < deadline {
        let Some(p) = sio.next_packet(Duration::from_millis(300)).await else {
            continue;
        };
        assert_eq!(p.ns, "/signals");
        let a: Vec<Value> = serde_json::from_str(&p.payload).unwrap();
        assert_eq!(a.len(), 2, "one argument per event: {p:?}");
        match a[0].as_str().unwrap() {
            "regime" => {
                let s: RegimeSnapshot = serde_json::from_value(a[1].clone()).unwrap();
                assert_eq!((s.symbol.as_str(), s.timeframe.as_str()), ("BTCUSDT", "1m"));
                n += 1;
            }
            "price" => assert_eq!(a[1]["symbol"], "BTCUSDT"),
            "signal" | "regime:alert" => {}
            other => panic!("unexpected event {other}"),
        }
    }
    assert!(n >= 5, "{n} BTCUSDT/1m regimes");

    // signals of every symbol still come after a subscribe
    emit(
        &srv,
        r#"{"type":"signal","data":{"symbol":"SOLUSDT","note":"hello"}}"#,
    )
    .await;
    let s = sio
        .wait_event(SECS, "signal", |v| v["note"] == "hello")
        .await;
    let s: Signal = serde_json::from_value(s).unwrap();
    assert_eq!(s.symbol, "SOLUSDT");

    // the heartbeat: the server pings, we answer, the connection lives on
    assert!(sio.pings >= 3, "{} pings in ~3 s at 300 ms", sio.pings);
    srv.shutdown().await;
}

#[tokio::test]
async fn socketio_root_namespace_unknown_namespace_and_missing_pong() {
    let srv = server(&[
        "--speed",
        "20",
        "--sio-ping-interval-ms",
        "200",
        "--sio-ping-timeout-ms",
        "300",
    ])
    .await;
    let mut sio = Sio::connect(&srv).await;
    let nope = sio.join("/nope").await;
    assert_eq!((nope.kind, nope.ns.as_str()), (4, "/nope"));
    assert_eq!(
        serde_json::from_str::<Value>(&nope.payload).unwrap(),
        serde_json::json!({"message":"Invalid namespace"})
    );

    let ack = sio.join("/").await;
    assert_eq!((ack.kind, ack.ns.as_str()), (0, "/"));
    let r = sio.wait_event(SECS, "regime", |_| true).await;
    serde_json::from_value::<RegimeSnapshot>(r).unwrap();

    // a client that stops answering pings is dropped after pingInterval + pingTimeout
    sio.auto_pong = false;
    assert!(
        sio.closed_within(Duration::from_secs(5)).await,
        "a silent client must be dropped"
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn socketio_polling_handshake_answers_for_detection() {
    let srv = server(&[]).await;
    let r = get(&srv, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.starts_with("0{"), "{t}");
    let open: Value = serde_json::from_str(&t[1..]).unwrap();
    assert!(open["sid"].is_string());
    srv.shutdown().await;
}

#[tokio::test]
async fn a_subscribe_is_greeted_with_the_latest_snapshot_of_each_series() {
    // A slow market (nothing for minutes): the greeting is the only regime event.
    let srv = server(&["--speed", "0.001"]).await;
    let latest = |v: &Value| serde_json::from_value::<RegimeSnapshot>(v.clone()).unwrap();
    let rest: Value = serde_json::from_slice(
        &get(&srv, "/api/regime?symbol=ETHUSDT&timeframe=5m")
            .await
            .body,
    )
    .unwrap();

    let mut ws = ws_connect(&srv, "/ws").await;
    send(
        &mut ws,
        r#"{"type":"subscribe","symbols":["ETHUSDT","BTCUSDT"],"timeframes":["5m"]}"#,
    )
    .await;
    let first = wait_envelope(&mut ws, SECS, |v| v["type"] == "regime").await;
    let second = wait_envelope(&mut ws, SECS, |v| v["type"] == "regime").await;
    assert_eq!(
        latest(&first["data"]),
        latest(&rest),
        "the REST snapshot, live"
    );
    let s = latest(&second["data"]);
    assert_eq!((s.symbol.as_str(), s.timeframe.as_str()), ("BTCUSDT", "5m"));

    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    sio.send(r#"42/signals,["subscribe",{"symbols":["ETHUSDT"],"timeframes":["5m"]}]"#)
        .await;
    let r = sio.wait_event(SECS, "regime", |_| true).await;
    assert_eq!(latest(&r), latest(&rest));

    // A subscribe sent the moment CONNECT is answered, as the dashboard
    // does, is heard: the socket is set up before the server answers. (A
    // client may not send before that answer: socketioxide connects the
    // socket in a task of its own, and drops what comes earlier.)
    for _ in 0..20 {
        let mut eager = Sio::connect(&srv).await;
        eager.join("/signals").await;
        eager
            .send(r#"42/signals,["subscribe",{"symbols":["ETHUSDT"],"timeframes":["5m"]}]"#)
            .await;
        let r = eager.wait_event(SECS, "regime", |_| true).await;
        assert_eq!(latest(&r), latest(&rest));
    }

    // Silent Socket.IO sends no greeting either.
    set_faults(&srv, r#"{"socketioSilent":true}"#).await;
    let mut quiet = Sio::connect(&srv).await;
    quiet.join("/signals").await;
    quiet
        .send(r#"42/signals,["subscribe",{"symbols":["ETHUSDT"],"timeframes":["5m"]}]"#)
        .await;
    assert!(quiet
        .next_packet(Duration::from_millis(500))
        .await
        .is_none());
}
