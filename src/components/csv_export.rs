//! "Export CSV": the signals the list holds, with its filters applied, as a
//! file. The text is regime-view's ([`regime_view::export`]); this file only
//! hands it to the browser as a download (a Blob, an object URL and an
//! `<a download>`).

use leptos::prelude::*;
use regime_view::export::{csv_file_name, signals_csv};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::conn;
use super::signals_list::row_matches;

/// The button, beside the list's filters, which it reads.
#[component]
pub fn ExportCsvButton(
    symbol_filter: RwSignal<String>,
    side_filter: RwSignal<String>,
) -> impl IntoView {
    let c = conn();
    let export = move |_| {
        let sym = symbol_filter.get_untracked();
        let side = side_filter.get_untracked();
        let text = c
            .signals
            .with_untracked(|rows| signals_csv(rows, |r| row_matches(&sym, &side, r)));
        let name = csv_file_name(&sym, &side, super::wall_now());
        if let Err(e) = download_text(&name, &text, "text/csv;charset=utf-8") {
            web_sys::console::warn_2(&JsValue::from_str("Export CSV failed:"), &e);
        }
    };
    view! {
        <button
            type="button"
            class="btn btn-small"
            data-testid="export-csv"
            title="Download the signals that pass the filters as a CSV file (times in UTC)"
            disabled=move || c.signals.with(|s| s.is_empty())
            on:click=export
        >
            "Export CSV"
        </button>
    }
}

/// Downloads `text` as a file named `name`.
fn download_text(name: &str, text: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let result = click_link(&url, name);
    // Revoked a little later rather than at once: some browsers read the
    // URL after the click's handler has returned.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    result
}

fn click_link(url: &str, name: &str) -> Result<(), JsValue> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(url);
    a.set_download(name);
    a.set_hidden(true);
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    body.remove_child(&a)?;
    Ok(())
}
