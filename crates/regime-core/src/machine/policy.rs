//! Every number of the connection behaviour, with its default documented once.

use crate::store::StoreLimits;
use crate::Millis;

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
    /// The window of `messages_per_sec`, ms; at least 1000, as messages
    /// are counted per second. A rate is gone at most this long after the
    /// last message (a flood's rate must not linger). Defaults to 2000.
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
    /// Rows (symbols) the "Regimes by timeframe" matrix shows, and
    /// fetches, at first; "show more" adds as many again. Defaults to 8.
    pub matrix_rows: usize,
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
            rate_window_ms: 2000,
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
            matrix_rows: 8,
            clock_ahead_ms: 600_000,
            clock_behind_ms: 365 * 86_400_000,
        }
    }
}
