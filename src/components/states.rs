//! The states around the data: loading skeletons, the empty state, and the
//! error state that says what to do.

use leptos::prelude::*;

use super::conn;

/// Grey bars that hold the space the content will take, so nothing jumps
/// when it arrives.
#[component]
pub fn Skeleton(
    /// How many bars.
    #[prop(default = 3)]
    lines: usize,
) -> impl IntoView {
    view! {
        <div class="skeleton" data-testid="skeleton" aria-busy="true" aria-label="Loading">
            {(0..lines).map(|i| view! { <span class=format!("skeleton-bar w{}", i % 3)></span> }).collect_view()}
        </div>
    }
}

/// Nothing to show yet, said plainly.
#[component]
pub fn EmptyState(#[prop(into)] text: String) -> impl IntoView {
    view! {
        <p class="empty-state" data-testid="empty-state">
            {text}
        </p>
    }
}

/// Something is wrong: what, and what to do, with the reconnect button at
/// hand.
#[component]
pub fn ErrorState(#[prop(into)] title: String, #[prop(into)] hint: String) -> impl IntoView {
    let c = conn();
    let detail = move || {
        c.health.with(|h| {
            h.problems
                .first()
                .map(|p| p.sentence.clone())
                .or_else(|| h.last_error.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="error-state" data-testid="error-state" role="alert">
            <p class="error-title">{title}</p>
            <p class="error-detail">{detail}</p>
            <p class="error-hint">{hint}</p>
            <button type="button" class="btn" on:click=move |_| c.reconnect.run(())>
                "Reconnect now"
            </button>
        </div>
    }
}
