//! The last view kept in browser storage, for an instant reload.
//!
//! When the page is left (and every few seconds while it is open) the app
//! keeps the selection's snapshot, its history, the newest signals and the
//! "Regimes by timeframe" matrix in
//! `localStorage` under [`STORAGE_KEY`]. On the next load it paints them at
//! once, marked stale with their age, before the network answers; fresh
//! data replaces them as it comes ([`Restoration`]).
//!
//! The entry is bounded ([`MAX_HISTORY`] points, [`MAX_SIGNALS`] signals,
//! [`MAX_STORED_BYTES`] of text at most) and versioned
//! ([`STORED_VERSION`]): an entry that is not JSON, has another version,
//! names no selection or is older than [`MAX_AGE_MS`] is ignored, and the
//! reason is said ([`StoredProblem`]). It holds market data only: no URL,
//! no setting, so no token.

use regime_core::model::{Regime, RegimePoint, RegimeSnapshot, Signal};
use serde::{Deserialize, Serialize};

use crate::market::{SignalRow, SnapshotView};
use crate::matrix::{agreement, MatrixCell, MatrixRow, MatrixView};

/// The `localStorage` key of the entry.
pub const STORAGE_KEY: &str = "regime.lastView";
/// The entry's format. An entry of any other version is ignored.
pub const STORED_VERSION: u32 = 1;
/// History points kept: the newest, as many as the store keeps by default.
pub const MAX_HISTORY: usize = 300;
/// Signals kept: the newest, as many as the table draws.
pub const MAX_SIGNALS: usize = 100;
/// The entry's size at most, in bytes of JSON text. One entry per origin;
/// `localStorage` gives an origin about 5 MB.
pub const MAX_STORED_BYTES: usize = 256 * 1024;
/// Matrix rows kept, and timeframes: more than the page shows at first.
pub const MAX_MATRIX_ROWS: usize = 64;
pub const MAX_MATRIX_COLUMNS: usize = 16;
/// An entry older than this (a week) is not worth painting.
pub const MAX_AGE_MS: i64 = 7 * 86_400_000;

/// What is kept: one selection's view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredView {
    /// [`STORED_VERSION`].
    pub v: u32,
    /// When it was kept, wall-clock epoch ms.
    pub saved_at: i64,
    pub symbol: String,
    pub timeframe: String,
    #[serde(default)]
    pub snapshot: Option<RegimeSnapshot>,
    /// Oldest first.
    #[serde(default)]
    pub history: Vec<RegimePoint>,
    /// Newest first.
    #[serde(default)]
    pub signals: Vec<Signal>,
    /// The matrix as it was, when a cell of it was known. (Added within
    /// version 1: an entry without it paints the rest.)
    #[serde(default)]
    pub matrix: Option<StoredMatrix>,
}

/// The "Regimes by timeframe" matrix as kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredMatrix {
    pub columns: Vec<String>,
    /// Symbol and one cell per column.
    pub rows: Vec<(String, Vec<StoredCell>)>,
    pub total: usize,
}

/// One cell as kept: not listed, not answered, or its regime and ADX.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StoredCell {
    #[serde(rename = "n")]
    NotListed,
    #[serde(rename = "w")]
    Waiting,
    #[serde(rename = "k")]
    Known(Regime, f64),
}

impl StoredMatrix {
    /// The matrix to keep, bounded; `None` when no cell of it is known.
    pub fn of(view: &MatrixView) -> Option<StoredMatrix> {
        if !has_known(view) {
            return None;
        }
        let columns: Vec<String> = view
            .columns
            .iter()
            .take(MAX_MATRIX_COLUMNS)
            .cloned()
            .collect();
        let rows = view
            .rows
            .iter()
            .take(MAX_MATRIX_ROWS)
            .map(|r| {
                let cells = r
                    .cells
                    .iter()
                    .take(columns.len())
                    .map(|c| match c {
                        MatrixCell::NotListed => StoredCell::NotListed,
                        MatrixCell::Waiting => StoredCell::Waiting,
                        MatrixCell::Known { regime, adx, .. } => {
                            StoredCell::Known(regime.clone(), *adx)
                        }
                    })
                    .collect();
                (r.symbol.clone(), cells)
            })
            .collect();
        Some(StoredMatrix {
            columns,
            rows,
            total: view.total,
        })
    }

    /// Within the bounds, and every row with one cell per column.
    fn holds_together(&self) -> bool {
        self.columns.len() <= MAX_MATRIX_COLUMNS
            && self.rows.len() <= MAX_MATRIX_ROWS
            && self
                .rows
                .iter()
                .all(|(_, cells)| cells.len() == self.columns.len())
    }

    /// The matrix to draw, its cells received at `received_at` (the page's
    /// clock); `None` when the entry does not hold together (a row with
    /// another number of cells than columns, or more than the bounds).
    pub fn to_view(&self, received_at: f64) -> Option<MatrixView> {
        if !self.holds_together() {
            return None;
        }
        let rows = self
            .rows
            .iter()
            .map(|(symbol, cells)| {
                let cells: Vec<MatrixCell> = cells
                    .iter()
                    .map(|c| match c {
                        StoredCell::NotListed => MatrixCell::NotListed,
                        StoredCell::Waiting => MatrixCell::Waiting,
                        StoredCell::Known(regime, adx) => MatrixCell::Known {
                            regime: regime.clone(),
                            adx: *adx,
                            received_at,
                        },
                    })
                    .collect();
                MatrixRow {
                    symbol: symbol.clone(),
                    agreed: agreement(&cells),
                    cells,
                }
            })
            .collect();
        Some(MatrixView {
            columns: self.columns.clone(),
            rows,
            total: self.total.max(self.rows.len()),
        })
    }
}

/// Whether a cell of the matrix is known: before that it shows nothing a
/// stored one should make way for.
fn has_known(view: &MatrixView) -> bool {
    view.rows.iter().any(|r| {
        r.cells
            .iter()
            .any(|c| matches!(c, MatrixCell::Known { .. }))
    })
}

/// Why a stored entry was ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredProblem {
    /// Not JSON, or not the shape of an entry.
    Unreadable,
    /// Written by another version of the page.
    OtherVersion(u32),
    /// Too large to be one of ours.
    TooLarge,
    /// Kept too long ago, or in the future.
    TooOld,
    /// No selection to paint it for.
    NoSelection,
}

impl StoredProblem {
    /// The note the page shows, in words.
    pub fn sentence(&self) -> String {
        match self {
            StoredProblem::Unreadable => "the stored view could not be read".to_string(),
            StoredProblem::OtherVersion(v) => {
                format!("the stored view is of another format (version {v})")
            }
            StoredProblem::TooLarge => "the stored view is larger than the page writes".to_string(),
            StoredProblem::TooOld => "the stored view is more than a week old".to_string(),
            StoredProblem::NoSelection => "the stored view names no symbol".to_string(),
        }
    }
}

impl StoredView {
    /// The view to keep, bounded: the newest [`MAX_HISTORY`] points and
    /// [`MAX_SIGNALS`] signals.
    pub fn new(
        saved_at: i64,
        selection: &(String, String),
        snapshot: Option<&SnapshotView>,
        history: &[RegimePoint],
        signals: &[SignalRow],
        matrix: &MatrixView,
    ) -> StoredView {
        StoredView {
            v: STORED_VERSION,
            saved_at,
            symbol: selection.0.clone(),
            timeframe: selection.1.clone(),
            snapshot: snapshot.map(|s| s.snapshot.clone()),
            history: history[history.len().saturating_sub(MAX_HISTORY)..].to_vec(),
            signals: signals
                .iter()
                .take(MAX_SIGNALS)
                .map(|r| r.signal.clone())
                .collect(),
            matrix: StoredMatrix::of(matrix),
        }
    }

    /// The entry's text, or `None` when there is nothing worth keeping. An
    /// entry over [`MAX_STORED_BYTES`] keeps fewer signals, then fewer
    /// points, until it fits.
    pub fn encode(&self) -> Option<String> {
        if self.symbol.is_empty() || (self.snapshot.is_none() && self.history.is_empty()) {
            return None;
        }
        let mut view = self.clone();
        loop {
            let text = serde_json::to_string(&view).ok()?;
            if text.len() <= MAX_STORED_BYTES {
                return Some(text);
            }
            if !view.signals.is_empty() {
                view.signals.truncate(view.signals.len() / 2);
            } else if view.matrix.is_some() {
                view.matrix = None;
            } else if !view.history.is_empty() {
                let keep = view.history.len() / 2;
                view.history.drain(..view.history.len() - keep);
            } else {
                return None;
            }
        }
    }

    /// An entry read back, at wall-clock time `now`; bounded again, since
    /// anything may have written it.
    pub fn decode(text: &str, now: i64) -> Result<StoredView, StoredProblem> {
        if text.len() > MAX_STORED_BYTES {
            return Err(StoredProblem::TooLarge);
        }
        #[derive(Deserialize)]
        struct Version {
            v: Option<u32>,
        }
        let version = serde_json::from_str::<Version>(text)
            .map_err(|_| StoredProblem::Unreadable)?
            .v
            .unwrap_or(0);
        if version != STORED_VERSION {
            return Err(StoredProblem::OtherVersion(version));
        }
        let mut view: StoredView =
            serde_json::from_str(text).map_err(|_| StoredProblem::Unreadable)?;
        let age = now.saturating_sub(view.saved_at);
        if !(0..=MAX_AGE_MS).contains(&age) {
            return Err(StoredProblem::TooOld);
        }
        if view.symbol.is_empty() || view.timeframe.is_empty() {
            return Err(StoredProblem::NoSelection);
        }
        let extra = view.history.len().saturating_sub(MAX_HISTORY);
        view.history.drain(..extra);
        view.signals.truncate(MAX_SIGNALS);
        // A matrix that does not hold together is left out; the rest is painted.
        if view.matrix.as_ref().is_some_and(|m| !m.holds_together()) {
            view.matrix = None;
        }
        Ok(view)
    }
}

/// What the page says about the stored view while it matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestoredNote {
    /// Stored data is on screen, kept at this wall-clock time (epoch ms).
    Shown { saved_at: i64 },
    /// A stored entry was there but could not be used.
    Ignored(StoredProblem),
}

impl RestoredNote {
    /// The sentence, with `age` the stored view's age in words.
    pub fn sentence(&self, age: &str) -> String {
        match self {
            RestoredNote::Shown { .. } => {
                format!("Stored view from {age} ago, until the backend answers")
            }
            RestoredNote::Ignored(problem) => {
                format!("1 stored view ignored: {}", problem.sentence())
            }
        }
    }
}

/// The stored view while it is on screen: which parts are still the
/// stored ones, and when they end.
///
/// The driver's first frame publishes every part, empty ones too, long
/// before the network answers. While a part is stale, an empty value for
/// it is held back (the stored one stays); the first value with data
/// replaces it. When the backend's data for the selection has arrived
/// (`loading` turns false outside Offline) or the selection turns out to
/// be another one, the restoration ends and every part still stale is
/// cleared, since the page now knows that the backend has nothing there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Restoration {
    pub selection: (String, String),
    pub snapshot: bool,
    pub history: bool,
    pub signals: bool,
    pub matrix: bool,
    /// The driver's matrix held back while the stored one is shown (its
    /// rows, none of their cells answered yet): published when the
    /// restoration ends.
    held_matrix: Option<MatrixView>,
    /// Offline since the last frame: the stored parts stay.
    offline: bool,
}

/// What to do with the stored parts after a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestorationStep {
    /// Some parts are still the stored ones.
    Going,
    /// The backend's data is in: clear the parts still stale.
    Ended,
}

impl Restoration {
    /// A restoration of `view`'s parts.
    pub fn of(view: &StoredView) -> Restoration {
        Restoration {
            selection: (view.symbol.clone(), view.timeframe.clone()),
            snapshot: view.snapshot.is_some(),
            history: !view.history.is_empty(),
            signals: !view.signals.is_empty(),
            matrix: view.matrix.is_some(),
            held_matrix: None,
            offline: false,
        }
    }

    /// Takes a frame: holds back the empty values of stale parts (and the
    /// empty selection of the first frames), and says whether the
    /// restoration goes on.
    pub fn filter(&mut self, update: &mut crate::FrameUpdate) -> RestorationStep {
        use regime_core::machine::Mode;
        if let Some(mode) = &update.mode {
            self.offline = *mode == Mode::Offline;
        }
        let mut ended = false;
        if let Some(selection) = &update.selection {
            if selection.0.is_empty() {
                update.selection = None;
            } else if *selection != self.selection {
                ended = true;
            }
        }
        if !ended {
            hold_back(&mut self.snapshot, &mut update.snapshot, Option::is_none);
            hold_back(&mut self.history, &mut update.history, Vec::is_empty);
            hold_back(&mut self.signals, &mut update.signals, Vec::is_empty);
            if self.matrix {
                match update.matrix.take() {
                    Some(m) if has_known(&m) => {
                        self.matrix = false;
                        self.held_matrix = None;
                        update.matrix = Some(m);
                    }
                    Some(m) => self.held_matrix = Some(m),
                    None => {}
                }
            }
            if update.loading == Some(false) && !self.offline {
                ended = true;
            }
            // While stored data is shown, the page is not "loading".
            if update.loading == Some(true) {
                update.loading = None;
            }
        }
        if ended || !(self.snapshot || self.history || self.signals || self.matrix) {
            // The matrix the backend's answers built so far replaces the
            // stored one (it fills in as they come).
            if self.matrix && update.matrix.is_none() {
                update.matrix = self.held_matrix.take();
            }
            self.matrix = false;
            RestorationStep::Ended
        } else {
            RestorationStep::Going
        }
    }
}

/// An empty value for a stale part is held back; a value with data makes
/// the part fresh.
fn hold_back<T>(stale: &mut bool, value: &mut Option<T>, empty: impl Fn(&T) -> bool) {
    if !*stale {
        return;
    }
    match value {
        Some(v) if empty(v) => *value = None,
        Some(_) => *stale = false,
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrameUpdate;
    use regime_core::machine::Mode;
    use regime_core::model::{Regime, Side, Timestamp};

    const NOW: i64 = 1_760_014_800_000;

    fn point(i: i64) -> RegimePoint {
        RegimePoint {
            timestamp: Timestamp(NOW - 1000 * 60_000 + i * 60_000),
            regime: Regime::TrendUp,
            adx: 27.5,
            atr_pct: 0.012,
            close: Some(64_000.0 + i as f64),
        }
    }

    fn signal_row(id: u64, note: &str) -> SignalRow {
        SignalRow {
            signal: Signal {
                id,
                symbol: "BTCUSDT".into(),
                timeframe: "1h".into(),
                side: Side::Long,
                price: 64_210.5,
                timestamp: Timestamp(NOW - id as i64),
                strategy: None,
                confidence: Some(0.7),
                note: Some(note.into()),
            },
            received_at: 0.0,
            run: 0,
            before_restart: false,
        }
    }

    fn selection() -> (String, String) {
        ("BTCUSDT".into(), "1h".into())
    }

    /// The selection's view of these points and signals, no matrix.
    fn kept(history: &[RegimePoint], rows: &[SignalRow]) -> StoredView {
        StoredView::new(
            NOW,
            &selection(),
            None,
            history,
            rows,
            &MatrixView::default(),
        )
    }

    fn view(points: usize, signals: usize) -> StoredView {
        let history: Vec<RegimePoint> = (0..points as i64).map(point).collect();
        let rows: Vec<SignalRow> = (0..signals as u64)
            .rev()
            .map(|id| signal_row(id, "n"))
            .collect();
        kept(&history, &rows)
    }

    #[test]
    fn a_kept_view_reads_back_the_same_and_bounded() {
        let v = view(500, 400);
        assert_eq!(v.history.len(), MAX_HISTORY);
        assert_eq!(v.history.last(), Some(&point(499)), "the newest points");
        assert_eq!(v.signals.len(), MAX_SIGNALS);
        assert_eq!(v.signals[0].id, 399, "the newest signals");
        let text = v.encode().unwrap();
        assert!(text.len() < MAX_STORED_BYTES);
        assert_eq!(StoredView::decode(&text, NOW + 60_000), Ok(v));
    }

    #[test]
    fn a_view_too_large_keeps_fewer_signals_until_it_fits() {
        let history: Vec<RegimePoint> = (0..300).map(point).collect();
        let note = "x".repeat(4000);
        let rows: Vec<SignalRow> = (0..100).map(|id| signal_row(id, &note)).collect();
        let v = kept(&history, &rows);
        let text = v.encode().unwrap();
        assert!(text.len() <= MAX_STORED_BYTES, "{}", text.len());
        let back = StoredView::decode(&text, NOW).unwrap();
        assert_eq!(back.history.len(), 300);
        assert!(back.signals.len() < 100 && !back.signals.is_empty());
    }

    #[test]
    fn nothing_is_kept_without_a_selection_or_market_data() {
        assert_eq!(view(0, 5).encode(), None);
        let mut v = view(3, 0);
        v.symbol.clear();
        assert_eq!(v.encode(), None);
    }

    #[test]
    fn corrupt_old_and_foreign_entries_are_ignored_with_a_reason() {
        let good = view(3, 2).encode().unwrap();
        let other = good.replacen("\"v\":1", "\"v\":0", 1);
        let no_symbol = good.replacen("\"symbol\":\"BTCUSDT\"", "\"symbol\":\"\"", 1);
        let big = format!("{{\"v\":1,\"pad\":\"{}\"}}", "x".repeat(MAX_STORED_BYTES));
        for (text, now, want) in [
            ("", NOW, StoredProblem::Unreadable),
            ("{\"v\":1", NOW, StoredProblem::Unreadable),
            ("[1,2,3]", NOW, StoredProblem::Unreadable),
            (
                "{\"v\":1,\"saved_at\":\"soon\"}",
                NOW,
                StoredProblem::Unreadable,
            ),
            ("{\"history\":[]}", NOW, StoredProblem::OtherVersion(0)),
            (other.as_str(), NOW, StoredProblem::OtherVersion(0)),
            (
                "{\"v\":2,\"anything\":true}",
                NOW,
                StoredProblem::OtherVersion(2),
            ),
            (big.as_str(), NOW, StoredProblem::TooLarge),
            (good.as_str(), NOW + MAX_AGE_MS + 1, StoredProblem::TooOld),
            (good.as_str(), NOW - 60_000, StoredProblem::TooOld),
            (no_symbol.as_str(), NOW, StoredProblem::NoSelection),
        ] {
            assert_eq!(
                StoredView::decode(text, now),
                Err(want.clone()),
                "{text:.60}"
            );
            assert!(!want.sentence().is_empty());
        }
    }

    fn matrix(known: bool) -> MatrixView {
        let cell = |regime: Regime, adx: f64| {
            if known {
                MatrixCell::Known {
                    regime,
                    adx,
                    received_at: 5.0,
                }
            } else {
                MatrixCell::Waiting
            }
        };
        let row = |symbol: &str, cells: Vec<MatrixCell>| MatrixRow {
            symbol: symbol.into(),
            agreed: agreement(&cells),
            cells,
        };
        MatrixView {
            columns: vec!["1m".into(), "1h".into()],
            rows: vec![
                row(
                    "BTCUSDT",
                    vec![cell(Regime::TrendUp, 27.5), cell(Regime::TrendUp, 31.0)],
                ),
                row(
                    "ETHUSDT",
                    vec![cell(Regime::Range, 14.0), MatrixCell::NotListed],
                ),
            ],
            total: 3,
        }
    }

    #[test]
    fn the_matrix_is_kept_with_its_cells_and_drawn_again_as_of_the_reload() {
        let mut v = view(3, 1);
        assert_eq!(v.matrix, None, "an empty matrix is not kept");
        v = StoredView::new(NOW, &selection(), None, &v.history, &[], &matrix(false));
        assert_eq!(v.matrix, None, "nor one with no cell answered");
        v = StoredView::new(NOW, &selection(), None, &v.history, &[], &matrix(true));
        let back = StoredView::decode(&v.encode().unwrap(), NOW).unwrap();
        let drawn = back.matrix.expect("kept").to_view(-9.0).unwrap();
        let mut want = matrix(true);
        for r in &mut want.rows {
            for c in &mut r.cells {
                if let MatrixCell::Known { received_at, .. } = c {
                    *received_at = -9.0;
                }
            }
        }
        assert_eq!(drawn, want, "cells, agreement and total as they were");
        assert_eq!(drawn.rows[0].agreed, Some(Regime::TrendUp));
    }

    /// Three history points and the matrix with every cell known.
    fn with_matrix() -> StoredView {
        StoredView::new(
            NOW,
            &selection(),
            None,
            &view(3, 0).history,
            &[],
            &matrix(true),
        )
    }

    #[test]
    fn a_matrix_that_does_not_hold_together_is_left_out_and_the_rest_painted() {
        let v = with_matrix();
        let text = v.encode().unwrap();
        // A row with one cell for two columns.
        let broken = text.replacen(
            r#"["ETHUSDT",[{"k":["range",14.0]},"n"]]"#,
            r#"["ETHUSDT",["n"]]"#,
            1,
        );
        assert_ne!(broken, text, "the test edits the entry: {text}");
        let back = StoredView::decode(&broken, NOW).unwrap();
        assert_eq!(back.matrix, None);
        assert_eq!(back.history.len(), 3);
    }

    #[test]
    fn the_stored_matrix_stays_until_a_cell_is_answered() {
        let with_matrix = with_matrix();
        let mut r = Restoration::of(&with_matrix);
        assert!(r.matrix);
        let mut rows_only = FrameUpdate {
            matrix: Some(matrix(false)),
            ..FrameUpdate::default()
        };
        assert_eq!(r.filter(&mut rows_only), RestorationStep::Going);
        assert_eq!(
            rows_only.matrix, None,
            "rows with nothing answered are held back"
        );
        let mut answered = FrameUpdate {
            matrix: Some(matrix(true)),
            ..FrameUpdate::default()
        };
        r.filter(&mut answered);
        assert!(
            answered.matrix.is_some() && !r.matrix,
            "a known cell replaces it"
        );

        // The end, nothing answered yet: the backend's rows (waiting) go out.
        let mut r = Restoration::of(&with_matrix);
        let mut rows_only = FrameUpdate {
            matrix: Some(matrix(false)),
            ..FrameUpdate::default()
        };
        r.filter(&mut rows_only);
        let mut data_in = FrameUpdate {
            loading: Some(false),
            ..FrameUpdate::default()
        };
        assert_eq!(r.filter(&mut data_in), RestorationStep::Ended);
        assert_eq!(data_in.matrix, Some(matrix(false)));
    }

    fn restoration() -> Restoration {
        let mut v = view(3, 2);
        v.snapshot = None;
        Restoration::of(&v)
    }

    #[test]
    fn the_first_frames_empty_parts_leave_the_stored_ones_on_screen() {
        let mut r = restoration();
        let mut first = FrameUpdate {
            mode: Some(Mode::Connecting),
            selection: Some((String::new(), String::new())),
            history: Some(Vec::new()),
            signals: Some(Vec::new()),
            snapshot: Some(None),
            loading: Some(true),
            ..FrameUpdate::default()
        };
        assert_eq!(r.filter(&mut first), RestorationStep::Going);
        assert_eq!(
            (first.selection, first.history, first.signals, first.loading),
            (None, None, None, None)
        );
        // No snapshot was stored: the driver's `None` goes through.
        assert_eq!(first.snapshot, Some(None));
    }

    #[test]
    fn fresh_data_replaces_each_part_and_the_end_clears_the_rest() {
        let mut r = restoration();
        let mut history = FrameUpdate {
            selection: Some(selection()),
            history: Some(vec![point(9)]),
            ..FrameUpdate::default()
        };
        assert_eq!(r.filter(&mut history), RestorationStep::Going);
        assert!(history.history.is_some(), "fresh history goes through");
        assert!(!r.history && r.signals);
        let mut data_in = FrameUpdate {
            loading: Some(false),
            ..FrameUpdate::default()
        };
        assert_eq!(r.filter(&mut data_in), RestorationStep::Ended);
        assert!(
            r.signals,
            "the signals still stale are the caller's to clear"
        );
    }

    #[test]
    fn offline_keeps_the_stored_view_and_another_selection_ends_it() {
        let mut r = restoration();
        let mut offline = FrameUpdate {
            mode: Some(Mode::Offline),
            loading: Some(false),
            ..FrameUpdate::default()
        };
        assert_eq!(r.filter(&mut offline), RestorationStep::Going);
        let mut other = FrameUpdate {
            selection: Some(("ETHUSDT".into(), "1h".into())),
            history: Some(Vec::new()),
            ..FrameUpdate::default()
        };
        assert_eq!(r.filter(&mut other), RestorationStep::Ended);
        assert_eq!(
            other.history,
            Some(Vec::new()),
            "not held back for another selection"
        );
    }
}
