//! The top bar: product name, symbol and timeframe, preferences, the
//! connection badge and "Reconnect now".

use leptos::prelude::*;
use regime_core::machine::Mode;

use super::alert_rules::AlertRulesButton;
use super::badge::ConnectionBadge;
use super::conn;
use super::prefs::{enable_notifications, notifications_supported, use_prefs};
use super::zone_toggle::ZoneToggle;

/// The timeframe to keep when the symbol changes: the current one when the
/// new symbol has it, else the new symbol's first.
pub fn timeframe_for(symbol_tfs: &[String], current: &str) -> String {
    if symbol_tfs.iter().any(|t| t == current) {
        current.to_string()
    } else {
        symbol_tfs.first().cloned().unwrap_or_default()
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let c = conn();
    let prefs = use_prefs();

    let symbol_names = move || {
        c.symbols
            .with(|s| s.iter().map(|i| i.symbol.clone()).collect::<Vec<_>>())
    };
    let timeframes = move || {
        let sym = c.selection.with(|s| s.0.clone());
        c.symbols.with(|s| {
            s.iter()
                .find(|i| i.symbol == sym)
                .map(|i| i.timeframes.clone())
                .unwrap_or_default()
        })
    };

    let on_symbol = move |ev: leptos::ev::Event| {
        let sym = event_target_value(&ev);
        let current_tf = c.selection.with_untracked(|s| s.1.clone());
        let tf = c.symbols.with_untracked(|s| {
            s.iter()
                .find(|i| i.symbol == sym)
                .map(|i| timeframe_for(&i.timeframes, &current_tf))
                .unwrap_or(current_tf.clone())
        });
        c.select.run((sym, tf));
    };
    let on_tf = move |ev: leptos::ev::Event| {
        let tf = event_target_value(&ev);
        let sym = c.selection.with_untracked(|s| s.0.clone());
        c.select.run((sym, tf));
    };

    // An option list that always holds the current value, so a select never
    // shows blank while `/api/symbols` is still on its way.
    let options = move |list: Vec<String>, current: String| {
        let mut list = list;
        if list.is_empty() && !current.is_empty() {
            list.push(current.clone());
        }
        if list.is_empty() {
            list.push(String::new());
        }
        list.into_iter()
            .map(|v| {
                let selected = v == current;
                let text = if v.is_empty() {
                    "—".to_string()
                } else {
                    v.clone()
                };
                view! { <option value=v selected=selected>{text}</option> }
            })
            .collect_view()
    };

    let sound_supported = web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &"AudioContext".into()).unwrap_or(false));

    view! {
        <header class="topbar">
            <h1 class="brand">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                <span class="brand-name">"Regime"</span>
            </h1>
            <div class="pickers">
                <label class="picker">
                    <span class="sr-only">"Symbol"</span>
                    <select
                        data-testid="symbol-select"
                        title="Symbol ( [ and ] step through)"
                        prop:value=move || c.selection.with(|s| s.0.clone())
                        disabled=move || c.symbols.with(|s| s.is_empty())
                        on:change=on_symbol
                    >
                        {move || options(symbol_names(), c.selection.with(|s| s.0.clone()))}
                    </select>
                </label>
                <label class="picker">
                    <span class="sr-only">"Timeframe"</span>
                    <select
                        data-testid="tf-select"
                        title="Timeframe"
                        prop:value=move || c.selection.with(|s| s.1.clone())
                        disabled=move || c.symbols.with(|s| s.is_empty())
                        on:change=on_tf
                    >
                        {move || options(timeframes(), c.selection.with(|s| s.1.clone()))}
                    </select>
                </label>
            </div>
            <div class="spacer"></div>
            <div class="toggles" role="group" aria-label="Preferences">
                <button
                    type="button"
                    class="toggle"
                    data-testid="theme-toggle"
                    title="Theme: automatic (follows the system), dark or light (t)"
                    on:click=move |_| prefs.theme.update(|t| *t = t.next())
                >
                    <span class="toggle-icon" aria-hidden="true">{move || prefs.theme.get().icon()}</span>
                    <span class="toggle-word">{move || prefs.theme.get().word()}</span>
                </button>
                <button
                    type="button"
                    class="toggle"
                    data-testid="sound-toggle"
                    aria-pressed=move || prefs.sound.get().to_string()
                    disabled=!sound_supported
                    title="A short beep on a regime change (at most one per 10 s)"
                    on:click=move |_| {
                        let on = !prefs.sound.get_untracked();
                        if on {
                            // The click is the gesture the browser wants before
                            // any sound; a beep says what it will sound like.
                            super::toasts::prime_audio();
                            super::toasts::beep();
                        }
                        prefs.sound.set(on);
                    }
                >
                    <span class="toggle-icon" aria-hidden="true">"♪"</span>
                    <span class="toggle-word">{move || if prefs.sound.get() { "Sound on" } else { "Sound off" }}</span>
                </button>
                <button
                    type="button"
                    class="toggle"
                    data-testid="notify-toggle"
                    aria-pressed=move || prefs.notify.get().to_string()
                    disabled=!notifications_supported()
                    title="A desktop notification on a regime change while this tab is hidden (at most one per 10 s); the browser asks for permission"
                    on:click=move |_| {
                        if prefs.notify.get_untracked() {
                            prefs.notify.set(false);
                        } else {
                            enable_notifications(prefs);
                        }
                    }
                >
                    <span class="toggle-icon" aria-hidden="true">"⚑"</span>
                    <span class="toggle-word">{move || if prefs.notify.get() { "Notify on" } else { "Notify off" }}</span>
                </button>
                <ZoneToggle />
                <AlertRulesButton />
            </div>
            <ConnectionBadge />
            <button
                type="button"
                // Quiet while Live and while the first connection is still
                // being made; the call to action only when the live side is
                // down and reconnecting is what the trader wants.
                class=move || {
                    if matches!(c.mode.get(), Mode::Api | Mode::Offline) { "btn btn-primary" } else { "btn" }
                }
                data-testid="reconnect"
                title="Reconnect the live transport now (r)"
                on:click=move |_| c.reconnect.run(())
            >
                "Reconnect now"
            </button>
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_symbol_change_keeps_the_timeframe_when_it_can() {
        let tfs = vec!["1m".to_string(), "1h".to_string()];
        assert_eq!(timeframe_for(&tfs, "1h"), "1h");
        assert_eq!(timeframe_for(&tfs, "4h"), "1m");
        assert_eq!(timeframe_for(&[], "4h"), "");
    }
}
