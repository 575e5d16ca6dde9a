//! Alert rules: the page-wide alerting state (the rules from
//! `localStorage`, the history, the unread count in the tab's title) and
//! the "Alert rules" button with its dialog. What alerts is decided by
//! `regime_view::alert_rules`; this file keeps it, draws it and talks to
//! the browser.

use leptos::prelude::*;
use regime_core::machine::FreshAlert;
use regime_view::alert_rules::{
    title_with_unread, AlertRule, AlertRules, Alerting, Outcome, Toasting, MAX_NAME_CHARS,
    RULES_KEY, TARGETS,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::conn;
use super::format::alert_text;
use super::prefs::{notifications_supported, use_prefs, Prefs};

/// The alerting handle. `Copy`, in context.
#[derive(Clone, Copy)]
pub struct Alerts {
    /// The rules, the cooldowns, the burst and the history.
    pub engine: RwSignal<Alerting>,
    /// Why the stored rules were not used, said in the dialog.
    pub problem: RwSignal<Option<String>>,
    /// Alerts that came while the tab was hidden, in the title.
    pub unread: RwSignal<u32>,
}

impl Alerts {
    /// Decides new alerts (already de-duplicated) that came at `now`:
    /// answers the ones that toast and how; counts them as unread while
    /// the tab is hidden.
    pub fn decide(self, fresh: &[FreshAlert], now: f64) -> Vec<(FreshAlert, Toasting)> {
        if fresh.is_empty() {
            return Vec::new();
        }
        let mut shown = Vec::new();
        self.engine.update(|e| {
            for f in fresh {
                if let Some(t) = e.decide(&f.alert, now).toast {
                    shown.push((f.clone(), t));
                }
            }
        });
        if !shown.is_empty() && page_hidden() {
            self.unread
                .update(|n| *n = n.saturating_add(shown.len() as u32));
        }
        shown
    }

    /// Changes the rules and keeps them.
    pub fn edit(self, f: impl FnOnce(&mut AlertRules)) {
        let mut rules = self.engine.with_untracked(|e| e.rules().clone());
        f(&mut rules);
        if let Some(s) = storage() {
            let _ = s.set_item(RULES_KEY, &rules.to_storage());
        }
        self.problem.set(None);
        self.engine.update(|e| e.set_rules(rules));
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Whether the tab is hidden (another tab in front, the window minimised).
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Reads the rules, provides the handle, and keeps the title's count.
pub fn provide_alerts() -> Alerts {
    let stored = storage().and_then(|s| s.get_item(RULES_KEY).ok().flatten());
    let (rules, problem) = match stored.as_deref().map(AlertRules::from_storage) {
        None => (AlertRules::default(), None),
        Some(Ok(r)) => (r, None),
        Some(Err(p)) => {
            // Said once, here and in the dialog; the entry stays until the
            // trader saves rules of their own.
            web_sys::console::warn_1(&p.sentence().into());
            (AlertRules::default(), Some(p.sentence()))
        }
    };
    let alerts = Alerts {
        engine: RwSignal::new(Alerting::new(rules)),
        problem: RwSignal::new(problem),
        unread: RwSignal::new(0),
    };

    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let base = doc.title();
        let unread = alerts.unread;
        Effect::new(move |_| {
            let n = unread.get();
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(&title_with_unread(&base, n));
            }
        });
        // Looked at again: nothing is unread any more.
        let cb = Closure::<dyn Fn()>::new(move || {
            if !page_hidden() {
                let _ = unread.try_set(0);
            }
        });
        let _ =
            doc.add_event_listener_with_callback("visibilitychange", cb.as_ref().unchecked_ref());
        // As long as the page, like the title it keeps.
        cb.forget();
    }

    provide_context(alerts);
    alerts
}

/// The handle from context, or a default one (a component mounted alone).
pub fn use_alerts() -> Alerts {
    use_context::<Alerts>().unwrap_or_else(|| Alerts {
        engine: RwSignal::new(Alerting::default()),
        problem: RwSignal::new(None),
        unread: RwSignal::new(0),
    })
}

/// Backend text in the dialog: at most `max` characters, "…" when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{}…", head.trim_end())
}

/// History lines are cut to this many characters (the whole in the title).
const HISTORY_CHARS: usize = 140;

/// Asks for desktop notifications, on the trader's click only.
fn ask_notifications(prefs: Prefs, note: RwSignal<Option<&'static str>>) {
    const BLOCKED: &str =
        "The browser blocks notifications for this page: allow them in its site settings to get them.";
    if !notifications_supported() {
        prefs.notify.set(false);
        note.set(Some("This browser has no desktop notifications."));
        return;
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => {
            note.set(None);
            prefs.notify.set(true);
        }
        web_sys::NotificationPermission::Denied => {
            note.set(Some(BLOCKED));
            prefs.notify.set(false);
        }
        _ => {
            let Ok(promise) = web_sys::Notification::request_permission() else {
                prefs.notify.set(false);
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
                let granted = answer.ok().and_then(|v| v.as_string()).as_deref() == Some("granted");
                note.set((!granted).then_some(BLOCKED));
                prefs.notify.set(granted);
            });
        }
    }
}

/// The header's "Alert rules" button and its dialog.
#[component]
pub fn AlertRulesButton() -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener = NodeRef::<leptos::html::Button>::new();
    let open = RwSignal::new(false);
    let show = move |_| {
        if let Some(d) = dialog.get_untracked() {
            if d.show_modal().is_ok() {
                open.set(true);
            }
        }
    };
    let on_close = move |_| {
        open.set(false);
        // Back where the trader was.
        if let Some(b) = opener.get_untracked() {
            let _ = b.focus();
        }
    };
    view! {
        <button
            type="button"
            class="toggle"
            node_ref=opener
            data-testid="alert-rules-open"
            aria-haspopup="dialog"
            aria-label="Alert rules"
            title="Alert rules: which regime changes alert, cooldown, notifications, history"
            on:click=show
        >
            <span class="toggle-icon" aria-hidden="true">"⚠"</span>
            <span class="toggle-word">"Alert rules"</span>
        </button>
        <dialog
            class="alert-rules"
            node_ref=dialog
            data-testid="alert-rules-dialog"
            aria-labelledby="alert-rules-title"
            on:close=on_close
        >
            // Drawn only while open: the history does not re-render unseen.
            <Show when=move || open.get() fallback=|| ()>
                <AlertRulesBody close=Callback::new(move |_| {
                    if let Some(d) = dialog.get_untracked() {
                        d.close();
                    }
                }) />
            </Show>
        </dialog>
    }
}

#[component]
fn AlertRulesBody(close: Callback<()>) -> impl IntoView {
    let c = conn();
    let prefs = use_prefs();
    let alerts = use_alerts();

    let symbol = RwSignal::new(String::new());
    let timeframe = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let min_adx = RwSignal::new(String::new());
    let notify_note = RwSignal::new(None::<&'static str>);

    let symbols = move || {
        c.symbols.with(|s| {
            s.iter()
                .map(|i| i.symbol.clone())
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
        })
    };
    let timeframes = move || {
        let chosen = symbol.get();
        let mut tfs: Vec<String> = Vec::new();
        c.symbols.with(|s| {
            for i in s.iter().filter(|i| chosen.is_empty() || i.symbol == chosen) {
                for tf in &i.timeframes {
                    if !tf.trim().is_empty() && !tfs.contains(tf) {
                        tfs.push(tf.clone());
                    }
                }
            }
        });
        tfs
    };
    let any_option = |list: Vec<String>, current: String| {
        let options = list
            .into_iter()
            .map(|v| {
                let selected = v == current;
                let text = cut(&v, MAX_NAME_CHARS);
                view! { <option value=v selected=selected>{text}</option> }
            })
            .collect_view();
        view! {
            <option value="" selected=current.is_empty()>"Any"</option>
            {options}
        }
    };

    let add = move |_| {
        let adx = min_adx.get_untracked().trim().parse::<f64>().unwrap_or(0.0);
        let rule = AlertRule::new(
            &symbol.get_untracked(),
            &timeframe.get_untracked(),
            &target.get_untracked(),
            adx,
        );
        alerts.edit(|r| {
            r.add(rule);
        });
    };

    let rules = move || alerts.engine.with(|e| e.rules().rules.clone());
    let rule_list = move || {
        let list = rules();
        if list.is_empty() {
            return view! {
                <p class="ar-empty" data-testid="alert-rules-none">
                    "No rule: no regime change alerts. Add one below."
                </p>
            }
            .into_any();
        }
        view! {
            <ul class="ar-rules" data-testid="alert-rule-list">
                {list
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let words = r.describe();
                        let label = format!("Remove rule: {words}");
                        view! {
                            <li class="ar-rule" data-testid="alert-rule">
                                <span class="ar-rule-text" data-testid="alert-rule-text">{words}</span>
                                <button
                                    type="button"
                                    class="btn btn-small"
                                    data-testid="alert-rule-remove"
                                    aria-label=label
                                    on:click=move |_| alerts.edit(|r| r.remove(i))
                                >
                                    "Remove"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };

    let history = move || {
        let zone = prefs.zone.get();
        let now = super::wall_now();
        alerts.engine.with(|e| {
            e.history()
                .map(|h| {
                    let at = h.alert.timestamp.millis();
                    let time = regime_view::times::signal_time(
                        at,
                        super::shown_offset_min(zone, at),
                        now,
                        super::shown_offset_min(zone, now),
                    );
                    let full = match h.alert.message.as_deref().map(str::trim) {
                        Some(m) if !m.is_empty() => format!("{} — {m}", alert_text(&h.alert)),
                        _ => alert_text(&h.alert),
                    };
                    let muted = h.outcome != Outcome::Alerted;
                    (
                        (h.seq, zone == regime_view::TimeZoneChoice::Utc),
                        time,
                        cut(&full, HISTORY_CHARS),
                        full,
                        h.outcome.words(),
                        muted,
                    )
                })
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="ar-head">
            <h2 id="alert-rules-title">"Alert rules"</h2>
            <button
                type="button"
                class="ar-close"
                data-testid="alert-rules-close"
                aria-label="Close"
                title="Close (Esc)"
                on:click=move |_| close.run(())
            >
                "×"
            </button>
        </div>
        <div class="ar-scroll">
            {move || {
                alerts
                    .problem
                    .get()
                    .map(|p| view! { <p class="ar-problem" data-testid="alert-rules-problem" role="status">{p}</p> })
            }}
            <p class="ar-help">"A regime change alerts when any rule matches it."</p>
            {rule_list}
            <fieldset class="ar-add">
                <legend>"Add a rule"</legend>
                <label class="ar-field">
                    <span>"Symbol"</span>
                    <select data-testid="rule-symbol" on:change=move |ev| symbol.set(event_target_value(&ev))>
                        {move || any_option(symbols(), symbol.get())}
                    </select>
                </label>
                <label class="ar-field">
                    <span>"Timeframe"</span>
                    <select data-testid="rule-tf" on:change=move |ev| timeframe.set(event_target_value(&ev))>
                        {move || any_option(timeframes(), timeframe.get())}
                    </select>
                </label>
                <label class="ar-field">
                    <span>"To regime"</span>
                    <select data-testid="rule-to" on:change=move |ev| target.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        {TARGETS
                            .iter()
                            .map(|(v, words)| view! { <option value=*v>{*words}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="ar-field">
                    <span>"Min ADX"</span>
                    <input
                        type="number"
                        inputmode="decimal"
                        min="0"
                        max="100"
                        step="0.1"
                        placeholder="none"
                        data-testid="rule-min-adx"
                        prop:value=move || min_adx.get()
                        on:input=move |ev| min_adx.set(event_target_value(&ev))
                    />
                </label>
                <button type="button" class="btn btn-primary" data-testid="rule-add" on:click=add>
                    "Add rule"
                </button>
            </fieldset>
            <label class="ar-field ar-cooldown">
                <span>"Cooldown per symbol and timeframe, s"</span>
                <input
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max="86400"
                    step="1"
                    data-testid="rule-cooldown"
                    prop:value=move || alerts.engine.with(|e| e.rules().cooldown_s.to_string())
                    on:change=move |ev| {
                        let s = event_target_value(&ev).trim().parse::<f64>().unwrap_or(0.0);
                        alerts.edit(|r| r.set_cooldown(s));
                    }
                />
            </label>
            <label class="ar-check">
                <input
                    type="checkbox"
                    data-testid="rule-notify"
                    prop:checked=move || prefs.notify.get()
                    disabled=!notifications_supported()
                    on:change=move |ev| {
                        if event_target_checked(&ev) {
                            ask_notifications(prefs, notify_note);
                        } else {
                            prefs.notify.set(false);
                        }
                    }
                />
                <span>"Desktop notifications while this tab is hidden"</span>
            </label>
            {move || notify_note.get().map(|n| view! { <p class="ar-problem" data-testid="rule-notify-note" role="status">{n}</p> })}
            <h3 class="ar-subtitle" id="alert-history-title">"History"</h3>
            <ol
                class="ar-history"
                data-testid="alert-history"
                aria-labelledby="alert-history-title"
                tabindex="0"
            >
                <For
                    each=history
                    key=|h| h.0
                    children=|(_, time, text, full, outcome, muted)| {
                        view! {
                            <li class="ar-item" class:ar-muted=muted data-testid="alert-history-item">
                                <span class="ar-time num">{time}</span>
                                <span class="ar-text" title=full>{text}</span>
                                <span class="ar-outcome" data-testid="alert-history-outcome">{outcome}</span>
                            </li>
                        }
                    }
                />
            </ol>
            {move || {
                alerts
                    .engine
                    .with(|e| e.history().next().is_none())
                    .then(|| view! { <p class="ar-empty">"No regime change since the page opened."</p> })
            }}
        </div>
    }
}
