//! When the page itself fails (a Rust panic), say so on the page instead of
//! leaving a frozen dashboard that still looks live.

use wasm_bindgen::JsCast;

/// The banner's text for a panic message.
pub fn banner_text(message: &str) -> String {
    format!(
        "The dashboard stopped because of an internal error and no longer updates. Reload the page to start it again. ({message})"
    )
}

/// Chains a hook after the current one (the console hook that `mount`
/// installs) that shows the panic in a banner (`data-testid="panic-message"`).
/// The banner is built with plain DOM calls: after a panic the reactive
/// system cannot be trusted to draw it.
pub fn install_panic_banner() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        let message = info.to_string();
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(body) = doc.body() else { return };
        if doc
            .query_selector("[data-testid=panic-message]")
            .ok()
            .flatten()
            .is_some()
        {
            return;
        }
        let Ok(banner) = doc.create_element("div") else {
            return;
        };
        let _ = banner.set_attribute("data-testid", "panic-message");
        let _ = banner.set_attribute("role", "alert");
        banner.set_class_name("panic-banner");
        // Text, never markup: the message may quote backend data.
        banner.set_text_content(Some(&banner_text(&message)));
        if let Ok(link) = doc.create_element("a") {
            let _ = link.set_attribute("href", "");
            link.set_text_content(Some("Reload"));
            let _ = banner.append_child(&link);
        }
        if let Some(first) = body.first_child() {
            let _ = body.insert_before(&banner, Some(&first));
        } else {
            let _ = body.append_child(&banner);
        }
        let _ = banner.dyn_ref::<web_sys::HtmlElement>().map(|b| b.focus());
    }));
}
