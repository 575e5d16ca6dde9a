//! The connection badge: what the trader gets in one glance (regime-view's
//! [`Badge`]), what it means for the data beside it, the transport and URL
//! on hover.

use leptos::prelude::*;
use regime_view::Badge;

use super::conn;
use super::format;
use crate::connection::HealthView;

/// The badge's tooltip: which transport, which URL, what it means.
pub fn badge_title(badge: Badge, h: &HealthView) -> String {
    let transport = if h.transport.is_empty() {
        "the live transport"
    } else {
        h.transport.as_str()
    };
    let live = if h.live_url.is_empty() {
        "the live URL"
    } else {
        h.live_url.as_str()
    };
    let api = if h.api_url.is_empty() {
        "the REST API"
    } else {
        h.api_url.as_str()
    };
    let poll = format::duration(h.poll_ms);
    match badge {
        Badge::Live => format!("Live over {transport}: {live}"),
        Badge::Quiet { flowing, polled } => {
            let what = match flowing {
                regime_view::Flowing::Nothing => "but no live data comes",
                regime_view::Flowing::Signals => "signals come, but no regime or price",
                regime_view::Flowing::Prices => "prices come, but no regime event",
            };
            if polled {
                format!("Connected over {transport} ({live}), {what}: the regime is polled from REST every {poll} meanwhile.")
            } else {
                format!("Connected over {transport} ({live}), {what} yet.")
            }
        }
        Badge::Api => format!(
            "Polling REST every {poll}: {api}. The live transport ({live}) is unavailable; retrying in the background."
        ),
        Badge::Connecting => format!("Connecting to {live} and {api}"),
        Badge::Offline => format!(
            "Offline: neither {live} nor {api} answers. The data on screen is stale."
        ),
    }
}

/// The badge that applies now: the mode, what flowed on the live
/// connection, and the clock (see [`Badge::decide`]).
pub fn current(c: crate::connection::UseConnectionReturn) -> Memo<Badge> {
    Memo::new(move |_| {
        let now = c.now.get();
        c.health.with(|h| Badge::decide(c.mode.get(), &h.live, now))
    })
}

/// `● Live`, `◐ Live, no data`, `◐ Signals only`, `○ API`, `◌ Connecting`
/// or `✕ Offline`,
/// coloured by state, with what it means for the data beside it.
#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let c = conn();
    let badge = current(c);
    let title = move || c.health.with(|h| badge_title(badge.get(), h));
    let meaning = move || {
        let poll = c.health.with(|h| format::duration(h.poll_ms));
        badge.get().meaning(&poll)
    };
    view! {
        <span class="badge-wrap">
            <span
                class=move || format!("badge badge-{}", badge.get().name())
                data-testid="badge"
                data-mode=move || badge.get().name()
                title=title
                role="status"
            >
                {move || badge.get().text()}
            </span>
            <span class="badge-meaning" data-testid="badge-meaning">{meaning}</span>
        </span>
    }
}
