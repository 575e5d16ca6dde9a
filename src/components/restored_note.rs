//! The line that says the page shows the view kept from the last visit,
//! and how old it is, until the backend's data replaces it; or that a
//! stored view could not be used.

use leptos::prelude::*;
use regime_view::stored::RestoredNote;

use super::{conn, format, wall_now};

#[component]
pub fn RestoredNoteLine() -> impl IntoView {
    let c = conn();
    let text = move || {
        // Read the clock so that the age grows while the note is shown.
        c.now.track();
        c.restored.with(|note| {
            note.as_ref().map(|n| {
                let age = match n {
                    RestoredNote::Shown { saved_at } => (wall_now() - saved_at) as f64,
                    RestoredNote::Ignored(_) => 0.0,
                };
                let kind = match n {
                    RestoredNote::Shown { .. } => "stale",
                    RestoredNote::Ignored(_) => "ignored",
                };
                (kind, n.sentence(&format::duration(age)))
            })
        })
    };
    view! {
        <Show when=move || c.restored.with(Option::is_some) fallback=|| ()>
            <p
                class="restored-note"
                data-testid="restored-note"
                data-kind=move || text().map(|t| t.0).unwrap_or_default()
                role="status"
            >
                {move || text().map(|t| t.1).unwrap_or_default()}
            </p>
        </Show>
    }
}
