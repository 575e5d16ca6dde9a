//! REST: the requests in flight and their URLs, what an answer (or its
//! absence) means, retries with back-off, polling, and the overview's
//! requests a few at a time.

use std::collections::VecDeque;

use super::attempt::ProbePurpose;
use super::problems::ProblemKey;
use super::recovery::{Feed, FeedQuery};
use super::{Command, Connection, Policy, RequestId, RestRequest};
use crate::backoff::{Backoff, BackoffConfig};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::live::{clip, excerpt, TransportKind};
use crate::model::{
    AlertsResponse, ClipTexts, ErrorResponse, Health, HistoryResponse, RegimeSnapshot,
    SignalsResponse, SymbolsResponse,
};
use crate::store::Store;
use crate::wire::url::{percent_encode, redact_token};
use crate::Millis;

/// REST's side of the connection: the requests in flight, whether REST
/// answers, retries, polling, and the overview's requests still to ask.
pub(super) struct Rest {
    pub(super) next_request: RequestId,
    pub(super) in_flight: Vec<InFlight>,
    pub(super) state: RestState,
    /// The last failure, for the diagnosis that a reachability check completes.
    pub(super) last_failure: String,
    /// When the host's reachability was last asked.
    pub(super) reachability_at: Option<Millis>,
    /// Failed recovery, poll and health requests are retried then.
    pub(super) retry: Backoff,
    pub(super) retry_at: Option<Millis>,
    /// When a CORS-mode REST request was last answered (any status).
    pub(super) cors_ok_at: Option<Millis>,
    /// Symbols whose `/api/regime` waits for a place among the requests in flight.
    pub(super) overview_queue: VecDeque<String>,
    /// The next REST poll.
    pub(super) next_poll_at: Option<Millis>,
}

impl Rest {
    pub(super) fn new(policy: &Policy) -> Self {
        Rest {
            next_request: 1,
            in_flight: Vec::new(),
            state: RestState::Unknown,
            last_failure: String::new(),
            reachability_at: None,
            retry: Backoff::new(BackoffConfig {
                base_ms: policy.rest_retry_base_ms,
                factor: 2,
                cap_ms: policy.rest_retry_cap_ms,
                stable_reset_ms: Millis::MAX,
            }),
            retry_at: None,
            cors_ok_at: None,
            overview_queue: VecDeque::new(),
            next_poll_at: None,
        }
    }
}

/// Whether REST answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RestState {
    /// Not asked yet, or no answer yet.
    Unknown,
    Answering,
    Failing,
}

pub(super) struct InFlight {
    pub(super) request: RequestId,
    pub(super) what: RestRequest,
    pub(super) url: String,
    pub(super) deadline: Millis,
    pub(super) feed_query: Option<FeedQuery>,
    /// For a signals or alerts query: the backend run its feed was in
    /// when it was asked (an `after` from an earlier run is no cursor of
    /// the current one).
    pub(super) feed_run: u32,
    pub(super) probe: Option<ProbePurpose>,
    /// The token generation it was sent with (see `auth.rs`).
    pub(super) token_generation: u32,
}

impl Connection {
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
    pub(super) fn fetch(
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
        if !self.online || self.rest.in_flight.iter().any(|f| f.what == what) {
            return None;
        }
        let request = self.rest.next_request;
        self.rest.next_request += 1;
        let url = self.url_of(&what, feed_query);
        let opaque = what == RestRequest::Reachability;
        let authorization = self.authorization_for(&what, &url);
        // What the diagnosis may quote: never a token a user put in a URL.
        let shown = redact_token(&url);
        self.commands.push_back(Command::Fetch {
            request,
            url,
            what: what.clone(),
            opaque,
            authorization,
        });
        let feed_run = match what {
            RestRequest::Signals { .. } => self.store.signals().run(),
            RestRequest::Alerts { .. } => self.store.alerts().run(),
            _ => 0,
        };
        self.rest.in_flight.push(InFlight {
            request,
            what,
            feed_run,
            url: shown,
            token_generation: self.auth.generation,
            deadline: now.saturating_add(self.policy.rest_timeout_ms),
            feed_query,
            probe,
        });
        Some(request)
    }

    pub(super) fn fetch_probe(&mut self, now: Millis, purpose: ProbePurpose) {
        self.fetch_with(now, RestRequest::SocketIoProbe, None, Some(purpose));
    }

    pub(super) fn cancel(&mut self, request: RequestId) {
        if self.take_in_flight(request).is_some() {
            self.commands.push_back(Command::CancelFetch { request });
        }
    }

    /// The request of that id, no longer in flight (and its feed free for
    /// the next query); `None` when it is not in flight.
    pub(super) fn take_in_flight(&mut self, request: RequestId) -> Option<InFlight> {
        let at = self
            .rest
            .in_flight
            .iter()
            .position(|f| f.request == request)?;
        let req = self.rest.in_flight.swap_remove(at);
        self.finish_feed_request(&req);
        Some(req)
    }

    pub(super) fn fetch_selection(&mut self, now: Millis) {
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
    pub(super) fn fetch_overview(&mut self, now: Millis) {
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
            if !self.rest.overview_queue.contains(&symbol) {
                self.rest.overview_queue.push_back(symbol);
            }
        }
        self.pump_overview(now);
    }

    /// Issues queued overview (then matrix) requests while fewer than
    /// `rest_fanout` regime requests are in flight.
    pub(super) fn pump_overview(&mut self, now: Millis) {
        let Some((_, timeframe)) = self.selection.clone() else {
            return self.rest.overview_queue.clear();
        };
        let busy = |c: &Self| {
            c.rest
                .in_flight
                .iter()
                .filter(|f| matches!(f.what, RestRequest::Regime { .. }))
                .count()
        };
        // The strip first (it is at the top of the page), then the matrix.
        while self.online && busy(self) < self.policy.rest_fanout.max(1) {
            let what = match self.rest.overview_queue.pop_front() {
                Some(symbol) => RestRequest::Regime {
                    symbol,
                    timeframe: timeframe.clone(),
                },
                None => match self.next_matrix_request() {
                    Some(what) => what,
                    None => return,
                },
            };
            self.fetch(now, what, None);
        }
    }

    /// One REST round: what the page shows, and everything `after` the ids held.
    pub(super) fn poll(&mut self, now: Millis) {
        if !self.online || self.started_at.is_none() {
            return;
        }
        if self.store.symbols().is_empty() {
            self.fetch(now, RestRequest::Symbols, None);
        }
        if self.status.backend_version.is_none() || self.recovery.epoch.is_some() {
            // A backend that sends an epoch says at every round whether its
            // ids started again.
            self.fetch(now, RestRequest::Health, None);
        }
        if let Some((symbol, timeframe)) = self.selection.clone() {
            self.fetch(now, RestRequest::Regime { symbol, timeframe }, None);
        }
        self.fetch_overview(now);
        self.fetch_matrix(now, true);
        // Without an epoch, only the newest ids show a redeploy: each round
        // looks at them (one request, like an `after` query).
        let reconnect = self.rest.state != RestState::Answering || self.recovery.epoch.is_none();
        self.recover_feed(now, Feed::Signals, reconnect);
        self.recover_feed(now, Feed::Alerts, reconnect);
        self.rest.next_poll_at = Some(now.saturating_add(self.settings.poll_ms.max(1)));
    }

    pub(super) fn polling_wanted(&self) -> bool {
        match &self.attempt {
            Some(a) if a.is_ready() => a.warned_no_regime,
            _ => true,
        }
    }

    /// A failed request must not lose its place: feeds and health checks
    /// are asked again with back-off, in every mode (Live included).
    pub(super) fn request_failed(&mut self, now: Millis, req: &InFlight) {
        if req.what == RestRequest::Health {
            self.end_epoch_hold(now);
            if self.recovery.epoch.is_some() {
                self.recovery.health_wanted = true;
                self.schedule_rest_retry(now);
            }
        }
        let (Some(feed), Some(query)) = (req.feed_kind(), req.feed_query) else {
            return;
        };
        self.keep_place(now, feed, req.after(), query);
        self.schedule_rest_retry(now);
    }

    fn schedule_rest_retry(&mut self, now: Millis) {
        if self.rest.retry_at.is_none() {
            let delay = self.rest.retry.handle_failure(now, &mut self.rng);
            self.rest.retry_at = Some(now.saturating_add(delay.max(250)));
        }
    }

    /// The retry deadline passed: ask again what failed.
    pub(super) fn retry_rest(&mut self, now: Millis) {
        for feed in [Feed::Signals, Feed::Alerts] {
            let state = &mut self.recovery.feeds[feed.index()];
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
        if self.recovery.health_wanted {
            self.check_epoch(now);
        }
    }

    fn rest_ok(&mut self) {
        if self.rest.state != RestState::Answering {
            self.rest.state = RestState::Answering;
            self.changes.status = true;
        }
        self.clear_problem(DiagnosisKind::RestBlockedByCors);
        self.clear_problem(DiagnosisKind::RestHostDown);
        self.clear_problem(DiagnosisKind::RestGatewayFailed);
    }

    fn rest_failed(&mut self, now: Millis, failure: String, ask_reachability: bool) {
        let failure = crate::diagnosis::fetch_failure_words(&failure);
        self.rest.state = RestState::Failing;
        self.status.last_error = Some(format!("REST: {failure}"));
        self.rest.last_failure = failure;
        self.changes.status = true;
        let due = self
            .rest
            .reachability_at
            .is_none_or(|t| now.saturating_sub(t) >= self.settings.poll_ms);
        if ask_reachability && due && self.fetch(now, RestRequest::Reachability, None).is_some() {
            self.rest.reachability_at = Some(now);
        }
    }

    pub(super) fn rest_network_error(&mut self, now: Millis, req: InFlight, message: &str) {
        match (&req.what, req.probe) {
            (RestRequest::Reachability, _) => {
                if self.rest.state == RestState::Failing {
                    let p = Diagnosis::rest_host_down(&self.settings.api, &self.rest.last_failure);
                    self.clear_problem(DiagnosisKind::RestBlockedByCors);
                    self.set_problem(p);
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

    pub(super) fn rest_answered(&mut self, now: Millis, req: InFlight, status: u16, body: &str) {
        match (&req.what, req.probe) {
            (RestRequest::Reachability, _) => {
                if self.rest.state == RestState::Failing {
                    // The host answers. Lacking CORS headers moments after
                    // it sent them is a failing backend or gateway (its error
                    // page has none), not a CORS setting.
                    let recently = self
                        .rest
                        .cors_ok_at
                        .is_some_and(|t| now.saturating_sub(t) <= self.policy.cors_memory_ms);
                    let api = self.settings.api.clone();
                    let p = if recently {
                        let retry = self.rest.retry_at.map(|t| t.saturating_sub(now));
                        Diagnosis::rest_gateway_failed(&api, &self.rest.last_failure, retry)
                    } else {
                        Diagnosis::rest_blocked_by_cors(&api, &self.rest.last_failure)
                    };
                    self.clear_problem(DiagnosisKind::RestHostDown);
                    self.clear_problem(DiagnosisKind::RestBlockedByCors);
                    self.clear_problem(DiagnosisKind::RestGatewayFailed);
                    self.set_problem(p);
                }
                return;
            }
            (_, Some(purpose)) => return self.probe_answered(now, &req, purpose, status, body),
            _ => {}
        }
        self.rest.cors_ok_at = Some(now);
        let endpoint = req.what.endpoint();
        if status == 401 || status == 403 {
            // One sentence for the refused token, not one per endpoint.
            self.rest_refused_token(&req, status, body);
            self.request_failed(now, &req);
            return;
        }
        if status == 0 || status >= 500 {
            self.rest_failed(now, format!("{endpoint} answered HTTP {status}"), false);
        } else {
            self.rest_ok();
        }
        if status >= 400 || status == 0 {
            let error = serde_json::from_str::<ErrorResponse>(body)
                .ok()
                .map(|e| e.error);
            self.set_problem_for(
                ProblemKey::Endpoint(endpoint),
                Diagnosis::rest_http_error(endpoint, status, error.as_deref(), &req.url),
            );
            self.request_failed(now, &req);
            return;
        }
        self.clear_problem_for(DiagnosisKind::RestHttpError, ProblemKey::Endpoint(endpoint));
        self.rest_accepted_token(&req);
        match self.read_answer(now, &req, body) {
            Ok(()) => {
                self.rest.retry.reset();
                self.clear_problem_for(
                    DiagnosisKind::RestInvalidBody,
                    ProblemKey::Endpoint(endpoint),
                )
            }
            Err(reason) => {
                self.status.rest_invalid += 1;
                let p = Diagnosis::rest_invalid_body(endpoint, &reason, self.status.rest_invalid);
                self.set_problem_for(ProblemKey::Endpoint(endpoint), p);
                self.request_failed(now, &req);
            }
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
                self.changes.history |= self.store.set_history_at(symbol, timeframe, h.points, now);
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
                        let new = c.store.put_signal(s, now).is_new();
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
                    self.recovery.initial_alerts_loaded = true;
                }
            }
            RestRequest::SocketIoProbe | RestRequest::Reachability => {}
        }
        Ok(())
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
        self.fetch_matrix(now, false);
        self.subscribe(now);
    }

    /// REST requests that never came back: cancelled, and failed.
    pub(super) fn cancel_late_requests(&mut self, now: Millis) {
        let late: Vec<RequestId> = self
            .rest
            .in_flight
            .iter()
            .filter(|f| f.deadline <= now)
            .map(|f| f.request)
            .collect();
        let secs = self.policy.rest_timeout_ms / 1000;
        for request in late {
            self.commands.push_back(Command::CancelFetch { request });
            let Some(req) = self.take_in_flight(request) else {
                continue;
            };
            self.rest_network_error(now, req, &format!("no answer within {secs} s"));
            self.pump_overview(now);
        }
    }

    /// Polling wanted again (the live connection went, or sends no regime
    /// events) and not yet scheduled: the next round is one period away.
    pub(super) fn arm_poll(&mut self, now: Millis) {
        if self.rest.next_poll_at.is_none() && self.polling_wanted() && self.started_at.is_some() {
            self.rest.next_poll_at = Some(now.saturating_add(self.settings.poll_ms.max(1)));
        }
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
    pub(super) fn after(&self) -> Option<u64> {
        match self.what {
            RestRequest::Signals { after } | RestRequest::Alerts { after } => after,
            _ => None,
        }
    }
}
