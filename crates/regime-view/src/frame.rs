//! From the core's state to what the components draw: one [`FrameUpdate`]
//! per animation frame, holding only the parts that changed.

use regime_core::machine::{Changes, Connection, Mode};
use regime_core::model::RegimeSnapshot;
use regime_core::store::Stamped;
use regime_core::Millis;

use crate::health::health_view;
use crate::lists::{self, SignalsListCaps};
use crate::market::{PriceView, SignalRow, SnapshotView};
use crate::mode_hold::ModeHold;
use crate::pacing::{self, FLOOD_ROWS, SIGNALS_INTERVAL_MS, TRAFFIC_INTERVAL_MS};
use crate::parts::FrameUpdate;
use crate::price::{newest_price, PriceCandidate, PriceSource};
use crate::selection::{selection_from_live, symbols_from_live};
use regime_core::store::Store;

/// What the view builder remembers between frames.
#[derive(Clone, Debug)]
pub struct ViewState {
    /// The first frame publishes everything.
    first: bool,
    /// Grows with every batch of fresh alerts.
    fresh_generation: u64,
    /// Settings that could not be used, as sentences.
    pub setting_problems: Vec<String>,
    /// The host a link points the data at, when it is not the page's own
    /// backend. Defaults to none.
    pub link_elsewhere: Option<String>,
    /// A panic message to show, once one happened.
    pub panic: Option<String>,
    /// The lowest and highest signal id accepted since load (the test hook's
    /// `firstSignalId`/`lastSignalId`).
    first_signal_id: Option<u64>,
    last_signal_id: Option<u64>,
    /// The extras above changed: republish the health view.
    extras_changed: bool,
    /// The list of signals is republished at most this often, ms. Under a
    /// busy market the list would otherwise be rebuilt and laid out at every
    /// animation frame, which no trader can read and which starved the page
    /// (1 000 signals/s froze it). The first change after a quiet spell
    /// still goes out on the next frame.
    pub signals_interval_ms: f64,
    /// `performance.now()` of this frame, set by the driver before
    /// [`build_frame`].
    pub now: f64,
    /// When the signals list was last published.
    signals_published_at: Option<f64>,
    /// The newest signal id of the last published list.
    newest_published: Option<(u32, u64)>,
    /// The last publication brought [`FLOOD_ROWS`] new rows or more: the
    /// next waits [`pacing::FLOOD_SIGNALS_INTERVAL_MS`].
    pub signals_flooding: bool,
    /// Signals changed but were not published yet: the driver asks for
    /// another frame.
    pub signals_pending: bool,
    /// The health view's traffic figures are republished at most this
    /// often, ms (see [`TRAFFIC_INTERVAL_MS`]).
    pub traffic_interval_ms: f64,
    /// When the health view was last published.
    health_published_at: Option<f64>,
    /// Traffic changed but the health view was not republished yet.
    pub traffic_pending: bool,
    /// The price last published, for the direction of the next one.
    last_shown_price: Option<PriceView>,
    /// The badge's hysteresis between API and Offline.
    mode_hold: ModeHold,
    /// The mode last published.
    published_mode: Option<Mode>,
    /// The selection last published (the core's, or one from live data).
    published_selection: Option<(String, String)>,
}

impl ViewState {
    /// A builder whose first frame publishes everything. How many signal
    /// and alert rows it publishes follows the store's limits (see
    /// [`crate::lists`]).
    pub fn new(setting_problems: Vec<String>) -> Self {
        ViewState {
            first: true,
            fresh_generation: 0,
            setting_problems,
            link_elsewhere: None,
            panic: None,
            first_signal_id: None,
            last_signal_id: None,
            extras_changed: false,
            signals_interval_ms: SIGNALS_INTERVAL_MS,
            now: 0.0,
            signals_published_at: None,
            newest_published: None,
            signals_flooding: false,
            signals_pending: false,
            traffic_interval_ms: TRAFFIC_INTERVAL_MS,
            health_published_at: None,
            traffic_pending: false,
            last_shown_price: None,
            mode_hold: ModeHold::default(),
            published_mode: None,
            published_selection: None,
        }
    }

    /// A failure is being held back from the badge (see
    /// [`crate::mode_hold`]): the driver asks for another frame.
    pub fn mode_pending(&self) -> bool {
        self.mode_hold.pending()
    }

    /// Records a panic message for the health panel (republished once).
    pub fn set_panic(&mut self, message: Option<String>) {
        if message != self.panic {
            self.panic = message;
            self.extras_changed = true;
        }
    }

    /// Replaces the setting problems (republished once).
    pub fn set_setting_problems(&mut self, problems: Vec<String>) {
        if problems != self.setting_problems {
            self.setting_problems = problems;
            self.extras_changed = true;
        }
    }
}

/// The counters of the `window.__regime` test hook.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HookCounters {
    pub frames_total: u64,
    /// Batch frames among them (PROTOCOL.md "Batches").
    pub batches: u64,
    pub signals_accepted: u64,
    pub first_signal_id: Option<u64>,
    pub last_signal_id: Option<u64>,
    pub duplicates_dropped: u64,
    pub malformed: u64,
    pub recovered: u64,
    pub mode: &'static str,
}

/// A core instant as the page's `performance.now()` milliseconds.
pub(crate) fn at(ms: Millis) -> f64 {
    ms as f64
}

fn snapshot_view(s: &Stamped<RegimeSnapshot>) -> SnapshotView {
    SnapshotView {
        snapshot: s.value.clone(),
        received_at: at(s.received_at),
    }
}

/// Takes the core's changes and its fresh alerts, and builds what changed.
pub fn build_frame(conn: &mut Connection, state: &mut ViewState) -> FrameUpdate {
    let mut changes = conn.take_changes();
    if state.first {
        changes = Changes {
            status: true,
            traffic: true,
            snapshots: true,
            history: true,
            signals: true,
            alerts: true,
            prices: true,
            symbols: true,
            selection: true,
            matrix: true,
        };
    }
    let fresh = conn.drain_fresh_alerts();
    let mut update = FrameUpdate::default();
    let store = conn.store();
    // Before `/api/symbols` answered, the market live data brought.
    let selection = conn
        .selection()
        .map(|(s, t)| (s.to_string(), t.to_string()))
        .or_else(|| {
            let seen = live_pairs(store);
            let settings = conn.settings();
            selection_from_live(
                settings.symbol.as_deref(),
                settings.timeframe.as_deref(),
                &seen,
            )
        });
    changes.selection |= state.published_selection != selection;
    changes.symbols |= store.symbols().is_empty() && changes.snapshots;
    state.published_selection = selection.clone();

    // New signals move the health view's received count: paced like the
    // traffic figures, so a flood does not republish it at every frame.
    if changes.traffic || changes.signals {
        state.traffic_pending = true;
    }
    let traffic_due = pacing::due(
        state.health_published_at,
        state.now,
        state.traffic_interval_ms,
    );
    let mode = state
        .mode_hold
        .shown(conn.mode(), state.now, conn.settings().poll_ms as f64);
    if changes.status
        || state.extras_changed
        || (state.traffic_pending && traffic_due)
        || state.published_mode != Some(mode)
    {
        state.published_mode = Some(mode);
        update.mode = Some(mode);
        update.health = Some(health_view(
            conn.status(),
            conn.settings().poll_ms,
            state,
            conn.store().signals().accepted(),
        ));
        state.extras_changed = false;
        state.traffic_pending = false;
        state.health_published_at = Some(state.now);
    }
    if changes.selection {
        update.selection = Some(selection.clone().unwrap_or_default());
    }
    if changes.symbols {
        update.symbols = Some(if store.symbols().is_empty() {
            symbols_from_live(&live_pairs(store))
        } else {
            store.symbols().to_vec()
        });
    }
    if changes.snapshots || changes.selection || changes.symbols {
        update.overview = Some(match &selection {
            Some((_, tf)) => store
                .snapshots_at(tf)
                .into_iter()
                // What the core fetches for the strip: the selected symbol
                // and the first others of the list.
                .take(conn.policy().overview_symbols + 1)
                .map(snapshot_view)
                .collect(),
            None => Vec::new(),
        });
    }
    if changes.snapshots || changes.symbols || changes.matrix {
        update.matrix = Some(crate::matrix::matrix_view(conn));
    }
    if changes.snapshots || changes.selection {
        update.snapshot = Some(
            selection
                .as_ref()
                .and_then(|(s, t)| store.snapshot(s, t))
                .map(snapshot_view),
        );
    }
    if changes.history || changes.selection {
        update.history = Some(match &selection {
            Some((s, t)) => store.history(s, t).cloned().collect(),
            None => Vec::new(),
        });
    }
    if changes.signals {
        state.signals_pending = true;
    }
    let interval = pacing::signals_interval(state.signals_interval_ms, state.signals_flooding);
    // The first rows ever go out at once: after a reload, the stored list
    // is replaced in the frame the fresh data comes in, never by a blank
    // list that waits for the pacing.
    let first_rows = state.newest_published.is_none();
    if state.signals_pending
        && (first_rows || pacing::due(state.signals_published_at, state.now, interval))
    {
        state.signals_pending = false;
        state.signals_published_at = Some(state.now);
        let current_run = store.signals().run();
        let rows: Vec<SignalRow> = store
            .signals_newest_first()
            .take(SignalsListCaps::of(store.limits()).published)
            .map(|s| SignalRow {
                signal: s.value.clone(),
                received_at: at(s.received_at),
                run: s.run,
                before_restart: s.run < current_run,
            })
            .collect();
        // Rows above the newest one published last time are new (the list
        // is newest first).
        let fresh = match state.newest_published {
            Some(newest) => rows
                .iter()
                .take_while(|r| (r.run, r.signal.id) != newest)
                .take(FLOOD_ROWS)
                .count(),
            None => 0,
        };
        state.signals_flooding = pacing::floods(fresh);
        state.newest_published = rows.first().map(|r| (r.run, r.signal.id));
        update.signals = Some(rows);
    }
    if changes.alerts {
        update.alerts = Some(
            store
                .alerts_newest_first()
                .take(lists::published_alerts(store.limits()))
                .map(|a| a.value.clone())
                .collect(),
        );
    }
    if changes.prices || changes.snapshots || changes.history || changes.selection {
        let shown = selection
            .as_ref()
            .and_then(|(s, t)| newest_price_of(store, s, t));
        // The price shown before, so the flash goes the way the shown
        // price moved, whichever sources the two came from.
        let before = state.last_shown_price.as_ref();
        let view = shown.map(|p| PriceView {
            price: p.price,
            previous: before.and_then(|b| {
                if b.price != p.price {
                    Some(b.price)
                } else {
                    b.previous
                }
            }),
            received_at: p.received_at,
            at: p.at,
            source: p.source,
        });
        state.last_shown_price = view.clone();
        update.last_price = Some(view);
    }
    if changes.snapshots || changes.history || changes.selection || changes.status {
        let has_data = selection
            .as_ref()
            .is_some_and(|(s, t)| store.snapshot(s, t).is_some() || store.history_len(s, t) > 0);
        // Offline: nothing more will come for now, so the page shows what it
        // has (or that it has nothing) rather than a spinner.
        update.loading = Some(!has_data && mode != Mode::Offline);
    }
    if changes.history || changes.selection || changes.status || changes.snapshots {
        let answered = selection
            .as_ref()
            .is_some_and(|(s, t)| store.history_received_at(s, t).is_some());
        update.history_waiting = Some(!answered && conn.history_in_flight());
    }
    if !fresh.is_empty() {
        state.fresh_generation += 1;
        update.fresh_alerts = Some((state.fresh_generation, fresh));
    }

    // The test hook's running first/last accepted signal ids.
    let ring = store.signals();
    if ring.is_empty() && ring.accepted() == 0 {
        state.first_signal_id = None;
        state.last_signal_id = None;
    } else {
        if let Some(min) = ring.min_id() {
            state.first_signal_id = Some(state.first_signal_id.map_or(min, |f| f.min(min)));
        }
        if let Some(max) = ring.max_id() {
            state.last_signal_id = Some(state.last_signal_id.map_or(max, |l| l.max(max)));
        }
    }
    let status = conn.status();
    update.counters = HookCounters {
        frames_total: status.messages_total,
        batches: status.batches,
        signals_accepted: ring.accepted(),
        first_signal_id: state.first_signal_id,
        last_signal_id: state.last_signal_id,
        duplicates_dropped: duplicates_dropped(conn),
        malformed: status.malformed,
        recovered: status.recovered,
        mode: mode.name(),
    };
    state.first = false;
    update
}

/// Every (symbol, timeframe) a snapshot is held for.
fn live_pairs(store: &Store) -> Vec<(String, String)> {
    store
        .snapshots()
        .map(|s| (s.value.symbol.clone(), s.value.timeframe.clone()))
        .collect()
}

/// The newest price of a symbol/timeframe from the live tick, the
/// snapshot's close and the history's last close (see [`crate::price`]).
fn newest_price_of(store: &Store, symbol: &str, timeframe: &str) -> Option<PriceCandidate> {
    let tick = store.price(symbol).map(|p| PriceCandidate {
        price: p.tick.price,
        at: p.tick.timestamp,
        received_at: at(p.received_at),
        source: PriceSource::Tick,
    });
    let snapshot = store.snapshot(symbol, timeframe).and_then(|s| {
        s.value.close.map(|close| PriceCandidate {
            price: close,
            at: s.value.timestamp,
            received_at: at(s.received_at),
            source: PriceSource::Snapshot,
        })
    });
    let history = store
        .history_received_at(symbol, timeframe)
        .and_then(|received| {
            store.history(symbol, timeframe).last().and_then(|p| {
                p.close.map(|close| PriceCandidate {
                    price: close,
                    at: p.timestamp,
                    received_at: at(received),
                    source: PriceSource::History,
                })
            })
        });
    newest_price([tick, snapshot, history].into_iter().flatten())
}

/// Signals the store refused because it already held their id (live and
/// REST alike), as the hook's `duplicatesDropped` documents: signals only,
/// so it compares with `signalsAccepted`.
fn duplicates_dropped(conn: &Connection) -> u64 {
    conn.store().signals().duplicates()
}
