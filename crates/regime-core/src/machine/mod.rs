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
//! The one connection at a time is an [`Attempt`]: a socket id, a transport,
//! and once the socket opened, the per-connection protocol logic
//! ([`LiveSession`]). Everything it reports arrives as [`SessionEvent`]s and
//! is applied in [`Connection::apply_session_events`].

use std::collections::VecDeque;

use crate::backoff::{Backoff, BackoffConfig, Xorshift64};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::live::{
    clip, excerpt, LiveEvent, SessionEnd, SessionEvent, TransportKind, SHOWN_TEXT_MAX,
};
use crate::model::{
    AlertsResponse, ClipTexts, ErrorResponse, Health, HistoryResponse, RegimeAlert, RegimeSnapshot,
    SignalsResponse, Subscription, SymbolsResponse,
};
use crate::session::{LiveSession, PlainSessionConfig, SocketIoSessionConfig};
use crate::settings::{percent_encode, Protocol, Settings};
use crate::store::{HasId, IdRing, Insert, Store, StoreLimits, WallClock};
use crate::Millis;

/// What the page shows in its connection badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Before the first answer of either kind.
    Connecting,
    /// The live transport is connected (Socket.IO: namespace acknowledged).
    Live,
    /// No live transport, REST answers: data is polled.
    Api,
    /// Neither answers: the last data stays, marked stale.
    Offline,
}

impl Mode {
    /// The badge text: `● Live`, `○ API`, `◌ Connecting`, `✕ Offline`.
    pub fn badge(self) -> &'static str {
        match self {
            Mode::Connecting => "◌ Connecting",
            Mode::Live => "● Live",
            Mode::Api => "○ API",
            Mode::Offline => "✕ Offline",
        }
    }
    /// A stable lower-case name for CSS classes and test hooks.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Connecting => "connecting",
            Mode::Live => "live",
            Mode::Api => "api",
            Mode::Offline => "offline",
        }
    }
}

/// A live socket, numbered afresh for every attempt: events that carry an
/// older number belong to a socket already given up, and are ignored.
pub type SocketId = u64;
/// A REST request, numbered afresh for every fetch.
pub type RequestId = u64;

/// Every number of the connection behaviour, with its default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// The ceiling of the first reconnect delay, ms. Defaults to 500.
    pub backoff_base_ms: Millis,
    /// How the ceiling grows per consecutive failure. Defaults to 2.
    pub backoff_factor: u32,
    /// The largest reconnect delay, ms (full jitter below it; retries never
    /// stop). Defaults to 5000.
    pub backoff_cap_ms: Millis,
    /// A live connection up this long forgets earlier failures, ms.
    /// Defaults to 5000.
    pub stable_reset_ms: Millis,
    /// A socket that neither opens nor closes in this time is closed and
    /// counted as a failure; also the live handshake's limit, ms. Defaults to 10 000.
    pub connect_timeout_ms: Millis,
    /// Plain transport: ping period, ms. Defaults to 20 000.
    pub plain_ping_every_ms: Millis,
    /// Plain transport: nothing received for this long means dead, ms.
    /// Defaults to 30 000.
    pub plain_silence_ms: Millis,
    /// Live but no `regime` event for this long: a warning, and REST polling
    /// resumes beside the live connection, ms. Defaults to 30 000.
    pub no_regime_warning_ms: Millis,
    /// While the very first live attempt is under way, the badge stays
    /// `Connecting` this long even if REST already answered (no `API` flash
    /// on every cold load), ms. Defaults to 3000.
    pub first_attempt_grace_ms: Millis,
    /// What the store keeps. Defaults: signals 500, alerts 100, history
    /// points 300, recovery page 500, keys 1000.
    pub limits: StoreLimits,
    /// A REST request unanswered this long is cancelled and counts as a
    /// failure, ms. Defaults to 15 000.
    pub rest_timeout_ms: Millis,
    /// Consecutive live failures before the socket opened after which the
    /// Socket.IO probe is fetched to explain them. Defaults to 2.
    pub probe_after_failures: u32,
    /// `protocol=auto`: consecutive failures before Ready after which the
    /// other transport is tried (if it was not yet). Defaults to 3.
    pub switch_after_failures: u32,
    /// The window of `messages_per_sec`, ms. Defaults to 5000.
    pub rate_window_ms: Millis,
    /// How long a one-off problem (a malformed frame, a server error
    /// message) stays listed after its last occurrence, ms. Defaults to 60 000.
    pub transient_problem_ms: Millis,
    /// In API mode, how often an empty `after` page also asks REST for its
    /// newest ids, to notice a backend that restarted and numbers from the
    /// start again, ms. Defaults to 15 000.
    pub restart_check_ms: Millis,
    /// Live signals and alerts are held back at most this long while the
    /// page checks whether the backend started a new run (its `epoch`, its
    /// newest ids), ms. Defaults to 3000.
    pub run_check_hold_ms: Millis,
    /// Live items held back at most (past it, the oldest are applied as
    /// they are). Defaults to 2000.
    pub run_check_hold_max: usize,
    /// The first delay ceiling of a failed recovery, poll or health request
    /// retried in any mode, Live included, ms. Defaults to 1000.
    pub rest_retry_base_ms: Millis,
    /// The largest such delay, ms. Defaults to 30 000.
    pub rest_retry_cap_ms: Millis,
    /// A host that answered with CORS headers this recently is not
    /// diagnosed as a CORS problem when a request fails, ms. Defaults to
    /// 300 000.
    pub cors_memory_ms: Millis,
    /// `limit` of a look at the newest signals or alerts (after a
    /// reconnection, at every poll of a backend without `epoch`): enough to
    /// see a new run; a gap behind it is paged with `after`. Defaults to 50.
    pub check_page: usize,
    /// Per-symbol `/api/regime` requests in flight at once. Defaults to 4.
    pub rest_fanout: usize,
    /// Symbols the overview strip shows (and fetches) besides the selected
    /// one. Defaults to 24.
    pub overview_symbols: usize,
    /// A backend timestamp this far ahead of this computer's clock is
    /// flagged and never makes later data look older, ms. Defaults to
    /// 600 000 (10 minutes).
    pub clock_ahead_ms: Millis,
    /// A backend timestamp this far behind this computer's clock is
    /// flagged, ms. Defaults to one year.
    pub clock_behind_ms: Millis,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            backoff_base_ms: 500,
            backoff_factor: 2,
            backoff_cap_ms: 5000,
            stable_reset_ms: 5000,
            connect_timeout_ms: 10_000,
            plain_ping_every_ms: 20_000,
            plain_silence_ms: 30_000,
            no_regime_warning_ms: 30_000,
            first_attempt_grace_ms: 3000,
            limits: StoreLimits::default(),
            rest_timeout_ms: 15_000,
            probe_after_failures: 2,
            switch_after_failures: 3,
            rate_window_ms: 5000,
            transient_problem_ms: 60_000,
            restart_check_ms: 15_000,
            run_check_hold_ms: 3000,
            run_check_hold_max: 2000,
            rest_retry_base_ms: 1000,
            rest_retry_cap_ms: 30_000,
            cors_memory_ms: 300_000,
            check_page: 50,
            rest_fanout: 4,
            overview_symbols: 24,
            clock_ahead_ms: 600_000,
            clock_behind_ms: 365 * 86_400_000,
        }
    }
}

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
    Fetch {
        request: RequestId,
        url: String,
        what: RestRequest,
        opaque: bool,
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
    /// Live frames received (text and binary).
    pub messages_total: u64,
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
    /// Binary attachments skipped (Socket.IO binary events).
    pub binary_skipped: u64,
    pub backend_version: Option<String>,
    /// Plain: whether the server answers pings (None until known).
    pub pongs_supported: Option<bool>,
    /// REST answers that could not be read.
    pub rest_invalid: u64,
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
    }
}

/// One live socket, from `OpenSocket` until it is given up.
struct Attempt {
    socket: SocketId,
    kind: TransportKind,
    url: String,
    started_at: Millis,
    /// Present once the socket opened.
    session: Option<LiveSession>,
    ready_at: Option<Millis>,
    saw_regime: bool,
    warned_no_regime: bool,
    /// The first live signal/alert of a session triggers one more `after`
    /// query: it closes the window between the REST answer at Ready and the
    /// moment the server started sending to this socket.
    first_signal_seen: bool,
    first_alert_seen: bool,
    /// The handshake's heartbeat timings had to be clamped.
    bad_handshake: bool,
}

/// Why an attempt ended.
enum Failure {
    /// The socket closed or failed before it opened.
    BeforeOpen(String),
    /// Opened, then closed by the peer or the network (`close`: the close
    /// code and reason; `None` for a socket error).
    Closed {
        cause: String,
        close: Option<(u16, String)>,
    },
    /// The session ended it.
    Ended(SessionEnd),
}

/// The two id feeds recovered with `after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Feed {
    Signals,
    Alerts,
}

impl Feed {
    fn index(self) -> usize {
        self as usize
    }
    fn request(self, after: Option<u64>) -> RestRequest {
        match self {
            Feed::Signals => RestRequest::Signals { after },
            Feed::Alerts => RestRequest::Alerts { after },
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Feed::Signals => "signal",
            Feed::Alerts => "alert",
        }
    }
}

/// What a signals/alerts fetch is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FeedQuery {
    /// Cold start: the newest, nothing counted as recovered.
    Initial,
    /// `after` the held ids, page by page; `reconnect`: right after a
    /// (re)connection, when a backend restart is likeliest.
    After { reconnect: bool },
    /// The newest, to compare with what is held: a new backend run shows
    /// as a held id with another event, or a newest id below the cursor.
    /// `resume`: the cursor when it was asked, to page on from when the
    /// newest page does not reach back to it.
    RestartCheck { resume: Option<u64>, run: u32 },
}

#[derive(Default)]
struct FeedState {
    in_flight: Option<RequestId>,
    /// Live items of this feed are held back until then, while a check of
    /// the newest ids decides whether the backend started a new run.
    hold_until: Option<Millis>,
    /// Another `after` query is wanted once the one in flight is done,
    /// from this id (the smallest asked for).
    again_from: Option<Option<u64>>,
    again_reconnect: bool,
    check_wanted: bool,
    last_check_at: Option<Millis>,
    /// The cold-start query failed: ask it again as such.
    initial_wanted: bool,
    /// A new run was started from evidence since the last `/api/health`
    /// answer: an epoch change then is the same restart, not another.
    fresh_run: bool,
}

/// The smaller of a remembered `after` and another: `None` (the newest)
/// is below every id.
fn min_after(held: Option<Option<u64>>, after: Option<u64>) -> Option<Option<u64>> {
    Some(match held {
        Some(prev) => prev.min(after),
        None => after,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProbePurpose {
    /// protocol=auto: pick the transport.
    Choose,
    /// Explain sockets that keep failing.
    Explain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RestState {
    Unknown,
    Answering,
    Failing,
}

struct InFlight {
    request: RequestId,
    what: RestRequest,
    url: String,
    deadline: Millis,
    feed_query: Option<FeedQuery>,
    probe: Option<ProbePurpose>,
}

/// The dashboard's connection: live socket, REST, stores and diagnosis.
pub struct Connection {
    settings: Settings,
    policy: Policy,
    rng: Xorshift64,
    backoff: Backoff,
    commands: VecDeque<Command>,
    status: Status,
    store: Store,
    changes: Changes,
    fresh_alerts: Vec<FreshAlert>,
    selection: Option<(String, String)>,
    started_at: Option<Millis>,
    online: bool,
    next_socket: SocketId,
    next_request: RequestId,
    attempt: Option<Attempt>,
    retry_at: Option<Millis>,
    /// The transport to use; `None` until protocol=auto's probe decided.
    kind: Option<TransportKind>,
    /// Which transports reached Ready or were tried at all (plain, Socket.IO).
    tried: [bool; 2],
    fails_before_ready: u32,
    fails_before_open: u32,
    explained_this_streak: bool,
    first_attempt_done: bool,
    socketio_recovery: Option<(String, String)>,
    rest: RestState,
    last_rest_failure: String,
    reachability_at: Option<Millis>,
    in_flight: Vec<InFlight>,
    next_poll_at: Option<Millis>,
    feeds: [FeedState; 2],
    /// `(kind, key)` → problem; key tells REST endpoints apart.
    problems: Vec<(DiagnosisKind, String, Diagnosis)>,
    /// When each one-off problem was last seen (malformed, server error).
    transient_seen: Vec<(DiagnosisKind, Millis)>,
    rate: VecDeque<(Millis, u64)>,
    initial_alerts_loaded: bool,
    /// A live connection was Ready at least once.
    was_live: bool,
    /// The backend's run (`/api/health` `epoch`), once it sent one.
    epoch: Option<String>,
    /// Live signals and alerts are held back until then, while `/api/health`
    /// says whether the backend's epoch changed.
    epoch_hold_until: Option<Millis>,
    /// Live signals and alerts held back, in arrival order.
    held_live: VecDeque<LiveEvent>,
    /// A health check failed and is to be asked again.
    health_wanted: bool,
    /// Failed recovery, poll and health requests are retried then.
    rest_retry: Backoff,
    rest_retry_at: Option<Millis>,
    /// When a CORS-mode REST request was last answered (any status).
    cors_ok_at: Option<Millis>,
    /// Symbols whose `/api/regime` waits for a place among the requests in flight.
    overview_queue: VecDeque<String>,
    /// The Socket.IO polling probe answered an Engine.IO open packet.
    probe_found_socketio: bool,
}

fn kind_index(kind: TransportKind) -> usize {
    match kind {
        TransportKind::Plain => 0,
        TransportKind::SocketIo => 1,
    }
}

fn other_kind(kind: TransportKind) -> TransportKind {
    match kind {
        TransportKind::Plain => TransportKind::SocketIo,
        TransportKind::SocketIo => TransportKind::Plain,
    }
}

fn min_opt(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
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
                settings.live_url(TransportKind::Plain),
                settings.live_url(TransportKind::SocketIo)
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
            backend_version: None,
            pongs_supported: None,
            rest_invalid: 0,
        };
        let kind = match settings.protocol {
            Protocol::Native => Some(TransportKind::Plain),
            Protocol::SocketIo => Some(TransportKind::SocketIo),
            Protocol::Auto | Protocol::Off => None,
        };
        Connection {
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
            next_request: 1,
            attempt: None,
            retry_at: None,
            kind,
            tried: [false; 2],
            fails_before_ready: 0,
            fails_before_open: 0,
            explained_this_streak: false,
            first_attempt_done: false,
            socketio_recovery: None,
            rest: RestState::Unknown,
            last_rest_failure: String::new(),
            reachability_at: None,
            in_flight: Vec::new(),
            next_poll_at: None,
            feeds: [FeedState::default(), FeedState::default()],
            problems: Vec::new(),
            transient_seen: Vec::new(),
            rate: VecDeque::new(),
            initial_alerts_loaded: false,
            was_live: false,
            epoch: None,
            epoch_hold_until: None,
            held_live: VecDeque::new(),
            health_wanted: false,
            rest_retry: Backoff::new(BackoffConfig {
                base_ms: policy.rest_retry_base_ms,
                factor: 2,
                cap_ms: policy.rest_retry_cap_ms,
                stable_reset_ms: Millis::MAX,
            }),
            rest_retry_at: None,
            cors_ok_at: None,
            overview_queue: VecDeque::new(),
            probe_found_socketio: false,
        }
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

    /// The transport in use or being tried (`None` before protocol=auto
    /// decided, and with protocol=off).
    pub fn transport_choice(&self) -> Option<TransportKind> {
        self.kind
    }

    /// What changed since the last call.
    pub fn take_changes(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// Alerts that arrived after the initial load (live or recovered), for
    /// toasts. Bounded by the alerts limit.
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
        let mut t = None;
        if let Some(a) = &self.attempt {
            match &a.session {
                None => {
                    t = min_opt(
                        t,
                        Some(a.started_at.saturating_add(self.policy.connect_timeout_ms)),
                    )
                }
                Some(s) => t = min_opt(t, s.poll_timeout()),
            }
            if let Some(ready_at) = a.ready_at {
                if !a.saw_regime && !a.warned_no_regime {
                    t = min_opt(
                        t,
                        Some(ready_at.saturating_add(self.policy.no_regime_warning_ms)),
                    );
                }
            }
        }
        if self.online {
            t = min_opt(t, self.retry_at);
            t = min_opt(t, self.next_poll_at);
        }
        for f in &self.in_flight {
            t = min_opt(t, Some(f.deadline));
        }
        if let Some(end) = self.grace_end() {
            t = min_opt(t, Some(end));
        }
        for (_, seen) in &self.transient_seen {
            t = min_opt(
                t,
                Some(seen.saturating_add(self.policy.transient_problem_ms)),
            );
        }
        if let Some((second, _)) = self.rate.back() {
            t = min_opt(t, Some(second.saturating_add(self.policy.rate_window_ms)));
        }
        t = min_opt(t, self.epoch_hold_until);
        for f in &self.feeds {
            t = min_opt(t, f.hold_until);
        }
        if self.online {
            t = min_opt(t, self.rest_retry_at);
        }
        t
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
        self.next_poll_at = Some(now.saturating_add(self.settings.poll_ms));
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
        self.overview_queue.clear();
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
            self.set_problem("", Diagnosis::browser_offline());
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
        };
        let mut out = Vec::new();
        match self.attempt.as_mut() {
            Some(a) if a.socket == socket && a.session.is_none() => {
                let mut session = match a.kind {
                    TransportKind::Plain => LiveSession::plain(now, cfg_plain),
                    TransportKind::SocketIo => LiveSession::socketio(now, cfg_sio),
                };
                session.handle_open(now, &mut out);
                a.session = Some(session);
            }
            _ => return self.after_input(now),
        }
        self.apply_session_events(now, out);
        self.after_input(now);
    }

    pub fn handle_socket_text(&mut self, now: Millis, socket: SocketId, text: &str) {
        let mut out = Vec::new();
        match self.current_session(socket) {
            Some(session) => session.handle_text(now, text, &mut out),
            None => return self.after_input(now),
        }
        self.count_message(now);
        self.apply_session_events(now, out);
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
        let quoted = if reason.is_empty() {
            String::new()
        } else {
            format!(" \"{reason}\"")
        };
        let failure = if a.session.is_none() {
            Failure::BeforeOpen(match code {
                // The adapter's words when the browser refused to create the
                // socket (a malformed URL, a blocked port): they say why.
                1006 if !reason.is_empty() => {
                    format!("closed with code 1006 before opening: {reason}")
                }
                1006 => "closed with code 1006 before opening (refused, unreachable, or a wrong path: the browser hides the HTTP status)".to_string(),
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

    pub fn handle_socket_error(&mut self, now: Millis, socket: SocketId) {
        let Some(a) = self.attempt.as_ref().filter(|a| a.socket == socket) else {
            return self.after_input(now);
        };
        let failure = if a.session.is_none() {
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
        let Some(at) = self.in_flight.iter().position(|f| f.request == request) else {
            return self.after_input(now);
        };
        let req = self.in_flight.swap_remove(at);
        self.finish_feed_request(&req);
        match outcome {
            RestOutcome::Aborted => {}
            RestOutcome::NetworkError { message } => self.rest_network_error(now, req, &message),
            RestOutcome::Answered { status, body } => self.rest_answered(now, req, status, &body),
        }
        self.pump_overview(now);
        self.after_input(now);
    }

    // ------------------------------------------------------------------
    // The live side
    // ------------------------------------------------------------------

    fn current_session(&mut self, socket: SocketId) -> Option<&mut LiveSession> {
        self.attempt
            .as_mut()
            .filter(|a| a.socket == socket)
            .and_then(|a| a.session.as_mut())
    }

    /// Opens a socket now (or, for protocol=auto without a decision yet,
    /// asks the probe first).
    fn try_live(&mut self, now: Millis) {
        if !self.online || self.attempt.is_some() || self.settings.protocol == Protocol::Off {
            return;
        }
        self.retry_at = None;
        self.status.next_retry_at = None;
        let Some(kind) = self.kind else {
            if !self.in_flight.iter().any(|f| f.probe.is_some()) {
                self.fetch_probe(now, ProbePurpose::Choose);
            }
            return;
        };
        let socket = self.next_socket;
        self.next_socket += 1;
        let url = self.settings.live_url(kind);
        self.tried[kind_index(kind)] = true;
        self.status.live_url = url.clone();
        self.changes.status = true;
        self.commands.push_back(Command::OpenSocket {
            socket,
            url: url.clone(),
            kind,
        });
        self.attempt = Some(Attempt {
            socket,
            kind,
            url,
            started_at: now,
            session: None,
            ready_at: None,
            saw_regime: false,
            warned_no_regime: false,
            first_signal_seen: false,
            first_alert_seen: false,
            bad_handshake: false,
        });
    }

    /// Closes the current socket on purpose (reconnect, offline): not a
    /// failure, no back-off.
    fn drop_attempt(&mut self, now: Millis) {
        if let Some(mut a) = self.attempt.take() {
            let mut out = Vec::new();
            if let Some(s) = a.session.as_mut() {
                s.close(&mut out);
                if a.kind == TransportKind::SocketIo {
                    self.socketio_recovery = s.recovery();
                }
            }
            for e in out {
                if let SessionEvent::Send(text) = e {
                    self.commands.push_back(Command::Send {
                        socket: a.socket,
                        text,
                    });
                }
            }
            self.commands
                .push_back(Command::CloseSocket { socket: a.socket });
            if a.ready_at.is_some() {
                self.left_live(now);
            }
        }
    }

    /// The live connection is gone after being Live: poll REST now.
    fn left_live(&mut self, now: Millis) {
        self.clear_problem(DiagnosisKind::NoRegimeEvents);
        self.status.transport = None;
        self.changes.status = true;
        self.poll(now);
    }

    fn apply_session_events(&mut self, now: Millis, events: Vec<SessionEvent>) {
        for event in events {
            let Some(socket) = self.attempt.as_ref().map(|a| a.socket) else {
                return;
            };
            match event {
                SessionEvent::Send(text) => self.commands.push_back(Command::Send { socket, text }),
                SessionEvent::Ready { .. } => self.became_ready(now),
                SessionEvent::Event(e) => self.live_event(now, e),
                SessionEvent::Rejected(e) => {
                    self.status.malformed += 1;
                    self.status.last_malformed_reason = Some(e.reason.clone());
                    let p =
                        Diagnosis::malformed_frames(self.status.malformed, &e.reason, &e.excerpt);
                    self.set_transient(now, p);
                }
                SessionEvent::BinarySkipped { frames } => {
                    self.status.binary_skipped += u64::from(frames);
                    self.changes.status = true;
                }
                SessionEvent::RoundTrip(ms) => {
                    self.status.rtt_ms = Some(ms);
                    self.status.pongs_supported = Some(true);
                    self.clear_problem(DiagnosisKind::PongsNotSupported);
                    self.changes.status = true;
                }
                SessionEvent::ServerError(message) => {
                    let message = clip(&message, SHOWN_TEXT_MAX);
                    self.status.last_error = Some(format!("server: {message}"));
                    self.set_transient(now, Diagnosis::server_error(&message));
                }
                SessionEvent::PongsNotSupported => {
                    self.status.pongs_supported = Some(false);
                    self.set_problem("", Diagnosis::pongs_not_supported());
                }
                SessionEvent::BadHandshake { field, sent, used } => {
                    if let Some(a) = self.attempt.as_mut() {
                        a.bad_handshake = true;
                    }
                    self.set_problem(field, Diagnosis::bad_handshake(field, sent, used));
                }
                SessionEvent::Ended(end) => {
                    self.attempt_failed(now, Failure::Ended(end), true);
                    return;
                }
            }
        }
    }

    fn became_ready(&mut self, now: Millis) {
        let Some(a) = self.attempt.as_mut() else {
            return;
        };
        if a.ready_at.is_some() {
            return;
        }
        a.ready_at = Some(now);
        let kind = a.kind;
        let bad_handshake = a.bad_handshake;
        let reconnect = self.was_live;
        self.was_live = true;
        self.backoff.handle_connected(now);
        self.fails_before_ready = 0;
        self.fails_before_open = 0;
        self.explained_this_streak = false;
        self.first_attempt_done = true;
        self.status.retries = 0;
        self.status.next_retry_at = None;
        self.status.transport = Some(kind);
        self.status.last_error = None;
        self.changes.status = true;
        for k in [
            DiagnosisKind::LiveRefused,
            DiagnosisKind::ClosedBeforeReady,
            DiagnosisKind::HandshakeTimeout,
            DiagnosisKind::NamespaceRefused,
            DiagnosisKind::SocketIoV2,
            DiagnosisKind::SocketIoNotOffered,
            DiagnosisKind::SocketIoServerAsPlain,
            DiagnosisKind::WebSocketUpgradeBlocked,
        ] {
            self.clear_problem(k);
        }
        if !bad_handshake {
            self.clear_problem(DiagnosisKind::BadHandshake);
        }
        // Did the backend start a new run while we were away? Its epoch says
        // for certain when it sends one; live items wait for the answer.
        if reconnect || self.epoch.is_some() {
            self.check_epoch(now);
        }
        // A dead connection is not cleared by a new socket opening: a plain
        // server that went silent accepts the next socket just the same. It
        // goes with the first frame that proves the new connection alive
        // (see `count_message`).
        self.next_poll_at = None;
        self.subscribe(now);
        self.recover_feed(now, Feed::Signals, true);
        self.recover_feed(now, Feed::Alerts, true);
        self.fetch_selection(now);
    }

    /// Sends the subscription when both the session is ready and the
    /// selection is known: every known symbol, the selected timeframe.
    fn subscribe(&mut self, now: Millis) {
        let Some((symbol, timeframe)) = self.selection.clone() else {
            return;
        };
        let mut symbols: Vec<String> = self
            .store
            .symbols()
            .iter()
            .map(|s| s.symbol.clone())
            .collect();
        if !symbols.contains(&symbol) {
            symbols.insert(0, symbol);
        }
        let sub = Subscription {
            symbols,
            timeframes: vec![timeframe],
        };
        let mut out = Vec::new();
        match self.attempt.as_mut() {
            Some(Attempt {
                ready_at: Some(_),
                session: Some(s),
                ..
            }) => s.subscribe(&sub, &mut out),
            _ => return,
        }
        self.apply_session_events(now, out);
    }

    fn live_event(&mut self, now: Millis, event: LiveEvent) {
        match event {
            LiveEvent::Regime(s) => {
                if let Some(a) = self.attempt.as_mut() {
                    a.saw_regime = true;
                }
                self.clear_problem(DiagnosisKind::NoRegimeEvents);
                self.put_snapshot(now, s);
            }
            LiveEvent::Price(p) => {
                self.check_clock(now, p.timestamp.0, "price");
                if self.store.put_price(p, now) {
                    self.changes.prices = true;
                }
            }
            LiveEvent::Signal(_) | LiveEvent::Alert(_) => self.live_feed_item(now, event, false),
        }
    }

    /// A live signal or alert. Held back while a check of the backend's run
    /// is under way; a held id with another event starts a new run at once;
    /// an id below the cursor that is not held asks REST first (a late
    /// item, or a backend numbering from the start again). `decided`: the
    /// check is over, apply as it stands.
    fn live_feed_item(&mut self, now: Millis, mut event: LiveEvent, decided: bool) {
        let feed = match &event {
            LiveEvent::Signal(_) => Feed::Signals,
            _ => Feed::Alerts,
        };
        if !decided {
            let first = match self.attempt.as_mut() {
                Some(a) if feed == Feed::Signals && !a.first_signal_seen => {
                    a.first_signal_seen = true;
                    true
                }
                Some(a) if feed == Feed::Alerts && !a.first_alert_seen => {
                    a.first_alert_seen = true;
                    true
                }
                _ => false,
            };
            if first {
                self.recover_feed(now, feed, false);
            }
            if self.holding(feed) {
                return self.hold_live(now, event);
            }
        }
        let (probe, id) = match &mut event {
            LiveEvent::Signal(s) => {
                s.clip_texts();
                (self.store.signals().probe(s), s.id)
            }
            LiveEvent::Alert(a) => {
                a.clip_texts();
                (self.store.alerts().probe(a), a.id)
            }
            _ => return,
        };
        let below_cursor = self.feed_max(feed).is_some_and(|m| id < m);
        match probe {
            Insert::Conflict => {
                let why = format!(
                    "live {} {id} differs from the {} {id} held",
                    feed.noun(),
                    feed.noun()
                );
                self.new_run(now, feed, &why);
            }
            Insert::New | Insert::TooOld if below_cursor && !decided => {
                self.feeds[feed.index()].hold_until =
                    Some(now.saturating_add(self.policy.run_check_hold_ms));
                self.want_restart_check(now, feed);
                return self.hold_live(now, event);
            }
            _ => {}
        }
        match event {
            LiveEvent::Signal(s) => {
                if matches!(self.store.put_signal(s, now), Insert::New | Insert::Moved) {
                    self.changes.signals = true;
                }
            }
            LiveEvent::Alert(a) => {
                self.put_alert(now, a, true);
            }
            _ => {}
        }
    }

    fn holding(&self, feed: Feed) -> bool {
        self.epoch_hold_until.is_some() || self.feeds[feed.index()].hold_until.is_some()
    }

    fn hold_live(&mut self, now: Millis, event: LiveEvent) {
        self.held_live.push_back(event);
        if self.held_live.len() > self.policy.run_check_hold_max.max(1) {
            if let Some(oldest) = self.held_live.pop_front() {
                self.live_feed_item(now, oldest, true);
            }
        }
    }

    /// Applies the held live items whose feed is no longer held, in order.
    fn release_held(&mut self, now: Millis) {
        let held = std::mem::take(&mut self.held_live);
        for event in held {
            let feed = match &event {
                LiveEvent::Signal(_) => Feed::Signals,
                _ => Feed::Alerts,
            };
            if self.holding(feed) {
                self.held_live.push_back(event);
            } else {
                self.live_feed_item(now, event, true);
            }
        }
    }

    fn end_feed_hold(&mut self, now: Millis, feed: Feed) {
        if self.feeds[feed.index()].hold_until.take().is_some() {
            self.release_held(now);
        }
    }

    fn end_epoch_hold(&mut self, now: Millis) {
        if self.epoch_hold_until.take().is_some() {
            self.release_held(now);
        }
    }

    /// Asks `/api/health` whether the backend's epoch changed; while it is
    /// known to send one, live items wait for the answer.
    fn check_epoch(&mut self, now: Millis) {
        self.health_wanted = false;
        let asked = self.fetch(now, RestRequest::Health, None).is_some()
            || self.in_flight.iter().any(|f| f.what == RestRequest::Health);
        if asked && self.epoch.is_some() {
            self.epoch_hold_until = Some(now.saturating_add(self.policy.run_check_hold_ms));
        }
    }

    /// The backend's ids of `feed` started again: a new run. The old rows
    /// stay, marked; the cursor starts afresh, so the next recovery asks
    /// for the new run's newest.
    fn new_run(&mut self, now: Millis, feed: Feed, evidence: &str) {
        match feed {
            Feed::Signals => self.store.signals_mut().start_run(),
            Feed::Alerts => self.store.alerts_mut().start_run(),
        }
        let state = &mut self.feeds[feed.index()];
        // A query wished for from the old cursor now starts from the newest.
        if state.again_from.is_some() {
            state.again_from = Some(None);
        }
        state.last_check_at = Some(now);
        state.fresh_run = true;
        self.set_problem(feed.noun(), Diagnosis::ids_restarted(feed.noun(), evidence));
        match feed {
            Feed::Signals => self.changes.signals = true,
            Feed::Alerts => self.changes.alerts = true,
        }
    }

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
            Insert::New => {}
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
            let cap = self.policy.limits.alerts.max(1);
            if self.fresh_alerts.len() > cap {
                let extra = self.fresh_alerts.len() - cap;
                self.fresh_alerts.drain(..extra);
            }
        }
        true
    }

    /// The current attempt failed or the live connection was lost.
    /// `close`: the socket may still be open and must be closed.
    fn attempt_failed(&mut self, now: Millis, failure: Failure, close: bool) {
        let Some(mut a) = self.attempt.take() else {
            return;
        };
        if close {
            self.commands
                .push_back(Command::CloseSocket { socket: a.socket });
        }
        if let (TransportKind::SocketIo, Some(s)) = (a.kind, a.session.as_mut()) {
            self.socketio_recovery = s.recovery();
        }
        let was_ready = a.ready_at.is_some();
        let opened = a.session.is_some();
        self.first_attempt_done = true;
        if !was_ready {
            self.fails_before_ready += 1;
            if !opened {
                self.fails_before_open += 1;
            }
        }
        let delay = self.backoff.handle_failure(now, &mut self.rng);
        self.status.retries = self.backoff.failures();
        let label = a.kind.label();
        let cause = match &failure {
            Failure::BeforeOpen(c) | Failure::Closed { cause: c, .. } => c.clone(),
            Failure::Ended(end) => self.explain_end(&a, end),
        };
        self.status.last_error = Some(format!("{label}: {cause}"));
        // Which of "cannot be opened" and "opens, then is closed" holds now:
        // the latest failure says, the other is cleared.
        let closed_early = match &failure {
            Failure::Closed { close, .. } if !was_ready => Some(close.clone()),
            // A server that ends the session before it is ready (a
            // Socket.IO close packet) has no close code to show.
            Failure::Ended(SessionEnd::ServerClosed) if !was_ready => Some(None),
            _ => None,
        };
        if let Failure::BeforeOpen(c) = &failure {
            self.clear_problem(DiagnosisKind::ClosedBeforeReady);
            let p = Diagnosis::live_refused(label, &a.url, self.fails_before_open, delay, c);
            self.set_problem("", p);
            // protocol=auto already knows Socket.IO answers over HTTP.
            if a.kind == TransportKind::SocketIo
                && self.probe_found_socketio
                && self.fails_before_open >= self.policy.probe_after_failures
            {
                let probe = self.settings.socketio_probe_url();
                let p = Diagnosis::websocket_upgrade_blocked(&a.url, &probe);
                self.set_problem("", p);
            }
        } else if let Some(close) = closed_early {
            self.clear_problem(DiagnosisKind::LiveRefused);
            let close = close
                .as_ref()
                .map(|(code, reason)| (*code, reason.as_str()));
            let p = Diagnosis::closed_before_ready(label, &a.url, close, delay, &cause);
            self.set_problem("", p);
        }

        // protocol=auto: the other transport, when this one keeps failing
        // (or plainly is not what the server speaks) and was not tried.
        let wrong_protocol = matches!(
            failure,
            Failure::Ended(SessionEnd::NotSocketIo { .. } | SessionEnd::LooksLikeSocketIo { .. })
        );
        let mut delay = delay;
        if self.settings.protocol == Protocol::Auto
            && !was_ready
            && (wrong_protocol || self.fails_before_ready >= self.policy.switch_after_failures)
            && !self.tried[kind_index(other_kind(a.kind))]
        {
            self.kind = Some(other_kind(a.kind));
            self.fails_before_ready = 0;
            self.fails_before_open = 0;
            delay = 0;
        } else if matches!(
            self.settings.protocol,
            Protocol::Native | Protocol::SocketIo
        ) && self.fails_before_open >= self.policy.probe_after_failures
            && !self.explained_this_streak
        {
            self.explained_this_streak = true;
            self.fetch_probe(now, ProbePurpose::Explain);
        }

        if self.online {
            self.retry_at = Some(now.saturating_add(delay));
            self.status.next_retry_at = self.retry_at;
        }
        self.changes.status = true;
        if was_ready {
            self.left_live(now);
        }
    }

    /// The diagnosis of a session's end; returns the technical cause.
    fn explain_end(&mut self, a: &Attempt, end: &SessionEnd) -> String {
        match end {
            SessionEnd::NamespaceRefused { namespace, message } => {
                self.set_problem("", Diagnosis::namespace_refused(namespace, message));
                format!("namespace {namespace} refused: {message}")
            }
            SessionEnd::SocketIoV2 => {
                self.set_problem("", Diagnosis::socketio_v2());
                "Socket.IO v2 server".into()
            }
            SessionEnd::NotSocketIo { first_frame } => {
                if self.settings.protocol != Protocol::Auto {
                    self.set_problem("", Diagnosis::socketio_not_spoken(&a.url, first_frame));
                }
                format!("not Socket.IO (first frame {:?})", excerpt(first_frame, 60))
            }
            SessionEnd::LooksLikeSocketIo { first_frame } => {
                if self.settings.protocol != Protocol::Auto {
                    let evidence = format!(
                        "{}: first frame {:?} is an Engine.IO open packet",
                        a.url,
                        excerpt(first_frame, 60)
                    );
                    self.set_problem("", Diagnosis::socketio_server_as_plain(&evidence));
                }
                "the server speaks Socket.IO".into()
            }
            SessionEnd::HeartbeatTimeout { waited_ms } => {
                self.set_problem("", Diagnosis::dead_connection_heartbeat(*waited_ms));
                format!("no heartbeat for {waited_ms} ms")
            }
            SessionEnd::Silence {
                silence_ms,
                pongs_seen,
            } => {
                self.set_problem(
                    "",
                    Diagnosis::dead_connection_silence(*silence_ms, *pongs_seen),
                );
                format!("silent for {silence_ms} ms")
            }
            SessionEnd::ServerClosed => "the server closed the session".into(),
            SessionEnd::HandshakeTimeout { waited_ms } => {
                self.set_problem(
                    "",
                    Diagnosis::handshake_timeout(a.kind.label(), &a.url, *waited_ms),
                );
                format!("no handshake within {waited_ms} ms")
            }
        }
    }

    // ------------------------------------------------------------------
    // REST
    // ------------------------------------------------------------------

    fn url_of(&self, what: &RestRequest, query: Option<FeedQuery>) -> String {
        let api = self.settings.api.trim_end_matches('/');
        let page = match query {
            // A look at the newest ids needs only a few; a gap behind them
            // is paged with `after`.
            Some(FeedQuery::RestartCheck { .. }) => self.policy.check_page,
            _ => self.policy.limits.recovery_page,
        };
        let after = |a: &Option<u64>| match a {
            Some(id) => format!("after={id}&limit={page}"),
            None => format!("limit={page}"),
        };
        match what {
            RestRequest::Health | RestRequest::Reachability => format!("{api}/api/health"),
            RestRequest::Symbols => format!("{api}/api/symbols"),
            RestRequest::Regime { symbol, timeframe } => format!(
                "{api}/api/regime?symbol={}&timeframe={}",
                percent_encode(symbol),
                percent_encode(timeframe)
            ),
            RestRequest::History { symbol, timeframe } => format!(
                "{api}/api/regime/history?symbol={}&timeframe={}&limit={}",
                percent_encode(symbol),
                percent_encode(timeframe),
                self.policy.limits.history_points
            ),
            RestRequest::Signals { after: a } => format!("{api}/api/signals?{}", after(a)),
            RestRequest::Alerts { after: a } => format!("{api}/api/alerts?{}", after(a)),
            RestRequest::SocketIoProbe => self.settings.socketio_probe_url(),
        }
    }

    /// Issues a fetch unless the same question is already in flight.
    fn fetch(
        &mut self,
        now: Millis,
        what: RestRequest,
        feed_query: Option<FeedQuery>,
    ) -> Option<RequestId> {
        self.fetch_with(now, what, feed_query, None)
    }

    fn fetch_with(
        &mut self,
        now: Millis,
        what: RestRequest,
        feed_query: Option<FeedQuery>,
        probe: Option<ProbePurpose>,
    ) -> Option<RequestId> {
        if !self.online || self.in_flight.iter().any(|f| f.what == what) {
            return None;
        }
        let request = self.next_request;
        self.next_request += 1;
        let url = self.url_of(&what, feed_query);
        let opaque = what == RestRequest::Reachability;
        self.commands.push_back(Command::Fetch {
            request,
            url: url.clone(),
            what: what.clone(),
            opaque,
        });
        self.in_flight.push(InFlight {
            request,
            what,
            url,
            deadline: now.saturating_add(self.policy.rest_timeout_ms),
            feed_query,
            probe,
        });
        Some(request)
    }

    fn fetch_probe(&mut self, now: Millis, purpose: ProbePurpose) {
        self.fetch_with(now, RestRequest::SocketIoProbe, None, Some(purpose));
    }

    fn cancel(&mut self, request: RequestId) {
        if let Some(at) = self.in_flight.iter().position(|f| f.request == request) {
            let req = self.in_flight.swap_remove(at);
            self.finish_feed_request(&req);
            self.commands.push_back(Command::CancelFetch { request });
        }
    }

    fn fetch_selection(&mut self, now: Millis) {
        let Some((symbol, timeframe)) = self.selection.clone() else {
            return;
        };
        self.fetch(
            now,
            RestRequest::Regime {
                symbol: symbol.clone(),
                timeframe: timeframe.clone(),
            },
            None,
        );
        self.fetch(now, RestRequest::History { symbol, timeframe }, None);
    }

    /// The regime of the other symbols the overview shows, at the selected
    /// timeframe: queued, and fetched a few at a time.
    fn fetch_overview(&mut self, now: Millis) {
        let Some((selected, _)) = self.selection.clone() else {
            return;
        };
        let others: Vec<String> = self
            .store
            .symbols()
            .iter()
            .map(|s| s.symbol.clone())
            .filter(|s| *s != selected)
            .take(self.policy.overview_symbols)
            .collect();
        for symbol in others {
            if !self.overview_queue.contains(&symbol) {
                self.overview_queue.push_back(symbol);
            }
        }
        self.pump_overview(now);
    }

    /// Issues queued overview requests while fewer than `rest_fanout`
    /// regime requests are in flight.
    fn pump_overview(&mut self, now: Millis) {
        let Some((_, timeframe)) = self.selection.clone() else {
            return self.overview_queue.clear();
        };
        let busy = |c: &Self| {
            c.in_flight
                .iter()
                .filter(|f| matches!(f.what, RestRequest::Regime { .. }))
                .count()
        };
        while self.online && busy(self) < self.policy.rest_fanout.max(1) {
            let Some(symbol) = self.overview_queue.pop_front() else {
                return;
            };
            let what = RestRequest::Regime {
                symbol,
                timeframe: timeframe.clone(),
            };
            self.fetch(now, what, None);
        }
    }

    /// One REST round: what the page shows, and everything `after` the ids held.
    fn poll(&mut self, now: Millis) {
        if !self.online || self.started_at.is_none() {
            return;
        }
        if self.store.symbols().is_empty() {
            self.fetch(now, RestRequest::Symbols, None);
        }
        if self.status.backend_version.is_none() || self.epoch.is_some() {
            // A backend that sends an epoch says at every round whether its
            // ids started again.
            self.fetch(now, RestRequest::Health, None);
        }
        if let Some((symbol, timeframe)) = self.selection.clone() {
            self.fetch(now, RestRequest::Regime { symbol, timeframe }, None);
        }
        self.fetch_overview(now);
        // Without an epoch, only the newest ids show a redeploy: each round
        // looks at them (one request, like an `after` query).
        let reconnect = self.rest != RestState::Answering || self.epoch.is_none();
        self.recover_feed(now, Feed::Signals, reconnect);
        self.recover_feed(now, Feed::Alerts, reconnect);
        self.next_poll_at = Some(now.saturating_add(self.settings.poll_ms.max(1)));
    }

    fn polling_wanted(&self) -> bool {
        match &self.attempt {
            Some(a) if a.ready_at.is_some() => a.warned_no_regime,
            _ => true,
        }
    }

    fn feed_run(&self, feed: Feed) -> u32 {
        match feed {
            Feed::Signals => self.store.signals().run(),
            Feed::Alerts => self.store.alerts().run(),
        }
    }

    fn feed_max(&self, feed: Feed) -> Option<u64> {
        match feed {
            Feed::Signals => self.store.max_signal_id(),
            Feed::Alerts => self.store.max_alert_id(),
        }
    }

    fn fetch_feed(&mut self, now: Millis, feed: Feed, after: Option<u64>, query: FeedQuery) {
        if !self.online {
            // Keep the place for when the network is back.
            return self.keep_place(now, feed, after, query);
        }
        if let Some(request) = self.fetch(now, feed.request(after), Some(query)) {
            self.feeds[feed.index()].in_flight = Some(request);
        }
    }

    /// Asks for everything after the highest id held, one query per feed
    /// at a time; a wish while one is in flight is remembered with the
    /// smallest `after`, so no gap opens between two queries. Right after a
    /// (re)connection, when a backend restart is likeliest, the newest page
    /// comes first: it shows a new run, and for a short gap it is the
    /// recovery itself.
    fn recover_feed(&mut self, now: Millis, feed: Feed, mut reconnect: bool) {
        let mut from = self.feed_max(feed);
        let state = &mut self.feeds[feed.index()];
        if state.in_flight.is_none() {
            // A failed query left its place behind: start from there.
            if let Some(pending) = state.again_from.take() {
                from = from.min(pending);
            }
            reconnect |= std::mem::take(&mut state.again_reconnect);
        }
        if state.in_flight.is_some() {
            state.again_from = min_after(state.again_from, from);
            state.again_reconnect |= reconnect;
            return;
        }
        if std::mem::take(&mut state.initial_wanted) {
            return self.fetch_feed(now, feed, None, FeedQuery::Initial);
        }
        if reconnect && from.is_some() {
            state.last_check_at = Some(now);
            state.check_wanted = false;
            let query = FeedQuery::RestartCheck {
                resume: from,
                run: self.feed_run(feed),
            };
            return self.fetch_feed(now, feed, None, query);
        }
        self.fetch_feed(now, feed, from, FeedQuery::After { reconnect });
    }

    fn want_restart_check(&mut self, now: Millis, feed: Feed) {
        if self.feeds[feed.index()].in_flight.is_some() {
            self.feeds[feed.index()].check_wanted = true;
        } else {
            self.feeds[feed.index()].last_check_at = Some(now);
            let resume = self.feed_max(feed);
            self.fetch_feed(
                now,
                feed,
                None,
                FeedQuery::RestartCheck {
                    resume,
                    run: self.feed_run(feed),
                },
            );
        }
    }

    fn finish_feed_request(&mut self, req: &InFlight) {
        for state in &mut self.feeds {
            if state.in_flight == Some(req.request) {
                state.in_flight = None;
            }
        }
    }

    /// After a feed answer: the next page, a check of the newest ids, or a
    /// query wished for meanwhile. `nothing_new`: an `after` page that
    /// brought nothing above its `after`, and whether a new backend run is
    /// likely (right after a reconnection, or a page whose newest id fell
    /// below the cursor).
    fn continue_feed(
        &mut self,
        now: Millis,
        feed: Feed,
        next_page: Option<u64>,
        nothing_new: Option<bool>,
    ) {
        if let Some(after) = next_page {
            self.fetch_feed(
                now,
                feed,
                Some(after),
                FeedQuery::After { reconnect: false },
            );
            return;
        }
        let state = &mut self.feeds[feed.index()];
        let check_due = match nothing_new {
            Some(likely) => {
                likely
                    || state
                        .last_check_at
                        .is_none_or(|t| now.saturating_sub(t) >= self.policy.restart_check_ms)
            }
            None => false,
        };
        if (state.check_wanted || check_due) && self.feed_max(feed).is_some() {
            let state = &mut self.feeds[feed.index()];
            state.check_wanted = false;
            state.last_check_at = Some(now);
            let resume = self.feed_max(feed);
            self.fetch_feed(
                now,
                feed,
                None,
                FeedQuery::RestartCheck {
                    resume,
                    run: self.feed_run(feed),
                },
            );
            return;
        }
        let state = &mut self.feeds[feed.index()];
        if let Some(from) = state.again_from.take() {
            let reconnect = std::mem::take(&mut state.again_reconnect);
            self.fetch_feed(now, feed, from, FeedQuery::After { reconnect });
        }
    }

    /// A failed request must not lose its place: feeds and health checks
    /// are asked again with back-off, in every mode (Live included).
    fn request_failed(&mut self, now: Millis, req: &InFlight) {
        if req.what == RestRequest::Health {
            self.end_epoch_hold(now);
            if self.epoch.is_some() {
                self.health_wanted = true;
                self.schedule_rest_retry(now);
            }
        }
        let (Some(feed), Some(query)) = (req.feed_kind(), req.feed_query) else {
            return;
        };
        self.keep_place(now, feed, req.after(), query);
        self.schedule_rest_retry(now);
    }

    /// Remembers a feed query that could not be asked or answered, so that
    /// the next retry, poll or reconnection asks it again from its place.
    fn keep_place(&mut self, now: Millis, feed: Feed, after: Option<u64>, query: FeedQuery) {
        let state = &mut self.feeds[feed.index()];
        match query {
            FeedQuery::Initial => state.initial_wanted = true,
            FeedQuery::After { reconnect } => {
                state.again_from = min_after(state.again_from, after);
                state.again_reconnect |= reconnect;
            }
            FeedQuery::RestartCheck { resume, .. } => {
                state.check_wanted = true;
                if resume.is_some() {
                    state.again_from = min_after(state.again_from, resume);
                }
                // No answer to wait for: what was held back goes on.
                self.end_feed_hold(now, feed);
            }
        }
    }

    fn schedule_rest_retry(&mut self, now: Millis) {
        if self.rest_retry_at.is_none() {
            let delay = self.rest_retry.handle_failure(now, &mut self.rng);
            self.rest_retry_at = Some(now.saturating_add(delay.max(250)));
        }
    }

    /// The retry deadline passed: ask again what failed.
    fn retry_rest(&mut self, now: Millis) {
        for feed in [Feed::Signals, Feed::Alerts] {
            let state = &mut self.feeds[feed.index()];
            if state.in_flight.is_some() {
                continue;
            }
            if std::mem::take(&mut state.initial_wanted) {
                self.fetch_feed(now, feed, None, FeedQuery::Initial);
            } else if state.check_wanted {
                self.want_restart_check(now, feed);
            } else if state.again_from.is_some() {
                self.recover_feed(now, feed, false);
            }
        }
        if self.health_wanted {
            self.check_epoch(now);
        }
    }

    /// `/api/health` answered: a changed epoch is a new backend run.
    fn epoch_answered(&mut self, now: Millis, epoch: Option<String>) {
        if let Some(new) = epoch.map(|e| excerpt(&e, 120)) {
            if let Some(old) = self.epoch.clone().filter(|old| *old != new) {
                for feed in [Feed::Signals, Feed::Alerts] {
                    if !self.feeds[feed.index()].fresh_run {
                        let why = format!("/api/health epoch changed from {old:?} to {new:?}");
                        self.new_run(now, feed, &why);
                        self.recover_feed(now, feed, false);
                    }
                }
            }
            self.epoch = Some(new);
        }
        for state in &mut self.feeds {
            state.fresh_run = false;
        }
        self.end_epoch_hold(now);
    }

    fn rest_ok(&mut self) {
        if self.rest != RestState::Answering {
            self.rest = RestState::Answering;
            self.changes.status = true;
        }
        self.clear_problem(DiagnosisKind::RestBlockedByCors);
        self.clear_problem(DiagnosisKind::RestHostDown);
        self.clear_problem(DiagnosisKind::RestGatewayFailed);
    }

    fn rest_failed(&mut self, now: Millis, failure: String, ask_reachability: bool) {
        self.rest = RestState::Failing;
        self.status.last_error = Some(format!("REST: {failure}"));
        self.last_rest_failure = failure;
        self.changes.status = true;
        let due = self
            .reachability_at
            .is_none_or(|t| now.saturating_sub(t) >= self.settings.poll_ms);
        if ask_reachability && due && self.fetch(now, RestRequest::Reachability, None).is_some() {
            self.reachability_at = Some(now);
        }
    }

    fn rest_network_error(&mut self, now: Millis, req: InFlight, message: &str) {
        match (&req.what, req.probe) {
            (RestRequest::Reachability, _) => {
                if self.rest == RestState::Failing {
                    let p = Diagnosis::rest_host_down(&self.settings.api, &self.last_rest_failure);
                    self.clear_problem(DiagnosisKind::RestBlockedByCors);
                    self.set_problem("", p);
                }
            }
            (_, Some(ProbePurpose::Choose)) => {
                // The probe could not be fetched (CORS or down): start with
                // a plain WebSocket; failures will switch to Socket.IO.
                self.choose_kind(now, TransportKind::Plain);
            }
            (_, Some(ProbePurpose::Explain)) => {}
            _ => {
                self.request_failed(now, &req);
                self.rest_failed(
                    now,
                    format!("{} failed: {}", req.what.endpoint(), clip(message, 200)),
                    true,
                );
            }
        }
    }

    fn choose_kind(&mut self, now: Millis, kind: TransportKind) {
        if self.kind.is_none() {
            self.kind = Some(kind);
            self.try_live(now);
        }
    }

    fn rest_answered(&mut self, now: Millis, req: InFlight, status: u16, body: &str) {
        match (&req.what, req.probe) {
            (RestRequest::Reachability, _) => {
                if self.rest == RestState::Failing {
                    // The host answers. Lacking CORS headers moments after
                    // it sent them is a failing backend or gateway (its error
                    // page has none), not a CORS setting.
                    let recently = self
                        .cors_ok_at
                        .is_some_and(|t| now.saturating_sub(t) <= self.policy.cors_memory_ms);
                    let api = self.settings.api.clone();
                    let p = if recently {
                        let retry = self.rest_retry_at.map(|t| t.saturating_sub(now));
                        Diagnosis::rest_gateway_failed(&api, &self.last_rest_failure, retry)
                    } else {
                        Diagnosis::rest_blocked_by_cors(&api, &self.last_rest_failure)
                    };
                    self.clear_problem(DiagnosisKind::RestHostDown);
                    self.clear_problem(DiagnosisKind::RestBlockedByCors);
                    self.clear_problem(DiagnosisKind::RestGatewayFailed);
                    self.set_problem("", p);
                }
                return;
            }
            (_, Some(purpose)) => return self.probe_answered(now, &req, purpose, status, body),
            _ => {}
        }
        self.cors_ok_at = Some(now);
        let endpoint = req.what.endpoint();
        if status == 0 || status >= 500 {
            self.rest_failed(now, format!("{endpoint} answered HTTP {status}"), false);
        } else {
            self.rest_ok();
        }
        if status >= 400 || status == 0 {
            let error = serde_json::from_str::<ErrorResponse>(body)
                .ok()
                .map(|e| e.error);
            self.set_problem(
                endpoint,
                Diagnosis::rest_http_error(endpoint, status, error.as_deref(), &req.url),
            );
            self.request_failed(now, &req);
            return;
        }
        self.clear_problem_key(DiagnosisKind::RestHttpError, endpoint);
        match self.read_answer(now, &req, body) {
            Ok(()) => {
                self.rest_retry.reset();
                self.clear_problem_key(DiagnosisKind::RestInvalidBody, endpoint)
            }
            Err(reason) => {
                self.status.rest_invalid += 1;
                let p = Diagnosis::rest_invalid_body(endpoint, &reason, self.status.rest_invalid);
                self.set_problem(endpoint, p);
                self.request_failed(now, &req);
            }
        }
    }

    fn probe_answered(
        &mut self,
        now: Millis,
        req: &InFlight,
        purpose: ProbePurpose,
        status: u16,
        body: &str,
    ) {
        let socketio = (200..300).contains(&status) && body.trim_start().starts_with("0{");
        match purpose {
            ProbePurpose::Choose => {
                self.probe_found_socketio = socketio;
                let kind = if socketio {
                    TransportKind::SocketIo
                } else {
                    TransportKind::Plain
                };
                self.choose_kind(now, kind);
            }
            ProbePurpose::Explain => match (self.kind, socketio) {
                (Some(TransportKind::SocketIo), false) => {
                    let p = Diagnosis::socketio_not_offered(&req.url, status, &excerpt(body, 80));
                    self.set_problem("", p);
                }
                (Some(TransportKind::SocketIo), true) if self.fails_before_open > 0 => {
                    let live = self.settings.live_url(TransportKind::SocketIo);
                    let p = Diagnosis::websocket_upgrade_blocked(&live, &req.url);
                    self.set_problem("", p);
                }
                (Some(TransportKind::Plain), true) => {
                    let evidence =
                        format!("GET {} answered {status}: {:?}", req.url, excerpt(body, 80));
                    self.set_problem("", Diagnosis::socketio_server_as_plain(&evidence));
                }
                _ => {}
            },
        }
    }

    /// Reads a 2xx answer into the store.
    fn read_answer(&mut self, now: Millis, req: &InFlight, body: &str) -> Result<(), String> {
        let bad = |e: serde_json::Error| {
            format!(
                "{} answer is not what PROTOCOL.md §2 describes: {e}",
                req.what.endpoint()
            )
        };
        match &req.what {
            RestRequest::Health => {
                let h: Health = serde_json::from_str(body).map_err(bad)?;
                let version = h.version.map(|v| excerpt(&v, 80));
                if version != self.status.backend_version {
                    self.status.backend_version = version;
                    self.changes.status = true;
                }
                self.epoch_answered(now, h.epoch);
            }
            RestRequest::Symbols => {
                let s: SymbolsResponse = serde_json::from_str(body).map_err(bad)?;
                self.changes.symbols |= self.store.set_symbols(s.symbols);
                self.symbols_known(now);
            }
            RestRequest::Regime { .. } => {
                let s: RegimeSnapshot = serde_json::from_str(body).map_err(bad)?;
                self.put_snapshot(now, s);
            }
            RestRequest::History { symbol, timeframe } => {
                let h: HistoryResponse = serde_json::from_str(body).map_err(bad)?;
                self.changes.history |= self.store.set_history(symbol, timeframe, h.points);
            }
            RestRequest::Signals { .. } => {
                let r: SignalsResponse = serde_json::from_str(body).map_err(bad)?;
                let ring = Store::signals;
                self.feed_answered(
                    now,
                    Feed::Signals,
                    req,
                    r.signals,
                    ring,
                    |c, now, mut s, _| {
                        s.clip_texts();
                        let new = c.store.put_signal(s, now) == Insert::New;
                        c.changes.signals |= new;
                        new
                    },
                );
            }
            RestRequest::Alerts { .. } => {
                let r: AlertsResponse = serde_json::from_str(body).map_err(bad)?;
                let ring = Store::alerts;
                self.feed_answered(
                    now,
                    Feed::Alerts,
                    req,
                    r.alerts,
                    ring,
                    |c, now, a, fresh| c.put_alert(now, a, fresh),
                );
                if req.feed_query == Some(FeedQuery::Initial) {
                    self.initial_alerts_loaded = true;
                }
            }
            RestRequest::SocketIoProbe | RestRequest::Reachability => {}
        }
        Ok(())
    }

    /// Applies a page of signals or alerts: the new-run check, recovery
    /// counting and paging. `put(conn, now, item, fresh)` stores one item
    /// and says whether it was new.
    ///
    /// Paging goes on while a page brings ids above the `after` it asked
    /// with: a backend may cap its pages below `limit` (a short page is not
    /// the end) or ignore `after` (a page with nothing new ends it), so no
    /// backend can make the page ask forever or stop early.
    fn feed_answered<T: HasId>(
        &mut self,
        now: Millis,
        feed: Feed,
        req: &InFlight,
        mut items: Vec<T>,
        ring: impl Fn(&Store) -> &IdRing<T>,
        put: impl Fn(&mut Self, Millis, T, bool) -> bool,
    ) {
        items.sort_by_key(HasId::id);
        items.dedup_by_key(|i| i.id());
        let query = req
            .feed_query
            .unwrap_or(FeedQuery::After { reconnect: false });
        let page_min = items.first().map(HasId::id);
        let page_max = items.last().map(HasId::id);
        let mut started_run = false;
        if let FeedQuery::RestartCheck { resume, run } = query {
            // Compared with what was held when it was asked: live items
            // that came meanwhile are not a sign, nor a run that started since.
            let cursor = resume.filter(|_| run == self.feed_run(feed));
            let evidence =
                Self::new_run_evidence(feed, ring(&self.store), &items, page_max, cursor);
            if let Some(evidence) = evidence {
                self.new_run(now, feed, &evidence);
                started_run = true;
            }
        }
        let counts = query != FeedQuery::Initial;
        let fresh = counts || self.initial_alerts_loaded;
        let mut recovered = 0;
        for item in items {
            if put(self, now, item, fresh) && counts {
                recovered += 1;
            }
        }
        if recovered > 0 {
            self.status.recovered += recovered;
            self.changes.status = true;
        }
        match query {
            FeedQuery::After { reconnect } => {
                let asked = req.after();
                let above = matches!((asked, page_max), (Some(a), Some(m)) if m > a);
                if above {
                    return self.continue_feed(now, feed, page_max, None);
                }
                // Nothing new. A newest id below the cursor (a backend that
                // ignores `after`) hints at a new run: check.
                let below = matches!((asked, page_max), (Some(a), Some(m)) if m < a);
                self.continue_feed(now, feed, None, Some(reconnect || below));
            }
            FeedQuery::RestartCheck { resume, .. } => {
                // The newest page may not reach back to the cursor (more
                // came meanwhile than a page holds): page on from there. A
                // new run is read from its start.
                let next = match (started_run, resume, page_min) {
                    (true, _, Some(min)) if min > 1 => Some(0),
                    (false, Some(cursor), Some(min)) if min > cursor.saturating_add(1) => {
                        Some(cursor)
                    }
                    _ => None,
                };
                self.end_feed_hold(now, feed);
                self.continue_feed(now, feed, next, None);
            }
            FeedQuery::Initial => self.continue_feed(now, feed, None, None),
        }
    }

    /// Whether the newest page shows a new backend run: a held id with
    /// another event, or a newest id below the highest held.
    fn new_run_evidence<T: HasId>(
        feed: Feed,
        ring: &IdRing<T>,
        newest: &[T],
        page_max: Option<u64>,
        cursor: Option<u64>,
    ) -> Option<String> {
        let noun = feed.noun();
        let conflict = newest.iter().find(|i| ring.probe(i) == Insert::Conflict);
        if let Some(id) = conflict.map(HasId::id) {
            return Some(format!("REST's {noun} {id} is not the {noun} {id} held"));
        }
        match (page_max, cursor) {
            (Some(newest), Some(held)) if newest < held => Some(format!(
                "REST's newest {noun} id is {newest}, below the highest held ({held})"
            )),
            _ => None,
        }
    }

    /// The symbol list arrived: settle the selection, fetch what it needs.
    fn symbols_known(&mut self, now: Millis) {
        if self.selection.is_none() {
            let symbol = self
                .settings
                .symbol
                .clone()
                .or_else(|| self.store.symbols().first().map(|s| s.symbol.clone()));
            let Some(symbol) = symbol else { return };
            let timeframe = self.settings.timeframe.clone().or_else(|| {
                let info = self.store.symbols().iter().find(|s| s.symbol == symbol);
                info.or(self.store.symbols().first())
                    .and_then(|s| s.timeframes.first().cloned())
            });
            let Some(timeframe) = timeframe else { return };
            self.selection = Some((symbol, timeframe));
            self.changes.selection = true;
            self.fetch_selection(now);
        }
        self.fetch_overview(now);
        self.subscribe(now);
    }

    // ------------------------------------------------------------------
    // Time
    // ------------------------------------------------------------------

    fn grace_end(&self) -> Option<Millis> {
        if self.first_attempt_done || self.settings.protocol == Protocol::Off {
            return None;
        }
        self.started_at
            .map(|s| s.saturating_add(self.policy.first_attempt_grace_ms))
    }

    fn count_message(&mut self, now: Millis) {
        if self.attempt.as_ref().is_some_and(|a| a.ready_at.is_some()) {
            self.clear_problem(DiagnosisKind::DeadConnection);
        }
        self.status.messages_total += 1;
        self.status.last_message_at = Some(now);
        self.changes.traffic = true;
        let second = now - now % 1000;
        match self.rate.back_mut() {
            Some((s, n)) if *s == second => *n += 1,
            _ => self.rate.push_back((second, 1)),
        }
    }

    /// Runs every passed deadline, then settles the mode. Every input ends here.
    fn after_input(&mut self, now: Millis) {
        // The socket that neither opened nor closed in time.
        let stuck = self.attempt.as_ref().is_some_and(|a| {
            a.session.is_none()
                && now >= a.started_at.saturating_add(self.policy.connect_timeout_ms)
        });
        if stuck {
            let secs = self.policy.connect_timeout_ms / 1000;
            self.attempt_failed(
                now,
                Failure::BeforeOpen(format!("did not open within {secs} s")),
                true,
            );
        }
        // The session's own deadlines (heartbeat, silence, handshake).
        let mut out = Vec::new();
        if let Some(s) = self.attempt.as_mut().and_then(|a| a.session.as_mut()) {
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now, &mut out);
            }
            let pongs = s.pongs_supported();
            if pongs.is_some() && pongs != self.status.pongs_supported {
                self.status.pongs_supported = pongs;
                self.changes.status = true;
            }
        }
        if !out.is_empty() {
            self.apply_session_events(now, out);
        }
        // Live, but no regime event.
        let warn = self.attempt.as_mut().and_then(|a| match a.ready_at {
            Some(r)
                if !a.saw_regime
                    && !a.warned_no_regime
                    && now >= r.saturating_add(self.policy.no_regime_warning_ms) =>
            {
                a.warned_no_regime = true;
                Some(now - r)
            }
            _ => None,
        });
        if let Some(waited) = warn {
            self.set_problem(
                "",
                Diagnosis::no_regime_events(waited, self.settings.poll_ms),
            );
            self.poll(now);
        }
        // Live items wait no longer for a check of the backend's run.
        if self.epoch_hold_until.is_some_and(|t| t <= now) {
            self.end_epoch_hold(now);
        }
        for feed in [Feed::Signals, Feed::Alerts] {
            if self.feeds[feed.index()]
                .hold_until
                .is_some_and(|t| t <= now)
            {
                self.end_feed_hold(now, feed);
            }
        }
        // Failed requests, asked again.
        if self.online && self.rest_retry_at.is_some_and(|t| t <= now) {
            self.rest_retry_at = None;
            self.retry_rest(now);
        }
        // The next live attempt.
        if self.retry_at.is_some_and(|t| t <= now) && self.attempt.is_none() {
            self.retry_at = None;
            self.try_live(now);
        }
        // REST requests that never came back.
        let late: Vec<RequestId> = self
            .in_flight
            .iter()
            .filter(|f| f.deadline <= now)
            .map(|f| f.request)
            .collect();
        for request in late {
            self.commands.push_back(Command::CancelFetch { request });
            let secs = self.policy.rest_timeout_ms / 1000;
            self.handle_rest_timeout(now, request, secs);
        }
        // REST polling.
        if self.next_poll_at.is_some_and(|t| t <= now) {
            if self.polling_wanted() {
                self.poll(now);
            } else {
                self.next_poll_at = None;
            }
        } else if self.next_poll_at.is_none() && self.polling_wanted() && self.started_at.is_some()
        {
            self.next_poll_at = Some(now.saturating_add(self.settings.poll_ms.max(1)));
        }
        // One-off problems fade.
        let forget = self.policy.transient_problem_ms;
        let faded: Vec<DiagnosisKind> = self
            .transient_seen
            .iter()
            .filter(|(_, seen)| now >= seen.saturating_add(forget))
            .map(|(k, _)| *k)
            .collect();
        for kind in faded {
            self.transient_seen.retain(|(k, _)| *k != kind);
            self.clear_problem(kind);
        }
        // The message rate.
        let window = self.policy.rate_window_ms.max(1000);
        while self
            .rate
            .front()
            .is_some_and(|(s, _)| now >= s.saturating_add(window))
        {
            self.rate.pop_front();
        }
        let rate = self.rate.iter().map(|(_, n)| *n).sum::<u64>() as f64 * 1000.0 / window as f64;
        if rate != self.status.messages_per_sec {
            self.status.messages_per_sec = rate;
            self.changes.traffic = true;
        }
        self.settle_mode(now);
    }

    fn handle_rest_timeout(&mut self, now: Millis, request: RequestId, secs: Millis) {
        let Some(at) = self.in_flight.iter().position(|f| f.request == request) else {
            return;
        };
        let req = self.in_flight.swap_remove(at);
        self.finish_feed_request(&req);
        self.rest_network_error(now, req, &format!("no answer within {secs} s"));
        self.pump_overview(now);
    }

    fn settle_mode(&mut self, now: Millis) {
        let in_grace = self.grace_end().is_some_and(|end| now < end);
        if !in_grace && self.grace_end().is_some() {
            self.first_attempt_done = true;
        }
        let live = self.attempt.as_ref().is_some_and(|a| a.ready_at.is_some());
        let mode = if !self.online {
            Mode::Offline
        } else if live {
            Mode::Live
        } else if in_grace {
            Mode::Connecting
        } else {
            match self.rest {
                RestState::Answering => Mode::Api,
                RestState::Failing => Mode::Offline,
                // A live connection answered once, REST never yet: neither answers now.
                RestState::Unknown if self.was_live => Mode::Offline,
                RestState::Unknown => Mode::Connecting,
            }
        };
        if mode != self.status.mode {
            self.status.mode = mode;
            self.changes.status = true;
        }
    }

    // ------------------------------------------------------------------
    // Problems
    // ------------------------------------------------------------------

    fn set_problem(&mut self, key: &str, p: Diagnosis) {
        match self
            .problems
            .iter_mut()
            .find(|(k, s, _)| *k == p.kind && s == key)
        {
            Some((_, _, held)) if *held == p => return,
            Some((_, _, held)) => *held = p,
            None => self.problems.push((p.kind, key.to_string(), p)),
        }
        self.publish_problems();
    }

    fn set_transient(&mut self, now: Millis, p: Diagnosis) {
        let kind = p.kind;
        match self.transient_seen.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, seen)) => *seen = now,
            None => self.transient_seen.push((kind, now)),
        }
        self.set_problem("", p);
        self.changes.status = true;
    }

    fn clear_problem(&mut self, kind: DiagnosisKind) {
        let before = self.problems.len();
        self.problems.retain(|(k, _, _)| *k != kind);
        if self.problems.len() != before {
            self.publish_problems();
        }
    }

    fn clear_problem_key(&mut self, kind: DiagnosisKind, key: &str) {
        let before = self.problems.len();
        self.problems.retain(|(k, s, _)| !(*k == kind && s == key));
        if self.problems.len() != before {
            self.publish_problems();
        }
    }

    fn publish_problems(&mut self) {
        let mut list: Vec<&(DiagnosisKind, String, Diagnosis)> = self.problems.iter().collect();
        list.sort_by(|a, b| (a.2.severity, a.0, &a.1).cmp(&(b.2.severity, b.0, &b.1)));
        self.status.problems = list.into_iter().map(|(_, _, p)| p.clone()).collect();
        self.changes.status = true;
    }
}

impl InFlight {
    fn feed_kind(&self) -> Option<Feed> {
        match self.what {
            RestRequest::Signals { .. } => Some(Feed::Signals),
            RestRequest::Alerts { .. } => Some(Feed::Alerts),
            _ => None,
        }
    }
    fn after(&self) -> Option<u64> {
        match self.what {
            RestRequest::Signals { after } | RestRequest::Alerts { after } => after,
            _ => None,
        }
    }
}
