//! The notice of a link that points the page's data elsewhere: when the
//! query string's `api` or `ws` name another host than the page's own
//! backend, a dismissible line names that host, so that a link cannot
//! quietly show another backend's data as if it were this one's. The host
//! comes from `regime_core::settings::link_points_elsewhere` (the real host:
//! `https://good.example@evil.example` is `evil.example`), and is shown as
//! text.

use leptos::prelude::*;

use super::conn;

/// The notice's sentence for `host`.
pub fn notice_sentence(host: &str) -> String {
    format!("Data on this page comes from {host}, set by the link you opened.")
}

#[component]
pub fn LinkNotice() -> impl IntoView {
    let c = conn();
    let dismissed = RwSignal::new(false);
    let host = Memo::new(move |_| c.health.with(|h| h.link_elsewhere.clone()));
    view! {
        <Show when=move || !dismissed.get() && host.with(Option::is_some) fallback=|| ()>
            <div class="link-notice" role="alert" data-testid="link-notice">
                <p class="link-notice-text">
                    {move || host.get().map(|h| notice_sentence(&h)).unwrap_or_default()}
                </p>
                <button
                    type="button"
                    class="btn"
                    data-testid="link-notice-dismiss"
                    on:click=move |_| dismissed.set(true)
                >
                    "Dismiss"
                </button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_notice_names_the_host() {
        assert_eq!(
            notice_sentence("evil.example"),
            "Data on this page comes from evil.example, set by the link you opened."
        );
    }
}
