//! `--token T`: REST wants `Authorization: Bearer T`, the plain WebSocket
//! `?token=T`, Socket.IO `{"token":"T"}` in its CONNECT (PROTOCOL.md §2
//! "Authentication"); static files and /control/ stay open.

mod common;

use std::time::Duration;

use common::*;
use tokio_tungstenite::tungstenite::Message;

const T: &str = "s3cr3t";

async fn rest(srv: &demo_server::Server, path: &str, auth: Option<&str>) -> HttpResponse {
    let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
    http(srv.addr, "GET", path, &headers, "").await
}

#[tokio::test]
async fn rest_wants_the_bearer_token_on_every_endpoint() {
    let srv = server(&["--token", T]).await;
    for path in [
        "/api/health",
        "/api/symbols",
        "/api/signals?limit=5",
        "/api/alerts?limit=5",
        "/api/regime?symbol=BTCUSDT&timeframe=1h",
    ] {
        for auth in [
            None,
            Some("Bearer wrong"),
            Some("s3cr3t"),
            Some("Bearer s3cr3"),
            Some("Basic s3cr3t"),
        ] {
            let r = rest(&srv, path, auth).await;
            assert_eq!(r.status, 401, "{path} {auth:?}");
            assert!(r.json()["error"]
                .as_str()
                .unwrap()
                .starts_with("unauthorized"));
            assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        }
        let r = rest(&srv, path, Some("Bearer s3cr3t")).await;
        assert_eq!(r.status, 200, "{path}");
    }
    // The CORS preflight a browser sends for the header is answered.
    let pre = http(
        srv.addr,
        "OPTIONS",
        "/api/health",
        &[
            ("Origin", "http://page.example"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
        "",
    )
    .await;
    assert!(pre.status < 300, "{}", pre.status);
    // Named, not `*`: a wildcard never covers Authorization.
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap_or_default();
    assert!(allowed.eq_ignore_ascii_case("authorization"), "{allowed}");
    // The control API is the tests', not the data's: it stays open.
    assert_eq!(get(&srv, "/control/state").await.status, 200);
}

#[tokio::test]
async fn without_token_nothing_is_asked() {
    let srv = server(&[]).await;
    assert_eq!(rest(&srv, "/api/health", None).await.status, 200);
    assert_eq!(
        rest(&srv, "/api/health", Some("Bearer anything"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_plain_socket_wants_the_token_in_its_url() {
    let srv = server(&["--token", T]).await;
    for path in ["/ws", "/ws?token=wrong", "/ws?token=", "/ws/price?x=1"] {
        let mut ws = ws_connect(&srv, path).await;
        let close = tokio::time::timeout(Duration::from_secs(5), futures::StreamExt::next(&mut ws))
            .await
            .expect("closed at once");
        match close {
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(u16::from(frame.code), 1008, "{path}");
                assert_eq!(frame.reason.as_str(), "unauthorized");
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    for path in ["/ws?token=s3cr3t", "/ws/price?a=1&token=s3cr3t"] {
        let mut ws = ws_connect(&srv, path).await;
        send(&mut ws, r#"{"type":"ping","id":7}"#).await;
        let pong = wait_envelope(&mut ws, Duration::from_secs(5), |v| v["type"] == "pong").await;
        assert_eq!(pong["id"], 7, "{path}");
    }
    // Percent-coded as the dashboard sends it.
    let srv = server(&["--token", "a+b/="]).await;
    let mut ws = ws_connect(&srv, "/ws?token=a%2Bb%2F%3D").await;
    send(&mut ws, r#"{"type":"ping","id":1}"#).await;
    wait_envelope(&mut ws, Duration::from_secs(5), |v| v["type"] == "pong").await;
}

#[tokio::test]
async fn socketio_wants_the_token_in_the_connect_auth_payload() {
    let srv = server(&["--token", T]).await;
    for connect in [
        "40/signals,",
        r#"40/signals,{"token":"wrong"}"#,
        r#"40/signals,{"pid":"x"}"#,
    ] {
        let mut sio = Sio::connect(&srv).await;
        sio.send(connect).await;
        let reply = sio
            .next_packet(Duration::from_secs(5))
            .await
            .expect("a reply");
        assert_eq!(reply.kind, 4, "{connect}: {reply:?}");
        assert_eq!(reply.ns, "/signals");
        assert_eq!(reply.payload, r#"{"message":"unauthorized"}"#, "{connect}");
    }
    let mut sio = Sio::connect(&srv).await;
    sio.send(r#"40/signals,{"token":"s3cr3t"}"#).await;
    let reply = sio
        .next_packet(Duration::from_secs(5))
        .await
        .expect("a reply");
    assert_eq!(reply.kind, 0, "{reply:?}");
    assert!(reply.payload.contains("\"sid\""));
}
