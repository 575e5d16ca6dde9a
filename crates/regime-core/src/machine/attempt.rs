//! The one live socket at a time: opening it with the transport chosen,
//! applying what its session reports, and what a failure means (back-off,
//! diagnosis, protocol=auto's switch to the other transport).

use super::problems::ProblemKey;
use super::recovery::Feed;
use super::rest::InFlight;
use super::{Command, Connection, SocketId};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::live::{
    clip, excerpt, LiveEvent, SessionEnd, SessionEvent, TransportKind, SHOWN_TEXT_MAX,
};
use crate::model::Subscription;
use crate::session::LiveSession;
use crate::settings::Protocol;
use crate::Millis;

/// One live socket, from `OpenSocket` until it is given up.
pub(super) struct Attempt {
    pub(super) socket: SocketId,
    pub(super) kind: TransportKind,
    pub(super) url: String,
    pub(super) started_at: Millis,
    pub(super) phase: Phase,
    pub(super) saw_regime: bool,
    pub(super) warned_no_regime: bool,
    /// The first live signal/alert of a session triggers one more `after`
    /// query: it closes the window between the REST answer at Ready and the
    /// moment the server started sending to this socket.
    pub(super) first_signal_seen: bool,
    pub(super) first_alert_seen: bool,
    /// The handshake's heartbeat timings had to be clamped.
    pub(super) bad_handshake: bool,
    /// It carried the token (`?token=`, or Socket.IO's auth payload).
    pub(super) with_token: bool,
}

/// How far an attempt got.
pub(super) enum Phase {
    /// `OpenSocket` was given; the socket has neither opened nor closed.
    Opening,
    /// The socket opened; the session's handshake is under way.
    Handshaking(LiveSession),
    /// The session is ready: Live, `since` then.
    Ready { session: LiveSession, since: Millis },
}

impl Attempt {
    /// The session, once the socket opened.
    pub(super) fn session(&self) -> Option<&LiveSession> {
        match &self.phase {
            Phase::Opening => None,
            Phase::Handshaking(session) | Phase::Ready { session, .. } => Some(session),
        }
    }

    fn session_mut(&mut self) -> Option<&mut LiveSession> {
        match &mut self.phase {
            Phase::Opening => None,
            Phase::Handshaking(session) | Phase::Ready { session, .. } => Some(session),
        }
    }

    pub(super) fn opened(&self) -> bool {
        !matches!(self.phase, Phase::Opening)
    }

    /// When the session became ready, if it did.
    pub(super) fn ready_since(&self) -> Option<Millis> {
        match self.phase {
            Phase::Ready { since, .. } => Some(since),
            Phase::Opening | Phase::Handshaking(_) => None,
        }
    }

    pub(super) fn is_ready(&self) -> bool {
        matches!(self.phase, Phase::Ready { .. })
    }

    /// The socket opened with `session`.
    pub(super) fn opened_with(&mut self, session: LiveSession) {
        self.phase = Phase::Handshaking(session);
    }

    /// The handshake finished: Handshaking becomes Ready. False in any
    /// other phase (a session is ready once).
    fn handshake_done(&mut self, now: Millis) -> bool {
        match std::mem::replace(&mut self.phase, Phase::Opening) {
            Phase::Handshaking(session) => {
                self.phase = Phase::Ready {
                    session,
                    since: now,
                };
                true
            }
            other => {
                self.phase = other;
                false
            }
        }
    }
}

/// Why an attempt ended.
pub(super) enum Failure {
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ProbePurpose {
    /// protocol=auto: pick the transport.
    Choose,
    /// Explain sockets that keep failing.
    Explain,
}

/// Which transport live attempts use, and what it was chosen from.
pub(super) struct TransportChoice {
    /// The transport to use; `None` until protocol=auto's probe decided.
    pub(super) kind: Option<TransportKind>,
    /// The transports a live attempt used so far.
    pub(super) tried: TriedTransports,
    /// The Socket.IO polling probe answered an Engine.IO open packet.
    pub(super) probe_found_socketio: bool,
}

impl TransportChoice {
    /// The transport the settings name; none yet for protocol=auto (its
    /// probe decides) and protocol=off.
    pub(super) fn new(protocol: Protocol) -> Self {
        let kind = match protocol {
            Protocol::Native => Some(TransportKind::Plain),
            Protocol::SocketIo => Some(TransportKind::SocketIo),
            Protocol::Auto | Protocol::Off => None,
        };
        TransportChoice {
            kind,
            tried: TriedTransports::default(),
            probe_found_socketio: false,
        }
    }
}

/// Live attempts that failed since the last one that reached Ready.
#[derive(Default)]
pub(super) struct FailureStreak {
    /// Every failure before Ready.
    pub(super) before_ready: u32,
    /// Of those, the failures before the socket opened.
    pub(super) before_open: u32,
    /// The Socket.IO probe was fetched to explain this streak.
    pub(super) explained: bool,
}

/// The transports that live attempts used so far: protocol=auto switches
/// only to one not tried yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct TriedTransports {
    plain: bool,
    socketio: bool,
}

impl TriedTransports {
    fn flag(&mut self, kind: TransportKind) -> &mut bool {
        match kind {
            TransportKind::Plain => &mut self.plain,
            TransportKind::SocketIo => &mut self.socketio,
        }
    }

    fn insert(&mut self, kind: TransportKind) {
        *self.flag(kind) = true;
    }

    fn contains(self, kind: TransportKind) -> bool {
        match kind {
            TransportKind::Plain => self.plain,
            TransportKind::SocketIo => self.socketio,
        }
    }
}

fn other_kind(kind: TransportKind) -> TransportKind {
    match kind {
        TransportKind::Plain => TransportKind::SocketIo,
        TransportKind::SocketIo => TransportKind::Plain,
    }
}

impl Connection {
    pub(super) fn current_session(&mut self, socket: SocketId) -> Option<&mut LiveSession> {
        self.attempt
            .as_mut()
            .filter(|a| a.socket == socket)
            .and_then(|a| a.session_mut())
    }

    /// Opens a socket now (or, for protocol=auto without a decision yet,
    /// asks the probe first).
    pub(super) fn try_live(&mut self, now: Millis) {
        if !self.online || self.attempt.is_some() || self.settings.protocol == Protocol::Off {
            return;
        }
        self.retry_at = None;
        self.status.next_retry_at = None;
        let Some(kind) = self.choice.kind else {
            if !self.rest.in_flight.iter().any(|f| f.probe.is_some()) {
                self.fetch_probe(now, ProbePurpose::Choose);
            }
            return;
        };
        let socket = self.next_socket;
        self.next_socket += 1;
        // `url` may carry the token; `shown` never does.
        let (url, shown, with_token) = self.live_urls(kind);
        self.choice.tried.insert(kind);
        self.status.live_url = shown.clone();
        self.changes.status = true;
        self.commands
            .push_back(Command::OpenSocket { socket, url, kind });
        self.attempt = Some(Attempt {
            socket,
            kind,
            url: shown,
            with_token,
            started_at: now,
            phase: Phase::Opening,
            saw_regime: false,
            warned_no_regime: false,
            first_signal_seen: false,
            first_alert_seen: false,
            bad_handshake: false,
        });
    }

    /// Closes the current socket on purpose (reconnect, offline): not a
    /// failure, no back-off.
    pub(super) fn drop_attempt(&mut self, now: Millis) {
        if let Some(mut a) = self.attempt.take() {
            let mut out = Vec::new();
            let kind = a.kind;
            if let Some(s) = a.session_mut() {
                s.close(&mut out);
                if kind == TransportKind::SocketIo {
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
            if a.is_ready() {
                self.left_live(now);
            }
        }
    }

    /// The live connection is gone after being Live: poll REST now.
    fn left_live(&mut self, now: Millis) {
        self.clear_problem(DiagnosisKind::NoRegimeEvents);
        self.status.transport = None;
        self.status.live_market_at = None;
        self.status.live_feed_at = None;
        self.changes.status = true;
        self.poll(now);
    }

    pub(super) fn apply_session_events(&mut self, now: Millis, events: Vec<SessionEvent>) {
        for event in events {
            let Some(socket) = self.attempt.as_ref().map(|a| a.socket) else {
                return;
            };
            match event {
                SessionEvent::Send(text) => self.commands.push_back(Command::Send { socket, text }),
                SessionEvent::Ready { .. } => self.became_ready(now),
                SessionEvent::Event(e) => self.live_event(now, e),
                SessionEvent::Batch { elements } => {
                    self.status.batches += 1;
                    self.status.batched_elements += elements as u64;
                    self.changes.traffic = true;
                }
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
                    self.set_problem(Diagnosis::pongs_not_supported());
                }
                SessionEvent::BadHandshake { field, sent, used } => {
                    if let Some(a) = self.attempt.as_mut() {
                        a.bad_handshake = true;
                    }
                    let p = Diagnosis::bad_handshake(field, sent, used);
                    self.set_problem_for(ProblemKey::HandshakeField(field), p);
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
        if !a.handshake_done(now) {
            return;
        }
        let kind = a.kind;
        let bad_handshake = a.bad_handshake;
        self.live_accepted_token(kind);
        let reconnect = self.was_live;
        self.was_live = true;
        self.backoff.handle_connected(now);
        self.streak = FailureStreak::default();
        self.first_attempt_done = true;
        self.status.retries = 0;
        self.status.next_retry_at = None;
        self.status.transport = Some(kind);
        self.status.last_error = None;
        // A new connection: nothing has flowed on it yet.
        self.status.live_market_at = None;
        self.status.live_feed_at = None;
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
        if reconnect || self.recovery.epoch.is_some() {
            self.check_epoch(now);
        }
        // A dead connection is not cleared by a new socket opening: a plain
        // server that went silent accepts the next socket just the same. It
        // goes with the first frame that proves the new connection alive
        // (see `count_message`).
        self.rest.next_poll_at = None;
        self.subscribe(now);
        self.recover_feed(now, Feed::Signals, true);
        self.recover_feed(now, Feed::Alerts, true);
        self.fetch_selection(now);
    }

    /// Sends the subscription when both the session is ready and the
    /// selection is known: every known symbol, the selected timeframe.
    pub(super) fn subscribe(&mut self, now: Millis) {
        let Some((_, timeframe)) = self.selection.clone() else {
            return;
        };
        // What the page shows (PROTOCOL.md: `subscribe` names symbols and
        // timeframes): the selection, the overview strip's symbols, and the
        // matrix's rows and columns.
        let mut symbols = self.strip_symbols();
        let mut timeframes = vec![timeframe];
        for (symbol, tf) in self.matrix_cells() {
            if !symbols.contains(&symbol) {
                symbols.push(symbol);
            }
            if !timeframes.contains(&tf) {
                timeframes.push(tf);
            }
        }
        // Always ask for batches: a backend that has none ignores the field,
        // and one that has them sends fewer, larger frames under a flood.
        let sub = Subscription {
            symbols,
            timeframes,
            batch: true,
        };
        let mut out = Vec::new();
        match self.attempt.as_mut() {
            Some(Attempt {
                phase: Phase::Ready { session, .. },
                ..
            }) => session.subscribe(&sub, &mut out),
            _ => return,
        }
        self.apply_session_events(now, out);
    }

    fn live_event(&mut self, now: Millis, event: LiveEvent) {
        self.note_live_data(now, &event);
        match event {
            LiveEvent::Regime(s) => {
                if let Some(a) = self.attempt.as_mut() {
                    a.saw_regime = true;
                    // Regime events flow: polling stops, and a later
                    // silence is warned about again.
                    a.warned_no_regime = false;
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

    /// Live data flowed on this connection. The first market event of a
    /// connection turns the badge green, a status change; the rest move
    /// with the traffic figures (the view republishes them within 500 ms).
    fn note_live_data(&mut self, now: Millis, event: &LiveEvent) {
        let at = match event {
            LiveEvent::Regime(_) | LiveEvent::Price(_) => {
                if self.status.live_market_at.is_none() {
                    self.changes.status = true;
                }
                &mut self.status.live_market_at
            }
            LiveEvent::Signal(_) | LiveEvent::Alert(_) => &mut self.status.live_feed_at,
        };
        *at = Some(now);
        self.changes.traffic = true;
    }

    /// The current attempt failed or the live connection was lost.
    /// `close`: the socket may still be open and must be closed.
    pub(super) fn attempt_failed(&mut self, now: Millis, failure: Failure, close: bool) {
        let Some(mut a) = self.attempt.take() else {
            return;
        };
        if close {
            self.commands
                .push_back(Command::CloseSocket { socket: a.socket });
        }
        if let (TransportKind::SocketIo, Some(s)) = (a.kind, a.session_mut()) {
            self.socketio_recovery = s.recovery();
        }
        let was_ready = a.is_ready();
        let opened = a.opened();
        self.first_attempt_done = true;
        if !was_ready {
            self.streak.before_ready += 1;
            if !opened {
                self.streak.before_open += 1;
            }
        }
        let delay = self.backoff.handle_failure(now, &mut self.rng);
        self.status.retries = self.backoff.failures();
        let label = a.kind.label();
        let token_refused = self.live_refused_token(now, &a, &failure);
        let cause = match &failure {
            Failure::BeforeOpen(c) | Failure::Closed { cause: c, .. } => c.clone(),
            Failure::Ended(SessionEnd::NamespaceRefused { namespace, message })
                if token_refused =>
            {
                format!("namespace {namespace} refused the token: {message}")
            }
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
            let p = Diagnosis::live_refused(label, &a.url, c);
            self.set_problem(p);
            // protocol=auto already knows Socket.IO answers over HTTP.
            if a.kind == TransportKind::SocketIo
                && self.choice.probe_found_socketio
                && self.streak.before_open >= self.policy.probe_after_failures
            {
                let probe = self.settings.socketio_probe_url();
                let p = Diagnosis::websocket_upgrade_blocked(&a.url, &probe);
                self.set_problem(p);
            }
        } else if let Some(close) = closed_early {
            self.clear_problem(DiagnosisKind::LiveRefused);
            let close = close
                .as_ref()
                .map(|(code, reason)| (*code, reason.as_str()));
            let p = Diagnosis::closed_before_ready(label, &a.url, close, &cause);
            self.set_problem(p);
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
            && (wrong_protocol || self.streak.before_ready >= self.policy.switch_after_failures)
            && !self.choice.tried.contains(other_kind(a.kind))
        {
            self.choice.kind = Some(other_kind(a.kind));
            self.streak.before_ready = 0;
            self.streak.before_open = 0;
            delay = 0;
        } else if matches!(
            self.settings.protocol,
            Protocol::Native | Protocol::SocketIo
        ) && self.streak.before_open >= self.policy.probe_after_failures
            && !self.streak.explained
        {
            self.streak.explained = true;
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
                self.set_problem(Diagnosis::namespace_refused(namespace, message));
                format!("namespace {namespace} refused: {message}")
            }
            SessionEnd::SocketIoV2 => {
                self.set_problem(Diagnosis::socketio_v2());
                "Socket.IO v2 server".into()
            }
            SessionEnd::NotSocketIo { first_frame } => {
                if self.settings.protocol != Protocol::Auto {
                    self.set_problem(Diagnosis::socketio_not_spoken(&a.url, first_frame));
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
                    self.set_problem(Diagnosis::socketio_server_as_plain(&evidence));
                }
                "the server speaks Socket.IO".into()
            }
            SessionEnd::HeartbeatTimeout { waited_ms } => {
                self.set_problem(Diagnosis::dead_connection_heartbeat(*waited_ms));
                format!("no heartbeat for {waited_ms} ms")
            }
            SessionEnd::Silence {
                silence_ms,
                pongs_seen,
            } => {
                self.set_problem(Diagnosis::dead_connection_silence(*silence_ms, *pongs_seen));
                format!("silent for {silence_ms} ms")
            }
            SessionEnd::ServerClosed => "the server closed the session".into(),
            SessionEnd::HandshakeTimeout { waited_ms } => {
                self.set_problem(Diagnosis::handshake_timeout(
                    a.kind.label(),
                    &a.url,
                    *waited_ms,
                ));
                format!("no handshake within {waited_ms} ms")
            }
        }
    }

    /// The session's own deadline passed (heartbeat, silence, handshake).
    pub(super) fn session_timeout(&mut self, now: Millis) {
        let mut out = Vec::new();
        if let Some(s) = self.attempt.as_mut().and_then(Attempt::session_mut) {
            s.handle_timeout(now, &mut out);
        }
        if !out.is_empty() {
            self.apply_session_events(now, out);
        }
    }

    /// Live for `no_regime_warning_ms` without a `regime` event: say so, and
    /// poll REST beside the live connection.
    pub(super) fn warn_no_regime(&mut self, now: Millis) {
        let Some(since) = self.attempt.as_ref().and_then(|a| self.no_regime_since(a)) else {
            return;
        };
        let Some(a) = self.attempt.as_mut() else {
            return;
        };
        a.warned_no_regime = true;
        let waited = now.saturating_sub(since);
        let problem = if a.saw_regime {
            Diagnosis::market_silent(waited, self.settings.poll_ms)
        } else {
            Diagnosis::no_regime_events(waited, self.settings.poll_ms)
        };
        self.set_problem(problem);
        self.poll(now);
    }

    /// Since when the live connection has brought no regime: since it
    /// became ready while no `regime` event came on it, else since its last
    /// market event (a `price` keeps a slow timeframe's regime trusted).
    pub(super) fn no_regime_since(&self, a: &Attempt) -> Option<Millis> {
        let ready = a.ready_since()?;
        Some(if a.saw_regime {
            self.status.live_market_at.unwrap_or(ready).max(ready)
        } else {
            ready
        })
    }

    /// Whether the server answers pings, as the session knows it (a pong
    /// with an unexpected id says so without a round trip).
    pub(super) fn note_pongs_supported(&mut self) {
        let pongs = self
            .attempt
            .as_ref()
            .and_then(Attempt::session)
            .and_then(|s| s.pongs_supported());
        if pongs.is_some() && pongs != self.status.pongs_supported {
            self.status.pongs_supported = pongs;
            self.changes.status = true;
        }
    }

    pub(super) fn choose_kind(&mut self, now: Millis, kind: TransportKind) {
        if self.choice.kind.is_none() {
            self.choice.kind = Some(kind);
            self.try_live(now);
        }
    }

    pub(super) fn probe_answered(
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
                self.choice.probe_found_socketio = socketio;
                let kind = if socketio {
                    TransportKind::SocketIo
                } else {
                    TransportKind::Plain
                };
                self.choose_kind(now, kind);
            }
            ProbePurpose::Explain => match (self.choice.kind, socketio) {
                (Some(TransportKind::SocketIo), false) => {
                    let p = Diagnosis::socketio_not_offered(&req.url, status, &excerpt(body, 80));
                    self.set_problem(p);
                }
                (Some(TransportKind::SocketIo), true) if self.streak.before_open > 0 => {
                    let live = self.settings.live_url(TransportKind::SocketIo);
                    let p = Diagnosis::websocket_upgrade_blocked(&live, &req.url);
                    self.set_problem(p);
                }
                (Some(TransportKind::Plain), true) => {
                    let evidence =
                        format!("GET {} answered {status}: {:?}", req.url, excerpt(body, 80));
                    self.set_problem(Diagnosis::socketio_server_as_plain(&evidence));
                }
                _ => {}
            },
        }
    }
}
