//! The regime dashboard: a Leptos (CSR) single-page app.
//!
//! `connection` drives regime-core from the browser and publishes
//! regime-view's frames as signals; `components` only draw them; `app` lays
//! the page out.

pub mod app;
pub mod components;
pub mod connection;

/// Mounts the dashboard on `<body>`, after installing the panic hook (the
/// console message of console_error_panic_hook, plus the message kept for
/// the health panel and `window.__regime.panic`), and removes the loading
/// frame that `index.html` paints before the WebAssembly arrives.
pub fn mount() {
    connection::panic::install();
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
