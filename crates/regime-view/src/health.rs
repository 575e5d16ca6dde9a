//! The health panel's and the badge's view of the core's status.

use regime_core::machine::{Mode, Status};

use crate::frame::{at, ViewState};

/// One problem, as the health panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagnosisView {
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// One sentence a trader can act on.
    pub sentence: String,
    /// The technical detail beside it.
    pub detail: String,
}

/// Everything the health panel and the badge show.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HealthView {
    /// `plain WebSocket`, `Socket.IO`, `REST` or empty before any.
    pub transport: String,
    pub live_url: String,
    pub api_url: String,
    /// The most important problem first.
    pub problems: Vec<DiagnosisView>,
    pub last_error: Option<String>,
    pub retries: u32,
    /// `performance.now()` ms of the next live attempt, when one is scheduled.
    pub next_retry_at: Option<f64>,
    pub messages_per_sec: f64,
    /// `performance.now()` ms of the last live message.
    pub last_message_at: Option<f64>,
    pub rtt_ms: Option<f64>,
    pub malformed: u64,
    pub last_malformed_reason: Option<String>,
    pub recovered: u64,
    pub backend_version: Option<String>,
    /// Settings that could not be used, as sentences naming key and expectation.
    pub setting_problems: Vec<String>,
    /// The poll period, ms: the expected cadence for freshness colours.
    pub poll_ms: f64,
    /// Live frames received since load.
    pub messages_total: u64,
    /// Socket.IO binary attachments skipped.
    pub binary_skipped: u64,
    /// Plain transport: whether the server answers pings (`None` until known).
    pub pongs_supported: Option<bool>,
    /// The first internal error (a Rust panic) of this page, if any.
    pub panic: Option<String>,
    /// The live connection brings no regime events (see [`crate::Badge`]).
    pub no_live_data: bool,
    /// What has flowed on the live connection: the badge's input (see
    /// [`crate::Badge::decide`]).
    pub live: crate::badge::LiveData,
    /// Signals taken in since the page opened (duplicates not counted): the
    /// store keeps only the newest, and the list's count says so.
    pub signals_received: u64,
    /// A token is set for this backend: the panel says "token: set" or
    /// "token: none", never the token.
    pub token_set: bool,
    /// The host that the link's `api` or `ws` point the data at, when it is
    /// not the page's own backend (see `regime_core::settings::link_points_elsewhere`).
    pub link_elsewhere: Option<String>,
}

/// The health panel's view of the core's status.
pub fn health_view(
    status: &Status,
    poll_ms: u64,
    state: &ViewState,
    signals_received: u64,
) -> HealthView {
    let transport = match (status.mode, status.transport) {
        (Mode::Live, Some(kind)) => kind.label().to_string(),
        (Mode::Api, _) => "REST".to_string(),
        (_, Some(kind)) => kind.label().to_string(),
        _ => String::new(),
    };
    let mut problems: Vec<DiagnosisView> = status
        .problems
        .iter()
        .map(|d| DiagnosisView {
            severity: d.severity.name(),
            sentence: d.sentence.clone(),
            detail: d.detail.clone(),
        })
        .collect();
    if let Some(message) = &state.panic {
        problems.insert(
            0,
            DiagnosisView {
                severity: "error",
                sentence:
                    "The page hit an internal error and may have stopped updating: reload it."
                        .to_string(),
                detail: message.clone(),
            },
        );
    }
    HealthView {
        transport,
        live_url: status.live_url.clone(),
        api_url: status.api_url.clone(),
        problems,
        last_error: status.last_error.clone(),
        retries: status.retries,
        next_retry_at: status.next_retry_at.map(at),
        messages_per_sec: status.messages_per_sec,
        last_message_at: status.last_message_at.map(at),
        rtt_ms: status.rtt_ms.map(at),
        malformed: status.malformed,
        last_malformed_reason: status.last_malformed_reason.clone(),
        recovered: status.recovered,
        backend_version: status.backend_version.clone(),
        setting_problems: state.setting_problems.clone(),
        token_set: status.token_set,
        link_elsewhere: state.link_elsewhere.clone(),
        poll_ms: poll_ms as f64,
        messages_total: status.messages_total,
        binary_skipped: status.binary_skipped,
        pongs_supported: status.pongs_supported,
        panic: state.panic.clone(),
        no_live_data: crate::Badge::no_live_data(status.problems.iter().map(|d| &d.kind)),
        live: crate::badge::LiveData::of(status, at),
        signals_received,
    }
}
