//! How numbers, times and labels look on the page, in one plain module.
//!
//! Every helper answers a string that is safe to show: a value that is not
//! finite (NaN, ±inf) or missing becomes an em dash, never `NaN`, `inf` or
//! `undefined`. Nothing here touches the browser, so it is tested with plain
//! `cargo test`; the caller passes the time-zone offset in.

use regime_core::model::{Regime, RegimeAlert, Timestamp};

/// What the page shows where a value is missing or not a number.
pub const DASH: &str = "—";

/// `v` with `decimals` decimals, or a dash when `v` is not finite.
pub fn fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return DASH.to_string();
    }
    let s = format!("{v:.decimals$}");
    // `-0.0` would read as a negative value that is not there.
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// The optional twin of [`fixed`].
pub fn fixed_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| DASH.to_string(), |v| fixed(v, decimals))
}

/// ADX with one decimal: `18.5`.
pub fn adx(v: f64) -> String {
    fixed(v, 1)
}

/// ATR as a fraction of the close, shown as a percentage with two
/// decimals: `0.0156` → `1.56 %`.
pub fn atr_pct(fraction: f64) -> String {
    if !fraction.is_finite() {
        return DASH.to_string();
    }
    format!("{} %", fixed(fraction * 100.0, 2))
}

/// A confidence in 0..1 as a whole percentage: `0.72` → `72 %`. A backend
/// that already sends percentages (a value above 1, at most 100) is read as
/// such rather than shown as `7200 %`.
pub fn confidence(v: Option<f64>) -> String {
    match v {
        Some(c) if c.is_finite() => {
            let pct = if c > 1.0 && c <= 100.0 { c } else { c * 100.0 };
            format!("{} %", fixed(pct, 0))
        }
        _ => DASH.to_string(),
    }
}

/// The number of decimals a price deserves: two for large prices, more for
/// small ones so that a 0.000123 coin does not read as 0.00.
pub fn price_decimals(v: f64) -> usize {
    let a = v.abs();
    if a >= 10.0 || a == 0.0 {
        2
    } else if a >= 1.0 {
        3
    } else if a >= 0.01 {
        5
    } else {
        8
    }
}

/// A price with thousands separators and decimals by magnitude:
/// `64210.5` → `64,210.50`, `2.5` → `2.500`, `0.5234` → `0.52340`.
pub fn price(v: f64) -> String {
    grouped(v, price_decimals(v))
}

/// A number with thousands separators and `decimals` decimals:
/// `grouped(63000.0, 0)` → `63,000`.
pub fn grouped(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return DASH.to_string();
    }
    let s = fixed(v, decimals);
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.as_str()),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// The optional twin of [`price`].
pub fn price_opt(v: Option<f64>) -> String {
    v.map_or_else(|| DASH.to_string(), price)
}

/// A duration in words a trader reads at a glance: `3 s`, `2 min`,
/// `1 h 5 min`, `2 d 3 h`. Negative or non-finite durations read as `0 s`.
pub fn duration(ms: f64) -> String {
    let secs = if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0).floor() as u64
    } else {
        0
    };
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        3600..=86_399 => {
            let (h, m) = (secs / 3600, (secs % 3600) / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
        _ => {
            let (d, h) = (secs / 86_400, (secs % 86_400) / 3600);
            if h == 0 {
                format!("{d} d")
            } else {
                format!("{d} d {h} h")
            }
        }
    }
}

/// A round-trip time: `42 ms`, or a dash before the first pong.
pub fn rtt(ms: Option<f64>) -> String {
    match ms {
        Some(v) if v.is_finite() && v >= 0.0 => format!("{} ms", fixed(v, 0)),
        _ => DASH.to_string(),
    }
}

/// A live message rate, with what it counts: `12.3 msg/s` (a bare `/s`
/// beside the signals count read as signals per second).
pub fn rate(per_sec: f64) -> String {
    if per_sec.is_finite() && per_sec >= 0.0 {
        format!("{} msg/s", fixed(per_sec, 1))
    } else {
        DASH.to_string()
    }
}

/// Local wall-clock time `HH:MM:SS` of an epoch-ms instant. `offset_min` is
/// what JavaScript's `Date.getTimezoneOffset()` answers for that instant
/// (UTC minus local time, in minutes).
pub fn local_hms(ms: i64, offset_min: i32) -> String {
    regime_view::times::clock_hms(ms, offset_min)
}

/// Local `HH:MM` of an epoch-ms instant, for chart axes.
pub fn local_hm(ms: i64, offset_min: i32) -> String {
    local_hms(ms, offset_min)[..5].to_string()
}

/// The exact instant, UTC, for tooltips: `2025-10-09T13:00:00.000Z`.
pub fn utc_iso(ts: Timestamp) -> String {
    ts.to_rfc3339()
}

/// A UTC instant fit for a file name (no colons): `20251009T130000Z`.
pub fn file_stamp(ms: i64) -> String {
    let iso = Timestamp(ms).to_rfc3339();
    let head: String = iso
        .chars()
        .take(19)
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    format!("{head}Z")
}

/// The CSS class of a regime: known labels have their colour, any other
/// label is neutral.
pub fn regime_class(r: &Regime) -> &'static str {
    match r {
        Regime::TrendUp => "regime-trend-up",
        Regime::TrendDown => "regime-trend-down",
        Regime::Range => "regime-range",
        Regime::Volatile => "regime-volatile",
        Regime::Trend => "regime-trend",
        Regime::Other(_) => "regime-other",
    }
}

/// A label shown as it came, but never as a blank box.
pub fn regime_words(r: &Regime) -> String {
    let words = r.label();
    if words.trim().is_empty() {
        "unknown".to_string()
    } else {
        words
    }
}

/// A free-text field from the backend, or a dash when it is missing or blank.
pub fn text_or_dash(s: Option<&str>) -> String {
    match s {
        Some(t) if !t.trim().is_empty() => t.to_string(),
        _ => DASH.to_string(),
    }
}

/// The toast line of a regime alert: `BTCUSDT 1h: range → trend up · ADX 27.1`.
pub fn alert_text(a: &RegimeAlert) -> String {
    format!(
        "{} {}: {} → {} · ADX {}",
        a.symbol,
        a.timeframe,
        regime_words(&a.from),
        regime_words(&a.to),
        adx(a.adx)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn any_timestamp_a_backend_sends_formats_without_overflow() {
        assert_eq!(local_hms(i64::MAX, -840), local_hms(i64::MAX, 0));
        assert_eq!(local_hms(i64::MIN, 720).len(), 8);
        assert_eq!(local_hms(0, 0), "00:00:00");
        assert_eq!(local_hms(0, -60), "01:00:00");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_rate_says_what_it_counts() {
        assert_eq!(rate(12.34), "12.3 msg/s");
        assert!(rate(1451.8).ends_with(" msg/s"), "{}", rate(1451.8));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn non_finite_numbers_become_a_dash() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(fixed(v, 2), DASH);
            assert_eq!(adx(v), DASH);
            assert_eq!(atr_pct(v), DASH);
            assert_eq!(price(v), DASH);
            assert_eq!(confidence(Some(v)), DASH);
            assert_eq!(rtt(Some(v)), DASH);
            assert_eq!(rate(v), DASH);
        }
        assert_eq!(fixed_opt(None, 1), DASH);
        assert_eq!(price_opt(None), DASH);
        assert_eq!(confidence(None), DASH);
        assert_eq!(rtt(None), DASH);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn indicator_formats() {
        assert_eq!(adx(18.5), "18.5");
        assert_eq!(adx(27.06), "27.1");
        assert_eq!(adx(-0.01), "0.0");
        assert_eq!(atr_pct(0.0156), "1.56 %");
        assert_eq!(atr_pct(0.0), "0.00 %");
        assert_eq!(fixed_opt(Some(17.24), 1), "17.2");
        assert_eq!(confidence(Some(0.72)), "72 %");
        assert_eq!(confidence(Some(1.0)), "100 %");
        assert_eq!(confidence(Some(72.0)), "72 %");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn prices_are_grouped_with_decimals_by_magnitude() {
        for (v, want) in [
            (64210.5, "64,210.50"),
            (1234567.891, "1,234,567.89"),
            (999.999, "1,000.00"),
            (100.0, "100.00"),
            (45.683, "45.68"),
            (2.5, "2.500"),
            (0.5234, "0.52340"),
            (0.000123, "0.00012300"),
            (-64210.5, "-64,210.50"),
            (0.0, "0.00"),
        ] {
            assert_eq!(price(v), want, "{v}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn durations_read_in_words() {
        for (ms, want) in [
            (-5.0, "0 s"),
            (f64::NAN, "0 s"),
            (999.0, "0 s"),
            (3_400.0, "3 s"),
            (59_999.0, "59 s"),
            (60_000.0, "1 min"),
            (3_600_000.0, "1 h"),
            (3_900_000.0, "1 h 5 min"),
            (90_000_000.0, "1 d 1 h"),
        ] {
            assert_eq!(duration(ms), want, "{ms}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn times_local_and_utc() {
        let t = 1_760_014_800_000; // 2025-10-09T13:00:00Z
        assert_eq!(local_hms(t, 0), "13:00:00");
        assert_eq!(local_hms(t, -120), "15:00:00"); // UTC+2
        assert_eq!(local_hms(t, 300), "08:00:00"); // UTC-5
        assert_eq!(local_hms(t + 61_500, 0), "13:01:01");
        assert_eq!(local_hm(t, 0), "13:00");
        assert_eq!(local_hms(0, 60), "23:00:00");
        assert_eq!(utc_iso(Timestamp(t)), "2025-10-09T13:00:00.000Z");
        assert_eq!(file_stamp(t), "20251009T130000Z");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn regime_classes_and_words() {
        assert_eq!(regime_class(&Regime::TrendUp), "regime-trend-up");
        assert_eq!(regime_class(&Regime::parse("squeeze")), "regime-other");
        assert_eq!(regime_words(&Regime::parse("squeeze")), "squeeze");
        assert_eq!(regime_words(&Regime::parse("")), "unknown");
        assert_eq!(text_or_dash(Some("  ")), DASH);
        assert_eq!(text_or_dash(Some("DI+ over DI-")), "DI+ over DI-");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn alert_text_is_in_words_with_one_decimal() {
        let a = RegimeAlert {
            id: 1042,
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            from: Regime::Range,
            to: Regime::TrendUp,
            adx: 27.12,
            atr_pct: Some(0.018),
            timestamp: Timestamp(1_760_014_800_000),
            message: None,
        };
        assert_eq!(alert_text(&a), "BTCUSDT 1h: range → trend up · ADX 27.1");
    }
}
