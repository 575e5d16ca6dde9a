//! Time in regime, under the regime label: "trend up for 14 candles, since
//! 12:40 · typical 9". The counting is regime-view's
//! ([`regime_view::runs`]); this only draws it, in the zone the trader
//! chose.

use leptos::prelude::*;
use regime_view::runs::current_run;
use regime_view::times::minute_time;

use super::format;
use super::prefs::use_prefs;
use super::{conn, shown_offset_min, wall_now};

#[component]
pub fn RegimeRunLine() -> impl IntoView {
    let c = conn();
    let zone = use_prefs().zone;
    let run = Memo::new(move |_| {
        let latest = c.snapshot.with(|s| {
            s.as_ref()
                .map(|v| (v.snapshot.timestamp, v.snapshot.regime.clone()))
        });
        c.history
            .with(|h| current_run(h, latest.as_ref().map(|(t, r)| (*t, r))))
    });
    let text = move || {
        let zone = zone.get();
        run.with(|run| {
            run.as_ref().map(|run| {
                let since = run.since.millis();
                let now = wall_now();
                let since = minute_time(
                    since,
                    shown_offset_min(zone, since),
                    now,
                    shown_offset_min(zone, now),
                );
                run.sentence(&format::regime_words(&run.regime), &since)
            })
        })
    };
    view! {
        <p
            class="regime-run muted"
            data-testid="regime-run"
            title="How long the current regime has lasted, and the median length of the whole runs in the history shown"
        >
            {move || text().unwrap_or_default()}
        </p>
    }
}
