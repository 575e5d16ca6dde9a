//! The trading signals, newest first, filterable by symbol and side. Rows
//! are keyed by signal id, so a new signal adds one row and moves none.
//! Everything from the backend is rendered as text.

use leptos::prelude::*;
use regime_core::model::Side;
use regime_view::lists::{drawn_rows, rows_to_draw};

use super::conn;
use super::csv_export::ExportCsvButton;
use super::format;
use super::prefs::use_prefs;
use super::states::{EmptyState, Skeleton};
use crate::connection::SignalRow;

/// How long a new row stays highlighted, ms.
pub const NEW_ROW_MS: f64 = 2000.0;

/// The side filter's values: `""` (all), `long`, `short`, `flat`.
pub fn side_matches(filter: &str, side: &Side) -> bool {
    filter.is_empty() || side.as_str() == filter
}

/// The symbol filter: `""` is all.
pub fn symbol_matches(filter: &str, symbol: &str) -> bool {
    filter.is_empty() || filter == symbol
}

/// Whether a row passes both filters.
pub fn row_matches(symbol: &str, side: &str, row: &SignalRow) -> bool {
    symbol_matches(symbol, &row.signal.symbol) && side_matches(side, &row.signal.side)
}

/// The CSS class of a side.
pub fn side_class(side: &Side) -> &'static str {
    match side {
        Side::Long => "side side-long",
        Side::Short => "side side-short",
        Side::Flat => "side side-flat",
        Side::Other(_) => "side side-other",
    }
}

#[component]
pub fn SignalsList() -> impl IntoView {
    let c = conn();
    let symbol_filter = RwSignal::new(String::new());
    let side_filter = RwSignal::new(String::new());

    // How many rows the table holds: what fills the window down to where
    // the list is scrolled (regime_view::lists::rows_to_draw). Read from
    // the window's height, not the list's box, so that nothing is laid out
    // to know it.
    let window_rows = RwSignal::new(rows_to_draw(0.0, window_height()));
    let scroll_box = NodeRef::<leptos::html::Div>::new();
    // On a scroll of the list and a resize of the window.
    let rewindow = move || {
        let scroll_top = scroll_box
            .get_untracked()
            .map_or(0.0, |el| el.scroll_top() as f64);
        let rows = rows_to_draw(scroll_top, window_height());
        if window_rows.get_untracked() != rows {
            window_rows.set(rows);
        }
    };
    let resize = window_event_listener(leptos::ev::resize, move |_| rewindow());
    on_cleanup(move || resize.remove());

    let filtered = Memo::new(move |_| {
        let sym = symbol_filter.get();
        let side = side_filter.get();
        let limit = window_rows.get();
        // The newest of those that pass the filters, as many as the list's
        // rule draws (regime_view::lists).
        c.signals
            .with(|rows| drawn_rows(rows, limit, |r| row_matches(&sym, &side, r)))
    });

    // The symbol filter offers every listed symbol and any that a signal
    // named, in a stable order. A memo: the options are redrawn only when
    // the list of names changes, not with every signal (a redraw would close
    // the dropdown under the trader's pointer).
    let filter_symbols = Memo::new(move |_| {
        let mut names: Vec<String> = c
            .symbols
            .with(|s| s.iter().map(|i| i.symbol.clone()).collect());
        c.signals.with(|rows| {
            for r in rows {
                if !names.contains(&r.signal.symbol) {
                    names.push(r.signal.symbol.clone());
                }
            }
        });
        names
    });

    let prefs = use_prefs();
    let zone_name = move || {
        prefs
            .zone
            .get()
            .name(super::tz_offset_min(super::wall_now()))
    };

    let total = move || c.signals.with(|s| s.len());
    let shown = move || filtered.with(|f| f.len());
    let matching = move || {
        let sym = symbol_filter.get();
        let side = side_filter.get();
        c.signals
            .with(|rows| rows.iter().filter(|r| row_matches(&sym, &side, r)).count())
    };

    let notes_open = RwSignal::new(false);

    view! {
        <section class="card signals-card" data-testid="signals-list" aria-labelledby="signals-title">
            <div class="card-head">
                <h2 id="signals-title" class="card-title">"Signals"</h2>
                <span class="count num" aria-live="off" data-testid="signals-count">
                    {move || {
                        regime_view::lists::signals_count(matching(), total(), c.health.with(|h| h.signals_received))
                    }}
                </span>
                <div class="filters">
                    <label>
                        <span class="sr-only">"Filter by symbol"</span>
                        <select
                            data-testid="signal-filter-symbol"
                            prop:value=move || symbol_filter.get()
                            on:change=move |ev| symbol_filter.set(event_target_value(&ev))
                        >
                            <option value="">"All symbols"</option>
                            {move || {
                                filter_symbols
                                    .get()
                                    .into_iter()
                                    .map(|s| {
                                        let selected = symbol_filter.get_untracked() == s;
                                        view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </label>
                    <label>
                        <span class="sr-only">"Filter by side"</span>
                        <select
                            data-testid="signal-filter-side"
                            prop:value=move || side_filter.get()
                            on:change=move |ev| side_filter.set(event_target_value(&ev))
                        >
                            <option value="">"All sides"</option>
                            <option value="long">"Long"</option>
                            <option value="short">"Short"</option>
                            <option value="flat">"Flat"</option>
                        </select>
                    </label>
                    // A note longer than its column ends in "…": this shows
                    // every note whole (a click on one opens that one).
                    <button
                        type="button"
                        class="btn btn-small toggle notes-toggle"
                        data-testid="notes-toggle"
                        aria-pressed=move || if notes_open.get() { "true" } else { "false" }
                        on:click=move |_| notes_open.update(|o| *o = !*o)
                    >
                        "Full notes"
                    </button>
                    <ExportCsvButton symbol_filter=symbol_filter side_filter=side_filter />
                </div>
            </div>
            // Focusable and labelled: a keyboard user can scroll the list.
            <div
                class="signals-scroll"
                tabindex="0"
                role="region"
                aria-label="Signals table, scrollable"
                node_ref=scroll_box
                on:scroll=move |_| rewindow()
            >
                <table class="signals" class:notes-open=move || notes_open.get()>
                    <thead>
                        <tr>
                            <th scope="col" data-testid="signals-time-head">{move || format!("Time ({})", zone_name())}</th>
                            <th scope="col">"Symbol"</th>
                            <th scope="col">"TF"</th>
                            <th scope="col">"Side"</th>
                            <th scope="col" class="r">"Price"</th>
                            <th scope="col">"Strategy"</th>
                            <th scope="col" class="r">"Conf."</th>
                            <th scope="col">"Note"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || filtered.get()
                            key=|row| (row.run, row.signal.id, row.before_restart)
                            children=move |row| view! { <SignalRowView row=row /> }
                        />
                    </tbody>
                </table>
                {move || {
                    if total() == 0 && c.loading.get() && c.mode.get() != regime_core::machine::Mode::Offline {
                        view! { <Skeleton lines=5 /> }.into_any()
                    } else if total() == 0 {
                        view! {
                            <EmptyState text="No signals yet. New signals appear here as the backend sends them." />
                        }
                            .into_any()
                    } else if shown() == 0 {
                        view! { <EmptyState text="No signals match this filter." /> }.into_any()
                    } else if matching() > shown() {
                        view! {
                            <p class="list-more" data-testid="signals-more">
                                {move || format!("Newest {} of {} shown.", shown(), matching())}
                            </p>
                        }
                            .into_any()
                    } else {
                        ().into_any()
                    }
                }}
            </div>
        </section>
    }
}

/// One signal. Its fields never change (a signal is immutable by id); only
/// the "new" highlight fades.
#[component]
fn SignalRowView(row: SignalRow) -> impl IntoView {
    let c = conn();
    let s = row.signal;
    let received_at = row.received_at;
    let before_restart = row.before_restart;
    let ms = s.timestamp.millis();
    let zone = use_prefs().zone;
    // In the zone the trader chose; the date too when it is not from today.
    let shown_time = move || {
        let zone = zone.get();
        let now = super::wall_now();
        regime_view::times::signal_time(
            ms,
            super::shown_offset_min(zone, ms),
            now,
            super::shown_offset_min(zone, now),
        )
    };
    let is_new = move || c.now.get() - received_at < NEW_ROW_MS;
    let side_text = s.side.as_str().to_string();
    view! {
        <tr
            class="signal-row"
            class:is-new=is_new
            class:before-restart=before_restart
            data-testid="signal-row"
            data-run=row.run.to_string()
            data-id=s.id.to_string()
            data-side=side_text.clone()
        >
            <td class="num muted" data-testid="signal-time" title=format::utc_iso(s.timestamp)>
                {shown_time}
            </td>
            <td class="sym" data-testid="signal-symbol">
                {s.symbol.clone()}
                {before_restart
                    .then(|| {
                        view! {
                            <span
                                class="run-tag"
                                data-testid="before-restart"
                                title="Sent before the backend restarted: its ids started again since"
                            >
                                "before restart"
                            </span>
                        }
                    })}
            </td>
            <td class="muted" data-testid="signal-tf">{s.timeframe.clone()}</td>
            <td data-testid="signal-side">
                <span class=side_class(&s.side)>{side_text.clone()}</span>
            </td>
            <td class="num r" data-testid="signal-price" data-value=s.price.to_string()>
                {format::price(s.price)}
            </td>
            <td class="strategy" data-testid="signal-strategy">{format::text_or_dash(s.strategy.as_deref())}</td>
            <td class="num r" data-testid="signal-confidence">{format::confidence(s.confidence)}</td>
            <td
                class="note"
                data-testid="signal-note"
                title=s.note.clone().unwrap_or_default()
                on:click=open_note
            >
                {format::text_or_dash(s.note.as_deref())}
            </td>
        </tr>
    }
}

/// The window's inner height, px; NaN when the browser cannot tell (then
/// every row that may be drawn is).
fn window_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(f64::NAN)
}

/// A click on a note cut short opens it whole, and a second closes it.
fn open_note(ev: web_sys::MouseEvent) {
    use wasm_bindgen::JsCast;
    if let Some(cell) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let _ = cell.class_list().toggle("open");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn filters() {
        assert!(side_matches("", &Side::Short));
        assert!(side_matches("long", &Side::Long));
        assert!(!side_matches("long", &Side::Flat));
        assert!(!side_matches("long", &Side::Other("hold".into())));
        assert!(symbol_matches("", "ETHUSDT"));
        assert!(!symbol_matches("BTCUSDT", "ETHUSDT"));
        assert_eq!(side_class(&Side::Other("x".into())), "side side-other");
    }
}
