//! The history chart: close price over regime shading, and ADX in a lower
//! pane with its 20 and 25 lines, drawn with plotters on a canvas.
//!
//! The canvas's pixel size follows its CSS size times `devicePixelRatio`
//! (crisp on high-DPI screens); it redraws when its box resizes
//! (`ResizeObserver`), when the history changes and when the theme
//! changes. "Save PNG" downloads exactly what is drawn.

use leptos::html;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use regime_core::model::{Regime, RegimePoint};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::format;
use super::prefs::use_prefs;
use super::states::{EmptyState, Skeleton};
use super::{conn, tz_offset_min};

/// The colours of one theme, matching the stylesheet's.
#[derive(Clone, Copy)]
pub struct Palette {
    pub bg: RGBColor,
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub text: RGBColor,
    pub close: RGBColor,
    pub adx: RGBColor,
    pub th20: RGBColor,
    pub th25: RGBColor,
    pub band_alpha: f64,
}

impl Palette {
    pub const DARK: Palette = Palette {
        bg: RGBColor(0x12, 0x16, 0x1f),
        grid: RGBColor(0x22, 0x29, 0x36),
        axis: RGBColor(0x3a, 0x44, 0x55),
        text: RGBColor(0x8b, 0x95, 0xa7),
        close: RGBColor(0xe6, 0xea, 0xf0),
        adx: RGBColor(0x6c, 0xb6, 0xff),
        th20: RGBColor(0x8a, 0x7a, 0x3c),
        th25: RGBColor(0xd9, 0xa4, 0x41),
        band_alpha: 0.16,
    };
    pub const LIGHT: Palette = Palette {
        bg: RGBColor(0xff, 0xff, 0xff),
        grid: RGBColor(0xe8, 0xeb, 0xf0),
        axis: RGBColor(0xc4, 0xca, 0xd4),
        text: RGBColor(0x5a, 0x64, 0x75),
        close: RGBColor(0x1b, 0x22, 0x2e),
        adx: RGBColor(0x1f, 0x6f, 0xd1),
        th20: RGBColor(0xc9, 0xa5, 0x5a),
        th25: RGBColor(0xb7, 0x79, 0x1f),
        band_alpha: 0.14,
    };
}

/// The shading colour of a regime (the same hues as the labels).
pub fn regime_rgb(r: &Regime) -> RGBColor {
    match r {
        Regime::TrendUp => RGBColor(0x2e, 0xbd, 0x85),
        Regime::TrendDown => RGBColor(0xf0, 0x5a, 0x5a),
        Regime::Range => RGBColor(0x5b, 0x8d, 0xef),
        Regime::Volatile => RGBColor(0xe8, 0xa3, 0x3d),
        Regime::Trend => RGBColor(0x2a, 0xb7, 0xb7),
        Regime::Other(_) => RGBColor(0x8b, 0x95, 0xa7),
    }
}

/// Runs of equal regimes as (from index, to index inclusive).
pub fn regime_runs(points: &[RegimePoint]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        if i == points.len() || points[i].regime != points[start].regime {
            if i > start {
                runs.push((start, i - 1));
            }
            start = i;
        }
    }
    runs
}

/// The min and max of the finite values, padded by 5 % (or by 1 when flat).
pub fn padded_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold(None, |acc: Option<(f64, f64)>, v| {
            Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        })?;
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        lo.abs().max(1.0) * 0.01
    };
    Some((lo - pad, hi + pad))
}

/// The file name of a saved chart: `regime-BTCUSDT-1h-20251009T130000Z.png`.
pub fn png_name(symbol: &str, timeframe: &str, wall_ms: i64) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "regime-{}-{}-{}.png",
        clean(symbol),
        clean(timeframe),
        format::file_stamp(wall_ms)
    )
}

/// Round tick values for an axis from `lo` to `hi`, at most about `max`
/// of them: steps of 1, 2 or 5 times a power of ten.
pub fn nice_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || max == 0 {
        return Vec::new();
    }
    let raw = (hi - lo) / max as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut v = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while v <= hi + step * 1e-9 && out.len() <= max * 2 {
        // Snap away float noise such as 0.30000000000000004.
        out.push((v / step).round() * step);
        v += step;
    }
    out
}

/// Time ticks (epoch ms) on round local-time steps (1 min … 1 week), at
/// most about `max`. `offset_min` is the zone offset as JavaScript gives it.
pub fn time_ticks(t0: f64, t1: f64, max: usize, offset_min: i32) -> Vec<f64> {
    const MIN: f64 = 60_000.0;
    const STEPS: [f64; 13] = [
        MIN,
        5.0 * MIN,
        15.0 * MIN,
        30.0 * MIN,
        60.0 * MIN,
        120.0 * MIN,
        240.0 * MIN,
        360.0 * MIN,
        720.0 * MIN,
        1440.0 * MIN,
        2880.0 * MIN,
        7.0 * 1440.0 * MIN,
        30.0 * 1440.0 * MIN,
    ];
    if !(t0.is_finite() && t1.is_finite()) || t1 <= t0 || max == 0 {
        return Vec::new();
    }
    let step = STEPS
        .iter()
        .copied()
        .find(|s| (t1 - t0) / s <= max as f64)
        .unwrap_or(STEPS[STEPS.len() - 1]);
    let shift = f64::from(offset_min) * MIN;
    let mut t = ((t0 - shift) / step).ceil() * step + shift;
    let mut out = Vec::new();
    while t <= t1 && out.len() <= max * 2 {
        out.push(t);
        t += step;
    }
    out
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Text the chart writes itself through the 2D context: plotters' web font
/// code measures text with an inline-styled element, which the page's
/// Content-Security-Policy (rightly) refuses.
struct Label {
    text: String,
    x: f64,
    y: f64,
    align: &'static str,
    baseline: &'static str,
}

/// Draws the whole chart on the canvas, whose pixel size is already set.
pub fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    points: &[RegimePoint],
    pal: &Palette,
    dpr: f64,
) -> DrawResult {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&pal.bg)?;
    let (w, h) = root.dim_in_pixel();
    if points.len() < 2 || h < 40 {
        return Ok(());
    }
    let px = |v: f64| -> u32 { (v * dpr).round().max(1.0) as u32 };
    let mut labels: Vec<Label> = Vec::new();

    // Time runs as f64 epoch ms: plotters' integer ranges overflow while
    // picking tick marks for values this large.
    let t = |p: &RegimePoint| p.timestamp.millis() as f64;
    let x0 = t(&points[0]);
    let x1 = t(&points[points.len() - 1]).max(x0 + 1.0);
    let half = (x1 - x0) / (2.0 * (points.len() as f64 - 1.0));
    let (xa, xb) = (x0 - half, x1 + half);
    let span_days = (x1 - x0) / 86_400_000.0;
    let split = (f64::from(h) * 0.68) as u32;
    let (upper, lower) = root.split_vertically(split);
    let right_axis = px(70.0);
    let grid = pal.grid.stroke_width(px(1.0));

    // Upper pane: close over regime shading.
    let (lo, hi) = padded_range(points.iter().filter_map(|p| p.close)).unwrap_or((0.0, 1.0));
    let mut top = ChartBuilder::on(&upper)
        .margin_top(px(22.0))
        .margin_left(px(8.0))
        .margin_right(right_axis)
        .build_cartesian_2d(xa..xb, lo..hi)?;
    let runs = regime_runs(points);
    top.draw_series(runs.iter().map(|(a, b)| {
        let colour = regime_rgb(&points[*a].regime).mix(pal.band_alpha);
        Rectangle::new(
            [(t(&points[*a]) - half, lo), (t(&points[*b]) + half, hi)],
            colour.filled(),
        )
    }))?;
    for y in nice_ticks(lo, hi, 5) {
        top.draw_series(std::iter::once(PathElement::new(
            vec![(xa, y), (xb, y)],
            grid,
        )))?;
        let (_, py) = top.backend_coord(&(xb, y));
        labels.push(Label {
            text: format::price(y),
            x: f64::from(w) - f64::from(right_axis) + 6.0 * dpr,
            y: f64::from(py),
            align: "left",
            baseline: "middle",
        });
    }
    top.draw_series(LineSeries::new(
        points
            .iter()
            .filter_map(|p| p.close.filter(|c| c.is_finite()).map(|c| (t(p), c))),
        pal.close.stroke_width(px(1.5)),
    ))?;

    // Lower pane: ADX with the 20 and 25 thresholds.
    let adx_max = points
        .iter()
        .map(|p| p.adx)
        .filter(|v| v.is_finite())
        .fold(40.0_f64, f64::max)
        .min(100.0)
        + 5.0;
    let mut bottom = ChartBuilder::on(&lower)
        .margin_top(px(18.0))
        .margin_left(px(8.0))
        .margin_right(right_axis)
        .margin_bottom(px(22.0))
        .build_cartesian_2d(xa..xb, 0.0..adx_max)?;
    for y in nice_ticks(0.0, adx_max, 4) {
        bottom.draw_series(std::iter::once(PathElement::new(
            vec![(xa, y), (xb, y)],
            grid,
        )))?;
        let (_, py) = bottom.backend_coord(&(xb, y));
        labels.push(Label {
            text: format!("{y:.0}"),
            x: f64::from(w) - f64::from(right_axis) + 6.0 * dpr,
            y: f64::from(py),
            align: "left",
            baseline: "middle",
        });
    }
    for (level, colour) in [(20.0, pal.th20), (25.0, pal.th25)] {
        bottom.draw_series(DashedLineSeries::new(
            [(xa, level), (xb, level)],
            px(4.0),
            px(4.0),
            colour.stroke_width(px(1.0)),
        ))?;
    }
    bottom.draw_series(LineSeries::new(
        points
            .iter()
            .filter(|p| p.adx.is_finite())
            .map(|p| (t(p), p.adx)),
        pal.adx.stroke_width(px(1.5)),
    ))?;

    // Time labels under the lower pane, in the trader's own zone.
    let max_ticks = ((f64::from(w) / dpr) / 90.0).clamp(2.0, 10.0) as usize;
    let mid = (x0 + x1) / 2.0;
    for tick in time_ticks(x0, x1, max_ticks, tz_offset_min(mid as i64)) {
        let ms = tick.round() as i64;
        let off = tz_offset_min(ms);
        let text = if span_days > 2.0 {
            let local =
                format::utc_iso(regime_core::model::Timestamp(ms - i64::from(off) * 60_000));
            format!("{} {}", &local[5..10], &local[11..16])
        } else {
            format::local_hm(ms, off)
        };
        let (tx, ty) = bottom.backend_coord(&(tick, 0.0));
        // About half the label's width: a label that would be cut by the
        // canvas's left edge or run into the price axis is left out.
        let half_width = text.chars().count() as f64 * 3.3 * dpr;
        let right_edge = f64::from(w) - f64::from(right_axis) + half_width * 0.5;
        if f64::from(tx) < half_width || f64::from(tx) > right_edge {
            continue;
        }
        labels.push(Label {
            text,
            x: f64::from(tx),
            y: f64::from(ty) + 6.0 * dpr,
            align: "center",
            baseline: "top",
        });
    }
    root.present()?;

    // Text last, straight on the canvas.
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas has no 2D context")?;
    let colour = |c: RGBColor| format!("rgb({},{},{})", c.0, c.1, c.2);
    ctx.set_font(&format!("{}px system-ui, sans-serif", (11.0 * dpr).round()));
    ctx.set_fill_style_str(&colour(pal.text));
    labels.push(Label {
        text: "Close".into(),
        x: 10.0 * dpr,
        y: 6.0 * dpr,
        align: "left",
        baseline: "top",
    });
    labels.push(Label {
        text: "ADX  ·  20 / 25".into(),
        x: 10.0 * dpr,
        y: f64::from(split) + 3.0 * dpr,
        align: "left",
        baseline: "top",
    });
    for l in &labels {
        ctx.set_text_align(l.align);
        ctx.set_text_baseline(l.baseline);
        ctx.fill_text(&l.text, l.x, l.y)
            .map_err(|_| "the canvas refused to draw text")?;
    }
    Ok(())
}

/// Downloads the canvas as a PNG with a file name that says what it is.
fn save_png(canvas: &web_sys::HtmlCanvasElement, name: &str) -> Result<(), JsValue> {
    let url = canvas.to_data_url_with_type("image/png")?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    body.remove_child(&a)?;
    Ok(())
}

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
        let pal = if light { Palette::LIGHT } else { Palette::DARK };
        let result = c.history.with(|pts| draw(&canvas, pts, &pal, dpr));
        failed.set(result.err().map(|e| e.to_string()));
    });

    let save = move |_| {
        if let Some(canvas) = canvas_ref.get_untracked() {
            let (s, t) = c.selection.get_untracked();
            let _ = save_png(&canvas, &png_name(&s, &t, super::wall_now()));
        }
    };
    let count = move || c.history.with(|h| h.len());

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
                        format!("{s} {t}: close price with regime shading, and ADX with the 20 and 25 lines")
                    }
                ></canvas>
                {move || {
                    if count() >= 2 {
                        ().into_any()
                    } else if c.loading.get() && c.mode.get() != regime_core::machine::Mode::Offline {
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

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::Timestamp;

    fn pt(t: i64, r: Regime) -> RegimePoint {
        RegimePoint {
            timestamp: Timestamp(t),
            regime: r,
            adx: 20.0,
            atr_pct: 0.01,
            close: Some(1.0),
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn runs_of_regimes() {
        let p = [
            pt(0, Regime::Range),
            pt(1, Regime::Range),
            pt(2, Regime::TrendUp),
            pt(3, Regime::Range),
        ];
        assert_eq!(regime_runs(&p), vec![(0, 1), (2, 2), (3, 3)]);
        assert!(regime_runs(&[]).is_empty());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn ranges_are_padded_and_ignore_non_finite() {
        assert_eq!(
            padded_range([10.0, 20.0, f64::NAN].into_iter()),
            Some((9.5, 20.5))
        );
        assert_eq!(padded_range([100.0].into_iter()), Some((99.0, 101.0)));
        assert_eq!(padded_range(std::iter::empty()), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 45.0, 3), vec![0.0, 20.0, 40.0]);
        assert_eq!(
            nice_ticks(54_910.0, 55_820.0, 5),
            vec![55_000.0, 55_200.0, 55_400.0, 55_600.0, 55_800.0]
        );
        assert!(nice_ticks(1.0, 1.0, 5).is_empty());
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        let hour = 3_600_000.0;
        // Five hours from 12:10 UTC, at most 6 ticks: hourly, on the hour.
        let t0 = 1_760_011_200_000.0 + 600_000.0;
        let ticks = time_ticks(t0, t0 + 5.0 * hour, 6, 0);
        assert_eq!(ticks.len(), 5);
        assert_eq!(ticks[0], 1_760_011_200_000.0 + hour);
        // In UTC+5:30 the ticks fall on the local hour, i.e. at :30 UTC.
        let ticks = time_ticks(t0, t0 + 5.0 * hour, 6, -330);
        assert_eq!((ticks[0] - 1_760_011_200_000.0) % hour, 1_800_000.0);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn png_names_say_what_and_when() {
        assert_eq!(
            png_name("BTCUSDT", "1h", 1_760_014_800_000),
            "regime-BTCUSDT-1h-20251009T130000Z.png"
        );
        assert_eq!(
            png_name("BTC/USD", "1h", 0),
            "regime-BTC_USD-1h-19700101T000000Z.png"
        );
    }
}
