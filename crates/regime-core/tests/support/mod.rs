//! A scripted bad day: a virtual clock, a fake backend (REST from an
//! in-memory model, a plain or Socket.IO live endpoint built from raw
//! frames), and a loop that performs the connection's commands against it.
//! Like quinn-proto's `Pair::drive()`: a reconnect storm is a loop, not a sleep.
#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use regime_core::live::TransportKind;
use regime_core::machine::{
    Command, Connection, Mode, Policy, RequestId, RestOutcome, RestRequest, SocketId,
};
use regime_core::model::{
    Regime, RegimeAlert, RegimePoint, RegimeSnapshot, Side, Signal, Timestamp,
};
use regime_core::settings::{Protocol, Settings};
use regime_core::Millis;

pub const API: &str = "http://backend.test";
/// Epoch ms of the market data (2025-10-09); the virtual clock adds to it.
pub const BASE_TS: i64 = 1_760_000_000_000;

/// What the backend's live endpoint speaks.
#[derive(Clone, Debug, PartialEq)]
pub enum Speaks {
    /// A plain WebSocket at `/ws` (and a 404 at `/socket.io/`).
    Plain,
    /// Socket.IO v4 at `/socket.io/`, with these namespaces.
    SocketIo { namespaces: Vec<String> },
    /// No live endpoint at all.
    Nothing,
}

/// How REST behaves for the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rest {
    Up,
    /// Up, but without CORS headers for the page's origin.
    CorsBlocked,
    Down,
}

struct ServerSocket {
    plain: bool,
    namespace_joined: Option<String>,
    subscribed: bool,
    next_ping_at: Option<Millis>,
}

/// The fake backend.
pub struct Server {
    pub speaks: Speaks,
    pub rest: Rest,
    /// Plain: answer `{"type":"ping"}` with a pong.
    pub answer_pings: bool,
    /// Send nothing at all any more (no events, pongs or pings).
    pub silent: bool,
    /// The live endpoint refuses connections until then (a restart).
    pub down_until: Millis,
    pub ping_interval: Millis,
    pub ping_timeout: Millis,
    /// How long an accepted socket takes to open (a slow proxy), ms.
    pub open_delay: Millis,
    pub symbols: Vec<(String, Vec<String>)>,
    pub signals: Vec<Signal>,
    pub alerts: Vec<RegimeAlert>,
    pub next_signal_id: u64,
    pub next_alert_id: u64,
    /// Every REST request, as (time, url).
    pub requests: Vec<(Millis, String)>,
    /// Every client frame, as (socket, text).
    pub client_frames: Vec<(SocketId, String)>,
    /// `/api/health` `epoch`, when the backend sends one.
    pub epoch: Option<String>,
    /// `/api/signals` and `/api/alerts` answer the newest N whatever `after` says.
    pub ignore_after: bool,
    /// A page never holds more than this, whatever `limit` asks.
    pub page_cap: Option<usize>,
    /// The next N CORS-mode REST requests fail as a gateway error without
    /// CORS headers does in a browser (a network error; no-cors answers).
    pub gateway_fail_next: u32,
    /// Every REST error body is about this many bytes of `{"error":…}`.
    pub huge_errors: Option<usize>,
    /// REST answers this status (with an error body) instead, when set.
    pub rest_status: Option<u16>,
    /// The WebSocket upgrade is refused (a proxy that drops it) while
    /// Engine.IO polling still answers.
    pub upgrade_refused: bool,
    /// The backend's token, when it asks for one: REST wants
    /// `Authorization: Bearer`, the plain socket `?token=`, Socket.IO the
    /// CONNECT's auth payload.
    pub token: Option<String>,
    /// The `Authorization` of every REST request, in order.
    pub authorizations: Vec<Option<String>>,
    sockets: HashMap<SocketId, ServerSocket>,
}

impl Server {
    pub fn new(speaks: Speaks) -> Self {
        Server {
            speaks,
            rest: Rest::Up,
            answer_pings: true,
            silent: false,
            down_until: 0,
            ping_interval: 25_000,
            ping_timeout: 20_000,
            open_delay: 0,
            symbols: vec![
                ("BTCUSDT".into(), vec!["1h".into(), "5m".into()]),
                ("ETHUSDT".into(), vec!["1h".into()]),
            ],
            signals: Vec::new(),
            alerts: Vec::new(),
            next_signal_id: 1,
            next_alert_id: 1,
            requests: Vec::new(),
            client_frames: Vec::new(),
            epoch: None,
            ignore_after: false,
            page_cap: None,
            gateway_fail_next: 0,
            huge_errors: None,
            rest_status: None,
            upgrade_refused: false,
            token: None,
            authorizations: Vec::new(),
            sockets: HashMap::new(),
        }
    }

    pub fn socketio(namespace: &str) -> Self {
        Server::new(Speaks::SocketIo {
            namespaces: vec![namespace.to_string()],
        })
    }

    fn sio_prefix(ns: &str) -> String {
        if ns == "/" {
            String::new()
        } else {
            format!("{ns},")
        }
    }

    fn rest_up(&self, now: Millis) -> bool {
        now >= self.down_until && self.rest != Rest::Down
    }

    /// One REST answer from the in-memory model.
    fn answer(
        &mut self,
        now: Millis,
        url: &str,
        what: &RestRequest,
        opaque: bool,
        authorization: Option<String>,
    ) -> RestOutcome {
        self.requests.push((now, url.to_string()));
        self.authorizations.push(authorization.clone());
        let failed = RestOutcome::NetworkError {
            message: "TypeError: Failed to fetch".into(),
        };
        if !self.rest_up(now) {
            return failed;
        }
        if opaque {
            return RestOutcome::Answered {
                status: 0,
                body: String::new(),
            };
        }
        if self.rest == Rest::CorsBlocked {
            return failed;
        }
        if self.gateway_fail_next > 0 {
            self.gateway_fail_next -= 1;
            return failed;
        }
        if let Some(token) = &self.token {
            let wanted = format!("Bearer {token}");
            if *what != RestRequest::SocketIoProbe
                && authorization.as_deref() != Some(wanted.as_str())
            {
                return RestOutcome::Answered {
                    status: 401,
                    body: r#"{"error":"unauthorized"}"#.into(),
                };
            }
        }
        if let Some(status) = self.rest_status {
            let error = "e".repeat(self.huge_errors.unwrap_or(10));
            return RestOutcome::Answered {
                status,
                body: format!(r#"{{"error":"{error}"}}"#),
            };
        }
        let ok = |body: String| RestOutcome::Answered { status: 200, body };
        let limit = query_value(url, "limit")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(100)
            .min(self.page_cap.unwrap_or(usize::MAX));
        let after = |a: &Option<u64>| if self.ignore_after { None } else { *a };
        match what {
            RestRequest::Health => ok(match &self.epoch {
                Some(e) => format!(r#"{{"status":"ok","version":"fake-1.0","epoch":"{e}"}}"#),
                None => r#"{"status":"ok","time":"2025-10-09T12:00:00Z","version":"fake-1.0"}"#.into(),
            }),
            RestRequest::Reachability => ok("{}".into()),
            RestRequest::Symbols => {
                let list: Vec<String> = self
                    .symbols
                    .iter()
                    .map(|(s, tfs)| format!(r#"{{"symbol":"{s}","timeframes":{}}}"#, serde_json::to_string(tfs).unwrap()))
                    .collect();
                ok(format!(r#"{{"symbols":[{}]}}"#, list.join(",")))
            }
            RestRequest::Regime { symbol, timeframe } => {
                if !self.symbols.iter().any(|(s, _)| s == symbol) {
                    return RestOutcome::Answered { status: 404, body: r#"{"error":"unknown symbol"}"#.into() };
                }
                ok(serde_json::to_string(&snapshot(symbol, timeframe, BASE_TS + now as i64)).unwrap())
            }
            RestRequest::History { symbol, timeframe } => {
                let points: Vec<RegimePoint> = (0..5)
                    .map(|i| RegimePoint {
                        timestamp: Timestamp(BASE_TS - (5 - i) * 3_600_000),
                        regime: Regime::Range,
                        adx: 20.0,
                        atr_pct: 0.01,
                        close: None,
                    })
                    .collect();
                ok(format!(
                    r#"{{"symbol":"{symbol}","timeframe":"{timeframe}","points":{}}}"#,
                    serde_json::to_string(&points).unwrap()
                ))
            }
            RestRequest::Signals { after: a } => {
                let page = page_of(&self.signals, after(a), limit, |s| s.id);
                ok(format!(r#"{{"signals":{}}}"#, serde_json::to_string(&page).unwrap()))
            }
            RestRequest::Alerts { after: a } => {
                let page = page_of(&self.alerts, after(a), limit, |a| a.id);
                ok(format!(r#"{{"alerts":{}}}"#, serde_json::to_string(&page).unwrap()))
            }
            RestRequest::SocketIoProbe => match self.speaks {
                Speaks::SocketIo { .. } => ok(
                    r#"0{"sid":"probe","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#.into(),
                ),
                _ => RestOutcome::Answered { status: 404, body: r#"{"detail":"Not Found"}"#.into() },
            },
        }
    }
}

/// REST `after` semantics: ids above `after`, ascending, at most `limit`;
/// without `after`, the newest `limit`.
fn page_of<T: Clone>(
    items: &[T],
    after: Option<u64>,
    limit: usize,
    id: impl Fn(&T) -> u64,
) -> Vec<T> {
    match after {
        Some(a) => items
            .iter()
            .filter(|x| id(x) > a)
            .take(limit)
            .cloned()
            .collect(),
        None => items[items.len().saturating_sub(limit)..].to_vec(),
    }
}

pub fn query_value(url: &str, key: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")).map(String::from))
}

pub fn snapshot(symbol: &str, timeframe: &str, ts: i64) -> RegimeSnapshot {
    RegimeSnapshot {
        symbol: symbol.into(),
        timeframe: timeframe.into(),
        regime: Regime::TrendUp,
        adx: 27.0,
        atr_pct: 0.015,
        timestamp: Timestamp(ts),
        plus_di: None,
        minus_di: None,
        close: Some(64_000.0),
    }
}

pub fn signal(id: u64) -> Signal {
    Signal {
        id,
        symbol: "BTCUSDT".into(),
        timeframe: "1h".into(),
        side: Side::Long,
        price: 64_000.0 + id as f64,
        timestamp: Timestamp(1_760_000_000_000 + id as i64),
        strategy: Some("adx-breakout".into()),
        confidence: Some(0.7),
        note: None,
    }
}

pub fn alert(id: u64) -> RegimeAlert {
    RegimeAlert {
        id,
        symbol: "BTCUSDT".into(),
        timeframe: "1h".into(),
        from: Regime::Range,
        to: Regime::TrendUp,
        adx: 27.0,
        atr_pct: Some(0.018),
        timestamp: Timestamp(1_760_000_000_000 + id as i64),
        message: Some("ADX crossed 25".into()),
    }
}

pub fn settings(protocol: Protocol) -> Settings {
    let mut s = Settings::defaults(API);
    s.protocol = protocol;
    s
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Delivery {
    Open(SocketId),
    Text(SocketId, String),
    Error(SocketId),
    Closed(SocketId, u16),
    /// The browser would not create the socket, in its words.
    Refused(SocketId, String),
    Rest(RequestId, RestOutcomeOrd),
    /// The live Worker skipped this many frames (see `Sim::lose_live`).
    Gap(SocketId, u64),
}

/// `RestOutcome` ordered for the event queue (ties broken by sequence anyway).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RestOutcomeOrd {
    Answered(u16, String),
    Network(String),
    Aborted,
}

impl From<RestOutcome> for RestOutcomeOrd {
    fn from(o: RestOutcome) -> Self {
        match o {
            RestOutcome::Answered { status, body } => RestOutcomeOrd::Answered(status, body),
            RestOutcome::NetworkError { message } => RestOutcomeOrd::Network(message),
            RestOutcome::Aborted => RestOutcomeOrd::Aborted,
        }
    }
}

impl From<RestOutcomeOrd> for RestOutcome {
    fn from(o: RestOutcomeOrd) -> Self {
        match o {
            RestOutcomeOrd::Answered(status, body) => RestOutcome::Answered { status, body },
            RestOutcomeOrd::Network(message) => RestOutcome::NetworkError { message },
            RestOutcomeOrd::Aborted => RestOutcome::Aborted,
        }
    }
}

/// The page, the network and the backend, on one virtual clock.
pub struct Sim {
    pub now: Millis,
    pub conn: Connection,
    pub server: Server,
    /// Network latency each way, ms.
    pub latency: Millis,
    /// Every command the connection gave, with its time.
    pub log: Vec<(Millis, Command)>,
    /// Answer REST requests only when the test says so.
    pub hold_rest: bool,
    /// The browser refuses to create every socket (a blocked port, a
    /// malformed URL), with these words, until it is `None` again.
    pub browser_refuses: Option<String>,
    pub held: Vec<(RequestId, RestRequest, String)>,
    queue: BinaryHeap<Reverse<(Millis, u64, Delivery)>>,
    seq: u64,
    /// Sockets the client asked to open that the server accepted.
    live_sockets: Vec<SocketId>,
    /// While set, live frames longer than a heartbeat are lost on the way
    /// (as a full live Worker queue skips them) and counted in `lost`; the
    /// next frame kept after them is preceded by the Worker's gap report.
    pub lose_live: bool,
    pub lost: u64,
    lost_unreported: u64,
    /// Extra delay of every live frame, ms: a page behind on its live
    /// queue (a flood waiting in the Worker), while REST answers at once.
    pub live_lag: Millis,
}

impl Sim {
    pub fn new(server: Server, settings: Settings) -> Self {
        Sim::with_policy(server, settings, Policy::default())
    }

    pub fn with_policy(server: Server, settings: Settings, policy: Policy) -> Self {
        Sim {
            now: 1_000_000,
            conn: Connection::new(settings, policy, 0x5EED),
            server,
            latency: 20,
            log: Vec::new(),
            hold_rest: false,
            browser_refuses: None,
            held: Vec::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            live_sockets: Vec::new(),
            lose_live: false,
            lost: 0,
            lost_unreported: 0,
            live_lag: 0,
        }
    }

    pub fn start(&mut self) {
        self.conn.start(self.now);
        self.perform();
    }

    pub fn mode(&self) -> Mode {
        self.conn.mode()
    }

    fn push(&mut self, at: Millis, d: Delivery) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq, d)));
    }

    fn send_to_client(&mut self, socket: SocketId, text: String) {
        if self.lose_live && text.len() > 16 {
            self.lost += 1;
            self.lost_unreported += 1;
            return;
        }
        if !self.lose_live && self.lost_unreported > 0 {
            let at = self.now + self.latency + self.live_lag;
            let n = std::mem::take(&mut self.lost_unreported);
            self.push(at, Delivery::Gap(socket, n));
        }
        if !self.server.silent {
            let at = self.now + self.latency + self.live_lag;
            self.push(at, Delivery::Text(socket, text));
        }
    }

    /// Performs every pending command against the fake backend.
    pub fn perform(&mut self) {
        while let Some(cmd) = self.conn.poll_command() {
            self.log.push((self.now, cmd.clone()));
            match cmd {
                Command::OpenSocket { socket, url, .. } => self.open(socket, &url),
                Command::Send { socket, text } => self.client_text(socket, text),
                Command::CloseSocket { socket } => {
                    self.server.sockets.remove(&socket);
                    self.live_sockets.retain(|s| *s != socket);
                    let at = self.now + self.latency;
                    self.push(at, Delivery::Closed(socket, 1000));
                }
                Command::Fetch {
                    request,
                    url,
                    what,
                    opaque,
                    authorization,
                } => {
                    if self.hold_rest {
                        self.held.push((request, what, url));
                    } else {
                        let authorization = authorization.map(|t| t.bearer());
                        let outcome =
                            self.server
                                .answer(self.now, &url, &what, opaque, authorization);
                        let at = self.now + self.latency * 2;
                        self.push(at, Delivery::Rest(request, outcome.into()));
                    }
                }
                Command::CancelFetch { request } => {
                    self.held.retain(|(r, _, _)| *r != request);
                    let pending: Vec<_> = self.queue.drain().collect();
                    for Reverse((at, seq, d)) in pending {
                        let cancelled = matches!(&d, Delivery::Rest(r, _) if *r == request);
                        let d = if cancelled {
                            Delivery::Rest(request, RestOutcomeOrd::Aborted)
                        } else {
                            d
                        };
                        self.queue.push(Reverse((at, seq, d)));
                    }
                }
            }
        }
    }

    /// Answers the held REST requests now (those matching `keep` stay held).
    pub fn release_rest(&mut self) {
        let held = std::mem::take(&mut self.held);
        for (request, what, url) in held {
            let outcome = self.server.answer(
                self.now,
                &url,
                &what,
                what == RestRequest::Reachability,
                None,
            );
            let at = self.now + self.latency;
            self.push(at, Delivery::Rest(request, outcome.into()));
        }
    }

    fn open(&mut self, socket: SocketId, url: &str) {
        if let Some(words) = self.browser_refuses.clone() {
            // The constructor throws: the adapter says so at once.
            let now = self.now;
            self.push(now, Delivery::Refused(socket, words));
            return;
        }
        let at = self.now + self.latency;
        let sio_path = url.contains("/socket.io/");
        let accepted = self.now >= self.server.down_until
            && !self.server.upgrade_refused
            && match &self.server.speaks {
                Speaks::Plain => !sio_path,
                Speaks::SocketIo { .. } => sio_path,
                Speaks::Nothing => false,
            }
            && match (&self.server.token, self.server.speaks == Speaks::Plain) {
                (Some(token), true) => {
                    let query = url.split_once('?').map_or("", |(_, q)| q);
                    regime_core::wire::url::parse_query(query)
                        .iter()
                        .any(|(k, v)| k == "token" && v == token)
                }
                _ => true,
            };
        if !accepted {
            // What a browser shows for a refused upgrade: error, then 1006.
            self.push(at, Delivery::Error(socket));
            self.push(at, Delivery::Closed(socket, 1006));
            return;
        }
        let at = at + self.server.open_delay;
        self.live_sockets.push(socket);
        let plain = self.server.speaks == Speaks::Plain;
        self.server.sockets.insert(
            socket,
            ServerSocket {
                plain,
                namespace_joined: None,
                subscribed: false,
                next_ping_at: None,
            },
        );
        self.push(at, Delivery::Open(socket));
        if !plain {
            let open = format!(
                r#"0{{"sid":"eio{socket}","upgrades":[],"pingInterval":{},"pingTimeout":{},"maxPayload":1000000}}"#,
                self.server.ping_interval, self.server.ping_timeout
            );
            self.push(at + 1, Delivery::Text(socket, open));
            let next = self.now + self.server.ping_interval.max(self.latency + 2);
            if let Some(s) = self.server.sockets.get_mut(&socket) {
                s.next_ping_at = Some(next);
            }
        }
    }

    fn client_text(&mut self, socket: SocketId, text: String) {
        self.server.client_frames.push((socket, text.clone()));
        let Some(s) = self.server.sockets.get_mut(&socket) else {
            return;
        };
        if s.plain {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            match v["type"].as_str() {
                Some("subscribe") => s.subscribed = true,
                Some("ping") if self.server.answer_pings => {
                    let id = v["id"].clone();
                    self.send_to_client(socket, format!(r#"{{"type":"pong","id":{id}}}"#));
                }
                _ => {}
            }
            return;
        }
        let Speaks::SocketIo { namespaces } = &self.server.speaks else {
            return;
        };
        if let Some(rest) = text.strip_prefix("40") {
            let ns = if rest.starts_with('/') {
                rest.split(',').next().unwrap_or("/").to_string()
            } else {
                "/".into()
            };
            let prefix = Server::sio_prefix(&ns);
            let authorized = match &self.server.token {
                Some(token) => rest.contains(&format!(r#""token":"{token}""#)),
                None => true,
            };
            if namespaces.contains(&ns) && !authorized {
                self.send_to_client(socket, format!(r#"44{prefix}{{"message":"unauthorized"}}"#));
            } else if namespaces.contains(&ns) {
                s.namespace_joined = Some(ns.clone());
                self.send_to_client(socket, format!(r#"40{prefix}{{"sid":"sio{socket}"}}"#));
            } else {
                self.send_to_client(
                    socket,
                    format!(r#"44{prefix}{{"message":"Invalid namespace"}}"#),
                );
            }
        } else if text.starts_with("42") && text.contains("\"subscribe\"") {
            s.subscribed = true;
        }
    }

    /// Frames for every subscribed socket, in its protocol.
    fn broadcast(&mut self, name: &str, data: &str) {
        let targets: Vec<(SocketId, bool, Option<String>)> = self
            .server
            .sockets
            .iter()
            .filter(|(_, s)| s.subscribed)
            .map(|(id, s)| (*id, s.plain, s.namespace_joined.clone()))
            .collect();
        for (socket, plain, ns) in targets {
            let frame = if plain {
                format!(r#"{{"type":"{name}","data":{data}}}"#)
            } else {
                format!(
                    r#"42{}["{name}",{data}]"#,
                    Server::sio_prefix(ns.as_deref().unwrap_or("/"))
                )
            };
            self.send_to_client(socket, frame);
        }
    }

    /// The backend makes a new signal: kept for REST, sent live.
    pub fn emit_signal(&mut self) -> u64 {
        let id = self.server.next_signal_id;
        self.server.next_signal_id += 1;
        // Stamped with the virtual clock: a new backend run's signal 3 is
        // another event than the old run's signal 3.
        let s = Signal {
            timestamp: Timestamp(BASE_TS + self.now as i64),
            ..signal(id)
        };
        let data = serde_json::to_string(&s).unwrap();
        self.server.signals.push(s);
        self.broadcast("signal", &data);
        id
    }

    pub fn emit_alert(&mut self) -> u64 {
        let id = self.server.next_alert_id;
        self.server.next_alert_id += 1;
        let a = RegimeAlert {
            timestamp: Timestamp(BASE_TS + self.now as i64),
            ..alert(id)
        };
        let data = serde_json::to_string(&a).unwrap();
        self.server.alerts.push(a);
        self.broadcast("regime:alert", &data);
        id
    }

    pub fn emit_regime(&mut self, symbol: &str, timeframe: &str) {
        let data =
            serde_json::to_string(&snapshot(symbol, timeframe, BASE_TS + self.now as i64)).unwrap();
        self.broadcast("regime", &data);
    }

    /// A raw text frame to every open socket.
    pub fn emit_raw(&mut self, text: &str) {
        let sockets: Vec<SocketId> = self.server.sockets.keys().copied().collect();
        for s in sockets {
            self.send_to_client(s, text.to_string());
        }
    }

    /// The backend process dies and comes back `down_for` ms later: every
    /// socket drops (1006), REST and the live endpoint refuse until then.
    pub fn restart_server(&mut self, down_for: Millis) {
        let sockets: Vec<SocketId> = self.server.sockets.drain().map(|(id, _)| id).collect();
        for s in sockets {
            let at = self.now + 1;
            self.push(at, Delivery::Closed(s, 1006));
        }
        self.live_sockets.clear();
        self.server.down_until = self.now + down_for;
    }

    /// A redeploy of a backend that keeps its signals in memory: it goes
    /// away for `down_for` ms and comes back empty, numbering from 1 again,
    /// with a new epoch if it sends one.
    pub fn redeploy_server(&mut self, down_for: Millis) {
        self.restart_server(down_for);
        self.server.signals.clear();
        self.server.alerts.clear();
        self.server.next_signal_id = 1;
        self.server.next_alert_id = 1;
        if let Some(e) = &self.server.epoch {
            self.server.epoch = Some(format!("{e}+"));
        }
    }

    /// Every alert held, as (run, id), oldest first.
    pub fn alert_runs(&self) -> Vec<(u32, u64)> {
        self.conn
            .store()
            .alerts()
            .oldest_first()
            .map(|a| (a.run, a.value.id))
            .collect()
    }

    fn next_server_ping(&self) -> Option<Millis> {
        if self.server.silent {
            return None;
        }
        self.server
            .sockets
            .values()
            .filter_map(|s| s.next_ping_at)
            .min()
    }

    /// Runs the world until `until`, delivering everything due in order.
    pub fn run_until(&mut self, until: Millis) {
        let mut guard = 0u64;
        loop {
            self.perform();
            let next_delivery = self.queue.peek().map(|Reverse((at, _, _))| *at);
            let next = [
                next_delivery,
                self.conn.poll_timeout(),
                self.next_server_ping(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                }
                _ => {
                    self.now = until;
                    self.conn.handle_timeout(until);
                    self.perform();
                    return;
                }
            }
            guard += 1;
            assert!(
                guard < 5_000_000,
                "the simulation does not advance at {}",
                self.now
            );
            if next_delivery.is_some_and(|t| t <= self.now) {
                let Reverse((_, _, d)) = self.queue.pop().unwrap();
                self.deliver(d);
            } else if self.next_server_ping().is_some_and(|t| t <= self.now) {
                let now = self.now;
                // A server announcing 0 still needs time between pings.
                let interval = self.server.ping_interval.max(1);
                let due: Vec<SocketId> = self
                    .server
                    .sockets
                    .iter_mut()
                    .filter(|(_, s)| s.next_ping_at.is_some_and(|t| t <= now))
                    .map(|(id, s)| {
                        s.next_ping_at = Some(now + interval);
                        *id
                    })
                    .collect();
                for s in due {
                    self.send_to_client(s, "2".into());
                }
            } else {
                self.conn.handle_timeout(self.now);
            }
        }
    }

    pub fn run_for(&mut self, ms: Millis) {
        let until = self.now + ms;
        self.run_until(until);
    }

    fn deliver(&mut self, d: Delivery) {
        let now = self.now;
        match d {
            Delivery::Open(s) => self.conn.handle_socket_open(now, s),
            Delivery::Text(s, t) => self.conn.handle_socket_text(now, s, &t),
            Delivery::Error(s) => self.conn.handle_socket_error(now, s),
            Delivery::Closed(s, code) => {
                self.server.sockets.remove(&s);
                self.conn
                    .handle_socket_closed(now, s, code, "", code == 1000)
            }
            Delivery::Refused(s, words) => self.conn.handle_socket_refused(now, s, &words),
            Delivery::Rest(r, o) => self.conn.handle_rest(now, r, o.into()),
            Delivery::Gap(s, n) => self.conn.handle_socket_gap(now, s, n),
        }
    }

    /// Runs until the mode is `mode` (at most `limit` ms); returns how long it took.
    pub fn run_until_mode(&mut self, mode: Mode, limit: Millis) -> Millis {
        let start = self.now;
        while self.conn.mode() != mode {
            assert!(
                self.now - start <= limit,
                "not {mode:?} after {limit} ms: {:?}",
                self.conn.status()
            );
            self.run_for(10);
        }
        self.now - start
    }

    /// The socket currently open on the server side, if any.
    pub fn open_socket(&self) -> Option<SocketId> {
        self.live_sockets.last().copied()
    }

    /// Fetch commands of one kind given so far.
    pub fn fetches(
        &self,
        pred: impl Fn(&RestRequest) -> bool,
    ) -> Vec<(Millis, RequestId, RestRequest)> {
        self.log
            .iter()
            .filter_map(|(t, c)| match c {
                Command::Fetch { request, what, .. } if pred(what) => {
                    Some((*t, *request, what.clone()))
                }
                _ => None,
            })
            .collect()
    }

    pub fn opened_kinds(&self) -> Vec<TransportKind> {
        self.log
            .iter()
            .filter_map(|(_, c)| match c {
                Command::OpenSocket { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect()
    }

    pub fn problem_sentences(&self) -> Vec<String> {
        self.conn
            .status()
            .problems
            .iter()
            .map(|p| p.sentence.clone())
            .collect()
    }

    pub fn has_problem(&self, kind: regime_core::diagnosis::DiagnosisKind) -> bool {
        self.conn.status().problems.iter().any(|p| p.kind == kind)
    }

    /// The ids of the current backend run, oldest first.
    pub fn signal_ids(&self) -> Vec<u64> {
        let ring = self.conn.store().signals();
        ring.oldest_first()
            .filter(|s| s.run == ring.run())
            .map(|s| s.value.id)
            .collect()
    }

    /// Every signal held, as (run, id), oldest first.
    pub fn signal_runs(&self) -> Vec<(u32, u64)> {
        self.conn
            .store()
            .signals()
            .oldest_first()
            .map(|s| (s.run, s.value.id))
            .collect()
    }
}

/// The ids of one backend run among `(run, id)` pairs, in their order.
pub fn ids_of_run(pairs: Vec<(u32, u64)>, run: u32) -> Vec<u64> {
    pairs
        .into_iter()
        .filter(|(r, _)| *r == run)
        .map(|(_, id)| id)
        .collect()
}
