//! The selected market's regime at a glance: the regime as a coloured
//! label, ADX on a 0–100 gauge with the 20 and 25 thresholds, ATR %, the
//! directional indicators, the last price (flashing on change) and how
//! fresh all of it is.

use leptos::prelude::*;
use regime_core::machine::Mode;

use regime_view::{
    adx_band, age_ms, stale_when_offline, AdxBand, Freshness, PriceSource, ADX_EMERGING,
    ADX_TRENDING,
};

use super::conn;
use super::format;
use super::states::{EmptyState, ErrorState, Skeleton};

/// Which way the last price moved, for the flash.
pub fn price_direction(price: f64, previous: Option<f64>) -> &'static str {
    match previous {
        Some(p) if price > p => "up",
        Some(p) if price < p => "down",
        _ => "same",
    }
}

/// The ADX gauge's fill in percent of its width, clamped to 0..100.
pub fn gauge_fill(adx: f64) -> f64 {
    if adx.is_finite() {
        adx.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

/// The gauge fill's class: stronger colours in the stronger ADX bands.
pub fn gauge_class(adx: f64) -> &'static str {
    match adx_band(adx) {
        AdxBand::Trending => "gauge-fill strong",
        AdxBand::Emerging => "gauge-fill mid",
        AdxBand::NoTrend => "gauge-fill",
    }
}

/// What ADX says about trend strength, in a trader's words; nothing for a
/// value that is not a number.
pub fn adx_reading(adx: f64) -> &'static str {
    if adx.is_finite() {
        adx_band(adx).words()
    } else {
        ""
    }
}

#[component]
pub fn RegimeWidget() -> impl IntoView {
    let c = conn();
    let has_snapshot = Memo::new(move |_| c.snapshot.with(|s| s.is_some()));

    view! {
        <section
            class="card regime-card"
            class:stale=move || c.mode.get() == Mode::Offline
            data-testid="regime-widget"
            aria-labelledby="regime-title"
        >
            <h2 id="regime-title" class="card-title">
                {move || {
                    let (s, t) = c.selection.get();
                    if s.is_empty() { "Regime".to_string() } else { format!("{s} · {t}") }
                }}
            </h2>
            {move || {
                if has_snapshot.get() {
                    view! { <RegimeBody /> }.into_any()
                } else if c.loading.get() && c.mode.get() != Mode::Offline {
                    view! {
                        <div class="regime-body">
                            <Skeleton lines=4 />
                        </div>
                    }
                        .into_any()
                } else if c.mode.get() == Mode::Offline {
                    view! {
                        <ErrorState
                            title="The backend does not answer"
                            hint="Check that the backend is running and that the api and ws settings point at it; the page keeps retrying on its own."
                        />
                    }
                        .into_any()
                } else {
                    view! {
                        <EmptyState text="No regime yet for this market: the backend has not sent a snapshot." />
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The body, drawn only while a snapshot exists.
#[component]
fn RegimeBody() -> impl IntoView {
    let c = conn();
    // Each field reads the snapshot through its own closure so that a tick
    // updates text nodes, not the whole card.
    let snap = move |f: fn(&crate::connection::SnapshotView) -> String| {
        c.snapshot.with(|s| {
            s.as_ref()
                .map(f)
                .unwrap_or_else(|| format::DASH.to_string())
        })
    };
    let regime = Memo::new(move |_| {
        c.snapshot
            .with(|s| s.as_ref().map(|v| v.snapshot.regime.clone()))
    });
    let adx = Memo::new(move |_| {
        c.snapshot
            .with(|s| s.as_ref().map_or(f64::NAN, |v| v.snapshot.adx))
    });

    // The price: the newest from any source (regime-view decides), with
    // its own age.
    let price = Memo::new(move |_| {
        c.last_price
            .with(|p| p.as_ref().map(|p| (p.price, p.previous)))
    });
    let price_age = move || {
        c.last_price.with(|p| {
            p.as_ref()
                .map(|p| {
                    format!(
                        "{} ago",
                        format::duration(age_ms(c.now.get(), p.received_at))
                    )
                })
                .unwrap_or_default()
        })
    };
    let price_source = move || c.last_price.with(|p| p.as_ref().map(|p| p.source));
    // A counter that changes with every new price, so the flash animation
    // restarts (two identical keyframe names alternate).
    let flash_seq = Memo::new(move |prev: Option<&(u32, Option<(f64, Option<f64>)>)>| {
        let now = price.get();
        match prev {
            Some((n, last)) if *last != now => (n.wrapping_add(1), now),
            Some((n, last)) => (*n, *last),
            None => (0, now),
        }
    });
    let price_class = move || {
        let (seq, p) = flash_seq.get();
        match p {
            Some((price, prev)) if seq > 0 => {
                format!(
                    "price num flash-{}-{}",
                    price_direction(price, prev),
                    seq % 2
                )
            }
            _ => "price num".to_string(),
        }
    };

    let freshness = Memo::new(move |_| {
        let age = c
            .snapshot
            .with(|s| s.as_ref().map(|v| age_ms(c.now.get(), v.received_at)));
        let cadence = c.health.with(|h| h.poll_ms);
        let offline = c.mode.get() == Mode::Offline;
        age.map(|a| (stale_when_offline(Freshness::of(a, cadence), offline), a))
    });

    view! {
        <div class="regime-body">
            <div class="regime-row">
                <span
                    class=move || {
                        format!(
                            "regime-label {}",
                            regime.get().as_ref().map_or("regime-other", format::regime_class),
                        )
                    }
                    data-testid="regime-label"
                    data-regime=move || regime.get().map(|r| r.as_str().to_string()).unwrap_or_default()
                >
                    {move || regime.get().map(|r| format::regime_words(&r)).unwrap_or_else(|| format::DASH.into())}
                </span>
                <span class="price-box">
                <span
                    class=price_class
                    data-testid="last-price"
                    data-value=move || price.get().map(|p| p.0.to_string()).unwrap_or_default()
                    data-source=move || price_source().map_or("", PriceSource::name)
                    title=move || price_source().map_or("Price", PriceSource::words)
                >
                    <span class="price-arrow" aria-hidden="true">
                        {move || match price.get() {
                            Some((p, prev)) => match price_direction(p, prev) {
                                "up" => "▲",
                                "down" => "▼",
                                _ => "",
                            },
                            None => "",
                        }}
                    </span>
                    {move || format::price_opt(price.get().map(|p| p.0))}
                </span>
                <span class="price-age" data-testid="price-age">{price_age}</span>
                </span>
            </div>
            <super::regime_run::RegimeRunLine />

            <div class="metric metric-adx">
                <div class="metric-head">
                    <span class="metric-name" title="Average Directional Index: trend strength, 0–100">"ADX"</span>
                    <span class="metric-value num" data-testid="adx-value">{move || format::adx(adx.get())}</span>
                    <span class="metric-note">{move || adx_reading(adx.get())}</span>
                </div>
                <div
                    class="gauge"
                    role="meter"
                    aria-label="ADX"
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=move || format::adx(gauge_fill(adx.get()))
                    title=format!("ADX on 0–100: {ADX_EMERGING} a trend may be forming, {ADX_TRENDING} a trend is in place")
                >
                    // SVG geometry, not an inline style: the page's
                    // Content-Security-Policy allows no style attributes.
                    <svg viewBox="0 0 100 14" preserveAspectRatio="none" aria-hidden="true">
                        <rect class="gauge-track" x="0" y="3" width="100" height="8"></rect>
                        <rect
                            class=move || gauge_class(adx.get())
                            x="0"
                            y="3"
                            width=move || format!("{:.1}", gauge_fill(adx.get()))
                            height="8"
                        ></rect>
                        <line class="gauge-tick" x1=ADX_EMERGING.to_string() x2=ADX_EMERGING.to_string() y1="0" y2="14" vector-effect="non-scaling-stroke"></line>
                        <line class="gauge-tick" x1=ADX_TRENDING.to_string() x2=ADX_TRENDING.to_string() y1="0" y2="14" vector-effect="non-scaling-stroke"></line>
                    </svg>
                </div>
                <div class="gauge-scale num" aria-hidden="true">
                    <span>"0"</span>
                    <span class="s20">{ADX_EMERGING.to_string()}</span>
                    <span class="s25">{ADX_TRENDING.to_string()}</span>
                    <span class="s100">"100"</span>
                </div>
            </div>

            <dl class="metrics">
                <div class="metric">
                    <dt title="Average True Range as a share of the close: how far price moves per candle">"ATR"</dt>
                    <dd class="num" data-testid="atr-pct">{move || snap(|v| format::atr_pct(v.snapshot.atr_pct))}</dd>
                </div>
                <div class="metric">
                    <dt title="Positive directional indicator">"+DI"</dt>
                    <dd class="num di-plus" data-testid="plus-di">{move || snap(|v| format::fixed_opt(v.snapshot.plus_di, 1))}</dd>
                </div>
                <div class="metric">
                    <dt title="Negative directional indicator">"−DI"</dt>
                    <dd class="num di-minus" data-testid="minus-di">{move || snap(|v| format::fixed_opt(v.snapshot.minus_di, 1))}</dd>
                </div>
            </dl>

            <p
                class=move || format!("freshness {}", freshness.get().map_or("red", |f| f.0.name()))
                data-testid="freshness"
                data-state=move || freshness.get().map_or("red", |f| f.0.name())
                title=move || {
                    let candle = snap(|v| format::utc_iso(v.snapshot.timestamp));
                    let cadence = c.health.with(|h| format::duration(if h.poll_ms > 0.0 { h.poll_ms } else { Freshness::DEFAULT_CADENCE_MS }));
                    format!("Candle time {candle}. Expected about every {cadence}: amber after twice that, red after five times.")
                }
            >
                <span class="dot" aria-hidden="true"></span>
                {move || match freshness.get() {
                    Some((_, age)) if c.mode.get() == Mode::Offline => {
                        format!("regime updated {} ago · offline, not updating", format::duration(age))
                    }
                    Some((_, age)) => format!("regime updated {} ago", format::duration(age)),
                    None => "no regime update yet".to_string(),
                }}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn price_direction_and_gauge() {
        assert_eq!(price_direction(2.0, Some(1.0)), "up");
        assert_eq!(price_direction(1.0, Some(2.0)), "down");
        assert_eq!(price_direction(1.0, Some(1.0)), "same");
        assert_eq!(price_direction(1.0, None), "same");
        assert_eq!(gauge_fill(130.0), 100.0);
        assert_eq!(gauge_fill(f64::NAN), 0.0);
        assert_eq!(adx_reading(27.0), "trending");
        assert_eq!(adx_reading(22.0), "emerging");
        assert_eq!(adx_reading(12.0), "no trend");
        assert_eq!(adx_reading(f64::NAN), "");
        assert_eq!(gauge_class(25.0), "gauge-fill strong");
        assert_eq!(gauge_class(20.0), "gauge-fill mid");
        assert_eq!(gauge_class(19.9), "gauge-fill");
        assert_eq!(gauge_class(f64::NAN), "gauge-fill");
    }
}
