//! The regime dashboard: a Leptos (CSR) single-page app.
//!
//! `connection` drives regime-core from the browser and publishes signals;
//! `components` only draw them; `app` lays the page out.

pub mod app;
pub mod components;
pub mod connection;

/// Mounts the dashboard on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
