//! The "Regimes by timeframe" matrix: a row per symbol shown, a column per
//! timeframe the backend lists, each cell the regime and ADX; a row whose
//! timeframes all say the same regime is marked as agreeing.
//!
//! The core decides which rows are shown and fetched
//! (`Connection::matrix_rows`); this module only reads what it holds.

use regime_core::machine::Connection;
use regime_core::model::Regime;

use crate::frame::at;

/// The matrix as the page draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatrixView {
    /// The timeframes, in the order the backend first lists them.
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
    /// Symbols the backend lists: more than `rows.len()` means "show more".
    pub total: usize,
}

/// One symbol's row.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixRow {
    pub symbol: String,
    /// One per column.
    pub cells: Vec<MatrixCell>,
    /// The regime every timeframe of the row says, when they agree.
    pub agreed: Option<Regime>,
}

/// One (symbol, timeframe) cell.
#[derive(Clone, Debug, PartialEq)]
pub enum MatrixCell {
    /// The backend does not list this timeframe for this symbol.
    NotListed,
    /// Listed, not answered yet.
    Waiting,
    Known {
        regime: Regime,
        adx: f64,
        /// When the page received it (ms, the page's clock): a live update
        /// shows as a brief highlight.
        received_at: f64,
    },
}

const DASH: &str = "—";

/// The regime all the listed timeframes of a row say, when there are at
/// least two of them, every one is answered, and every one says the same
/// regime that the protocol names (an unknown label agrees with nothing).
pub fn agreement(cells: &[MatrixCell]) -> Option<Regime> {
    let mut listed = cells.iter().filter(|c| !matches!(c, MatrixCell::NotListed));
    let mut count = 0usize;
    let mut first: Option<&Regime> = None;
    for cell in listed.by_ref() {
        let MatrixCell::Known { regime, .. } = cell else {
            return None;
        };
        if !regime.is_known() {
            return None;
        }
        match first {
            None => first = Some(regime),
            Some(f) if f == regime => {}
            Some(_) => return None,
        }
        count += 1;
    }
    if count >= 2 {
        first.cloned()
    } else {
        None
    }
}

/// The words of a regime in a cell: never a blank box, never longer than a
/// short label (an unknown label from the backend is cut).
pub fn regime_words(regime: &Regime) -> String {
    let words = regime.label();
    let words = words.trim();
    if words.is_empty() {
        return "unknown".to_string();
    }
    const MAX: usize = 16;
    if words.chars().count() > MAX {
        let cut: String = words.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        words.to_string()
    }
}

/// ADX with one decimal; a dash for a value that is not a number.
pub fn adx_text(adx: f64) -> String {
    if adx.is_finite() {
        format!("{adx:.1}")
    } else {
        DASH.to_string()
    }
}

/// What a cell says: `trend up · 27.1`, `…` while waiting, a dash when the
/// symbol has no such timeframe.
pub fn cell_text(cell: &MatrixCell) -> String {
    match cell {
        MatrixCell::NotListed => DASH.to_string(),
        MatrixCell::Waiting => "…".to_string(),
        MatrixCell::Known { regime, adx, .. } => {
            format!("{} · {}", regime_words(regime), adx_text(*adx))
        }
    }
}

/// The cell's full sentence (title and accessible name).
pub fn cell_title(symbol: &str, timeframe: &str, cell: &MatrixCell) -> String {
    match cell {
        MatrixCell::NotListed => format!("{symbol} {timeframe}: not offered by the backend"),
        MatrixCell::Waiting => format!("{symbol} {timeframe}: waiting for the backend"),
        MatrixCell::Known { regime, adx, .. } => format!(
            "{symbol} {timeframe}: {}, ADX {}. Select {symbol} {timeframe}.",
            regime_words(regime),
            adx_text(*adx)
        ),
    }
}

/// The matrix of what the core holds: its rows shown and columns, each cell
/// from the store.
pub fn matrix_view(conn: &Connection) -> MatrixView {
    let store = conn.store();
    let columns = conn.matrix_timeframes();
    let rows = store
        .symbols()
        .iter()
        .take(conn.matrix_rows())
        .map(|info| {
            let cells: Vec<MatrixCell> = columns
                .iter()
                .map(|tf| {
                    if !info.timeframes.contains(tf) {
                        return MatrixCell::NotListed;
                    }
                    match store.snapshot(&info.symbol, tf) {
                        Some(s) => MatrixCell::Known {
                            regime: s.value.regime.clone(),
                            adx: s.value.adx,
                            received_at: at(s.received_at),
                        },
                        None => MatrixCell::Waiting,
                    }
                })
                .collect();
            MatrixRow {
                symbol: info.symbol.clone(),
                agreed: agreement(&cells),
                cells,
            }
        })
        .collect();
    MatrixView {
        columns,
        rows,
        total: store.symbols().len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(r: &str, adx: f64) -> MatrixCell {
        MatrixCell::Known {
            regime: Regime::parse(r),
            adx,
            received_at: 0.0,
        }
    }

    #[test]
    fn a_row_agrees_when_every_listed_timeframe_says_the_same() {
        let row = [known("trend_up", 30.0), known("trend_up", 26.0)];
        assert_eq!(agreement(&row), Some(Regime::TrendUp));
        // A timeframe the symbol does not have does not count against it.
        let row = [
            known("range", 12.0),
            MatrixCell::NotListed,
            known("range", 15.0),
        ];
        assert_eq!(agreement(&row), Some(Regime::Range));
    }

    #[test]
    fn no_agreement_when_one_differs_waits_or_stands_alone() {
        assert_eq!(
            agreement(&[known("trend_up", 30.0), known("trend_down", 30.0)]),
            None
        );
        assert_eq!(
            agreement(&[known("trend_up", 30.0), MatrixCell::Waiting]),
            None
        );
        assert_eq!(
            agreement(&[known("trend_up", 30.0), MatrixCell::NotListed]),
            None,
            "one timeframe agrees with nothing"
        );
        assert_eq!(agreement(&[]), None);
        // A trend without direction is not "trend up".
        assert_eq!(
            agreement(&[known("trend", 30.0), known("trend_up", 30.0)]),
            None
        );
    }

    #[test]
    fn unknown_labels_never_agree() {
        assert_eq!(agreement(&[known("chop", 1.0), known("chop", 2.0)]), None);
    }

    #[test]
    fn cell_text_says_regime_and_adx() {
        assert_eq!(cell_text(&known("trend_up", 27.14)), "trend up · 27.1");
        assert_eq!(cell_text(&known("range", f64::NAN)), "range · —");
        assert_eq!(cell_text(&MatrixCell::Waiting), "…");
        assert_eq!(cell_text(&MatrixCell::NotListed), "—");
    }

    #[test]
    fn backend_labels_are_cut_and_never_blank() {
        let long = known(&"x".repeat(500), 20.0);
        let text = cell_text(&long);
        assert!(text.chars().count() < 30, "{text}");
        assert!(text.starts_with("xxxxxxxxxxxxxxx…"));
        assert_eq!(regime_words(&Regime::parse("   ")), "unknown");
        assert_eq!(regime_words(&Regime::parse("<b>x</b>")), "<b>x</b>");
    }

    #[test]
    fn titles_name_the_cell() {
        assert_eq!(
            cell_title("BTCUSDT", "1h", &known("volatile", 41.0)),
            "BTCUSDT 1h: volatile, ADX 41.0. Select BTCUSDT 1h."
        );
        assert!(cell_title("BTCUSDT", "4h", &MatrixCell::NotListed).contains("not offered"));
    }
}
