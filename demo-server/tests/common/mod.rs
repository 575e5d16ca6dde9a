//! Test helpers: an in-process server on port 0, a tiny HTTP/1.1 client, a
//! plain WebSocket client and a hand-written Engine.IO 4 / Socket.IO 5 client
//! (after docs/SOCKETIO.md), so the tests speak the wire exactly as the dashboard
//! does.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use clap::Parser;
use demo_server::{start, Args, Server};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Starts a server with `--port 0 --control` and the extra flags.
pub async fn server(extra: &[&str]) -> Server {
    let mut argv = vec!["demo-server", "--port", "0", "--control"];
    argv.extend_from_slice(extra);
    start(Args::parse_from(argv)).await.expect("server starts")
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
}

/// One HTTP/1.1 request with `Connection: close`.
pub async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpResponse {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    exchange(addr, &req).await
}

/// Sends a request exactly as written (every header is the caller's) and
/// reads the answer until the server closes.
pub async fn exchange(addr: std::net::SocketAddr, req: &str) -> HttpResponse {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut raw))
        .await
        .expect("answer in time")
        .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

pub async fn get(srv: &Server, path: &str) -> HttpResponse {
    http(srv.addr, "GET", path, &[], "").await
}

pub async fn post(srv: &Server, path: &str, body: &str) -> HttpResponse {
    http(srv.addr, "POST", path, &[], body).await
}

pub async fn set_faults(srv: &Server, body: &str) -> Value {
    let r = post(srv, "/control/faults", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

pub async fn emit(srv: &Server, body: &str) -> Value {
    let r = post(srv, "/control/emit", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

pub async fn control_state(srv: &Server) -> Value {
    get(srv, "/control/state").await.json()
}

pub async fn ws_connect(srv: &Server, path: &str) -> Ws {
    let (ws, _) = connect_async(format!("ws://{}{path}", srv.addr))
        .await
        .expect("websocket connects");
    ws
}

/// What came next on a WebSocket, within `within`.
#[derive(Debug)]
pub enum Got {
    Text(String),
    Binary(Vec<u8>),
    Closed,
    Timeout,
}

pub async fn next_frame(ws: &mut Ws, within: Duration) -> Got {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return Got::Timeout,
            Ok(None) | Ok(Some(Err(_))) => return Got::Closed,
            Ok(Some(Ok(Message::Text(t)))) => return Got::Text(t.to_string()),
            Ok(Some(Ok(Message::Binary(b)))) => return Got::Binary(b.to_vec()),
            Ok(Some(Ok(Message::Close(_)))) => return Got::Closed,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// The next text frame (panics on anything else).
pub async fn next_text(ws: &mut Ws, within: Duration) -> String {
    match next_frame(ws, within).await {
        Got::Text(t) => t,
        other => panic!("expected a text frame, got {other:?}"),
    }
}

/// Reads envelopes until `pred` holds for one; returns it.
pub async fn wait_envelope(ws: &mut Ws, within: Duration, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let t = next_text(ws, left).await;
        if let Ok(v) = serde_json::from_str::<Value>(&t) {
            if pred(&v) {
                return v;
            }
        }
    }
}

/// Waits until the server closes the socket (or panics after `within`).
pub async fn expect_closed(ws: &mut Ws, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match next_frame(ws, left).await {
            Got::Closed => return,
            Got::Timeout => panic!("the socket was not closed"),
            _ => continue,
        }
    }
}

pub async fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.into())).await.unwrap();
}

// ---------------------------------------------------------------- Socket.IO

/// A minimal Engine.IO 4 + Socket.IO 5 client over the WebSocket transport.
pub struct Sio {
    pub ws: Ws,
    pub open: Value,
    /// Answer the server's pings (`2`) with `3`.
    pub auto_pong: bool,
    pub pings: u32,
}

/// One decoded Socket.IO packet (text only).
#[derive(Debug, Clone)]
pub struct Packet {
    pub kind: u8,
    pub ns: String,
    pub payload: String,
}

/// Splits a Socket.IO string (after the Engine.IO `4`): type, attachments,
/// namespace, ack id, payload.
pub fn parse_packet(s: &str) -> Option<Packet> {
    let b = s.as_bytes();
    let kind = (*b.first()? as char).to_digit(10)? as u8;
    let mut rest = &s[1..];
    if kind == 5 || kind == 6 {
        let dash = rest.find('-')?;
        rest = &rest[dash + 1..];
    }
    let mut ns = "/".to_string();
    if rest.starts_with('/') {
        match rest.find(',') {
            Some(i) => {
                ns = rest[..i].to_string();
                rest = &rest[i + 1..];
            }
            None => {
                ns = rest.to_string();
                rest = "";
            }
        }
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest = &rest[digits..];
    Some(Packet {
        kind,
        ns,
        payload: rest.to_string(),
    })
}

impl Sio {
    pub async fn connect(srv: &Server) -> Sio {
        let ws = ws_connect(srv, "/socket.io/?EIO=4&transport=websocket").await;
        let mut sio = Sio {
            ws,
            open: Value::Null,
            auto_pong: true,
            pings: 0,
        };
        let first = next_text(&mut sio.ws, Duration::from_secs(5)).await;
        assert!(first.starts_with('0'), "open packet expected, got {first}");
        sio.open = serde_json::from_str(&first[1..]).expect("open packet JSON");
        sio
    }

    pub async fn send(&mut self, text: &str) {
        send(&mut self.ws, text).await
    }

    /// Sends CONNECT for `ns` and returns the reply packet.
    pub async fn join(&mut self, ns: &str) -> Packet {
        if ns == "/" {
            self.send("40").await;
        } else {
            self.send(&format!("40{ns},")).await;
        }
        loop {
            let p = self
                .next_packet(Duration::from_secs(5))
                .await
                .expect("a CONNECT reply");
            if p.kind == 0 || p.kind == 4 {
                return p;
            }
        }
    }

    /// The next Engine.IO frame, answering pings on the way. `Err` carries
    /// a close or a timeout.
    pub async fn next_engine(&mut self, within: Duration) -> Result<Got, Got> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match next_frame(&mut self.ws, left).await {
                Got::Text(t) if t == "2" => {
                    self.pings += 1;
                    if self.auto_pong {
                        self.send("3").await;
                    }
                }
                g @ (Got::Text(_) | Got::Binary(_)) => return Ok(g),
                g => return Err(g),
            }
        }
    }

    /// The next Socket.IO packet (skipping binary attachments), or None on
    /// close/timeout.
    pub async fn next_packet(&mut self, within: Duration) -> Option<Packet> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_engine(left).await {
                Ok(Got::Text(t)) if t.starts_with('4') => return parse_packet(&t[1..]),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    /// Reads events until one named `name` arrives; returns its argument.
    pub async fn wait_event(
        &mut self,
        within: Duration,
        name: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let p = self
                .next_packet(left)
                .await
                .unwrap_or_else(|| panic!("no {name} event in time"));
            if p.kind != 2 {
                continue;
            }
            let Ok(Value::Array(a)) = serde_json::from_str::<Value>(&p.payload) else {
                continue;
            };
            if a.len() == 2 && a[0] == name && pred(&a[1]) {
                return a[1].clone();
            }
        }
    }

    /// True when the server closed the connection within `within`.
    pub async fn closed_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_engine(left).await {
                Ok(Got::Text(t)) if t == "1" => return true,
                Ok(_) => continue,
                Err(Got::Closed) => return true,
                Err(_) => return false,
            }
        }
    }
}
