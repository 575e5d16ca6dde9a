//! The connection badge: the mode in one glance, the transport and URL on
//! hover.

use leptos::prelude::*;
use regime_core::machine::Mode;

use super::conn;
use super::format;
use crate::connection::HealthView;

/// The badge's tooltip: which transport, which URL, what it means.
pub fn badge_title(mode: Mode, h: &HealthView) -> String {
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
    match mode {
        Mode::Live => format!("Live over {transport}: {live}"),
        Mode::Api => format!(
            "Polling REST every {poll}: {api}. The live transport ({live}) is unavailable; retrying in the background."
        ),
        Mode::Connecting => format!("Connecting to {live} and {api}"),
        Mode::Offline => format!(
            "Offline: neither {live} nor {api} answers. The data on screen is stale."
        ),
    }
}

/// `● Live`, `○ API`, `◌ Connecting` or `✕ Offline`, coloured by mode.
#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let c = conn();
    let title = move || c.health.with(|h| badge_title(c.mode.get(), h));
    view! {
        <span
            class=move || format!("badge badge-{}", c.mode.get().name())
            data-testid="badge"
            data-mode=move || c.mode.get().name()
            title=title
            role="status"
        >
            {move || c.mode.get().badge()}
        </span>
    }
}
