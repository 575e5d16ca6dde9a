//! The misbehaving-but-legal backends the dashboard must survive, played on
//! command (flags and `/control/`), observed as a client would: a restart
//! that empties the store, `after` ignored, capped pages, a wrong clock,
//! huge error bodies, a gateway 502 without CORS, many symbols, and the
//! request counters a test asserts the client's behaviour with.

mod common;

use std::time::{Duration, Instant};

use common::*;
use regime_core::model::{RegimeSnapshot, Signal, SignalsResponse};
use serde_json::Value;

const SECS: Duration = Duration::from_secs(10);

fn signal_ids(srv_json: Value) -> Vec<u64> {
    let r: SignalsResponse = serde_json::from_value(srv_json).unwrap();
    r.signals.iter().map(|s| s.id).collect()
}

fn alert_ids(v: Value) -> Vec<u64> {
    v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect()
}

async fn health(srv: &demo_server::Server) -> Value {
    let r = get(srv, "/api/health").await;
    assert_eq!(r.status, 200);
    r.json()
}

fn ms(ts: &Value) -> i64 {
    match ts {
        Value::String(s) => regime_core::time::parse_rfc3339(s).expect("RFC 3339"),
        Value::Number(n) => n.as_i64().unwrap(),
        other => panic!("not a timestamp: {other}"),
    }
}

fn wall() -> i64 {
    demo_server::state::now_ms()
}

#[tokio::test]
async fn restart_empties_the_store_numbers_from_one_and_changes_the_epoch() {
    let srv = server(&["--speed", "0.01"]).await; // quiet market: only our events
    let e1 = health(&srv).await["epoch"]
        .as_str()
        .expect("an epoch by default")
        .to_string();
    for _ in 0..3 {
        emit(&srv, r#"{"type":"signal"}"#).await;
    }
    emit(&srv, r#"{"type":"regime:alert"}"#).await;
    assert!(control_state(&srv).await["counters"]["lastSignalId"].as_u64() >= Some(3));
    let mut ws = ws_connect(&srv, "/ws").await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;

    let s = post(&srv, "/control/restart", "").await;
    assert_eq!(s.status, 200, "{}", s.text());
    let s = s.json();
    assert_eq!(s["counters"]["lastSignalId"], 0);
    assert_eq!(s["counters"]["lastAlertId"], 0);
    assert_eq!(s["counters"]["restarts"], 1);
    assert_eq!(s["run"], 2);
    // every live socket dropped, like a process restart
    expect_closed(&mut ws, SECS).await;
    assert!(sio.closed_within(SECS).await);
    // the store is empty, with and without after
    assert_eq!(
        signal_ids(get(&srv, "/api/signals?limit=1000").await.json()),
        Vec::<u64>::new()
    );
    assert_eq!(
        signal_ids(get(&srv, "/api/signals?after=0").await.json()),
        Vec::<u64>::new()
    );
    assert_eq!(
        alert_ids(get(&srv, "/api/alerts?limit=1000").await.json()),
        Vec::<u64>::new()
    );
    // snapshots and history stay
    assert_eq!(
        get(&srv, "/api/regime?symbol=BTCUSDT&timeframe=1m")
            .await
            .status,
        200
    );
    // ids start again from 1, and the epoch says so
    let sent = emit(&srv, r#"{"type":"signal","data":{"note":"new run"}}"#).await;
    assert_eq!(sent["data"]["id"], 1);
    assert_eq!(
        emit(&srv, r#"{"type":"regime:alert"}"#).await["data"]["id"],
        1
    );
    assert_eq!(
        signal_ids(get(&srv, "/api/signals?after=0").await.json()),
        [1]
    );
    let e2 = health(&srv).await["epoch"].as_str().unwrap().to_string();
    assert_ne!(e1, e2);
    assert_eq!(control_state(&srv).await["epoch"], e2.as_str());
    // live sockets are accepted again at once
    let mut ws = ws_connect(&srv, "/ws").await;
    emit(&srv, r#"{"type":"signal"}"#).await;
    let v = wait_envelope(&mut ws, SECS, |v| v["type"] == "signal").await;
    assert_eq!(v["data"]["id"], 2);

    // a restart without epoch reporting: ids start again, health says nothing
    let s = post(&srv, "/control/restart", r#"{"epoch":false}"#)
        .await
        .json();
    assert_eq!(s["faults"]["epoch"], false);
    let h = health(&srv).await;
    assert!(
        h.as_object().unwrap().get("epoch").is_none(),
        "no epoch field at all: {h}"
    );
    assert_eq!(h["status"], "ok");
    assert_eq!(emit(&srv, r#"{"type":"signal"}"#).await["data"]["id"], 1);
    // turned back on (a fault setting too): a third, different epoch
    set_faults(&srv, r#"{"epoch":true}"#).await;
    let e3 = health(&srv).await["epoch"].as_str().unwrap().to_string();
    assert!(e3 != e1 && e3 != e2, "{e1} {e2} {e3}");
    let s = post(&srv, "/control/restart", r#"{"epoch":true}"#)
        .await
        .json();
    assert_eq!(s["counters"]["restarts"], 3);
    assert_ne!(health(&srv).await["epoch"], e3.as_str());
    for bad in [r#"{"epoch":"yes"}"#, r#"{"epochs":true}"#, "[]", "nope"] {
        let r = post(&srv, "/control/restart", bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    assert_eq!(control_state(&srv).await["counters"]["restarts"], 3);
    srv.shutdown().await;

    // --no-epoch: never an epoch until a test turns it on
    let srv = server(&["--no-epoch", "--speed", "0.01"]).await;
    assert!(health(&srv).await.get("epoch").is_none());
    assert_eq!(control_state(&srv).await["faults"]["epoch"], false);
    post(&srv, "/control/restart", "{}").await;
    assert!(health(&srv).await.get("epoch").is_none());
    set_faults(&srv, r#"{"epoch":true}"#).await;
    assert!(health(&srv).await["epoch"].is_string());
    srv.shutdown().await;
}

#[tokio::test]
async fn ignore_after_and_page_cap() {
    let srv = server(&["--speed", "0.01"]).await;
    let base = control_state(&srv).await["counters"]["lastSignalId"]
        .as_u64()
        .unwrap();
    let alert_base = control_state(&srv).await["counters"]["lastAlertId"]
        .as_u64()
        .unwrap();
    for _ in 0..30 {
        emit(&srv, r#"{"type":"signal"}"#).await;
    }
    for _ in 0..8 {
        emit(&srv, r#"{"type":"regime:alert"}"#).await;
    }
    let range = |a: u64, b: u64| (a..=b).collect::<Vec<u64>>();

    // pageCap: never more than N, whatever limit says; after still honoured
    set_faults(&srv, r#"{"pageCap":5}"#).await;
    let page = |q: String| {
        let srv = &srv;
        async move { signal_ids(get(srv, &format!("/api/signals?{q}")).await.json()) }
    };
    assert_eq!(
        page(format!("after={base}&limit=100")).await,
        range(base + 1, base + 5)
    );
    assert_eq!(
        page(format!("after={}&limit=100", base + 5)).await,
        range(base + 6, base + 10)
    );
    assert_eq!(
        page(format!("after={base}&limit=3")).await,
        range(base + 1, base + 3)
    );
    assert_eq!(
        page(format!("after={base}")).await.len(),
        5,
        "default limit capped"
    );
    assert_eq!(
        page("limit=100".into()).await,
        range(base + 26, base + 30),
        "the newest, capped"
    );
    let alerts = alert_ids(
        get(&srv, &format!("/api/alerts?after={alert_base}&limit=50"))
            .await
            .json(),
    );
    assert_eq!(alerts, range(alert_base + 1, alert_base + 5));
    set_faults(&srv, r#"{"pageCap":0}"#).await;
    assert_eq!(page(format!("after={base}&limit=100")).await.len(), 30);

    // ignoreAfter: the newest N, ascending, whatever after says
    set_faults(&srv, r#"{"ignoreAfter":true}"#).await;
    assert_eq!(
        page(format!("after={base}&limit=10")).await,
        range(base + 21, base + 30)
    );
    assert_eq!(
        page(format!("after={}&limit=4", base + 30)).await,
        range(base + 27, base + 30),
        "nothing is new, yet the newest come"
    );
    let alerts = alert_ids(
        get(&srv, &format!("/api/alerts?after={alert_base}&limit=3"))
            .await
            .json(),
    );
    assert_eq!(alerts, range(alert_base + 6, alert_base + 8));
    // both at once
    set_faults(&srv, r#"{"pageCap":2}"#).await;
    assert_eq!(
        page("after=0&limit=100".into()).await,
        range(base + 29, base + 30)
    );
    // a bad query is still a 400
    assert_eq!(get(&srv, "/api/signals?after=abc").await.status, 400);
    for bad in [
        r#"{"pageCap":-1}"#,
        r#"{"pageCap":"5"}"#,
        r#"{"ignoreAfter":1}"#,
    ] {
        assert_eq!(
            post(&srv, "/control/faults", bad).await.status,
            400,
            "{bad}"
        );
    }
    let s = post(&srv, "/control/reset", "").await.json();
    assert_eq!(
        (&s["faults"]["pageCap"], &s["faults"]["ignoreAfter"]),
        (&Value::from(0), &Value::from(false))
    );
    srv.shutdown().await;

    // the same from the command line
    let srv = server(&["--speed", "0.01", "--ignore-after", "--page-cap", "2"]).await;
    let f = &control_state(&srv).await["faults"];
    assert_eq!(
        (&f["ignoreAfter"], &f["pageCap"]),
        (&Value::from(true), &Value::from(2))
    );
    let last = control_state(&srv).await["counters"]["lastSignalId"]
        .as_u64()
        .unwrap();
    let ids = signal_ids(get(&srv, "/api/signals?after=0&limit=50").await.json());
    assert_eq!(ids, range(last - 1, last));
    srv.shutdown().await;
}

#[tokio::test]
async fn a_wrong_clock_shifts_every_timestamp_but_an_explicit_one() {
    const HOUR: i64 = 3_600_000;
    let srv = server(&["--speed", "20", "--clock-skew-ms", "3600000"]).await;
    let t = wall();
    let h = health(&srv).await;
    assert!((ms(&h["time"]) - (t + HOUR)).abs() < 5_000, "{h}");
    // warm-up history, snapshots and signals were made by the same clock
    let snap = get(&srv, "/api/regime?symbol=BTCUSDT&timeframe=1m")
        .await
        .json();
    let ts = ms(&snap["timestamp"]);
    assert!(ts > t + HOUR - 120_000 && ts < t + HOUR + 10_000, "{snap}");
    let hist = get(
        &srv,
        "/api/regime/history?symbol=ETHUSDT&timeframe=1h&limit=1",
    )
    .await
    .json();
    let ts = ms(&hist["points"][0]["timestamp"]);
    assert!(ts > t && ts <= t + HOUR + 10_000, "{hist}");
    let sigs = get(&srv, "/api/signals?limit=1").await.json();
    if let Some(s) = sigs["signals"].as_array().unwrap().first() {
        assert!(ms(&s["timestamp"]) <= wall() + HOUR + 10_000);
    }
    // live: prices and snapshots an hour ahead
    let mut ws = ws_connect(&srv, "/ws").await;
    let p = wait_envelope(&mut ws, SECS, |v| v["type"] == "price").await;
    assert!(
        (ms(&p["data"]["timestamp"]) - (wall() + HOUR)).abs() < 5_000,
        "{p}"
    );
    let r = wait_envelope(&mut ws, SECS, |v| v["type"] == "regime").await;
    assert!(
        (ms(&r["data"]["timestamp"]) - (wall() + HOUR)).abs() < 5_000,
        "{r}"
    );

    // changed at run time: a week behind, everything new follows
    const WEEK: i64 = 7 * 24 * HOUR;
    set_faults(&srv, &format!(r#"{{"clockSkewMs":{}}}"#, -WEEK)).await;
    assert!((ms(&health(&srv).await["time"]) - (wall() - WEEK)).abs() < 5_000);
    let p = wait_envelope(&mut ws, SECS, |v| {
        v["type"] == "price" && ms(&v["data"]["timestamp"]) < wall() - WEEK + 60_000
    })
    .await;
    assert!(
        (ms(&p["data"]["timestamp"]) - (wall() - WEEK)).abs() < 5_000,
        "{p}"
    );
    let s = emit(&srv, r#"{"type":"signal"}"#).await;
    assert!(
        (ms(&s["data"]["timestamp"]) - (wall() - WEEK)).abs() < 5_000,
        "{s}"
    );
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
    let ev = sio.wait_event(SECS, "regime", |_| true).await;
    assert!(
        (ms(&ev["timestamp"]) - (wall() - WEEK)).abs() < 5_000,
        "{ev}"
    );

    // one frame stamped in 2100: sent exactly as given, skew or not
    const Y2100: i64 = 4_102_444_800_000;
    let sent = emit(
        &srv,
        r#"{"type":"regime","data":{"symbol":"SOLUSDT","timeframe":"5m","timestamp":"2100-01-01T00:00:00Z"}}"#,
    )
    .await;
    assert_eq!(ms(&sent["data"]["timestamp"]), Y2100);
    let v = wait_envelope(&mut ws, SECS, |v| {
        v["type"] == "regime" && v["data"]["symbol"] == "SOLUSDT" && v["data"]["timeframe"] == "5m"
    })
    .await;
    assert_eq!(ms(&v["data"]["timestamp"]), Y2100);
    let latest: RegimeSnapshot = serde_json::from_value(
        get(&srv, "/api/regime?symbol=SOLUSDT&timeframe=5m")
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(latest.timestamp.millis(), Y2100);
    emit(
        &srv,
        &format!(
            r#"{{"type":"price","data":{{"symbol":"ETHUSDT","price":1.5,"timestamp":{Y2100}}}}}"#
        ),
    )
    .await;
    let p = wait_envelope(&mut ws, SECS, |v| {
        v["type"] == "price" && v["data"]["price"] == 1.5
    })
    .await;
    assert_eq!(ms(&p["data"]["timestamp"]), Y2100);
    let s = emit(
        &srv,
        &format!(r#"{{"type":"signal","data":{{"timestamp":{Y2100}}}}}"#),
    )
    .await;
    let rest: SignalsResponse = serde_json::from_value(
        get(
            &srv,
            &format!(
                "/api/signals?after={}",
                s["data"]["id"].as_u64().unwrap() - 1
            ),
        )
        .await
        .json(),
    )
    .unwrap();
    assert_eq!(rest.signals[0].timestamp.millis(), Y2100);

    for bad in [
        r#"{"clockSkewMs":1e300}"#,
        r#"{"clockSkewMs":4000000000000}"#,
        r#"{"clockSkewMs":"1h"}"#,
    ] {
        assert_eq!(
            post(&srv, "/control/faults", bad).await.status,
            400,
            "{bad}"
        );
    }
    srv.shutdown().await;
}

#[tokio::test]
async fn huge_error_bodies_for_every_injected_error_only() {
    let srv = server(&["--huge-errors"]).await;
    assert_eq!(control_state(&srv).await["faults"]["hugeErrors"], true);
    let huge = |r: &HttpResponse, status: u16| {
        assert_eq!(r.status, status);
        assert!(
            (1_000_000..=1_100_000).contains(&r.body.len()),
            "{status}: {} bytes",
            r.body.len()
        );
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        let e = r.json()["error"].as_str().unwrap().to_string();
        assert!(e.len() > 1_000_000);
        e
    };
    set_faults(&srv, r#"{"restFailRate":1}"#).await;
    let e = huge(&get(&srv, "/api/signals").await, 500);
    assert!(
        e.starts_with("injected failure (restFailRate)"),
        "{}",
        &e[..60]
    );
    set_faults(&srv, r#"{"restFailRate":0,"restEnabled":false}"#).await;
    huge(&get(&srv, "/api/health").await, 503);
    set_faults(&srv, r#"{"restEnabled":true,"gatewayFailNext":1}"#).await;
    let r = http(
        srv.addr,
        "GET",
        "/api/health",
        &[("Origin", "http://x.example")],
        "",
    )
    .await;
    huge(&r, 502);
    assert_eq!(r.header("access-control-allow-origin"), None);
    // errors that are not injected stay small
    let r = get(&srv, "/api/regime?symbol=NOPE&timeframe=1h").await;
    assert_eq!(r.status, 404);
    assert!(r.body.len() < 200);
    assert_eq!(get(&srv, "/api/health").await.status, 200);
    // and off again: small injected errors
    set_faults(&srv, r#"{"hugeErrors":false,"restFailRate":1}"#).await;
    let r = get(&srv, "/api/signals").await;
    assert_eq!(r.status, 500);
    assert!(r.body.len() < 200);
    srv.shutdown().await;
}

#[tokio::test]
async fn gateway_502_without_cors_by_rate_and_by_count() {
    let srv = server(&[]).await;
    set_faults(&srv, r#"{"gatewayFailRate":1}"#).await;
    let origin = [("Origin", "http://page.example")];
    for path in ["/api/health", "/api/signals?after=1", "/api/nope"] {
        let r = http(srv.addr, "GET", path, &origin, "").await;
        assert_eq!(r.status, 502, "{path}");
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.text().contains("502 Bad Gateway"));
        assert!(
            !r.headers
                .iter()
                .any(|(k, _)| k.to_ascii_lowercase().starts_with("access-control-")),
            "no CORS header at all: {:?}",
            r.headers
        );
    }
    // a preflight fails the same way
    let r = http(
        srv.addr,
        "OPTIONS",
        "/api/signals",
        &[
            ("Origin", "http://page.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 502);
    assert_eq!(r.header("access-control-allow-origin"), None);
    // only /api/: the control API, the live transports and / still answer
    assert_eq!(get(&srv, "/").await.status, 200);
    let mut ws = ws_connect(&srv, "/ws").await;
    next_text(&mut ws, SECS).await;
    set_faults(&srv, r#"{"gatewayFailRate":0.5}"#).await;
    let mut fails = 0;
    for _ in 0..60 {
        if get(&srv, "/api/health").await.status == 502 {
            fails += 1;
        }
    }
    assert!((10..=50).contains(&fails), "{fails}/60 failed at rate 0.5");

    // gatewayFailNext: exactly N requests fail, counting down
    set_faults(&srv, r#"{"gatewayFailRate":0,"gatewayFailNext":2}"#).await;
    post(&srv, "/control/reset-counters", "").await;
    assert_eq!(control_state(&srv).await["faults"]["gatewayFailNext"], 2);
    let r = http(srv.addr, "GET", "/api/signals", &origin, "").await;
    assert_eq!(r.status, 502);
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(control_state(&srv).await["faults"]["gatewayFailNext"], 1);
    assert_eq!(get(&srv, "/api/health").await.status, 502);
    let s = control_state(&srv).await;
    assert_eq!(s["faults"]["gatewayFailNext"], 0);
    let r = http(srv.addr, "GET", "/api/signals", &origin, "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let c = &control_state(&srv).await["counters"];
    assert_eq!(
        (&c["gatewayErrors"], &c["signalsRequests"]),
        (&Value::from(2), &Value::from(2))
    );
    // concurrent requests never take more failures than there are
    set_faults(&srv, r#"{"gatewayFailNext":5}"#).await;
    let answers = futures::future::join_all((0..20).map(|_| get(&srv, "/api/health"))).await;
    assert_eq!(answers.iter().filter(|r| r.status == 502).count(), 5);
    assert_eq!(control_state(&srv).await["faults"]["gatewayFailNext"], 0);
    for bad in [r#"{"gatewayFailRate":1.5}"#, r#"{"gatewayFailNext":-1}"#] {
        assert_eq!(
            post(&srv, "/control/faults", bad).await.status,
            400,
            "{bad}"
        );
    }
    srv.shutdown().await;

    // from the command line
    let srv = server(&["--gateway-fail-next", "1"]).await;
    assert_eq!(get(&srv, "/api/health").await.status, 502);
    assert_eq!(get(&srv, "/api/health").await.status, 200);
    srv.shutdown().await;
    let srv = server(&["--gateway-fail-rate", "1"]).await;
    assert_eq!(get(&srv, "/api/symbols").await.status, 502);
    srv.shutdown().await;
}

#[tokio::test]
async fn request_counters_per_endpoint_and_regime_fan_out() {
    let srv = server(&["--speed", "0.01"]).await;
    let c = &control_state(&srv).await["counters"];
    assert_eq!(c["lastSignalsAfter"], Value::Null);
    for k in [
        "apiRequests",
        "healthRequests",
        "symbolsRequests",
        "regimeRequests",
        "historyRequests",
        "signalsRequests",
        "alertsRequests",
        "regimeInFlight",
        "regimePeakInFlight",
        "gatewayErrors",
        "restarts",
    ] {
        assert_eq!(c[k], 0, "{k}");
    }
    for p in [
        "/api/health",
        "/api/health",
        "/api/symbols",
        "/api/regime?symbol=BTCUSDT&timeframe=1h",
        "/api/regime?symbol=NOPE&timeframe=1h",
        "/api/regime/history?symbol=BTCUSDT&timeframe=1h",
        "/api/alerts?after=2",
        "/api/signals?after=3&limit=9",
        "/api/signals?after=5&limit=7&symbol=BTCUSDT",
        "/api/nothing",
    ] {
        get(&srv, p).await;
    }
    // a preflight is not a request of the client's
    http(
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
    let c = control_state(&srv).await["counters"].clone();
    let expect = [
        ("apiRequests", 10),
        ("healthRequests", 2),
        ("symbolsRequests", 1),
        ("regimeRequests", 2),
        ("historyRequests", 1),
        ("signalsRequests", 2),
        ("alertsRequests", 1),
        ("lastSignalsAfter", 5),
        ("lastSignalsLimit", 7),
        ("lastAlertsAfter", 2),
        ("regimePeakInFlight", 1),
        ("regimeInFlight", 0),
    ];
    for (k, v) in expect {
        assert_eq!(c[k], v, "{k}: {c}");
    }
    assert_eq!(c["lastAlertsLimit"], Value::Null);
    // even failed requests count: the client made them
    set_faults(&srv, r#"{"restFailRate":1}"#).await;
    get(&srv, "/api/signals").await;
    let c = &control_state(&srv).await["counters"];
    assert_eq!(c["signalsRequests"], 3);
    assert_eq!(c["lastSignalsAfter"], Value::Null);

    // fan-out: slow answers let concurrent /api/regime requests overlap
    set_faults(&srv, r#"{"restFailRate":0,"restLatencyMs":400}"#).await;
    post(&srv, "/control/reset-counters", "").await;
    let t = Instant::now();
    let answers = futures::future::join_all((0..8).map(|i| {
        let srv = &srv;
        async move {
            let sym = ["BTCUSDT", "ETHUSDT", "SOLUSDT"][i % 3];
            get(srv, &format!("/api/regime?symbol={sym}&timeframe=1m")).await
        }
    }));
    let probe = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        control_state(&srv).await
    };
    let (answers, during) = tokio::join!(answers, probe);
    assert!(answers.iter().all(|r| r.status == 200));
    assert!(
        t.elapsed() < Duration::from_millis(2000),
        "they ran at once"
    );
    assert_eq!(during["counters"]["regimeInFlight"], 8, "{during}");
    let c = &control_state(&srv).await["counters"];
    assert_eq!(
        (&c["regimeInFlight"], &c["regimePeakInFlight"]),
        (&Value::from(0), &Value::from(8))
    );
    assert_eq!(c["regimeRequests"], 8);
    // one at a time: the peak of a fresh count is 1
    post(&srv, "/control/reset-counters", "").await;
    set_faults(&srv, r#"{"restLatencyMs":0}"#).await;
    for _ in 0..3 {
        get(&srv, "/api/regime?symbol=BTCUSDT&timeframe=1m").await;
    }
    let c = &control_state(&srv).await["counters"];
    assert_eq!(
        (&c["regimeRequests"], &c["regimePeakInFlight"]),
        (&Value::from(3), &Value::from(1))
    );
    // /control/reset zeroes them too
    let c = &post(&srv, "/control/reset", "").await.json()["counters"];
    assert_eq!(
        (&c["regimeRequests"], &c["apiRequests"]),
        (&Value::from(0), &Value::from(0))
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn many_symbols_start_fast_and_stay_cheap() {
    let t = Instant::now();
    // a short warm-up keeps the debug build quick; the release build with
    // the default warm-up starts in well under a second
    let srv = server(&["--symbols", "1000", "--warmup", "30", "--speed", "5"]).await;
    let started = t.elapsed();
    eprintln!("--symbols 1000 started in {started:?} (debug build)");
    assert!(started < Duration::from_secs(20), "{started:?}");
    let s = get(&srv, "/api/symbols").await.json();
    let list = s["symbols"].as_array().unwrap();
    assert_eq!(list.len(), 1000);
    let names: Vec<&str> = list.iter().map(|x| x["symbol"].as_str().unwrap()).collect();
    assert_eq!(
        &names[..4],
        ["BTCUSDT", "ETHUSDT", "SOLUSDT", "SYM0004USDT"]
    );
    assert_eq!(names[999], "SYM1000USDT");
    assert!(list
        .iter()
        .all(|x| x["timeframes"] == serde_json::json!(["1m", "5m", "1h"])));
    for sym in ["SYM0004USDT", "SYM0500USDT", "SYM1000USDT"] {
        for tf in ["1m", "5m", "1h"] {
            let r = get(&srv, &format!("/api/regime?symbol={sym}&timeframe={tf}")).await;
            assert_eq!(r.status, 200, "{sym} {tf}");
            let snap: RegimeSnapshot = serde_json::from_value(r.json()).unwrap();
            assert_eq!(snap.symbol, sym);
            assert!(snap.close.unwrap() > 0.0);
            let h = get(
                &srv,
                &format!("/api/regime/history?symbol={sym}&timeframe={tf}"),
            )
            .await
            .json();
            assert!(!h["points"].as_array().unwrap().is_empty());
        }
    }
    // the extra symbols live too, a few at a time
    let mut ws = ws_connect(&srv, "/ws").await;
    let p = wait_envelope(&mut ws, SECS, |v| {
        v["type"] == "price"
            && v["data"]["symbol"]
                .as_str()
                .is_some_and(|s| s.starts_with("SYM"))
    })
    .await;
    assert!(p["data"]["price"].as_f64().unwrap() > 0.0);
    let c = &control_state(&srv).await["counters"];
    assert_eq!(c["regimeRequests"], 9);
    srv.shutdown().await;

    // fewer than three: the first of the defaults; 0 is an error
    let srv = server(&["--symbols", "1"]).await;
    let s = get(&srv, "/api/symbols").await.json();
    assert_eq!(s["symbols"].as_array().unwrap().len(), 1);
    assert_eq!(s["symbols"][0]["symbol"], "BTCUSDT");
    srv.shutdown().await;
    for bad in ["0", "5001"] {
        let args = <demo_server::Args as clap::Parser>::parse_from([
            "demo-server",
            "--port",
            "0",
            "--symbols",
            bad,
        ]);
        assert!(demo_server::start(args).await.is_err(), "{bad}");
    }
}

#[tokio::test]
async fn a_signal_emitted_after_a_restart_is_the_same_id_with_other_content() {
    // what "an id that it holds arriving with different content" looks like
    let srv = server(&["--speed", "0.01"]).await;
    post(&srv, "/control/restart", "{}").await;
    let a: Signal = serde_json::from_value(
        emit(
            &srv,
            r#"{"type":"signal","data":{"symbol":"BTCUSDT","price":1}}"#,
        )
        .await["data"]
            .clone(),
    )
    .unwrap();
    post(&srv, "/control/restart", "{}").await;
    let b: Signal = serde_json::from_value(
        emit(
            &srv,
            r#"{"type":"signal","data":{"symbol":"ETHUSDT","price":2}}"#,
        )
        .await["data"]
            .clone(),
    )
    .unwrap();
    assert_eq!((a.id, b.id), (1, 1));
    assert_ne!(a, b);
    srv.shutdown().await;
}

#[tokio::test]
async fn a_proxy_that_drops_websocket_upgrades_still_lets_polling_through() {
    let srv = server(&["--speed", "0.01"]).await;
    set_faults(&srv, r#"{"websocketUpgradeRefused":true}"#).await;
    let polling = get(&srv, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(polling.status, 200);
    assert!(polling.text().starts_with("0{"), "{}", polling.text());
    let url = format!("ws://{}/socket.io/?EIO=4&transport=websocket", srv.addr);
    assert!(
        tokio_tungstenite::connect_async(url).await.is_err(),
        "the upgrade is refused"
    );
    let url = format!("ws://{}/ws", srv.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    set_faults(&srv, r#"{"websocketUpgradeRefused":false}"#).await;
    let mut sio = Sio::connect(&srv).await;
    sio.join("/signals").await;
}
