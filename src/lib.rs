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
/// the health panel and `window.__regime.panic`).
pub fn mount() {
    connection::panic::install();
    leptos::mount::mount_to_body(app::App);
}
