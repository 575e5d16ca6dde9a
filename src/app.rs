//! The page layout: a top bar, the overview strip, then a grid of the
//! regime widget and sparklines, the history chart, the signals list and
//! the health panel; toasts float above. Keyboard shortcuts live here too.

use leptos::prelude::*;

use crate::components::header::Header;
use crate::components::health_panel::HealthPanel;
use crate::components::history_chart::HistoryChart;
use crate::components::link_notice::LinkNotice;
use crate::components::overview::OverviewStrip;
use crate::components::prefs::provide_prefs;
use crate::components::regime_matrix::RegimeMatrix;
use crate::components::regime_widget::RegimeWidget;
use crate::components::restored_note::RestoredNoteLine;
use crate::components::signals_list::SignalsList;
use crate::components::sparkline::Sparkline;
use crate::components::toasts::Toasts;
use crate::components::{conn, format, panic};

#[component]
pub fn App() -> impl IntoView {
    crate::connection::provide_connection();
    // After the connection layer's hook, so the banner chains onto it.
    panic::install_panic_banner();
    provide_prefs();
    crate::components::alert_rules::provide_alerts();
    install_shortcuts();
    view! { <Dashboard /> }
}

/// The page without its providers: the component tests mount this with a
/// hand-made connection in context.
#[component]
pub fn Dashboard() -> impl IntoView {
    let c = conn();
    view! {
        <div class="page">
            <a class="skip-link" href="#signals-title">"Skip to signals"</a>
            <Header />
            <LinkNotice />
            // Offline, every card shows the last data received: each is
            // marked so, not only the regime card.
            <main
                class="grid"
                class:stale-data=move || c.mode.get() == regime_core::machine::Mode::Offline
                data-testid="grid"
            >
                <div class="area-overview">
                    <RestoredNoteLine />
                    <OverviewStrip />
                </div>
                <div class="area-regime">
                    <RegimeWidget />
                </div>
                <section class="card area-sparks" aria-label="Indicators over the history">
                    <Sparkline
                        testid="sparkline-adx"
                        label="ADX"
                        history=c.history
                        pick=|p| Some(p.adx)
                        fmt=format::adx
                        guides=&regime_view::ADX_THRESHOLDS
                    />
                    <Sparkline
                        testid="sparkline-atr"
                        label="ATR %"
                        history=c.history
                        pick=|p| Some(p.atr_pct)
                        fmt=format::atr_pct
                    />
                    <Sparkline
                        testid="sparkline-close"
                        label="Close"
                        history=c.history
                        pick=|p| p.close
                        fmt=format::price
                    />
                </section>
                <div class="area-chart">
                    <HistoryChart />
                </div>
                <div class="area-matrix">
                    <RegimeMatrix />
                </div>
                <div class="area-signals">
                    <SignalsList />
                </div>
                <div class="area-health">
                    <HealthPanel />
                </div>
            </main>
            <footer class="footer">
                <span>"Shortcuts: "</span>
                <kbd>"r"</kbd>" reconnect · "
                <kbd>"["</kbd>" "<kbd>"]"</kbd>" previous / next symbol · "
                <kbd>","</kbd>" "<kbd>"."</kbd>" previous / next timeframe · "
                <kbd>"t"</kbd>" theme"
            </footer>
            <Toasts />
        </div>
    }
}

/// The item after (or before) `current` in `list`, wrapping around.
pub fn step(list: &[String], current: &str, forward: bool) -> Option<String> {
    if list.is_empty() {
        return None;
    }
    let n = list.len();
    let i = list.iter().position(|s| s == current).unwrap_or(0);
    let j = if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    };
    Some(list[j].clone())
}

/// `r` reconnect, `t` theme, `[` `]` symbol, `,` `.` timeframe. Ignored
/// while typing in a field or with a modifier held.
fn install_shortcuts() {
    let c = conn();
    let prefs = crate::components::prefs::use_prefs();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .map(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.has_attribute("contenteditable")
            })
            .unwrap_or(false);
        if typing {
            return;
        }
        let (sym, tf) = c.selection.get_untracked();
        let symbols = c.symbols.get_untracked();
        match ev.key().as_str() {
            "r" => c.reconnect.run(()),
            "t" => prefs.theme.update(|t| *t = t.next()),
            "[" | "]" => {
                let names: Vec<String> = symbols.iter().map(|s| s.symbol.clone()).collect();
                if let Some(next) = step(&names, &sym, ev.key() == "]") {
                    let tfs = symbols
                        .iter()
                        .find(|s| s.symbol == next)
                        .map(|s| s.timeframes.clone())
                        .unwrap_or_default();
                    let tf = crate::components::header::timeframe_for(&tfs, &tf);
                    c.select.run((next, tf));
                }
            }
            "," | "." => {
                let tfs = symbols
                    .iter()
                    .find(|s| s.symbol == sym)
                    .map(|s| s.timeframes.clone())
                    .unwrap_or_default();
                if let Some(next) = step(&tfs, &tf, ev.key() == ".") {
                    c.select.run((sym, next));
                }
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn stepping_wraps_around() {
        let l: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        assert_eq!(step(&l, "A", true).as_deref(), Some("B"));
        assert_eq!(step(&l, "C", true).as_deref(), Some("A"));
        assert_eq!(step(&l, "A", false).as_deref(), Some("C"));
        assert_eq!(step(&l, "zzz", true).as_deref(), Some("B"));
        assert_eq!(step(&[], "A", true), None);
    }
}
