//! The backend's token (PROTOCOL.md §2 "Authentication"): what each request
//! and each live connection carries, what a refusal looks like on each
//! side, and a new token taken at once.
//!
//! The token goes only to the hosts it was given for (see
//! [`crate::token::BoundToken`]): REST as `Authorization: Bearer`, the plain
//! socket as `?token=` on the live URL, Socket.IO in the CONNECT's auth
//! payload, on every request and every reconnect. It never goes to the
//! no-cors reachability check or the Socket.IO probe (Engine.IO's handshake
//! has no credentials), and never into a URL the page shows.

use super::attempt::{Attempt, Failure};
use super::rest::{InFlight, RestState};
use super::{Command, Connection, RestRequest};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::live::{clip, SessionEnd, TransportKind};
use crate::model::ErrorResponse;
use crate::token::{is_token_refusal, BoundToken, Token};
use crate::wire::url::{redact_token, with_query_param};
use crate::Millis;

/// Plain-socket close codes that mean "not allowed": 1008 (policy
/// violation), and the 4401/4403 some servers use for HTTP's 401/403.
const REFUSING_CLOSE_CODES: [u16; 3] = [1008, 4401, 4403];

/// What the connection knows of its token.
#[derive(Default)]
pub(super) struct Auth {
    /// Bumped by every new token: answers to requests sent with an older
    /// one do not speak for the new one.
    pub(super) generation: u32,
    /// REST answered 401 or 403 to a request that carried this token.
    pub(super) refused_by_rest: bool,
    /// The live side refused it (CONNECT_ERROR, or a plain socket closed
    /// as a refusal).
    pub(super) refused_by_live: bool,
    /// REST answered a request that carried this token with a 2xx.
    pub(super) accepted_by_rest: bool,
}

impl Connection {
    /// The token for a request to `url`, if one is set for its host.
    fn token_for(&self, url: &str) -> Option<Token> {
        self.settings.token_for(url).cloned()
    }

    /// The `Authorization` a REST request carries: none for the no-cors
    /// reachability check (it may carry no credentials) and for the
    /// Socket.IO probe (Engine.IO's handshake asks for none).
    pub(super) fn authorization_for(&self, what: &RestRequest, url: &str) -> Option<Token> {
        match what {
            RestRequest::Reachability | RestRequest::SocketIoProbe => None,
            _ => self.token_for(url),
        }
    }

    /// The URL to open for a live attempt and the one to show: the plain
    /// socket carries the token as `?token=`; what is shown never does.
    pub(super) fn live_urls(&self, kind: TransportKind) -> (String, String, bool) {
        let url = self.settings.live_url(kind);
        let shown = redact_token(&url);
        match (kind, self.token_for(&url)) {
            (TransportKind::Plain, Some(token)) => {
                (with_query_param(&url, "token", token.expose()), shown, true)
            }
            (TransportKind::SocketIo, Some(_)) => (url, shown, true),
            (_, None) => (url, shown, false),
        }
    }

    /// A browser's words (a refused socket's exception, a close reason) with
    /// the token, raw or percent-coded, replaced by `[redacted]`: the
    /// browser quotes the URL it was given, and the plain socket's carries
    /// the token.
    pub(super) fn scrub(&self, text: &str) -> String {
        let Some(token) = &self.settings.token else {
            return text.to_string();
        };
        let secret = token.secret();
        let coded = with_query_param("", "t", secret.expose());
        let coded = coded.trim_start_matches("?t=");
        let mut out = redact_token(text);
        for form in [secret.expose(), coded] {
            if !form.is_empty() {
                out = out.replace(form, "[redacted]");
            }
        }
        out
    }

    /// The token for the Socket.IO CONNECT's auth payload.
    pub(super) fn socketio_token(&self) -> Option<Token> {
        self.token_for(&self.settings.live_url(TransportKind::SocketIo))
    }

    /// Whether a token is set for this backend: "token: set" or "token: none".
    pub(super) fn token_is_set(&self) -> bool {
        self.token_for(&self.settings.api).is_some()
            || self.socketio_token().is_some()
            || self
                .token_for(&self.settings.live_url(TransportKind::Plain))
                .is_some()
    }

    /// REST answered 401 or 403.
    pub(super) fn rest_refused_token(&mut self, req: &InFlight, status: u16, body: &str) {
        // An answer to a request sent with an older token says nothing of
        // the new one; it is asked again (see `set_token`).
        if req.token_generation != self.auth.generation {
            return;
        }
        self.rest.state = RestState::Failing;
        self.status.last_error = Some(format!(
            "REST: {} answered HTTP {status}",
            req.what.endpoint()
        ));
        self.changes.status = true;
        self.auth.refused_by_rest = true;
        self.auth.accepted_by_rest = false;
        let error = serde_json::from_str::<ErrorResponse>(body)
            .ok()
            .map(|e| format!(": {:?}", clip(&e.error, 200)))
            .unwrap_or_default();
        let evidence = format!("GET {} → {status}{error}", req.url);
        self.set_problem(Diagnosis::token_refused(self.token_is_set(), &evidence));
    }

    /// REST answered a 2xx: the token (or the lack of one) is accepted there.
    pub(super) fn rest_accepted_token(&mut self, req: &InFlight) {
        if req.token_generation != self.auth.generation || self.auth.accepted_by_rest {
            return;
        }
        self.auth.accepted_by_rest = true;
        self.auth.refused_by_rest = false;
        self.changes.status = true;
        if !self.auth.refused_by_live {
            self.clear_problem(DiagnosisKind::TokenRefused);
        }
    }

    /// Whether a live failure is the token's refusal: a Socket.IO
    /// CONNECT_ERROR in words such as `unauthorized`, or a plain socket
    /// closed with a refusing code or reason, or closed before or as it
    /// opened while REST refuses the token too. Says so when it is.
    pub(super) fn live_refused_token(
        &mut self,
        now: Millis,
        a: &Attempt,
        failure: &Failure,
    ) -> bool {
        let evidence = match (a.kind, failure) {
            (
                TransportKind::SocketIo,
                Failure::Ended(SessionEnd::NamespaceRefused { namespace, message }),
            ) if is_token_refusal(message) => {
                format!("CONNECT_ERROR for {namespace}: {message:?}")
            }
            (
                TransportKind::Plain,
                Failure::Closed {
                    close: Some((code, reason)),
                    ..
                },
            ) if REFUSING_CLOSE_CODES.contains(code) || is_token_refusal(reason) => {
                format!("{}: closed with code {code} {reason:?}", a.url)
            }
            (TransportKind::Plain, Failure::BeforeOpen(cause) | Failure::Closed { cause, .. })
                if self.auth.refused_by_rest
                    && now.saturating_sub(a.started_at) <= self.policy.connect_timeout_ms =>
            {
                format!("{}: {cause}, while REST refuses the token", a.url)
            }
            _ => return false,
        };
        self.auth.refused_by_live = true;
        self.set_problem(Diagnosis::token_refused(self.token_is_set(), &evidence));
        true
    }

    /// The live side accepted the connection: Socket.IO's CONNECT
    /// acknowledged (with the token in its auth payload).
    pub(super) fn live_accepted_token(&mut self, kind: TransportKind) {
        if kind == TransportKind::SocketIo && self.auth.refused_by_live {
            self.auth.refused_by_live = false;
            if !self.auth.refused_by_rest {
                self.clear_problem(DiagnosisKind::TokenRefused);
            }
        }
    }

    /// Whether the badge may say Live for a ready attempt: never while the
    /// backend refuses the token; and a plain socket that carried one (and
    /// that a refusing server closes right after opening) waits for REST
    /// to accept the token or for its first regime event.
    pub(super) fn live_allowed(&self, a: &Attempt) -> bool {
        if self.auth.refused_by_rest || self.auth.refused_by_live {
            return false;
        }
        a.kind != TransportKind::Plain
            || !a.with_token
            || self.auth.accepted_by_rest
            || a.saw_regime
    }

    /// A new token (or none), from the Token field: kept for the backend the
    /// settings name, then every request in flight is asked again with it,
    /// and the live side reconnects at once.
    pub fn set_token(&mut self, now: Millis, token: Option<Token>) {
        self.settings.token = token.map(|t| BoundToken::for_settings(t, &self.settings));
        self.auth = Auth {
            generation: self.auth.generation.wrapping_add(1),
            ..Auth::default()
        };
        self.clear_problem(DiagnosisKind::TokenRefused);
        self.status.token_set = self.token_is_set();
        self.changes.status = true;
        // Requests sent with the old token: cancelled, and asked again.
        let asked: Vec<_> = self.rest.in_flight.iter().map(|f| f.request).collect();
        for request in asked {
            let Some(req) = self.take_in_flight(request) else {
                continue;
            };
            self.commands.push_back(Command::CancelFetch { request });
            match req.what {
                RestRequest::Reachability => {}
                RestRequest::SocketIoProbe => {
                    if let Some(purpose) = req.probe {
                        self.fetch_probe(now, purpose);
                    }
                }
                RestRequest::Signals { .. } | RestRequest::Alerts { .. } => {
                    self.request_failed(now, &req);
                }
                _ => {
                    self.fetch(now, req.what.clone(), None);
                }
            }
        }
        self.rest.retry.reset();
        self.rest.retry_at = None;
        self.retry_rest(now);
        self.fetch(now, RestRequest::Health, None);
        self.user_reconnect(now);
    }
}
