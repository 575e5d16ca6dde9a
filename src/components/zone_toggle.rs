//! The "UTC" control: every time on the page in UTC (pressed) or in this
//! computer's zone. Remembered with the other preferences.

use leptos::prelude::*;

use super::prefs::{use_prefs, TimeZoneChoice};

#[component]
pub fn ZoneToggle() -> impl IntoView {
    let prefs = use_prefs();
    let utc = move || prefs.zone.get() == TimeZoneChoice::Utc;
    let title = move || {
        let local = TimeZoneChoice::Local.name(super::tz_offset_min(super::wall_now()));
        if utc() {
            format!("Times in UTC; press for this computer's zone ({local})")
        } else {
            format!("Times in this computer's zone ({local}); press for UTC")
        }
    };
    view! {
        <button
            type="button"
            class="toggle"
            data-testid="utc-toggle"
            aria-pressed=move || utc().to_string()
            // The word is hidden on phones; the name stays.
            aria-label="UTC"
            title=title
            on:click=move |_| {
                prefs.zone.update(|z| {
                    *z = match z {
                        TimeZoneChoice::Utc => TimeZoneChoice::Local,
                        TimeZoneChoice::Local => TimeZoneChoice::Utc,
                    }
                })
            }
        >
            <span class="toggle-icon" aria-hidden="true">"◷"</span>
            <span class="toggle-word">"UTC"</span>
        </button>
    }
}
