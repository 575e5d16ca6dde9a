//! Drawing the chart on its canvas: close price over regime shading in the
//! upper pane, ADX with its 20 and 25 lines in the lower one, then every
//! label as canvas text. Where things go comes from [`super::axis`], the
//! colours from [`super::palette`].

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use regime_core::model::RegimePoint;
use wasm_bindgen::JsCast;

use super::axis::{
    adx_top, nice_ticks, padded_range, time_label, time_label_fits, time_tick_budget, time_ticks,
    value_axis_px, value_label, TimeDomain,
};
use super::palette::{regime_rgb, Palette};
use crate::components::prefs::TimeZoneChoice;
use crate::components::shown_offset_min;

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

/// The regime changes of the history: the index of each point that starts
/// a new run (never the first point). The ribbon marks each one.
pub fn transitions(points: &[RegimePoint]) -> Vec<usize> {
    regime_runs(points)
        .into_iter()
        .skip(1)
        .map(|(start, _)| start)
        .collect()
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
    zone: TimeZoneChoice,
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
    let domain = TimeDomain::new(t(&points[0]), t(&points[points.len() - 1]), points.len());
    let (x0, x1, half) = (domain.first, domain.last, domain.half);
    let (xa, xb) = domain.bounds();
    let split = (f64::from(h) * 0.68) as u32;
    let (upper, lower) = root.split_vertically(split);
    let grid = pal.grid.stroke_width(px(1.0));

    // Upper pane: close over regime shading. The price axis is as wide as
    // its longest label ("100,000,000" was cut to "100,000,00" in 70 px).
    let (lo, hi) = padded_range(points.iter().filter_map(|p| p.close)).unwrap_or((0.0, 1.0));
    let ticks = nice_ticks(lo, hi, 5);
    let tick_labels: Vec<String> = ticks.iter().map(|&y| value_label(y, &ticks)).collect();
    let right_axis = px(value_axis_px(&tick_labels).min(f64::from(w) / dpr / 3.0));
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
    for (&y, text) in ticks.iter().zip(tick_labels) {
        top.draw_series(std::iter::once(PathElement::new(
            vec![(xa, y), (xb, y)],
            grid,
        )))?;
        let (_, py) = top.backend_coord(&(xb, y));
        labels.push(Label {
            text,
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

    // The regime ribbon: a thin solid band along the bottom of the upper
    // pane, one colour per run, with a tick across it at every change.
    let (ribbon_top, ribbon_bottom) = (
        split.saturating_sub(px(8.0)) as i32,
        split.saturating_sub(px(2.0)) as i32,
    );
    for (a, b) in &runs {
        let (xa_px, _) = top.backend_coord(&(t(&points[*a]) - half, lo));
        let (xb_px, _) = top.backend_coord(&(t(&points[*b]) + half, lo));
        root.draw(&Rectangle::new(
            [(xa_px, ribbon_top), (xb_px, ribbon_bottom)],
            regime_rgb(&points[*a].regime).filled(),
        ))?;
    }
    let tick = pal.text.stroke_width(px(2.0));
    for i in transitions(points) {
        let (x, _) = top.backend_coord(&(t(&points[i]) - half, lo));
        root.draw(&PathElement::new(
            vec![
                (x, ribbon_top - px(3.0) as i32),
                (x, ribbon_bottom + px(1.0) as i32),
            ],
            tick,
        ))?;
    }

    // Lower pane: ADX with the 20 and 25 thresholds.
    let adx_max = adx_top(points.iter().map(|p| p.adx));
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

    // Time labels under the lower pane, in the zone the trader chose.
    let max_ticks = time_tick_budget(f64::from(w), dpr);
    let offset_mid = shown_offset_min(zone, domain.mid() as i64);
    for tick in time_ticks(x0, x1, max_ticks, offset_mid) {
        let ms = tick.round() as i64;
        let text = time_label(ms, shown_offset_min(zone, ms), domain.span_days());
        let (tx, ty) = bottom.backend_coord(&(tick, 0.0));
        // A label that would be cut by the canvas's left edge or run into
        // the price axis is left out.
        let axis_x = f64::from(w) - f64::from(right_axis);
        if !time_label_fits(f64::from(tx), text.chars().count(), dpr, axis_x) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::{Regime, Timestamp};

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
    fn transitions_are_where_a_new_run_starts() {
        let p = [
            pt(0, Regime::Range),
            pt(1, Regime::Range),
            pt(2, Regime::TrendUp),
            pt(3, Regime::Range),
            pt(4, Regime::Range),
        ];
        assert_eq!(transitions(&p), vec![2, 3]);
        assert!(transitions(&p[..2]).is_empty(), "one run has no change");
        assert!(transitions(&[]).is_empty());
    }
}
