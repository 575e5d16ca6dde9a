//! The page's clock for the core: `performance.now()` in whole milliseconds.
//!
//! The core only compares times, so any monotonic origin works; the page's
//! `performance.now()` is monotonic and is also what the components use for
//! ages ("3 s ago"), so one clock serves both.

use regime_core::Millis;

thread_local! {
    /// The Performance object, looked up once: `now()` runs for every live
    /// frame, and a flood should cost one JS call per reading, not three.
    static PERFORMANCE: Option<web_sys::Performance> = web_sys::window().and_then(|w| w.performance());
}

/// `performance.now()` in fractional milliseconds; `Date.now()` where a
/// browser has no Performance API (never seen in practice, but it costs
/// nothing to not panic there).
pub fn now_f64() -> f64 {
    PERFORMANCE.with(|p| match p {
        Some(p) => p.now(),
        None => js_sys::Date::now(),
    })
}

/// The core's `now`: [`now_f64`] floored to whole milliseconds. Flooring
/// (rather than rounding up) means a timer armed for deadline `t` always
/// sees `now >= t` when it fires.
pub fn now() -> Millis {
    millis_of(now_f64())
}

/// A `performance.now()` reading as core milliseconds: floored, and 0 for
/// anything negative or not a number.
pub fn millis_of(ms: f64) -> Millis {
    if ms.is_finite() && ms > 0.0 {
        ms.floor() as Millis
    } else {
        0
    }
}

/// A jitter seed that differs between page loads (and between tabs), so
/// that a thousand dashboards do not retry in step after a backend restart.
pub fn random_seed() -> u64 {
    let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let seed = (high << 32) ^ low ^ (js_sys::Date::now() as u64);
    // The core's xorshift must not start from zero.
    seed.max(1)
}
