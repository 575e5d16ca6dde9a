//! Small inline-SVG charts of one indicator over the history, with the
//! regime as coloured background bands and a hover readout.
//!
//! The geometry is plain functions over a fixed view box (`VIEW_W` ×
//! `VIEW_H`); the SVG stretches to its box (`preserveAspectRatio="none"`)
//! and its strokes keep their width (`vector-effect: non-scaling-stroke`),
//! so it stays crisp at any size and zoom.

use leptos::prelude::*;
use regime_core::model::{Regime, RegimePoint};
use wasm_bindgen::JsCast;

use super::format::{self, regime_class, DASH};

/// The view box width: x runs over 0..VIEW_W.
pub const VIEW_W: f64 = 100.0;
/// The view box height: y runs over 0..VIEW_H, top down.
pub const VIEW_H: f64 = 30.0;
/// Head room above and below the line, in view-box units.
const PAD: f64 = 2.0;

/// The x of point `i` of `n`: the first at 0, the last at `VIEW_W`.
pub fn x_of(i: usize, n: usize) -> f64 {
    if n <= 1 {
        VIEW_W / 2.0
    } else {
        i as f64 * VIEW_W / (n - 1) as f64
    }
}

/// The finite range of the values, widened when flat so the line sits in
/// the middle rather than on an edge.
pub fn value_range(values: &[Option<f64>]) -> Option<(f64, f64)> {
    let mut it = values.iter().flatten().copied().filter(|v| v.is_finite());
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        Some((lo - 1.0, hi + 1.0))
    } else {
        Some((lo, hi))
    }
}

/// The path of the line (`M x y L x y …`). A missing or non-finite value
/// breaks the line rather than drawing it to zero. Empty when nothing is
/// drawable.
pub fn line_path(values: &[Option<f64>]) -> String {
    let Some((lo, hi)) = value_range(values) else {
        return String::new();
    };
    let n = values.len();
    let mut d = String::with_capacity(n * 14);
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => {
                let y = PAD + (hi - v) / (hi - lo) * (VIEW_H - 2.0 * PAD);
                let cmd = if pen_down { 'L' } else { 'M' };
                d.push_str(&format!("{cmd}{:.2} {:.2}", x_of(i, n), y));
                pen_down = true;
            }
            _ => pen_down = false,
        }
    }
    d
}

/// One regime run as a background band.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub x: f64,
    pub width: f64,
    pub class: &'static str,
    /// The regime's words, for the band's tooltip.
    pub label: String,
}

/// Runs of equal regimes as bands; each point owns the half-steps around it.
pub fn bands(regimes: &[&Regime]) -> Vec<Band> {
    let n = regimes.len();
    let mut out: Vec<Band> = Vec::new();
    if n == 0 {
        return out;
    }
    let half = if n > 1 {
        VIEW_W / (n - 1) as f64 / 2.0
    } else {
        VIEW_W / 2.0
    };
    let mut start = 0;
    for i in 1..=n {
        if i == n || regimes[i] != regimes[start] {
            let x0 = (x_of(start, n) - half).max(0.0);
            let x1 = (x_of(i - 1, n) + half).min(VIEW_W);
            out.push(Band {
                x: x0,
                width: x1 - x0,
                class: regime_class(regimes[start]),
                label: format::regime_words(regimes[start]),
            });
            start = i;
        }
    }
    out
}

/// The point nearest to a pointer at `frac` (0 = left edge, 1 = right).
pub fn nearest_index(frac: f64, n: usize) -> Option<usize> {
    if n == 0 || !frac.is_finite() {
        return None;
    }
    let f = frac.clamp(0.0, 1.0);
    Some(((f * (n - 1) as f64).round() as usize).min(n - 1))
}

/// A sparkline of one indicator of the history.
///
/// `pick` takes the value out of a point, `fmt` formats it for the readout.
#[component]
pub fn Sparkline(
    /// The `data-testid` of the figure.
    testid: &'static str,
    /// The indicator's short name, e.g. `ADX`.
    label: &'static str,
    history: Signal<Vec<RegimePoint>>,
    pick: fn(&RegimePoint) -> Option<f64>,
    fmt: fn(f64) -> String,
    /// Horizontal guide lines in value units (the ADX thresholds), drawn only when
    /// inside the shown range.
    #[prop(optional)]
    guides: &'static [f64],
) -> impl IntoView {
    let hover = RwSignal::new(None::<usize>);
    let zone = super::prefs::use_prefs().zone;

    // The geometry is recomputed only when the history changes.
    let geometry = Memo::new(move |_| {
        history.with(|h| {
            let values: Vec<Option<f64>> = h.iter().map(pick).collect();
            let regimes: Vec<&Regime> = h.iter().map(|p| &p.regime).collect();
            let guides: Vec<f64> = match value_range(&values) {
                Some((lo, hi)) => guides
                    .iter()
                    .filter(|g| **g > lo && **g < hi)
                    .map(|g| PAD + (hi - g) / (hi - lo) * (VIEW_H - 2.0 * PAD))
                    .collect(),
                None => Vec::new(),
            };
            (line_path(&values), bands(&regimes), guides, values.len())
        })
    });

    let on_move = move |ev: leptos::ev::PointerEvent| {
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        let frac = (f64::from(ev.client_x()) - rect.left()) / rect.width();
        hover.set(nearest_index(frac, geometry.with(|g| g.3)));
    };

    // The readout: the hovered point, else the latest one.
    let readout = move || {
        history.with(|h| {
            let idx = hover
                .get()
                .filter(|i| *i < h.len())
                .or(h.len().checked_sub(1));
            match idx.and_then(|i| h.get(i)) {
                Some(p) => {
                    let v = pick(p).map(fmt).unwrap_or_else(|| DASH.to_string());
                    let ms = p.timestamp.millis();
                    let when = format::local_hm(ms, super::shown_offset_min(zone.get(), ms));
                    format!("{v} · {when} · {}", format::regime_words(&p.regime))
                }
                None => DASH.to_string(),
            }
        })
    };

    let marker_x = move || {
        let n = geometry.with(|g| g.3);
        hover.get().filter(|i| *i < n).map(|i| x_of(i, n))
    };

    view! {
        <figure class="sparkline" data-testid=testid>
            <figcaption class="sparkline-head">
                <span class="sparkline-label">{label}</span>
                <span class="sparkline-readout num" aria-live="off">{readout}</span>
            </figcaption>
            <div
                class="sparkline-plot"
                on:pointermove=on_move
                on:pointerleave=move |_| hover.set(None)
            >
                <svg
                    viewBox=format!("0 0 {VIEW_W} {VIEW_H}")
                    preserveAspectRatio="none"
                    role="img"
                    aria-label=format!("{label} over the history")
                >
                    {move || {
                        geometry
                            .with(|g| {
                                g.1
                                    .iter()
                                    .map(|b| {
                                        view! {
                                            <rect
                                                class=format!("band {}", b.class)
                                                x=format!("{:.2}", b.x)
                                                y="0"
                                                width=format!("{:.2}", b.width)
                                                height=VIEW_H.to_string()
                                            ></rect>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                    {move || {
                        geometry
                            .with(|g| {
                                g.2
                                    .iter()
                                    .map(|y| {
                                        view! {
                                            <line
                                                class="guide"
                                                x1="0"
                                                x2=VIEW_W.to_string()
                                                y1=format!("{y:.2}")
                                                y2=format!("{y:.2}")
                                                vector-effect="non-scaling-stroke"
                                            />
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                    <path
                        class="line"
                        d=move || geometry.with(|g| g.0.clone())
                        vector-effect="non-scaling-stroke"
                    />
                    {move || {
                        marker_x()
                            .map(|x| {
                                view! {
                                    <line
                                        class="marker"
                                        x1=format!("{x:.2}")
                                        x2=format!("{x:.2}")
                                        y1="0"
                                        y2=VIEW_H.to_string()
                                        vector-effect="non-scaling-stroke"
                                    />
                                }
                            })
                    }}
                </svg>
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn line_spans_the_view_box_and_breaks_at_gaps() {
        let d = line_path(&[Some(0.0), Some(10.0), None, Some(5.0)]);
        assert_eq!(d, "M0.00 28.00L33.33 2.00M100.00 15.00");
        assert_eq!(line_path(&[]), "");
        assert_eq!(line_path(&[None, Some(f64::NAN)]), "");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_flat_line_sits_in_the_middle() {
        let d = line_path(&[Some(3.0), Some(3.0)]);
        assert_eq!(d, "M0.00 15.00L100.00 15.00");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn regime_runs_become_bands_that_tile_the_width() {
        let (r, t) = (Regime::Range, Regime::TrendUp);
        let b = bands(&[&r, &r, &t, &t, &t]);
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].x, b[0].width, b[0].class),
            (0.0, 37.5, "regime-range")
        );
        assert_eq!(
            (b[1].x, b[1].width, b[1].class),
            (37.5, 62.5, "regime-trend-up")
        );
        let one = bands(&[&r]);
        assert_eq!((one[0].x, one[0].width), (0.0, 100.0));
        assert!(bands(&[]).is_empty());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_pointer_picks_the_nearest_point() {
        assert_eq!(nearest_index(0.0, 5), Some(0));
        assert_eq!(nearest_index(0.13, 5), Some(1));
        assert_eq!(nearest_index(0.99, 5), Some(4));
        assert_eq!(nearest_index(1.7, 5), Some(4));
        assert_eq!(nearest_index(-1.0, 5), Some(0));
        assert_eq!(nearest_index(0.5, 0), None);
        assert_eq!(nearest_index(f64::NAN, 3), None);
    }
}
