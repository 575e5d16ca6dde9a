//! The history chart: close price over regime shading, and ADX in a lower
//! pane with its 20 and 25 lines, drawn with plotters on a canvas.
//!
//! The canvas's pixel size follows its CSS size times `devicePixelRatio`
//! (crisp on high-DPI screens); it redraws when its box resizes
//! (`ResizeObserver`), when the history changes, when the theme changes
//! and when the trader switches between UTC and local times. "Save PNG" downloads exactly what is drawn.
//!
//! | module | job |
//! |---|---|
//! | [`palette`] | the colours of each theme and of each regime |
//! | [`axis`] | value ranges, round ticks, the time domain, time labels |
//! | [`draw`] | the panes, lines and labels on the canvas |
//! | [`export`] | the PNG download and its file name |
//! | this file | the component: the canvas, its size, when to redraw |

pub mod axis;
pub mod draw;
pub mod export;
pub mod palette;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use self::draw::draw;
use self::export::{png_name, save_png};
use self::palette::Palette;
use super::conn;
use super::prefs::use_prefs;
use super::states::{EmptyState, Skeleton};

#[component]
pub fn HistoryChart() -> impl IntoView {
    let c = conn();
    let prefs = use_prefs();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let box_ref = NodeRef::<html::Div>::new();
    // The canvas box's CSS size and the device pixel ratio.
    let size = RwSignal::new((0.0_f64, 0.0_f64, 1.0_f64));

    let measure = move || {
        if let Some(el) = box_ref.get_untracked() {
            let dpr = web_sys::window()
                .map_or(1.0, |w| w.device_pixel_ratio())
                .max(1.0);
            let next = (
                f64::from(el.client_width()),
                f64::from(el.client_height()),
                dpr,
            );
            if size.get_untracked() != next {
                size.set(next);
            }
        }
    };

    // Watch the box: a resized window, a rotated phone, a changed grid. The
    // observer also reports the first size, once the page is laid out: the
    // box is not measured while the page is being built, where reading its
    // size forced a layout of the whole half-built page (45 ms of the cold
    // start on a 2-core machine).
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    box_ref.on_load(move |el| {
        let cb = Closure::<dyn FnMut()>::new(measure);
        match web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            Ok(ro) => {
                ro.observe(&el);
                observer.set_value(Some((ro, cb)));
            }
            // No ResizeObserver: measure once, as the page is.
            Err(_) => measure(),
        }
    });
    on_cleanup(move || {
        observer.try_update_value(|o| {
            if let Some((ro, _)) = o.take() {
                ro.disconnect();
            }
        });
    });

    let failed = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let (w, h, dpr) = size.get();
        let light = prefs.is_light();
        let zone = prefs.zone.get();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        if w < 1.0 || h < 1.0 {
            return;
        }
        let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
        if canvas.width() != pw || canvas.height() != ph {
            canvas.set_width(pw);
            canvas.set_height(ph);
        }
        let pal = Palette::of_theme(light);
        let result = c.history.with(|pts| draw(&canvas, pts, &pal, dpr, zone));
        failed.set(result.err().map(|e| e.to_string()));
    });

    let save = move |_| {
        if let Some(canvas) = canvas_ref.get_untracked() {
            let (s, t) = c.selection.get_untracked();
            let _ = save_png(&canvas, &png_name(&s, &t, super::wall_now()));
        }
    };
    let count = move || c.history.with(|h| h.len());
    let changes = move || c.history.with(|h| draw::transitions(h).len());

    view! {
        <section class="card chart-card" aria-labelledby="chart-title">
            <div class="card-head">
                <h2 id="chart-title" class="card-title">"History"</h2>
                <span class="count num">
                    {move || match count() {
                        0 => String::new(),
                        n => format!("{n} candles"),
                    }}
                </span>
                // The ribbon along the price marks each change with a tick.
                <span
                    class="count chart-changes"
                    data-testid="chart-changes"
                    title="The ribbon under the price marks each regime change with a tick"
                >
                    {move || match (count(), changes()) {
                        (0 | 1, _) => String::new(),
                        (_, 1) => "· 1 regime change".to_string(),
                        (_, n) => format!("· {n} regime changes"),
                    }}
                </span>
                // What the shaded bands behind the close mean.
                <ul class="chart-legend" data-testid="chart-legend" aria-label="Regime bands">
                    <li class="regime-trend-up">"trend up"</li>
                    <li class="regime-trend-down">"trend down"</li>
                    <li class="regime-range">"range"</li>
                    <li class="regime-volatile">"volatile"</li>
                </ul>
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="save-png"
                    title="Download the chart as a PNG image"
                    disabled=move || count() < 2
                    on:click=save
                >
                    "Save PNG"
                </button>
            </div>
            <div class="chart-box" node_ref=box_ref>
                <canvas
                    node_ref=canvas_ref
                    data-testid="history-chart"
                    role="img"
                    aria-label=move || {
                        let (s, t) = c.selection.get();
                        format!("{s} {t}: close price with regime shading and a ribbon marking {} regime changes, and ADX with the 20 and 25 lines", changes())
                    }
                ></canvas>
                {move || {
                    if count() >= 2 {
                        ().into_any()
                    } else if (c.loading.get() || c.history_waiting.get())
                        && c.mode.get() != regime_core::machine::Mode::Offline
                    {
                        view! { <div class="chart-overlay"><Skeleton lines=6 /></div> }.into_any()
                    } else {
                        view! {
                            <div class="chart-overlay">
                                <EmptyState text="No history yet for this market." />
                            </div>
                        }
                            .into_any()
                    }
                }}
                {move || failed.get().map(|e| view! { <p class="chart-error">{format!("The chart could not be drawn: {e}")}</p> })}
            </div>
        </section>
    }
}
