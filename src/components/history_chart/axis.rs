//! The chart's axis maths: value ranges, round ticks, the time domain and
//! where time labels go. Pure functions of numbers, tested with plain
//! `cargo test`; `draw` only turns their answers into pixels.

use regime_core::model::Timestamp;

use crate::components::format;

const DAY_MS: f64 = 86_400_000.0;

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

/// The ADX pane's top: the highest finite ADX, at least 40 and at most
/// 100, plus 5 so that the line never touches the frame.
pub fn adx_top(values: impl Iterator<Item = f64>) -> f64 {
    values
        .filter(|v| v.is_finite())
        .fold(40.0_f64, f64::max)
        .min(100.0)
        + 5.0
}

/// The time axis of `n` candles (n ≥ 2) from `first_ms` to `last_ms`: each
/// candle gets a slot of equal width centred on its time, so the domain
/// reaches half a slot past the first and the last.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeDomain {
    /// The first candle's time, epoch ms.
    pub first: f64,
    /// The last candle's time, at least 1 ms after the first.
    pub last: f64,
    /// Half a candle's slot, ms.
    pub half: f64,
}

impl TimeDomain {
    pub fn new(first_ms: f64, last_ms: f64, n: usize) -> Self {
        let last = last_ms.max(first_ms + 1.0);
        let half = (last - first_ms) / (2.0 * (n as f64 - 1.0));
        TimeDomain {
            first: first_ms,
            last,
            half,
        }
    }

    /// The axis's start and end: half a slot beyond the outer candles.
    pub fn bounds(&self) -> (f64, f64) {
        (self.first - self.half, self.last + self.half)
    }

    /// The middle of the history, where the zone offset for the ticks is read.
    pub fn mid(&self) -> f64 {
        (self.first + self.last) / 2.0
    }

    /// How many days the history spans.
    pub fn span_days(&self) -> f64 {
        (self.last - self.first) / DAY_MS
    }
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
        // A whole number of steps: the error of `v += step` does not build up.
        out.push((v / step).round() * step);
        v += step;
    }
    out
}

/// The label of a value tick: as many decimals as the step between ticks
/// needs and no more (a tick of 63 000 reads `63,000`, not `63,000.00`).
pub fn value_label(v: f64, ticks: &[f64]) -> String {
    let step = ticks
        .windows(2)
        .map(|w| w[1] - w[0])
        .find(|s| s.is_finite() && *s > 0.0);
    let decimals = match step {
        // Steps are 1, 2 or 5 times a power of ten: 0.5 needs one decimal,
        // 0.05 two; whole steps none. At most 8, as the smallest prices.
        Some(s) if s < 1.0 => ((-s.log10()).ceil().max(0.0) as usize).min(8),
        Some(_) => 0,
        None => format::price_decimals(v),
    };
    format::grouped(v, decimals)
}

/// The width (CSS px) of the price axis right of the chart, for its value
/// labels in the chart's 11 px font: about 6.6 px a character (digits are
/// the widest), 6 px before the text and 6 after; never under 70 px.
pub fn value_axis_px(labels: &[String]) -> f64 {
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (widest as f64 * 6.6 + 12.0).max(70.0)
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

/// About how many time labels fit a canvas `width_px` device pixels wide:
/// one per 90 CSS pixels, from 2 to 10.
pub fn time_tick_budget(width_px: f64, dpr: f64) -> usize {
    ((width_px / dpr) / 90.0).clamp(2.0, 10.0) as usize
}

/// A time label in the trader's zone (`offset_min` as JavaScript gives it):
/// `HH:MM` for a history of two days or less, `MM-DD HH:MM` beyond.
pub fn time_label(ms: i64, offset_min: i32, span_days: f64) -> String {
    if span_days > 2.0 {
        let local = format::utc_iso(Timestamp(ms - i64::from(offset_min) * 60_000));
        format!("{} {}", &local[5..10], &local[11..16])
    } else {
        format::local_hm(ms, offset_min)
    }
}

/// Whether a centred time label of `chars` characters at `x` fits: it must
/// not be cut by the canvas's left edge nor run into the price axis, which
/// starts at `axis_x` (device pixels). About half the label's width is
/// `chars × 3.3` CSS pixels.
pub fn time_label_fits(x: f64, chars: usize, dpr: f64, axis_x: f64) -> bool {
    let half_width = chars as f64 * 3.3 * dpr;
    let right_edge = axis_x + half_width * 0.5;
    !(x < half_width || x > right_edge)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_price_axis_is_as_wide_as_its_longest_label() {
        let labels = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(value_axis_px(&labels(&["62,000", "63,000"])), 70.0);
        assert_eq!(value_axis_px(&[]), 70.0);
        // Eleven characters: 84.6 px, where a 70 px axis cut the last digit.
        let wide = value_axis_px(&labels(&["0", "50,000,000", "100,000,000"]));
        assert!((wide - 84.6).abs() < 1e-9, "{wide}");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn value_labels_carry_the_decimals_of_their_step() {
        let thousands = nice_ticks(62_100.0, 64_900.0, 5);
        assert_eq!(value_label(63_000.0, &thousands), "63,000");
        let halves = nice_ticks(1.0, 3.0, 5);
        assert_eq!(value_label(1.5, &halves), "1.5");
        let cents = nice_ticks(0.1, 0.3, 5);
        assert_eq!(value_label(0.15, &cents), "0.15");
        // One tick alone: the price's own decimals.
        assert_eq!(value_label(2.5, &[2.5]), "2.500");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn value_ticks_are_whole_steps_and_stay_bounded() {
        // Each tick is a whole number of steps, so repeated additions never
        // drift; the labels round what is left (`format::price`).
        let tenths: Vec<f64> = (0..=5).map(|k| f64::from(k) * 0.1).collect();
        assert_eq!(nice_ticks(0.0, 0.5, 5), tenths);
        // 2000 / 8 = 250 is no 1-2-5 step: the next one up, 500, is.
        assert_eq!(
            nice_ticks(0.0, 2_000.0, 8),
            vec![0.0, 500.0, 1_000.0, 1_500.0, 2_000.0]
        );
        // The ADX pane at its lowest top, 45, with four ticks at most: 45 / 4
        // rounds up to a step of 20.
        assert_eq!(nice_ticks(0.0, 45.0, 4), vec![0.0, 20.0, 40.0]);
        assert!(nice_ticks(0.0, 1.0, 0).is_empty());
        assert!(nice_ticks(2.0, 1.0, 5).is_empty());
        for max in 1..12 {
            assert!(nice_ticks(-3.7, 1234.5, max).len() <= max * 2 + 1);
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn time_ticks_pick_the_step_that_fits() {
        let day = 86_400_000.0;
        let t0 = 1_760_000_000_000.0;
        // A week at most 8 ticks: daily, on local midnight.
        let ticks = time_ticks(t0, t0 + 7.0 * day, 8, 0);
        assert_eq!(ticks.len(), 7);
        assert!(ticks.iter().all(|t| t % day == 0.0));
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == day));
        // Past the longest step, the longest step (30 days) is used.
        let ticks = time_ticks(t0, t0 + 3_000.0 * day, 2, 0);
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == 30.0 * day));
        assert!(time_ticks(t0, t0, 5, 0).is_empty());
        assert!(time_ticks(t0, f64::INFINITY, 5, 0).is_empty());
        assert!(time_ticks(t0, t0 + day, 0, 0).is_empty());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_adx_pane_shows_the_thresholds_whatever_the_data() {
        assert_eq!(adx_top([12.0, 18.0].into_iter()), 45.0);
        assert_eq!(adx_top([12.0, 61.5, f64::NAN].into_iter()), 66.5);
        assert_eq!(adx_top([250.0].into_iter()), 105.0);
        assert_eq!(adx_top(std::iter::empty()), 45.0);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_time_domain_gives_each_candle_a_slot() {
        let hour = 3_600_000.0;
        let d = TimeDomain::new(0.0, 4.0 * hour, 5);
        assert_eq!(d.half, hour / 2.0);
        assert_eq!(d.bounds(), (-hour / 2.0, 4.5 * hour));
        assert_eq!(d.mid(), 2.0 * hour);
        assert_eq!(d.span_days(), 4.0 / 24.0);
        // Two candles at the same instant still make an axis 1 ms wide.
        let d = TimeDomain::new(5.0, 5.0, 2);
        assert_eq!((d.last, d.half), (6.0, 0.5));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn time_labels_say_the_date_only_for_long_histories() {
        // 2025-10-09 13:00 UTC.
        let ms = 1_760_014_800_000;
        assert_eq!(time_label(ms, 0, 1.0), "13:00");
        assert_eq!(time_label(ms, -120, 1.0), "15:00");
        assert_eq!(time_label(ms, 0, 2.5), "10-09 13:00");
        // UTC+12 is already the next day.
        assert_eq!(time_label(ms, -720, 30.0), "10-10 01:00");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn time_labels_fit_between_the_left_edge_and_the_price_axis() {
        assert_eq!(time_tick_budget(1_000.0, 1.0), 10);
        assert_eq!(time_tick_budget(2_000.0, 2.0), 10);
        assert_eq!(time_tick_budget(300.0, 1.0), 3);
        assert_eq!(time_tick_budget(100.0, 1.0), 2);
        // "13:00": five characters, about 16.5 px half width at dpr 1.
        assert!(!time_label_fits(10.0, 5, 1.0, 500.0));
        assert!(time_label_fits(16.5, 5, 1.0, 500.0));
        assert!(time_label_fits(508.0, 5, 1.0, 500.0));
        assert!(!time_label_fits(509.0, 5, 1.0, 500.0));
        // At dpr 2 everything is twice as wide.
        assert!(!time_label_fits(30.0, 5, 2.0, 1_000.0));
    }
}
