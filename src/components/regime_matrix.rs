//! "Regimes by timeframe": a row per symbol, a column per timeframe the
//! backend lists, each cell the regime and ADX in the regime's colour; a
//! row whose timeframes all agree is marked. A click on a cell selects that
//! symbol and timeframe. The core fetches only the rows shown ("show more"
//! asks it for the next ones) and subscribes to them.

use leptos::prelude::*;
use regime_view::matrix::{adx_text, cell_text, cell_title, regime_words, MatrixCell};

use super::conn;
use super::format;
use super::states::Skeleton;

/// Rows added by "show more" (the core starts with its own policy's count).
const MORE_ROWS: usize = 8;

/// What a cell draws: (text of the regime, ADX text, class, wire label, title).
type CellFacts = (String, String, &'static str, String, String);

fn cell_facts(symbol: &str, timeframe: &str, cell: &MatrixCell) -> CellFacts {
    let title = cell_title(symbol, timeframe, cell);
    match cell {
        MatrixCell::Known { regime, adx, .. } => (
            regime_words(regime),
            adx_text(*adx),
            format::regime_class(regime),
            regime.as_str().chars().take(40).collect(),
            title,
        ),
        other => (
            cell_text(other),
            String::new(),
            "regime-none",
            String::new(),
            title,
        ),
    }
}

#[component]
pub fn RegimeMatrix() -> impl IntoView {
    let c = conn();
    let columns = Memo::new(move |_| c.matrix.with(|m| m.columns.clone()));
    // Keyed by place and symbol: a live update changes text in place, and
    // each row reads its own entry without searching the others.
    let rows = move || {
        c.matrix.with(|m| {
            m.rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i, r.symbol.clone()))
                .collect::<Vec<_>>()
        })
    };
    let head = move || columns.get().into_iter().enumerate().collect::<Vec<_>>();
    let shown = move || c.matrix.with(|m| m.rows.len());
    let total = move || c.matrix.with(|m| m.total);
    let more = move |_| {
        let next = shown() + MORE_ROWS;
        c.set_matrix_rows.run(next);
    };
    view! {
        <section class="card matrix-card" aria-labelledby="matrix-title" data-testid="regime-matrix">
            <div class="card-head">
                <h2 id="matrix-title" class="card-title">"Regimes by timeframe"</h2>
                <span class="count" data-testid="matrix-count">
                    {move || format!("{} of {} symbols", shown(), total())}
                </span>
            </div>
            <Show
                when=move || !c.matrix.with(|m| m.rows.is_empty())
                fallback=move || {
                    view! {
                        <Show
                            when=move || c.loading.get() && c.mode.get() != regime_core::machine::Mode::Offline
                            fallback=|| view! { <p class="matrix-empty">"No symbols yet: the matrix fills in when the backend answers."</p> }
                        >
                            <Skeleton lines=2 />
                        </Show>
                    }
                }
            >
                <div class="matrix-scroll">
                    <table class="matrix" aria-label="Regimes by timeframe" data-testid="matrix-table">
                        <thead>
                            <tr>
                                <th scope="col" class="mx-corner">"Symbol"</th>
                                <For
                                    each=head
                                    key=|col| col.clone()
                                    children=|(_, tf)| view! { <th scope="col" data-testid="matrix-column">{tf}</th> }
                                />
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=rows
                                key=|row| row.clone()
                                children=move |(index, symbol)| view! { <MatrixRowView index symbol columns /> }
                            />
                        </tbody>
                    </table>
                </div>
                <Show when=move || shown() < total()>
                    <button type="button" class="btn matrix-more" data-testid="matrix-more" on:click=more>
                        {move || format!("Show {} more", MORE_ROWS.min(total().saturating_sub(shown())))}
                    </button>
                </Show>
            </Show>
        </section>
    }
}

#[component]
fn MatrixRowView(index: usize, symbol: String, columns: Memo<Vec<String>>) -> impl IntoView {
    let c = conn();
    let agreed = Memo::new(move |_| {
        c.matrix.with(|m| {
            m.rows.get(index).and_then(|r| r.agreed.as_ref()).map(|r| {
                (
                    regime_words(r),
                    r.as_str().chars().take(40).collect::<String>(),
                )
            })
        })
    });
    let agreed_words = move || agreed.with(|a| a.as_ref().map(|a| a.0.clone()).unwrap_or_default());
    let agreed_label = move || agreed.with(|a| a.as_ref().map(|a| a.1.clone()).unwrap_or_default());
    let row_symbol = symbol.clone();
    let cells = move || columns.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <tr
            data-testid="matrix-row"
            data-symbol=symbol.clone()
            class:agree=move || agreed.with(|a| a.is_some())
            data-agree=agreed_label
        >
            <th scope="row" class="mx-symbol">
                <span class="mx-symbol-name">{symbol.clone()}</span>
                <Show when=move || agreed.with(|a| a.is_some())>
                    <span class="mx-agree" data-testid="matrix-agree" title=move || format!("Every timeframe says {}", agreed_words())>
                        {move || format!("✓ all {}", agreed_words())}
                    </span>
                </Show>
            </th>
            <For
                each=cells
                key=|col| col.clone()
                children=move |(col, tf)| {
                    let symbol = row_symbol.clone();
                    view! { <MatrixCellView index col symbol timeframe=tf /> }
                }
            />
        </tr>
    }
}

#[component]
fn MatrixCellView(index: usize, col: usize, symbol: String, timeframe: String) -> impl IntoView {
    let c = conn();
    let facts = {
        let (symbol, timeframe) = (symbol.clone(), timeframe.clone());
        Memo::new(move |_| {
            c.matrix.with(|m| {
                let cell = m
                    .rows
                    .get(index)
                    .and_then(|r| r.cells.get(col))
                    .unwrap_or(&MatrixCell::Waiting);
                (
                    cell_facts(&symbol, &timeframe, cell),
                    matches!(cell, MatrixCell::NotListed),
                )
            })
        })
    };
    let field = move |f: fn(&CellFacts) -> String| facts.with(|(x, _)| f(x));
    let not_listed = move || facts.with(|(_, n)| *n);
    let selected = {
        let (symbol, timeframe) = (symbol.clone(), timeframe.clone());
        Memo::new(move |_| c.selection.with(|s| s.0 == symbol && s.1 == timeframe))
    };
    let pick = {
        let (symbol, timeframe) = (symbol.clone(), timeframe.clone());
        move |_| c.select.run((symbol.clone(), timeframe.clone()))
    };
    view! {
        <td>
            <button
                type="button"
                class=move || format!("matrix-cell {}", field(|x| x.2.to_string()))
                class:selected=move || selected.get()
                aria-pressed=move || selected.get().to_string()
                disabled=not_listed
                data-testid="matrix-cell"
                data-symbol=symbol.clone()
                data-timeframe=timeframe.clone()
                data-regime=move || field(|x| x.3.clone())
                title=move || field(|x| x.4.clone())
                on:click=pick
            >
                <span class="mx-regime">{move || field(|x| x.0.clone())}</span>
                <span class="mx-adx num" data-testid="matrix-adx">{move || field(|x| x.1.clone())}</span>
            </button>
        </td>
    }
}
