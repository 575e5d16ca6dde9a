//! Drives the market in real time: the simulator (or the replay) is stepped
//! `--speed × --ticks-per-candle` times per second, and what it produces is
//! stored and broadcast. A simulator step is one tick of every series on the
//! shared market clock (the wall clock), so the 1m series closes `--speed`
//! candles per second and a timeframe T closes T/1m times fewer.

use std::time::Duration;

use regime_core::model::{PriceTick, Timestamp};

use crate::regime::{Candle, CandleOutcome, SeriesEngine};
use crate::replay::ReplayData;
use crate::simulator::{symbol_specs, SimEvent, Simulator, SYMBOLS};
use crate::state::{now_ms, AppState};

fn skew(t: &mut Timestamp, by: i64) {
    t.0 = t.0.saturating_add(by);
}

/// Stores and broadcasts what one closed candle produced, its timestamps
/// shifted by `clockSkewMs` (the simulator keeps the true clock, so a skew
/// changed at run time never stalls or rushes the market).
pub fn deliver_candle(st: &AppState, mut out: CandleOutcome) {
    let by = st.skew_ms();
    if by != 0 {
        if let Some(s) = &mut out.snapshot {
            skew(&mut s.timestamp, by);
        }
        if let Some(a) = &mut out.alert {
            skew(&mut a.timestamp, by);
        }
        if let Some(s) = &mut out.signal {
            skew(&mut s.timestamp, by);
        }
    }
    if let Some(s) = out.snapshot {
        st.add_regime(s);
    }
    if let Some(a) = out.alert {
        st.add_alert(a);
    }
    if let Some(s) = out.signal {
        st.add_signal(s);
    }
}

fn deliver(st: &AppState, ev: SimEvent) {
    match ev {
        SimEvent::Price(mut p) => {
            skew(&mut p.timestamp, st.skew_ms());
            st.add_price(p)
        }
        SimEvent::Candle(c) => deliver_candle(st, *c),
    }
}

/// The period of one step and how many steps to take per period (for
/// speeds whose steps would be shorter than a millisecond).
fn schedule(speed: f64, ticks_per_candle: u32) -> (Duration, u32) {
    let steps_per_sec = (speed * ticks_per_candle.max(1) as f64).max(1e-6);
    let period = 1.0 / steps_per_sec;
    if period >= 0.001 {
        (Duration::from_secs_f64(period), 1)
    } else {
        let n = (0.001 / period).ceil();
        (Duration::from_secs_f64(period * n), n as u32)
    }
}

/// The most `--symbols`.
pub const MAX_SYMBOLS: usize = 5000;
/// Warm-up candles of an extra symbol's series (ADX is known from the 28th).
pub const EXTRA_WARMUP: usize = 40;
/// History points kept per series of an extra symbol.
pub const EXTRA_POINTS: usize = 120;
/// The most extra-symbol steps per second, whatever the speed.
const EXTRA_MAX_STEPS_PER_SEC: f64 = 500.0;

/// Pre-simulates the warm-up candles into the store (not broadcast: nobody
/// is connected yet) and returns the simulator ready to run live: the
/// standard symbols (BTCUSDT, ETHUSDT, SOLUSDT, or the first of them with
/// `--symbols` below 3).
pub fn warm_simulator(st: &AppState) -> Simulator {
    let a = &st.args;
    let specs = symbol_specs(a.symbols.min(SYMBOLS.len()));
    let mut sim = Simulator::with_symbols(
        a.seed,
        a.ticks_per_candle,
        a.warmup,
        now_ms(),
        &specs,
        false,
    );
    for (symbol, tf) in sim.series() {
        st.store.register_series(&symbol, &tf);
    }
    sim.run_candles(a.warmup, |ev| {
        if let SimEvent::Candle(c) = ev {
            if let Some(s) = &c.snapshot {
                if let Some(close) = s.close {
                    st.store.set_last_price(&s.symbol, close);
                }
            }
            deliver_candle(st, *c);
        }
    });
    sim.go_live();
    sim
}

/// The extra symbols of `--symbols N` beyond the standard three, if any:
/// registered and warmed up cheaply (one tick per warm-up candle,
/// [`EXTRA_WARMUP`] candles, snapshots only: their warm-up alerts and
/// signals are dropped so that ids still follow time), one tick per 1m
/// candle live.
pub fn warm_extras(st: &AppState) -> Option<Simulator> {
    let a = &st.args;
    if a.symbols <= SYMBOLS.len() {
        return None;
    }
    let t = std::time::Instant::now();
    let specs = symbol_specs(a.symbols);
    let warmup = a.warmup.min(EXTRA_WARMUP);
    let mut sim = Simulator::with_symbols(
        a.seed ^ 0xe87a_5e55,
        1,
        warmup,
        now_ms(),
        &specs[SYMBOLS.len()..],
        true,
    );
    for (symbol, tf) in sim.series() {
        st.store
            .register_series_capped(&symbol, &tf, Some(EXTRA_POINTS));
    }
    let by = st.skew_ms();
    sim.run_candles(warmup, |ev| {
        if let SimEvent::Candle(c) = ev {
            if let Some(mut s) = c.snapshot {
                skew(&mut s.timestamp, by);
                // stored only: nobody listens yet, so nothing to serialise
                st.store.push_regime(s, |_| {});
            }
        }
    });
    sim.go_live();
    tracing::info!(
        symbols = sim.symbol_count(),
        ms = t.elapsed().as_millis() as u64,
        "extra symbols warmed up"
    );
    Some(sim)
}

/// Moves the extra symbols round-robin, one step (one 1m candle, and the
/// 5m/1h candle every 5th/60th) per symbol every 60/`--speed` seconds, so
/// that a thousand symbols cost a few dozen events a second, not a core.
pub async fn run_extras(st: AppState, mut sim: Simulator) {
    let n = sim.symbol_count();
    if n == 0 {
        return;
    }
    let per_sec = (n as f64 * st.args.speed / 60.0).min(EXTRA_MAX_STEPS_PER_SEC);
    let mut iv = tokio::time::interval(Duration::from_millis(100));
    iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut acc, mut next) = (0.0f64, 0usize);
    let mut last = tokio::time::Instant::now();
    loop {
        iv.tick().await;
        let now = tokio::time::Instant::now();
        acc += per_sec * (now - last).as_secs_f64().min(1.0);
        last = now;
        let count = acc.floor() as usize;
        acc -= count as f64;
        for _ in 0..count {
            sim.step_symbol(next, now_ms(), |ev| deliver(&st, ev));
            next = (next + 1) % n;
        }
    }
}

pub async fn run_simulator(st: AppState, mut sim: Simulator) {
    let (period, steps) = schedule(st.args.speed, st.args.ticks_per_candle);
    let mut iv = tokio::time::interval(period);
    iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    iv.tick().await;
    loop {
        iv.tick().await;
        for _ in 0..steps {
            // the market clock is the wall clock: live events are stamped "now"
            sim.step(now_ms(), |ev| deliver(&st, ev));
        }
    }
}

/// The replay: the first `--warmup` candles (at most half the file) go into
/// history at once, the rest are played at `--speed`, each with
/// `--ticks-per-candle` price ticks walking open → high/low → close.
pub async fn run_replay(st: AppState, data: ReplayData) {
    let symbol = st.args.replay_symbol.clone();
    let mut engine = SeriesEngine::new(&symbol, &data.timeframe);
    st.store.register_series(&symbol, &data.timeframe);
    let warm = st.args.warmup.min(data.candles.len() / 2);
    for c in &data.candles[..warm] {
        st.store.set_last_price(&symbol, c.close);
        deliver_candle(&st, engine.on_candle(*c));
    }
    let k = st.args.ticks_per_candle.max(1);
    let (period, _) = schedule(st.args.speed, k);
    let mut iv = tokio::time::interval(period);
    iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    iv.tick().await;
    for c in &data.candles[warm..] {
        for i in 1..=k {
            iv.tick().await;
            let price = tick_price(c, i, k);
            st.add_price(PriceTick {
                symbol: symbol.clone(),
                price,
                timestamp: Timestamp(st.clock_ms()),
            });
        }
        deliver_candle(&st, engine.on_candle(*c));
    }
    tracing::info!(
        candles = data.candles.len(),
        "replay finished; the last values stay served"
    );
}

/// The i-th of k ticks inside a candle: open, towards the nearer extreme,
/// then the other, ending at the close.
fn tick_price(c: &Candle, i: u32, k: u32) -> f64 {
    if i >= k {
        return c.close;
    }
    let path = if c.close >= c.open {
        [c.open, c.low, c.high, c.close]
    } else {
        [c.open, c.high, c.low, c.close]
    };
    let x = i as f64 / k as f64 * 3.0;
    let j = (x.floor() as usize).min(2);
    let f = x - j as f64;
    path[j] + (path[j + 1] - path[j]) * f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(schedule(1.0, 4), (Duration::from_millis(250), 1));
        let (p, n) = schedule(1000.0, 4);
        assert!(n >= 4 && p >= Duration::from_millis(1));
        assert_eq!(schedule(0.5, 4), (Duration::from_millis(500), 1));
    }

    #[test]
    fn ticks_walk_to_the_close() {
        let c = Candle {
            close_ms: 0,
            open: 10.0,
            high: 12.0,
            low: 9.0,
            close: 11.0,
        };
        let v: Vec<f64> = (1..=4).map(|i| tick_price(&c, i, 4)).collect();
        assert_eq!(*v.last().unwrap(), 11.0);
        assert!(v.iter().all(|p| (9.0..=12.0).contains(p)));
    }
}
