//! The "Regimes by timeframe" matrix: a row per symbol, a column per
//! timeframe the backend lists. Only the rows on screen are fetched (the
//! first `matrix_rows` symbols; "show more" grows it), a few at a time
//! beside the overview's requests (one `rest_fanout` bound for every
//! `/api/regime`), and the live subscription covers them.

use std::collections::VecDeque;

use super::{Connection, RestRequest};
use crate::Millis;

/// The matrix's side of the connection.
pub(super) struct Matrix {
    /// Rows shown: the first this many symbols of the list.
    pub(super) rows: usize,
    /// (symbol, timeframe) cells whose `/api/regime` waits for a place.
    pub(super) queue: VecDeque<(String, String)>,
}

impl Matrix {
    pub(super) fn new(rows: usize) -> Self {
        Matrix {
            rows,
            queue: VecDeque::new(),
        }
    }
}

/// The matrix never has more columns than this, whatever a backend lists.
pub const MATRIX_MAX_COLUMNS: usize = 12;

impl Connection {
    /// Rows the matrix shows (at most the symbols listed).
    pub fn matrix_rows(&self) -> usize {
        self.matrix.rows.min(self.store.symbols().len())
    }

    /// The columns: every timeframe the backend lists, in the order it first
    /// lists them, at most [`MATRIX_MAX_COLUMNS`].
    pub fn matrix_timeframes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for tf in self
            .store
            .symbols()
            .iter()
            .flat_map(|s| s.timeframes.iter())
        {
            if out.len() >= MATRIX_MAX_COLUMNS {
                break;
            }
            if !out.contains(tf) {
                out.push(tf.clone());
            }
        }
        out
    }

    /// Shows `rows` rows (the trader asked for more, or fewer): the cells
    /// newly on screen are fetched, those gone are no longer asked for, and
    /// the live subscription follows.
    pub fn set_matrix_rows(&mut self, now: Millis, rows: usize) {
        let rows = rows.clamp(1, self.policy.limits.keys);
        if rows != self.matrix.rows {
            self.matrix.rows = rows;
            self.changes.matrix = true;
            let shown = self.matrix_cells();
            self.matrix.queue.retain(|c| shown.contains(c));
            self.fetch_matrix(now, false);
            self.subscribe(now);
        }
        self.after_input(now);
    }

    /// (symbol, timeframe) of every cell on screen that the backend lists,
    /// row by row.
    pub(super) fn matrix_cells(&self) -> Vec<(String, String)> {
        let columns = self.matrix_timeframes();
        self.store
            .symbols()
            .iter()
            .take(self.matrix.rows)
            .flat_map(|s| {
                columns
                    .iter()
                    .filter(|tf| s.timeframes.contains(tf))
                    .map(|tf| (s.symbol.clone(), tf.clone()))
            })
            .collect()
    }

    /// Queues the cells on screen: only those never answered, or all of
    /// them (`refresh`, a poll round). A cell that the selection or the
    /// overview strip asks for already is left to them.
    pub(super) fn fetch_matrix(&mut self, now: Millis, refresh: bool) {
        let selected_tf = self.selection.clone().map(|s| s.1).unwrap_or_default();
        let strip = self.strip_symbols();
        for (symbol, tf) in self.matrix_cells() {
            let theirs = tf == selected_tf && strip.contains(&symbol);
            let held = self.store.snapshot(&symbol, &tf).is_some();
            let cell = (symbol, tf);
            if theirs || (held && !refresh) || self.matrix.queue.contains(&cell) {
                continue;
            }
            self.matrix.queue.push_back(cell);
        }
        self.pump_overview(now);
    }

    /// The selected symbol and those the overview strip shows beside it:
    /// what the selection and the strip fetch at the selected timeframe.
    pub(super) fn strip_symbols(&self) -> Vec<String> {
        let Some((selected, _)) = self.selection.as_ref() else {
            return Vec::new();
        };
        let mut out = vec![selected.clone()];
        out.extend(
            self.store
                .symbols()
                .iter()
                .map(|s| s.symbol.clone())
                .filter(|s| s != selected)
                .take(self.policy.overview_symbols),
        );
        out
    }

    /// The next matrix request, if one waits.
    pub(super) fn next_matrix_request(&mut self) -> Option<RestRequest> {
        self.matrix
            .queue
            .pop_front()
            .map(|(symbol, timeframe)| RestRequest::Regime { symbol, timeframe })
    }
}
