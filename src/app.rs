//! The page layout. Being written (issue #6).
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    view! { <main data-testid="app">"Regime dashboard"</main> }
}
