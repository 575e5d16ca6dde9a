//! Static files (`--static`), replay (`--replay`) and the command line.

mod common;

use std::time::Duration;

use common::*;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("demo-server-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn static_dist_with_mime_compression_cache_and_spa_fallback() {
    let dir = temp_dir("dist");
    let index = format!(
        "<!doctype html><title>dash</title>{}",
        "<p>padding</p>".repeat(50)
    );
    std::fs::write(dir.join("index.html"), &index).unwrap();
    std::fs::write(dir.join("config.json"), r#"{"protocol":"auto"}"#).unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0u8, 4000))
        .collect();
    std::fs::write(dir.join("regime-dashboard-1f0e2d3c4b5a6978_bg.wasm"), &wasm).unwrap();
    std::fs::write(dir.join("favicon.ico"), [0u8; 10]).unwrap();
    let srv = server(&["--static", dir.to_str().unwrap()]).await;

    let r = get(&srv, "/regime-dashboard-1f0e2d3c4b5a6978_bg.wasm").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(r.body, wasm);

    for enc in ["gzip", "br"] {
        let r = http(
            srv.addr,
            "GET",
            "/regime-dashboard-1f0e2d3c4b5a6978_bg.wasm",
            &[("Accept-Encoding", enc)],
            "",
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-encoding"), Some(enc));
        assert!(
            r.body.len() < wasm.len() / 4,
            "{enc}: {} bytes",
            r.body.len()
        );
    }

    let r = get(&srv, "/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(r.text(), index);
    let r = get(&srv, "/config.json").await;
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(r.json()["protocol"], "auto");
    // SPA: an unknown non-API path is the page
    let r = get(&srv, "/some/deep/route?x=1").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), index);
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    // …but an unknown API path is a JSON 404
    let r = get(&srv, "/api/nope").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
    assert_eq!(
        get(&srv, "/favicon.ico").await.header("cache-control"),
        Some("public, max-age=300")
    );
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn without_static_dir_unknown_paths_are_json_404() {
    let srv = server(&[]).await;
    assert_eq!(get(&srv, "/").await.status, 200);
    let r = get(&srv, "/whatever").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
    srv.shutdown().await;
}

#[tokio::test]
async fn replay_a_csv_file() {
    let dir = temp_dir("replay");
    let mut csv = String::from("timestamp,open,high,low,close,volume\n");
    let mut price = 100.0f64;
    for i in 0..200i64 {
        let t = 1_760_000_040_000 + i * 60_000; // epoch ms, one minute apart
        let o = price;
        price += if (i / 40) % 2 == 0 { 0.6 } else { -0.5 };
        csv.push_str(&format!(
            "{t},{o},{},{},{price},1\n",
            o.max(price) + 0.3,
            o.min(price) - 0.3
        ));
    }
    let file = dir.join("candles.csv");
    std::fs::write(&file, csv).unwrap();
    let srv = server(&[
        "--replay",
        file.to_str().unwrap(),
        "--replay-symbol",
        "TEST",
        "--speed",
        "50",
    ])
    .await;
    let s = get(&srv, "/api/symbols").await.json();
    assert_eq!(
        s,
        serde_json::json!({"symbols":[{"symbol":"TEST","timeframes":["1m"]}]})
    );
    let snap = get(&srv, "/api/regime?symbol=TEST&timeframe=1m").await;
    assert_eq!(snap.status, 200, "{}", snap.text());
    let first: regime_core::model::RegimeSnapshot = serde_json::from_value(snap.json()).unwrap();
    // the first half is history at once (warm-up capped at half the file)
    assert_eq!(first.timestamp.millis(), 1_760_000_040_000 + 99 * 60_000);
    let mut ws = ws_connect(&srv, "/ws").await;
    let v = wait_envelope(&mut ws, Duration::from_secs(10), |v| v["type"] == "regime").await;
    assert_eq!(v["data"]["symbol"], "TEST");
    assert!(v["data"]["timestamp"].as_str().unwrap() > first.timestamp.to_rfc3339().as_str());
    let p = wait_envelope(&mut ws, Duration::from_secs(10), |v| v["type"] == "price").await;
    assert_eq!(p["data"]["symbol"], "TEST");
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn bad_start_arguments_are_errors() {
    use clap::Parser;
    let bad = |argv: &[&str]| {
        let mut v = vec!["demo-server", "--port", "0"];
        v.extend_from_slice(argv);
        demo_server::Args::parse_from(v)
    };
    assert!(demo_server::start(bad(&["--speed", "0"])).await.is_err());
    assert!(demo_server::start(bad(&["--malformed-rate", "1.5"]))
        .await
        .is_err());
    assert!(
        demo_server::start(bad(&["--replay", "/nonexistent/file.csv"]))
            .await
            .is_err()
    );
    assert!(demo_server::start(bad(&["--static", "/nonexistent-dir"]))
        .await
        .is_err());
    assert!(demo_server::Args::try_parse_from(["demo-server", "--speed", "fast"]).is_err());
}
