//! The connection state machine (PROTOCOL.md §6): which mode the page is in,
//! when to (re)open the live socket, what to ask REST for, what to keep, and
//! what went wrong, in words.
//!
//! quinn-proto's shape: `handle_*` for what arrives (socket events, REST
//! answers, timeouts, browser events), mutators for what the user asks
//! (`select`, `user_reconnect`), `poll_*` for what the caller must do next
//! (`poll_command`, `poll_timeout`), getters for what the page draws. Time is
//! always an argument; every `handle_*` also runs whatever deadline has
//! passed, so a throttled background-tab timer costs lateness, never a wrong
//! state.
//!
//! This file holds the public face; each job of the machine has a file of
//! its own, and each adds its part to [`Connection`]:
//!
//! | file | job |
//! |---|---|
//! | `policy` | every number of the connection behaviour, with its default |
//! | `deadlines` | every deadline in one table: `poll_timeout`, and the step that ends every input |
//! | `attempt` | the one live socket at a time, its phase and failures, the transport choice |
//! | `recovery` | the signal and alert feeds: `after` paging, a backend's new run, live items held back |
//! | `rest` | requests in flight, URLs, answers, retries, the overview's fan-out, polling |
//! | `problems` | what the health panel lists, and when it is gone |
//! | `traffic` | live messages counted, and their rate |
//! | `mode` | the badge: Connecting, Live, API or Offline |
//! | `auth` | the token: what each request carries, refusals, a new token |
//! | `matrix` | the "Regimes by timeframe" matrix: the rows shown, their cells fetched a few at a time |

mod attempt;
mod auth;
mod deadlines;
mod matrix;
mod mode;
mod policy;
mod problems;
mod recovery;
mod rest;
mod traffic;

use std::collections::VecDeque;

use crate::backoff::{Backoff, BackoffConfig, Xorshift64};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::live::TransportKind;
use crate::model::{ClipTexts, RegimeAlert, RegimeSnapshot};
use crate::session::{LiveSession, PlainSessionConfig, SocketIoSessionConfig};
use crate::settings::{Protocol, Settings};
use crate::store::{Insert, Store, WallClock};
use crate::wire::url::redact_token;
use crate::Millis;

use attempt::{Attempt, Failure, FailureStreak, TransportChoice};
use auth::Auth;
use matrix::Matrix;
use problems::Problems;
use recovery::{Feed, FeedQuery, Recovery};
use rest::Rest;
use traffic::Traffic;

pub use matrix::MATRIX_MAX_COLUMNS;
pub use mode::Mode;
pub use policy::Policy;

/// A live socket, numbered afresh for every attempt: events that carry an
/// older number belong to a socket already given up, and are ignored.
pub type SocketId = u64;

/// A REST request, numbered afresh for every fetch.
pub type RequestId = u64;

/// What the caller must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Open a WebSocket to `url`; report it with `handle_socket_*(socket, …)`.
    OpenSocket {
        socket: SocketId,
        url: String,
        kind: TransportKind,
    },
    /// Send a text frame.
    Send { socket: SocketId, text: String },
    /// Close the socket; its later events are ignored.
    CloseSocket { socket: SocketId },
    /// GET `url`; report with `handle_rest(request, …)`. `opaque`: a
    /// `no-cors` request, whose answer is opaque (status 0).
    /// `authorization`: send `Authorization: Bearer <token>` (see
    /// [`Token::bearer`](crate::token::Token::bearer)).
    Fetch {
        request: RequestId,
        url: String,
        what: RestRequest,
        opaque: bool,
        authorization: Option<crate::token::Token>,
    },
    /// Abort a fetch; its answer, if it still comes, is ignored.
    CancelFetch { request: RequestId },
}

/// Which REST question a fetch asks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RestRequest {
    Health,
    Symbols,
    Regime {
        symbol: String,
        timeframe: String,
    },
    History {
        symbol: String,
        timeframe: String,
    },
    Signals {
        after: Option<u64>,
    },
    Alerts {
        after: Option<u64>,
    },
    /// `GET {api}/socket.io/?EIO=4&transport=polling`: is there a Socket.IO server?
    SocketIoProbe,
    /// A `no-cors` GET of the API host: up (CORS blocks us) or down?
    Reachability,
}

impl RestRequest {
    /// The path, for diagnosis: `/api/signals`.
    pub fn endpoint(&self) -> &'static str {
        match self {
            RestRequest::Health | RestRequest::Reachability => "/api/health",
            RestRequest::Symbols => "/api/symbols",
            RestRequest::Regime { .. } => "/api/regime",
            RestRequest::History { .. } => "/api/regime/history",
            RestRequest::Signals { .. } => "/api/signals",
            RestRequest::Alerts { .. } => "/api/alerts",
            RestRequest::SocketIoProbe => "/socket.io/",
        }
    }
}

/// How a fetch ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestOutcome {
    /// An HTTP answer (status 0 for an opaque `no-cors` answer).
    Answered { status: u16, body: String },
    /// The fetch failed: network down, host down, CORS, DNS (the browser
    /// does not say which).
    NetworkError { message: String },
    /// Cancelled by a `CancelFetch`.
    Aborted,
}

/// Everything the health panel and the badge show.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub mode: Mode,
    /// The live transport while Live; `None`: REST only.
    pub transport: Option<TransportKind>,
    /// The live URL last tried (empty with protocol=off). With
    /// protocol=auto, until its probe decided: both candidates, as
    /// `"{plain} or {socketio}"` (plain first: the fallback when the probe
    /// cannot tell).
    pub live_url: String,
    pub api_url: String,
    /// The most important first.
    pub problems: Vec<Diagnosis>,
    pub last_error: Option<String>,
    /// Consecutive live attempts that failed since the last good connection.
    pub retries: u32,
    /// When the next live attempt is due.
    pub next_retry_at: Option<Millis>,
    /// Live frames received (text and binary); a batch is one frame.
    pub messages_total: u64,
    /// Of those, batch frames (PROTOCOL.md §3, "Batches"), and the elements
    /// they carried (good and bad).
    pub batches: u64,
    pub batched_elements: u64,
    /// Live frames per second over the last `rate_window_ms`.
    pub messages_per_sec: f64,
    pub last_message_at: Option<Millis>,
    /// Plain: the last ping round trip.
    pub rtt_ms: Option<Millis>,
    /// Live frames skipped as malformed.
    pub malformed: u64,
    pub last_malformed_reason: Option<String>,
    /// Signals and alerts that REST `after` queries brought that were not held.
    pub recovered: u64,
    /// Times the live Worker's queue was full because the page did not keep
    /// up, and the live frames it skipped then (fetched again over REST).
    pub live_gaps: u64,
    pub live_skipped: u64,
    /// Binary attachments skipped (Socket.IO binary events).
    pub binary_skipped: u64,
    pub backend_version: Option<String>,
    /// Plain: whether the server answers pings (None until known).
    pub pongs_supported: Option<bool>,
    /// REST answers that could not be read.
    pub rest_invalid: u64,
    /// A token is set for this backend ("token: set"); never the token.
    pub token_set: bool,
    /// When the last live market event (`regime` or `price`) of the current
    /// live connection came; `None` before the first one and off Live. The
    /// badge says `● Live` only while this is recent (see `live_silence_ms`).
    pub live_market_at: Option<Millis>,
    /// When the last live signal or alert of the current live connection came.
    pub live_feed_at: Option<Millis>,
    /// Live data older than this is no longer "live" for the badge, ms (the
    /// policy's `no_regime_warning_ms`).
    pub live_silence_ms: Millis,
}

/// An alert that is news (live or recovered), for a toast. `run` tells the
/// backend's runs apart: a new run's alert 5 is not the old run's alert 5.
#[derive(Clone, Debug, PartialEq)]
pub struct FreshAlert {
    pub run: u32,
    pub alert: RegimeAlert,
}

/// What changed since the last [`Connection::take_changes`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Anything of [`Status`] but the traffic figures below.
    pub status: bool,
    /// Only the traffic figures of [`Status`] (`messages_total`,
    /// `last_message_at`, `messages_per_sec`): they change with every live
    /// frame, so a view may refresh them at its own, slower pace.
    pub traffic: bool,
    pub snapshots: bool,
    pub history: bool,
    pub signals: bool,
    pub alerts: bool,
    pub prices: bool,
    pub symbols: bool,
    /// The selected symbol/timeframe.
    pub selection: bool,
    /// The matrix's rows shown.
    pub matrix: bool,
}

impl Changes {
    pub fn any(&self) -> bool {
        self.status
            || self.traffic
            || self.snapshots
            || self.history
            || self.signals
            || self.alerts
            || self.prices
            || self.symbols
            || self.selection
            || self.matrix
    }
}

/// The dashboard's connection: live socket, REST, stores and diagnosis.
pub struct Connection {
    settings: Settings,
    policy: Policy,
    /// The jitter of the reconnect and REST retry delays.
    rng: Xorshift64,
    /// The delays between live attempts.
    backoff: Backoff,
    /// What the caller must do, oldest first.
    commands: VecDeque<Command>,
    status: Status,
    store: Store,
    changes: Changes,
    fresh_alerts: Vec<FreshAlert>,
    /// (symbol, timeframe) shown, once known.
    selection: Option<(String, String)>,
    /// When `start` was called.
    started_at: Option<Millis>,
    /// What the browser says of the network.
    online: bool,
    /// The number of the next live socket.
    next_socket: SocketId,
    /// The live socket, from `OpenSocket` until it is given up.
    attempt: Option<Attempt>,
    /// When the next live attempt is due.
    retry_at: Option<Millis>,
    choice: TransportChoice,
    streak: FailureStreak,
    /// The first live attempt ended, or its grace did.
    first_attempt_done: bool,
    /// Socket.IO's recovery pid and last offset, for the next CONNECT.
    socketio_recovery: Option<(String, String)>,
    rest: Rest,
    recovery: Recovery,
    problems: Problems,
    traffic: Traffic,
    /// A live connection was Ready at least once.
    was_live: bool,
    /// The token's refusals and acceptances.
    auth: Auth,
    /// The "Regimes by timeframe" matrix: rows shown, cells to fetch.
    matrix: Matrix,
}

impl Connection {
    /// A connection that does nothing until [`start`](Self::start). `seed`
    /// seeds the reconnect jitter.
    pub fn new(settings: Settings, policy: Policy, seed: u64) -> Self {
        let backoff = Backoff::new(BackoffConfig {
            base_ms: policy.backoff_base_ms,
            factor: policy.backoff_factor,
            cap_ms: policy.backoff_cap_ms,
            stable_reset_ms: policy.stable_reset_ms,
        });
        // protocol=auto shows what it will try before its probe decides.
        let live_url = match settings.protocol {
            Protocol::Auto => format!(
                "{} or {}",
                redact_token(&settings.live_url(TransportKind::Plain)),
                redact_token(&settings.live_url(TransportKind::SocketIo))
            ),
            Protocol::Native | Protocol::SocketIo | Protocol::Off => String::new(),
        };
        let status = Status {
            mode: Mode::Connecting,
            transport: None,
            live_url,
            api_url: settings.api.clone(),
            problems: Vec::new(),
            last_error: None,
            retries: 0,
            next_retry_at: None,
            messages_total: 0,
            messages_per_sec: 0.0,
            last_message_at: None,
            rtt_ms: None,
            malformed: 0,
            last_malformed_reason: None,
            recovered: 0,
            binary_skipped: 0,
            live_gaps: 0,
            live_skipped: 0,
            batches: 0,
            batched_elements: 0,
            backend_version: None,
            pongs_supported: None,
            rest_invalid: 0,
            token_set: false,
            live_market_at: None,
            live_feed_at: None,
            live_silence_ms: policy.no_regime_warning_ms,
        };
        let choice = TransportChoice::new(settings.protocol);
        let mut connection = Connection {
            store: Store::new(policy.limits),
            settings,
            policy,
            rng: Xorshift64::new(seed),
            backoff,
            commands: VecDeque::new(),
            status,
            changes: Changes::default(),
            fresh_alerts: Vec::new(),
            selection: None,
            started_at: None,
            online: true,
            next_socket: 1,
            attempt: None,
            retry_at: None,
            choice,
            streak: FailureStreak::default(),
            first_attempt_done: false,
            socketio_recovery: None,
            rest: Rest::new(&policy),
            recovery: Recovery::default(),
            problems: Problems::default(),
            traffic: Traffic::default(),
            was_live: false,
            auth: Auth::default(),
            matrix: Matrix::new(policy.matrix_rows),
        };
        connection.status.token_set = connection.token_is_set();
        connection
    }

    /// This computer's clock: `wall_ms` (epoch ms) at the caller's `now`.
    /// Backend timestamps far from it are flagged, and never make later
    /// data look older. Without it, timestamps are ordered as they are.
    pub fn set_wall_clock(&mut self, now: Millis, wall_ms: i64) {
        self.store.set_wall_clock(WallClock {
            offset_ms: wall_ms.saturating_sub(now as i64),
            ahead_ms: self.policy.clock_ahead_ms.min(i64::MAX as Millis) as i64,
        });
    }

    // ------------------------------------------------------------------
    // Getters
    // ------------------------------------------------------------------

    pub fn mode(&self) -> Mode {
        self.status.mode
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// (symbol, timeframe) shown, once known.
    pub fn selection(&self) -> Option<(&str, &str)> {
        self.selection
            .as_ref()
            .map(|(s, t)| (s.as_str(), t.as_str()))
    }

    /// True while the shown selection's `/api/regime/history` request is in
    /// flight: until it answers, no history is not yet "no history".
    pub fn history_in_flight(&self) -> bool {
        let Some((symbol, timeframe)) = self.selection() else {
            return false;
        };
        self.rest.in_flight.iter().any(|f| {
            matches!(&f.what, RestRequest::History { symbol: s, timeframe: t } if s == symbol && t == timeframe)
        })
    }

    /// The transport in use or being tried (`None` before protocol=auto
    /// decided, and with protocol=off).
    pub fn transport_choice(&self) -> Option<TransportKind> {
        self.choice.kind
    }

    /// What changed since the last call.
    pub fn take_changes(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// Alerts that arrived after the initial load (live or recovered), for
    /// toasts. Bounded by twice the alerts limit or a REST page, the
    /// larger: one answer's new alerts and as many live ones all reach a
    /// page that drains them each frame (a burst toast counts them all); a
    /// tab that never drains keeps the newest.
    pub fn drain_fresh_alerts(&mut self) -> Vec<FreshAlert> {
        std::mem::take(&mut self.fresh_alerts)
    }

    // ------------------------------------------------------------------
    // Outputs
    // ------------------------------------------------------------------

    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// The next moment `handle_timeout` has work to do.
    pub fn poll_timeout(&self) -> Option<Millis> {
        self.next_deadline()
    }

    // ------------------------------------------------------------------
    // Inputs: the application
    // ------------------------------------------------------------------

    /// Cold start: Health, Symbols, the newest signals and alerts (and the
    /// selection's regime and history when the settings name it), with the
    /// live side started in parallel.
    pub fn start(&mut self, now: Millis) {
        if self.started_at.is_some() {
            return;
        }
        self.started_at = Some(now);
        self.fetch(now, RestRequest::Health, None);
        self.fetch(now, RestRequest::Symbols, None);
        if let (Some(s), Some(t)) = (
            self.settings.symbol.clone(),
            self.settings.timeframe.clone(),
        ) {
            self.selection = Some((s, t));
            self.changes.selection = true;
            self.fetch_selection(now);
        }
        self.fetch_feed(now, Feed::Signals, None, FeedQuery::Initial);
        self.fetch_feed(now, Feed::Alerts, None, FeedQuery::Initial);
        self.rest.next_poll_at = Some(now.saturating_add(self.settings.poll_ms));
        if self.settings.protocol == Protocol::Off {
            self.first_attempt_done = true;
        } else {
            self.try_live(now);
        }
        self.after_input(now);
    }

    /// Shows another symbol/timeframe: cancels the old one's requests,
    /// fetches the new one's, and re-subscribes.
    pub fn select(&mut self, now: Millis, symbol: &str, timeframe: &str) {
        let old: Vec<RequestId> = self
            .rest
            .in_flight
            .iter()
            .filter(|f| {
                matches!(
                    f.what,
                    RestRequest::Regime { .. } | RestRequest::History { .. }
                )
            })
            .map(|f| f.request)
            .collect();
        for request in old {
            self.cancel(request);
        }
        self.selection = Some((symbol.to_string(), timeframe.to_string()));
        self.changes.selection = true;
        self.rest.overview_queue.clear();
        self.fetch_selection(now);
        self.fetch_overview(now);
        self.subscribe(now);
        self.after_input(now);
    }

    /// "Reconnect now": a fresh live connection at once, back-off forgotten.
    pub fn user_reconnect(&mut self, now: Millis) {
        self.backoff.reset();
        self.drop_attempt(now);
        self.retry_at = None;
        if self.online && self.settings.protocol != Protocol::Off {
            self.try_live(now);
        }
        self.poll(now);
        self.after_input(now);
    }

    // ------------------------------------------------------------------
    // Inputs: the browser
    // ------------------------------------------------------------------

    /// `online`/`offline` events: offline is Offline at once, with no
    /// retries; back online retries at once.
    pub fn handle_online(&mut self, now: Millis, online: bool) {
        if online == self.online {
            self.after_input(now);
            return;
        }
        self.online = online;
        if online {
            self.clear_problem(DiagnosisKind::BrowserOffline);
            self.backoff.reset();
            self.retry_at = None;
            if self.started_at.is_some() {
                if self.settings.protocol != Protocol::Off && self.attempt.is_none() {
                    self.try_live(now);
                }
                self.fetch_selection(now);
                self.poll(now);
            }
        } else {
            self.set_problem(Diagnosis::browser_offline());
            self.status.last_error = Some("the browser is offline".into());
            self.drop_attempt(now);
            self.retry_at = None;
            self.status.next_retry_at = None;
        }
        self.after_input(now);
    }

    /// The page became visible (or hidden): when visible and not Live,
    /// retry at once and refresh REST.
    pub fn handle_visibility(&mut self, now: Millis, visible: bool) {
        if visible && self.started_at.is_some() && self.online && self.status.mode != Mode::Live {
            if self.settings.protocol != Protocol::Off && self.attempt.is_none() {
                self.retry_at = None;
                self.try_live(now);
            }
            self.poll(now);
        }
        self.after_input(now);
    }

    /// Runs every deadline that has passed. Harmless at any time.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.after_input(now);
    }

    // ------------------------------------------------------------------
    // Inputs: the socket
    // ------------------------------------------------------------------

    pub fn handle_socket_open(&mut self, now: Millis, socket: SocketId) {
        let cfg_plain = PlainSessionConfig {
            ping_every_ms: self.policy.plain_ping_every_ms,
            silence_ms: self.policy.plain_silence_ms,
            handshake_timeout_ms: self.policy.connect_timeout_ms,
        };
        let cfg_sio = SocketIoSessionConfig {
            namespace: self.settings.namespace.clone(),
            handshake_timeout_ms: self.policy.connect_timeout_ms,
            recovery: self.socketio_recovery.clone(),
            token: self.socketio_token(),
        };
        let mut out = Vec::new();
        match self.attempt.as_mut() {
            Some(a) if a.socket == socket && !a.opened() => {
                let mut session = match a.kind {
                    TransportKind::Plain => LiveSession::plain(now, cfg_plain),
                    TransportKind::SocketIo => LiveSession::socketio(now, cfg_sio),
                };
                session.handle_open(now, &mut out);
                a.opened_with(session);
            }
            _ => return self.after_input(now),
        }
        self.apply_session_events(now, out);
        self.after_input(now);
    }

    pub fn handle_socket_text(&mut self, now: Millis, socket: SocketId, text: &str) {
        self.handle_socket_texts(now, socket, &[text]);
    }

    /// Several text frames of one socket that arrived together (one tick of
    /// the live Worker), in order: the same as [`Self::handle_socket_text`]
    /// for each, but the deadlines are settled once, after the last. A frame
    /// after one that ended the session (a server error, a close) is
    /// ignored, as it would be one by one.
    pub fn handle_socket_texts(&mut self, now: Millis, socket: SocketId, texts: &[&str]) {
        let mut out = Vec::new();
        for text in texts {
            match self.current_session(socket) {
                Some(session) => session.handle_text(now, text, &mut out),
                None => break,
            }
            self.count_message(now);
            self.apply_session_events(now, std::mem::take(&mut out));
        }
        self.after_input(now);
    }

    /// The live Worker skipped `dropped` frames of this socket because the
    /// page did not keep up (its queue was full). Treated like a short
    /// reconnect: counted, said in words, and what came meanwhile is asked
    /// of REST (`after` the highest ids held); prices and regimes are
    /// state, and the selected snapshot is fetched again. Ignored for a
    /// socket that is not the current, ready one.
    pub fn handle_socket_gap(&mut self, now: Millis, socket: SocketId, dropped: u64) {
        let ready = self
            .attempt
            .as_ref()
            .is_some_and(|a| a.socket == socket && a.is_ready());
        if !ready || dropped == 0 {
            return self.after_input(now);
        }
        self.status.live_gaps += 1;
        self.status.live_skipped += dropped;
        self.changes.status = true;
        let (gaps, skipped) = (self.status.live_gaps, self.status.live_skipped);
        self.set_transient(now, Diagnosis::page_fell_behind(dropped, gaps, skipped));
        self.recover_feed(now, Feed::Signals, false);
        self.recover_feed(now, Feed::Alerts, false);
        self.fetch_selection(now);
        self.after_input(now);
    }

    pub fn handle_socket_binary(&mut self, now: Millis, socket: SocketId, len: usize) {
        let mut out = Vec::new();
        match self.current_session(socket) {
            Some(session) => session.handle_binary(now, len, &mut out),
            None => return self.after_input(now),
        }
        self.count_message(now);
        self.apply_session_events(now, out);
        self.after_input(now);
    }

    pub fn handle_socket_closed(
        &mut self,
        now: Millis,
        socket: SocketId,
        code: u16,
        reason: &str,
        was_clean: bool,
    ) {
        let Some(a) = self.attempt.as_ref().filter(|a| a.socket == socket) else {
            return self.after_input(now);
        };
        let reason = &self.scrub(reason);
        let quoted = if reason.is_empty() {
            String::new()
        } else {
            format!(" \"{reason}\"")
        };
        let failure = if !a.opened() {
            Failure::BeforeOpen(match code {
                1006 if reason.is_empty() => "closed with code 1006 before opening (refused, unreachable, or a wrong path: the browser hides the HTTP status)".to_string(),
                _ => format!("closed with code {code}{quoted} before opening"),
            })
        } else {
            let clean = if was_clean { "cleanly" } else { "abnormally" };
            Failure::Closed {
                cause: format!("closed {clean} with code {code}{quoted}"),
                close: Some((code, reason.to_string())),
            }
        };
        self.attempt_failed(now, failure, false);
        self.after_input(now);
    }

    /// The browser refused to create the socket (a malformed URL, a blocked
    /// port): no event will follow for it. `reason` is the browser's own
    /// words, which say why. A failure before opening, like a refused
    /// connection; ignored for a socket that did open.
    pub fn handle_socket_refused(&mut self, now: Millis, socket: SocketId, reason: &str) {
        let opening = self
            .attempt
            .as_ref()
            .is_some_and(|a| a.socket == socket && !a.opened());
        if opening {
            let reason = self.scrub(reason);
            // Worded as a socket that never opened, with the browser's reason.
            let cause = format!(
                "closed with code 1006 before opening: the browser refused to open it: {reason}"
            );
            self.attempt_failed(now, Failure::BeforeOpen(cause), false);
        }
        self.after_input(now);
    }

    pub fn handle_socket_error(&mut self, now: Millis, socket: SocketId) {
        let Some(a) = self.attempt.as_ref().filter(|a| a.socket == socket) else {
            return self.after_input(now);
        };
        let failure = if !a.opened() {
            Failure::BeforeOpen("WebSocket error before opening".into())
        } else {
            Failure::Closed {
                cause: "WebSocket error".into(),
                close: None,
            }
        };
        self.attempt_failed(now, failure, true);
        self.after_input(now);
    }

    // ------------------------------------------------------------------
    // Inputs: REST
    // ------------------------------------------------------------------

    pub fn handle_rest(&mut self, now: Millis, request: RequestId, outcome: RestOutcome) {
        let Some(req) = self.take_in_flight(request) else {
            return self.after_input(now);
        };
        match outcome {
            RestOutcome::Aborted => {}
            RestOutcome::NetworkError { message } => self.rest_network_error(now, req, &message),
            RestOutcome::Answered { status, body } => self.rest_answered(now, req, status, &body),
        }
        self.pump_overview(now);
        self.after_input(now);
    }

    // ------------------------------------------------------------------
    // Into the store
    // ------------------------------------------------------------------

    /// Flags a backend timestamp far from this computer's clock (once a
    /// minute at most per sighting; it fades when no more come).
    fn check_clock(&mut self, now: Millis, ts: i64, what: &str) {
        let Some(clock) = self.store.wall_clock() else {
            return;
        };
        let skew = ts.saturating_sub(clock.wall(now));
        let ahead = self.policy.clock_ahead_ms.min(i64::MAX as Millis) as i64;
        let behind = self.policy.clock_behind_ms.min(i64::MAX as Millis) as i64;
        if skew > ahead || skew < -behind {
            self.set_transient(now, Diagnosis::backend_clock(skew, what));
        }
    }

    fn put_snapshot(&mut self, now: Millis, mut s: RegimeSnapshot) {
        s.clip_texts();
        self.check_clock(now, s.timestamp.0, "regime snapshot");
        let (snap, hist) = self.store.put_snapshot(s, now);
        self.changes.snapshots |= snap;
        self.changes.history |= hist;
    }

    fn put_alert(&mut self, now: Millis, mut alert: RegimeAlert, fresh: bool) -> bool {
        alert.clip_texts();
        let copy = if fresh { Some(alert.clone()) } else { None };
        match self.store.put_alert(alert, now) {
            // Passed: too old to keep, but a regime change the trader has
            // not seen; it is told like any new one.
            Insert::New | Insert::Passed => {}
            Insert::Moved => {
                self.changes.alerts = true;
                return false;
            }
            Insert::Duplicate | Insert::TooOld | Insert::Conflict => return false,
        }
        self.changes.alerts = true;
        if let Some(alert) = copy {
            let run = self.store.alerts().run();
            self.fresh_alerts.push(FreshAlert { run, alert });
            let limits = &self.policy.limits;
            let cap = limits.alerts.max(limits.recovery_page).max(1) * 2;
            if self.fresh_alerts.len() > cap {
                let extra = self.fresh_alerts.len() - cap;
                self.fresh_alerts.drain(..extra);
            }
        }
        true
    }
}
