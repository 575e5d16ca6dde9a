//! The backend's token in the health panel: "token: set" or "token: none"
//! (never the token), and a field labelled **Token** that takes a new one.
//! Connect (or Enter) hands it to the hook, which keeps it for this backend
//! and reconnects at once, without a reload; "remember on this device"
//! keeps it in `localStorage` rather than for the tab only. An empty field
//! forgets the token.

use leptos::prelude::*;

use super::conn;

/// The line that says whether a token is set.
pub fn token_state(token_set: bool) -> &'static str {
    if token_set {
        "token: set"
    } else {
        "token: none"
    }
}

#[component]
pub fn TokenField() -> impl IntoView {
    let c = conn();
    let text = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        c.set_token
            .run((text.get_untracked(), remember.get_untracked()));
        // The secret leaves the page's DOM as soon as it is handed over.
        text.set(String::new());
    };
    view! {
        <form class="token-field" data-testid="token-field" on:submit=submit>
            <span class="token-state" data-testid="token-state">
                {move || token_state(c.health.with(|h| h.token_set))}
            </span>
            <label class="token-label" for="token-input">"Token"</label>
            <input
                id="token-input"
                class="token-input"
                type="password"
                autocomplete="off"
                spellcheck="false"
                data-testid="token-input"
                bind:value=text
            />
            <label class="token-remember">
                <input type="checkbox" data-testid="token-remember" bind:checked=remember />
                " remember on this device"
            </label>
            <button type="submit" class="btn" data-testid="token-connect">"Connect"</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_state_names_no_token() {
        assert_eq!(token_state(true), "token: set");
        assert_eq!(token_state(false), "token: none");
    }
}
