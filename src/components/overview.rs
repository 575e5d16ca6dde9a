//! Every symbol's regime at the selected timeframe, in one strip; a click
//! selects the symbol.

use leptos::prelude::*;

use super::conn;
use super::format;
use super::states::Skeleton;

#[component]
pub fn OverviewStrip() -> impl IntoView {
    let c = conn();
    // Keyed by symbol, so a ticking ADX updates text in place and a focused
    // button keeps its focus.
    let symbols = move || {
        c.overview.with(|o| {
            o.iter()
                .map(|v| v.snapshot.symbol.clone())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <nav class="overview" data-testid="overview" aria-label="All symbols at this timeframe">
            <Show
                when=move || !c.overview.with(|o| o.is_empty())
                fallback=move || {
                    view! {
                        <Show
                            when=move || c.loading.get() && c.mode.get() != regime_core::machine::Mode::Offline
                            fallback=|| {
                                view! {
                                    <p class="overview-empty">
                                        "No symbols yet: the overview fills in when the backend answers."
                                    </p>
                                }
                            }
                        >
                            <Skeleton lines=1 />
                        </Show>
                    }
                }
            >
                <ul class="overview-list">
                    <For
                        each=symbols
                        key=|symbol| symbol.clone()
                        children=move |symbol| {
                            let facts = {
                                let sym = symbol.clone();
                                Memo::new(move |_| {
                                    c.overview.with(|o| {
                                        o.iter().find(|v| v.snapshot.symbol == sym).map(|v| {
                                            let s = &v.snapshot;
                                            (
                                                s.regime.as_str().to_string(),
                                                format::regime_words(&s.regime),
                                                format::regime_class(&s.regime),
                                                format::adx(s.adx),
                                            )
                                        })
                                    })
                                })
                            };
                            let field = move |f: fn(&(String, String, &'static str, String)) -> String| {
                                facts.with(|x| x.as_ref().map(f).unwrap_or_default())
                            };
                            let sym = symbol.clone();
                            let selected = Memo::new({
                                let sym = symbol.clone();
                                move |_| c.selection.with(|s| s.0 == sym)
                            });
                            let pick = move |_| {
                                let tf = c.selection.with_untracked(|s| s.1.clone());
                                c.select.run((sym.clone(), tf));
                            };
                            let title_sym = symbol.clone();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class=move || format!("overview-item {}", field(|x| x.2.to_string()))
                                        class:selected=move || selected.get()
                                        aria-pressed=move || selected.get().to_string()
                                        data-testid="overview-item"
                                        data-symbol=symbol.clone()
                                        data-regime=move || field(|x| x.0.clone())
                                        title=move || format!("{title_sym}: {}, ADX {}. Click to select.", field(|x| x.1.clone()), field(|x| x.3.clone()))
                                        on:click=pick
                                    >
                                        <span class="ov-symbol">{symbol.clone()}</span>
                                        <span class="ov-regime">{move || field(|x| x.1.clone())}</span>
                                        <span class="ov-adx"><span class="ov-adx-label">"ADX "</span><span class="num" data-testid="overview-adx">{move || field(|x| x.3.clone())}</span></span>
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </nav>
    }
}
