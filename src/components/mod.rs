//! Components: each only draws what the connection hook gives it.
//!
//! The hook's state arrives as one `Copy` handle,
//! [`UseConnectionReturn`](crate::connection::UseConnectionReturn), read from
//! context by [`conn`]; page preferences (theme, sound, notifications) are a
//! second small handle, [`prefs::Prefs`]. The logic that deserves tests lives
//! in plain modules: [`format`] (every number and time on the page),
//! [`toast_queue`] (which alerts are on screen) and the geometry functions
//! of [`sparkline`]; the rules of what is drawn (freshness, ADX bands, how
//! many signal rows) live in the `regime-view` crate, tested natively.

pub mod alert_rules;
pub mod badge;
pub mod csv_export;
pub mod format;
pub mod header;
pub mod health_panel;
pub mod history_chart;
pub mod link_notice;
pub mod overview;
pub mod panic;
pub mod prefs;
pub mod regime_matrix;
pub mod regime_run;
pub mod regime_widget;
pub mod restored_note;
pub mod signals_list;
pub mod sparkline;
pub mod states;
pub mod toast_queue;
pub mod toasts;
pub mod token_field;
pub mod zone_toggle;

use crate::connection::UseConnectionReturn;

// The plain unit tests of these modules run natively (`cargo test -p
// regime-dashboard --lib`) and also in the browser with the wasm32 suite,
// which is the one `make test` runs for this crate.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The connection handle from context: the real hook's in the app (App
/// calls `provide_connection()` first), a hand-made one in the component
/// tests.
pub fn conn() -> UseConnectionReturn {
    crate::connection::use_connection()
}

/// What `Date.getTimezoneOffset()` answers for the instant `ms` (UTC minus
/// local time, minutes), so that times show in the trader's own zone.
pub fn tz_offset_min(ms: i64) -> i32 {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).get_timezone_offset() as i32
}

/// The offset (JavaScript's sign) that times at the instant `ms` are shown
/// with: the browser's zone, or `0` when the trader chose UTC.
pub fn shown_offset_min(zone: prefs::TimeZoneChoice, ms: i64) -> i32 {
    match zone {
        prefs::TimeZoneChoice::Utc => 0,
        prefs::TimeZoneChoice::Local => tz_offset_min(ms),
    }
}

/// `performance.now()` in ms, the clock the hook's `received_at` uses.
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The wall clock, ms since the Unix epoch.
pub fn wall_now() -> i64 {
    js_sys::Date::now() as i64
}
