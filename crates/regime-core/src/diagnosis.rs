//! A failure as one sentence a trader can act on, plus the technical detail.
//!
//! Every constructor here is one case met in the field (among them: the
//! `/socket.io/` 404 storm of a Socket.IO client against a plain WebSocket
//! backend; a "websocket error" that was really a refused
//! namespace, missing events or CORS). The connection machine decides *when*
//! a problem holds and clears it when its cause is gone; this file only says
//! what it means, in words.

use crate::live::{clip, SHOWN_TEXT_MAX};
use crate::Millis;

/// How bad a problem is for the trader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something the user must change, or data that does not arrive.
    Error,
    /// Degraded: the page works, less well.
    Warning,
    /// Worth knowing; nothing to do.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`: for CSS classes and test hooks.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which problem this is (one of each kind is shown at a time, except REST
/// HTTP errors, which are kept per endpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosisKind {
    /// The backend refused the token, or asks for one and none is set.
    TokenRefused,
    /// Socket.IO was asked of a backend that has only a plain WebSocket.
    SocketIoNotOffered,
    /// A plain WebSocket was asked of a Socket.IO backend.
    SocketIoServerAsPlain,
    /// The Socket.IO server refused the namespace (CONNECT_ERROR).
    NamespaceRefused,
    /// The server speaks Socket.IO v2 (Engine.IO 3).
    SocketIoV2,
    /// Connected, but no `regime` event came.
    NoRegimeEvents,
    /// REST fails in the browser while the host is up: CORS.
    RestBlockedByCors,
    /// REST fails and the host does not answer at all.
    RestHostDown,
    /// A REST request was answered with an HTTP error.
    RestHttpError,
    /// A REST answer could not be read.
    RestInvalidBody,
    /// The live connection died (heartbeat timeout or silence).
    DeadConnection,
    /// The plain server does not answer pings.
    PongsNotSupported,
    /// Live frames were skipped as malformed.
    MalformedFrames,
    /// The live connection fails before it opens.
    LiveRefused,
    /// The live connection opens, then is closed before its handshake
    /// finished (other than by the handshake timeout).
    ClosedBeforeReady,
    /// The live connection opens but its handshake does not finish.
    HandshakeTimeout,
    /// The server sent an error message.
    ServerError,
    /// The backend's ids started again from a lower number.
    IdsRestarted,
    /// The browser says it has no network.
    BrowserOffline,
    /// The backend's timestamps are far from this computer's clock.
    BackendClock,
    /// REST failed without CORS headers from a host that sent them moments
    /// before: the backend, or a gateway in front of it, failed.
    RestGatewayFailed,
    /// Socket.IO's polling transport answers, its WebSocket upgrade does not:
    /// a proxy in between does not forward upgrades.
    WebSocketUpgradeBlocked,
    /// The Socket.IO handshake asked for heartbeat timings that cannot work.
    BadHandshake,
    /// The page fell behind a fast live feed: the live Worker skipped
    /// messages, which are fetched again over REST.
    PageFellBehind,
}

/// One problem as the health panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    pub kind: DiagnosisKind,
    pub severity: Severity,
    /// One sentence a trader can act on.
    pub sentence: String,
    /// The technical detail, for whoever fixes the backend.
    pub detail: String,
}

fn d(kind: DiagnosisKind, severity: Severity, sentence: String, detail: String) -> Diagnosis {
    Diagnosis {
        kind,
        severity,
        sentence,
        detail,
    }
}

/// A failed fetch in words. The browsers' own messages for "no answer came"
/// (Chromium's `TypeError: Failed to fetch`, Firefox's `NetworkError when
/// attempting to fetch resource.`, Safari's `Load failed`) read as a program
/// error on a trader's screen and say nothing more than that; any other
/// text is kept, clipped.
pub fn fetch_failure_words(failure: &str) -> String {
    let bare = failure.trim().trim_start_matches("TypeError:").trim();
    let generic = [
        "Failed to fetch",
        "NetworkError when attempting to fetch resource.",
        "Load failed",
    ];
    if generic.iter().any(|g| bare.eq_ignore_ascii_case(g)) {
        "no answer came; the browser gives no reason".to_string()
    } else {
        clip(failure, SHOWN_TEXT_MAX).to_string()
    }
}

fn seconds(ms: Millis) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// A long span in the largest unit that fits: `74 years`, `3 hours`, `12 minutes`.
fn span(ms: u64) -> String {
    const MIN: u64 = 60_000;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;
    const YEAR: u64 = 365 * DAY + DAY / 4;
    let (n, unit) = if ms >= YEAR {
        ((ms + YEAR / 2) / YEAR, "year")
    } else if ms >= DAY {
        (ms / DAY, "day")
    } else if ms >= HOUR {
        (ms / HOUR, "hour")
    } else {
        ((ms / MIN).max(1), "minute")
    };
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{s}")
}

impl Diagnosis {
    /// A Socket.IO client against a plain WebSocket backend. The
    /// probe `GET …/socket.io/?EIO=4&transport=polling` said so (`status` is
    /// the HTTP status, `answer` the start of the body).
    pub fn socketio_not_offered(probe_url: &str, status: u16, answer: &str) -> Self {
        let why = if status == 404 {
            "(HTTP 404)".to_string()
        } else {
            format!("(HTTP {status}, not a Socket.IO handshake)")
        };
        d(
            DiagnosisKind::SocketIoNotOffered,
            Severity::Error,
            format!(
                "This backend has no Socket.IO endpoint at /socket.io/ {why}: it probably speaks plain WebSocket. Set protocol=native or protocol=auto."
            ),
            format!("GET {probe_url} answered {status}: {answer:?}"),
        )
    }

    /// A Socket.IO socket opened, but its first frame was not an Engine.IO
    /// open packet.
    pub fn socketio_not_spoken(live_url: &str, first_frame: &str) -> Self {
        d(
            DiagnosisKind::SocketIoNotOffered,
            Severity::Error,
            "The live server answers, but not in Socket.IO: it probably speaks plain WebSocket. Set protocol=native or protocol=auto.".into(),
            format!("{live_url}: first frame {first_frame:?} is not an Engine.IO open packet"),
        )
    }

    /// A plain WebSocket asked of a Socket.IO backend (the probe answered
    /// `0{…`, or the plain socket received Engine.IO frames).
    pub fn socketio_server_as_plain(evidence: &str) -> Self {
        d(
            DiagnosisKind::SocketIoServerAsPlain,
            Severity::Error,
            "This backend speaks Socket.IO, not plain WebSocket. Set protocol=socketio or protocol=auto.".into(),
            evidence.to_string(),
        )
    }

    /// The namespace was refused (`44/signals,{"message":…}`).
    pub fn namespace_refused(namespace: &str, message: &str) -> Self {
        let message = clip(message, SHOWN_TEXT_MAX);
        let other = if namespace == "/" {
            "the server's namespace (ns=/signals)"
        } else {
            "ns=/ or the server's namespace"
        };
        d(
            DiagnosisKind::NamespaceRefused,
            Severity::Error,
            format!(
                "The Socket.IO server refuses the namespace {namespace} (\"{message}\"). Set ns to the namespace the server uses: {other}."
            ),
            format!("CONNECT_ERROR for {namespace}: {message}"),
        )
    }

    pub fn socketio_v2() -> Self {
        d(
            DiagnosisKind::SocketIoV2,
            Severity::Error,
            "This server speaks Socket.IO v2; the dashboard needs Socket.IO v3 or newer (or set protocol=native for a plain WebSocket).".into(),
            "the namespace CONNECT reply carries no sid (Engine.IO 3 / Socket.IO v2)".into(),
        )
    }

    pub fn no_regime_events(waited_ms: Millis, poll_ms: Millis) -> Self {
        d(
            DiagnosisKind::NoRegimeEvents,
            Severity::Warning,
            "The server accepts the live connection but sends no regime events.".into(),
            format!(
                "no `regime` event within {} of connecting; the regime is polled from REST every {} meanwhile. Check the event names and the subscription on the backend.",
                seconds(waited_ms),
                seconds(poll_ms)
            ),
        )
    }

    /// Market events came on the live connection, then none for `waited_ms`:
    /// the connection is open (its heartbeat answers), the data stopped.
    pub fn market_silent(waited_ms: Millis, poll_ms: Millis) -> Self {
        d(
            DiagnosisKind::NoRegimeEvents,
            Severity::Warning,
            "The server accepts the live connection but sends no regime events.".into(),
            format!(
                "no `regime` or `price` event for {}, though the connection is open; the regime is polled from REST every {} meanwhile.",
                seconds(waited_ms),
                seconds(poll_ms)
            ),
        )
    }

    pub fn rest_blocked_by_cors(api: &str, failure: &str) -> Self {
        d(
            DiagnosisKind::RestBlockedByCors,
            Severity::Error,
            format!(
                "The backend at {api} is up but does not allow this page's address (CORS): add this page's origin to the backend's allowed origins, or serve the page from the backend."
            ),
            format!("fetch failed ({failure}); a no-cors request to the same host was answered"),
        )
    }

    pub fn rest_host_down(api: &str, failure: &str) -> Self {
        d(
            DiagnosisKind::RestHostDown,
            Severity::Error,
            format!("The backend at {api} does not answer: it is down, or the api setting points to the wrong address."),
            format!("fetch failed ({failure}), and a no-cors request to the same host failed too"),
        )
    }

    /// `endpoint` is the path, e.g. `/api/signals`; `error` the `{"error"}`
    /// text when the body had one.
    pub fn rest_http_error(endpoint: &str, status: u16, error: Option<&str>, url: &str) -> Self {
        let said = match error {
            Some(e) => format!(": \"{}\"", clip(e, SHOWN_TEXT_MAX)),
            None => String::new(),
        };
        let severity = if status >= 500 {
            Severity::Error
        } else {
            Severity::Warning
        };
        d(
            DiagnosisKind::RestHttpError,
            severity,
            format!("The backend answers {endpoint} with HTTP {status}{said}."),
            format!("GET {url} → {status}"),
        )
    }

    pub fn rest_invalid_body(endpoint: &str, reason: &str, count: u64) -> Self {
        d(
            DiagnosisKind::RestInvalidBody,
            Severity::Warning,
            format!(
                "The backend's answer to {endpoint} could not be read, so that data is not shown."
            ),
            format!("{reason} ({count} unreadable answers so far)"),
        )
    }

    pub fn dead_connection_heartbeat(waited_ms: Millis) -> Self {
        d(
            DiagnosisKind::DeadConnection,
            Severity::Warning,
            "The live connection went quiet and was dropped; reconnecting, with REST polling meanwhile.".into(),
            format!("no Engine.IO ping from the server within {} (pingInterval + pingTimeout)", seconds(waited_ms)),
        )
    }

    pub fn dead_connection_silence(silence_ms: Millis, pongs_seen: bool) -> Self {
        let pongs = if pongs_seen {
            "neither pongs nor data"
        } else {
            "no data (and this server never answered a ping)"
        };
        d(
            DiagnosisKind::DeadConnection,
            Severity::Warning,
            "The live connection went silent and was dropped; reconnecting, with REST polling meanwhile.".into(),
            format!("{pongs} for {}", seconds(silence_ms)),
        )
    }

    pub fn pongs_not_supported() -> Self {
        d(
            DiagnosisKind::PongsNotSupported,
            Severity::Info,
            "This server does not answer pings; the connection is judged by its traffic.".into(),
            "no {\"type\":\"pong\"} to {\"type\":\"ping\"}: only silence now counts as a dead connection".into(),
        )
    }

    /// The live Worker skipped `dropped` live messages while the page was
    /// busy (`gaps` times, `skipped` messages in all since load). Nothing is
    /// lost: signals and alerts are fetched again, prices and regimes are
    /// state that the next messages repair.
    pub fn page_fell_behind(dropped: u64, gaps: u64, skipped: u64) -> Self {
        d(
            DiagnosisKind::PageFellBehind,
            Severity::Info,
            format!(
                "The page fell behind a fast feed; {} live message(s) were skipped and their signals and alerts fetched again.",
                group_thousands(dropped)
            ),
            format!("live queue full {gaps} time(s), {skipped} message(s) skipped since load; recovered through REST `after`"),
        )
    }

    pub fn malformed_frames(count: u64, last_reason: &str, last_excerpt: &str) -> Self {
        d(
            DiagnosisKind::MalformedFrames,
            Severity::Warning,
            format!("{count} live message(s) from the server could not be read and were skipped."),
            format!("last: {last_reason} (frame: {last_excerpt:?})"),
        )
    }

    /// The live side fails before it opens. The sentence holds nothing that
    /// changes with each retry and says nothing of REST: the health panel's
    /// Retries and Next retry and the badge say those, and stay true while
    /// this sentence stands.
    pub fn live_refused(kind_label: &str, url: &str, cause: &str) -> Self {
        d(
            DiagnosisKind::LiveRefused,
            Severity::Warning,
            format!(
                "The live {kind_label} connection cannot be opened; it is retried with back-off."
            ),
            format!("{url}: {cause}"),
        )
    }

    /// The live socket opened, then closed (or failed) before the session
    /// was ready, other than by the handshake timeout: a server that refuses
    /// this client after the upgrade (authentication, origin, a full server),
    /// or a proxy that drops it. `close`: the close code and reason, when the
    /// socket closed rather than failed; `cause`: the technical account.
    /// Like [`Diagnosis::live_refused`], no retry count, delay or REST claim.
    pub fn closed_before_ready(
        kind_label: &str,
        url: &str,
        close: Option<(u16, &str)>,
        cause: &str,
    ) -> Self {
        let how = match close {
            Some((code, "")) => format!(" (code {code})"),
            Some((code, reason)) => format!(" (code {code}, \"{reason}\")"),
            None => String::new(),
        };
        d(
            DiagnosisKind::ClosedBeforeReady,
            Severity::Warning,
            format!(
                "The live server at {url} accepts the connection but closes it before the {kind_label} handshake finishes{how}; it is retried with back-off."
            ),
            format!("{url}: {cause}, before the handshake finished"),
        )
    }

    pub fn handshake_timeout(kind_label: &str, url: &str, waited_ms: Millis) -> Self {
        d(
            DiagnosisKind::HandshakeTimeout,
            Severity::Warning,
            format!(
                "The live server accepts the connection but does not finish the {kind_label} handshake: check the protocol setting."
            ),
            format!("{url}: no handshake within {}", seconds(waited_ms)),
        )
    }

    pub fn server_error(message: &str) -> Self {
        d(
            DiagnosisKind::ServerError,
            Severity::Warning,
            format!(
                "The server reported an error: \"{}\".",
                clip(message, SHOWN_TEXT_MAX)
            ),
            "an error message on the live connection (not fatal)".into(),
        )
    }

    /// `what` is `signal` or `alert`; `evidence` says how the new run
    /// was recognised.
    pub fn ids_restarted(what: &str, evidence: &str) -> Self {
        d(
            DiagnosisKind::IdsRestarted,
            Severity::Info,
            format!("The backend restarted and numbers its {what}s from the start again: the new ones are shown, and the rows from before the restart are marked."),
            evidence.to_string(),
        )
    }

    /// `skew_ms`: the backend's timestamp minus this computer's clock.
    pub fn backend_clock(skew_ms: i64, what: &str) -> Self {
        let dir = if skew_ms > 0 { "ahead" } else { "behind" };
        d(
            DiagnosisKind::BackendClock,
            Severity::Warning,
            format!(
                "The backend's clock is {} {dir}: its times are shown as it sent them, but they do not decide which data is newest.",
                span(skew_ms.unsigned_abs())
            ),
            format!("a {what} was stamped {skew_ms} ms from this computer's clock"),
        )
    }

    /// REST failed (the browser hides why) after the same host answered
    /// with CORS headers moments before.
    pub fn rest_gateway_failed(api: &str, failure: &str, retry_in_ms: Option<Millis>) -> Self {
        let retry = match retry_in_ms {
            Some(ms) => format!(" Retrying in {}.", seconds(ms)),
            None => String::new(),
        };
        d(
            DiagnosisKind::RestGatewayFailed,
            Severity::Error,
            format!(
                "The backend at {api}, or a proxy in front of it, is failing (its error answers carry no CORS headers, so the browser hides them); it answered normally moments ago.{retry}"
            ),
            format!("fetch failed ({failure}); the same host answered with CORS headers earlier"),
        )
    }

    /// The Engine.IO polling probe answers, the WebSocket does not open.
    pub fn websocket_upgrade_blocked(live_url: &str, probe_url: &str) -> Self {
        d(
            DiagnosisKind::WebSocketUpgradeBlocked,
            Severity::Error,
            format!(
                "The Socket.IO server answers over plain HTTP, but its WebSocket at {live_url} cannot be opened: a proxy in between does not forward WebSocket upgrades. Configure it to pass the Upgrade and Connection headers (nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\")."
            ),
            format!("GET {probe_url} answered an Engine.IO open packet; the WebSocket fails before opening"),
        )
    }

    /// `field` is `pingInterval` or `pingTimeout`.
    pub fn bad_handshake(field: &str, sent: u64, used: Millis) -> Self {
        d(
            DiagnosisKind::BadHandshake,
            Severity::Warning,
            format!(
                "The Socket.IO server's handshake sets {field} to {sent} ms, which cannot work; the dashboard uses {} instead.",
                seconds(used)
            ),
            format!("Engine.IO open packet: {field} {sent} outside the usable range"),
        )
    }

    /// The backend refused the token (REST 401/403, a Socket.IO
    /// CONNECT_ERROR such as `unauthorized`, a plain socket closed as it
    /// opened). `token_set`: whether one was sent; `evidence`: what said
    /// so, never the token.
    pub fn token_refused(token_set: bool, evidence: &str) -> Self {
        let sentence = if token_set {
            "The backend refused the token: type the right one into Token and press Connect."
        } else {
            "The backend asks for a token and none is set: type it into Token and press Connect."
        };
        d(
            DiagnosisKind::TokenRefused,
            Severity::Error,
            sentence.into(),
            clip(evidence, SHOWN_TEXT_MAX),
        )
    }

    pub fn browser_offline() -> Self {
        d(
            DiagnosisKind::BrowserOffline,
            Severity::Warning,
            "This computer is offline; the dashboard reconnects as soon as the network is back."
                .into(),
            "navigator.onLine is false".into(),
        )
    }
}

/// `12345` as `12 345`: a count a trader reads at a glance.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_404_storm_sentence_is_the_one_the_field_report_needed() {
        let p = Diagnosis::socketio_not_offered(
            "http://h/socket.io/?EIO=4&transport=polling",
            404,
            "Not Found",
        );
        assert_eq!(
            p.sentence,
            "This backend has no Socket.IO endpoint at /socket.io/ (HTTP 404): it probably speaks plain WebSocket. Set protocol=native or protocol=auto."
        );
        assert_eq!(p.severity, Severity::Error);
        assert!(p.detail.contains("404"));
    }

    #[test]
    fn namespace_refusal_names_namespace_message_and_the_fix() {
        let p = Diagnosis::namespace_refused("/signals", "Invalid namespace");
        assert!(p.sentence.contains("/signals") && p.sentence.contains("Invalid namespace"));
        assert!(p.sentence.contains("ns=/"));
    }

    #[test]
    fn a_close_before_ready_names_url_code_and_reason() {
        let p = Diagnosis::closed_before_ready(
            "Socket.IO",
            "ws://h/socket.io/?EIO=4&transport=websocket",
            Some((1008, "unauthorized")),
            "closed cleanly with code 1008 \"unauthorized\"",
        );
        assert_eq!(
            p.sentence,
            "The live server at ws://h/socket.io/?EIO=4&transport=websocket accepts the connection but closes it before the Socket.IO handshake finishes (code 1008, \"unauthorized\"); it is retried with back-off."
        );
        let bare = Diagnosis::closed_before_ready("Socket.IO", "ws://h/x", Some((1000, "")), "c");
        assert!(
            bare.sentence
                .contains("finishes (code 1000); it is retried"),
            "{}",
            bare.sentence
        );
        let failed =
            Diagnosis::closed_before_ready("Socket.IO", "ws://h/x", None, "WebSocket error");
        assert!(
            failed.sentence.contains("finishes; it is retried"),
            "{}",
            failed.sentence
        );
        assert_eq!(
            failed.detail,
            "ws://h/x: WebSocket error, before the handshake finished"
        );
    }

    #[test]
    fn a_live_failure_says_nothing_the_panel_or_the_badge_contradicts() {
        // The panel's Retries and Next retry move on every attempt and the
        // badge says whether REST answers; a sentence that stands for minutes
        // must name neither a count, nor a delay, nor REST data.
        let refused = Diagnosis::live_refused("plain WebSocket", "ws://h/ws", "refused");
        let closed = Diagnosis::closed_before_ready("Socket.IO", "ws://h/x", Some((1008, "")), "c");
        for p in [refused, closed] {
            for said in ["time(s)", "retrying in", "REST", " s,", " s;"] {
                assert!(!p.sentence.contains(said), "{said:?} in {}", p.sentence);
            }
        }
    }

    #[test]
    fn the_browsers_no_answer_is_said_in_words() {
        for browser in [
            "TypeError: Failed to fetch",
            "Failed to fetch",
            "TypeError: NetworkError when attempting to fetch resource.",
            "TypeError: Load failed",
        ] {
            assert_eq!(
                fetch_failure_words(browser),
                "no answer came; the browser gives no reason",
                "{browser}"
            );
        }
        assert_eq!(
            fetch_failure_words("timed out after 10 s"),
            "timed out after 10 s"
        );
    }

    #[test]
    fn severities_order_errors_first() {
        let mut v = vec![Severity::Info, Severity::Error, Severity::Warning];
        v.sort();
        assert_eq!(v, [Severity::Error, Severity::Warning, Severity::Info]);
    }

    #[test]
    fn a_wrong_clock_is_said_in_years_hours_or_minutes() {
        // 2100-01-01 against 2026-01-01: 74 years.
        let p = Diagnosis::backend_clock(4_102_444_800_000 - 1_767_225_600_000, "regime");
        assert!(
            p.sentence
                .starts_with("The backend's clock is 74 years ahead"),
            "{}",
            p.sentence
        );
        assert!(Diagnosis::backend_clock(-3 * 3_600_000, "price")
            .sentence
            .contains("3 hours behind"));
        assert!(Diagnosis::backend_clock(61_000, "price")
            .sentence
            .contains("1 minute ahead"));
    }

    #[test]
    fn backend_text_in_sentences_is_cut() {
        let huge = "x".repeat(1 << 20);
        let p =
            Diagnosis::rest_http_error("/api/signals", 500, Some(&huge), "http://h/api/signals");
        assert!(p.sentence.len() < 500, "{}", p.sentence.len());
        assert!(p.sentence.contains("1048576 characters in all"));
        assert!(Diagnosis::server_error(&huge).sentence.len() < 500);
        assert!(Diagnosis::namespace_refused("/s", &huge).sentence.len() < 700);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(group_thousands(7), "7");
        assert_eq!(group_thousands(12_345), "12 345");
        assert_eq!(group_thousands(1_000_000), "1 000 000");
    }

    #[test]
    fn seconds_read_naturally() {
        assert_eq!(seconds(30_000), "30 s");
        assert_eq!(seconds(1_250), "1.2 s");
    }
}
