//! Regime-change toasts, and the opt-in beep and desktop notification that
//! go with them. Which toasts show is decided by [`ToastQueue`]; this file
//! only draws it and talks to the browser.

use std::cell::RefCell;

use leptos::prelude::*;

use super::conn;
use super::prefs::{notification_granted, use_prefs};
use super::toast_queue::{message_head, RateLimiter, Toast, ToastQueue};
use regime_view::alert_rules::Toasting;

thread_local! {
    /// One audio context for the page, created on the trader's click (the
    /// browser lets sound start only after a gesture).
    static AUDIO: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
}

/// Creates or resumes the audio context. Call from a click handler.
pub fn prime_audio() {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::AudioContext::new().ok();
        }
        if let Some(ctx) = a.as_ref() {
            let _ = ctx.resume();
        }
    });
}

/// A short, soft two-tone beep. After a reload with sound remembered as
/// on, the context is made here; the browser lets it play once the trader
/// has clicked anywhere on the page.
pub fn beep() {
    prime_audio();
    AUDIO.with(|a| {
        let Some(ctx) = a.borrow().clone() else {
            return;
        };
        let play = || -> Result<(), wasm_bindgen::JsValue> {
            let t = ctx.current_time();
            for (i, freq) in [880.0_f32, 1175.0].into_iter().enumerate() {
                let start = t + i as f64 * 0.12;
                let osc = ctx.create_oscillator()?;
                let gain = ctx.create_gain()?;
                osc.frequency().set_value(freq);
                gain.gain().set_value_at_time(0.0001, start)?;
                gain.gain()
                    .exponential_ramp_to_value_at_time(0.12, start + 0.01)?;
                gain.gain()
                    .exponential_ramp_to_value_at_time(0.0001, start + 0.11)?;
                osc.connect_with_audio_node(&gain)?;
                gain.connect_with_audio_node(&ctx.destination())?;
                osc.start_with_when(start)?;
                osc.stop_with_when(start + 0.12)?;
            }
            Ok(())
        };
        let _ = play();
    });
}

/// A desktop notification for a batch of new toasts.
fn notify(added: &[Toast]) {
    if !notification_granted() {
        return;
    }
    let Some(first) = added.first() else { return };
    let title = if added.len() == 1 {
        "Regime change".to_string()
    } else {
        format!("{} regime changes", added.len())
    };
    let opts = web_sys::NotificationOptions::new();
    opts.set_body(&first.text);
    // One notification slot: a newer change replaces the older one.
    opts.set_tag("regime-change");
    let _ = web_sys::Notification::new_with_options(&title, &opts);
}

#[component]
pub fn Toasts() -> impl IntoView {
    let c = conn();
    let prefs = use_prefs();
    // A phone shows one toast at a time (three covered a third of its
    // screen, the signals list's newest rows among it); the rest are counted.
    let phone = web_sys::window()
        .and_then(|w| w.match_media("(max-width: 640px)").ok().flatten())
        .is_some_and(|m| m.matches());
    let queue = RwSignal::new(if phone {
        ToastQueue::with_limits(1, ToastQueue::TTL_MS)
    } else {
        ToastQueue::new()
    });
    let sound_limit = StoredValue::new(RateLimiter::new(RateLimiter::ALERT_INTERVAL_MS));
    let notify_limit = StoredValue::new(RateLimiter::new(RateLimiter::ALERT_INTERVAL_MS));

    // New alerts become toasts, as the alert rules say; at most one beep
    // and one notification per interval, however many alerts came.
    let alerts = super::alert_rules::use_alerts();
    Effect::new(move |_| {
        let fresh = c.fresh_alerts.with(|(generation, alerts)| {
            let mut fresh = Vec::new();
            queue.update_untracked(|q| fresh = q.take_new(*generation, alerts));
            fresh
        });
        // The hook's clock, which the toasts' expiry follows; it ticks once
        // a second (less often in a hidden tab), so the page's own clock
        // when that is later: cooldowns and bursts are measured to the ms.
        let now = c.now.get_untracked().max(super::perf_now());
        let shown = alerts.decide(&fresh, now);
        let mut added = Vec::new();
        if !shown.is_empty() {
            queue.update(|q| {
                for (f, how) in &shown {
                    added.push(match how {
                        Toasting::Single => q.push_alert(f, now),
                        Toasting::Burst {
                            seq,
                            count,
                            span_ms,
                            since,
                        } => q.show_burst(
                            *seq,
                            Toasting::burst_text(*count, *span_ms),
                            *since,
                            f,
                            now,
                        ),
                    });
                }
            });
        }
        if added.is_empty() {
            return;
        }
        let wall = now;
        if prefs.sound.get_untracked()
            && sound_limit
                .try_update_value(|l| l.allow(wall))
                .unwrap_or(false)
        {
            beep();
        }
        // Only while the trader is elsewhere: on the page, the toast says it.
        if prefs.notify.get_untracked()
            && super::alert_rules::page_hidden()
            && notify_limit
                .try_update_value(|l| l.allow(wall))
                .unwrap_or(false)
        {
            notify(&added);
        }
    });

    // The hook's clock ticks once a second: old toasts go with it.
    Effect::new(move |_| {
        let now = c.now.get();
        if queue.with_untracked(|q| q.next_expiry().is_some_and(|t| t <= now)) {
            queue.update(|q| {
                q.expire(now);
            });
        }
    });

    let visible = move || queue.with(|q| q.visible());
    let hidden = move || queue.with(|q| q.hidden());

    view! {
        <div class="toasts" data-testid="toasts" aria-live="polite" aria-relevant="additions">
            <For
                each=visible
                key=Toast::view_key
                children=move |t| {
                    let key = t.key;
                    let at = t.at_ms;
                    // The time of the change, in the zone the trader chose.
                    let time = move || {
                        let zone = prefs.zone.get();
                        let now = super::wall_now();
                        regime_view::times::signal_time(
                            at,
                            super::shown_offset_min(zone, at),
                            now,
                            super::shown_offset_min(zone, now),
                        )
                    };
                    let message = t.message.clone().map(|m| match message_head(&m) {
                        // Long: its start, opening to the whole on a click.
                        Some(head) => view! {
                            <details class="toast-message" data-testid="toast-message">
                                <summary>{head}</summary>
                                <p>{m}</p>
                            </details>
                        }
                            .into_any(),
                        None => view! { <p class="toast-message" data-testid="toast-message">{m}</p> }.into_any(),
                    });
                    view! {
                        <div class=format!("toast {}", t.to_class) data-testid="toast" role="status">
                            <div class="toast-body">
                                <p class="toast-text">
                                    {t.text.clone()}
                                    <span class="toast-time num" data-testid="toast-time">{time}</span>
                                </p>
                                {message}
                            </div>
                            <button
                                type="button"
                                class="toast-close"
                                data-testid="toast-dismiss"
                                aria-label="Dismiss"
                                title="Dismiss"
                                on:click=move |_| queue.update(|q| q.dismiss(key))
                            >
                                "×"
                            </button>
                        </div>
                    }
                }
            />
            <Show when=move || { hidden() > 0 } fallback=|| ()>
                <button
                    type="button"
                    class="toast-more"
                    data-testid="toast-more"
                    title="Dismiss all"
                    on:click=move |_| queue.update(|q| q.clear())
                >
                    {move || format!("+{} more", hidden())}
                </button>
            </Show>
        </div>
    }
}
