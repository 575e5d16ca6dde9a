//! From candles to regimes, alerts and signals: one [`SeriesEngine`] per
//! symbol/timeframe, fed closed candles by the simulator or the replay.
//!
//! # The classification rule
//!
//! With Wilder's 14-period ATR, +DI, −DI and ADX (see [`crate::indicators`]),
//! and ATR% = ATR / close, each closed candle gets a *raw* label:
//!
//! 1. **volatile** when ATR% is above the 90th percentile of this series'
//!    last 200 ATR% values (once at least 50 are known);
//! 2. else, when ADX ≥ 25, **trend_up** if +DI ≥ −DI, else **trend_down**;
//! 3. else, when ADX < 20, **range**;
//! 4. else (20 ≤ ADX < 25) the previous label is kept (hysteresis); coming
//!    out of volatile inside that band gives range.
//!
//! The published label follows the raw label only when the raw label has
//! differed from it for 3 candles in a row (confirmation) and the current
//! label has lasted at least 20 candles (minimum dwell): a series changes
//! regime at most once per 20 candles, while the label still follows ADX
//! closely (a trend label with ADX under 20 is just the short lag of
//! confirmation and dwell). With the series paced by timeframe at `--speed 1`
//! (3.65 candles per second over the nine series), that is about one
//! `regime:alert` every 13 s and one signal every 26 s (measured over a
//! simulated hour, `simulator::tests`).
//!
//! # The signal strategy, `di-cross`
//!
//! When +DI crosses above −DI (long) or below it (short), the cross is
//! armed for 10 candles. The signal fires at the close of the first armed
//! candle where the DIs are still in the crossed order, ADX ≥ 20 and ADX is
//! higher than on the previous candle (the trend is gaining strength), if the
//! series has had no signal for 20 candles. A cross back disarms it.
//! Confidence: `0.4 + 0.55 · clamp((ADX − 20) / 30, 0, 1)`, two decimals; the
//! note says which DI is over which, how long ago they crossed, and the ADX.

use std::collections::VecDeque;

use regime_core::model::{Regime, RegimeAlert, RegimeSnapshot, Side, Signal, Timestamp};

use crate::indicators::{percentile, Atr, Dmi};

pub const PERIOD: usize = 14;
pub const ADX_TREND: f64 = 25.0;
pub const ADX_RANGE: f64 = 20.0;
pub const VOL_PERCENTILE: f64 = 0.90;
pub const VOL_WINDOW: usize = 200;
pub const VOL_MIN_SAMPLES: usize = 50;
pub const CONFIRM_CANDLES: u32 = 3;
pub const MIN_DWELL_CANDLES: u64 = 20;
pub const SIGNAL_MIN_ADX: f64 = 20.0;
pub const SIGNAL_COOLDOWN_CANDLES: u64 = 20;
pub const SIGNAL_WINDOW_CANDLES: u64 = 10;
pub const STRATEGY: &str = "di-cross";

/// A closed candle; `close_ms` is its close time (the snapshot's timestamp).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candle {
    pub close_ms: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
}

/// What one closed candle produced. Alert and signal ids are 0: the store
/// assigns them.
#[derive(Clone, Debug, Default)]
pub struct CandleOutcome {
    pub snapshot: Option<RegimeSnapshot>,
    pub alert: Option<RegimeAlert>,
    pub signal: Option<Signal>,
}

pub struct SeriesEngine {
    pub symbol: String,
    pub timeframe: String,
    dmi: Dmi,
    atr: Atr,
    atr_pcts: VecDeque<f64>,
    label: Option<Regime>,
    pending: Option<(Regime, u32)>,
    candles: u64,
    label_since: u64,
    last_signal: Option<u64>,
    cross: Option<(Side, u64)>,
    prev: Option<(f64, f64, Option<f64>)>,
}

/// The raw label of one candle, before confirmation and dwell.
pub fn raw_label(
    adx: f64,
    plus_di: f64,
    minus_di: f64,
    atr_pct: f64,
    vol_threshold: Option<f64>,
    previous: Option<&Regime>,
) -> Regime {
    if vol_threshold.is_some_and(|t| atr_pct > t) {
        return Regime::Volatile;
    }
    if adx >= ADX_TREND {
        return if plus_di >= minus_di {
            Regime::TrendUp
        } else {
            Regime::TrendDown
        };
    }
    if adx < ADX_RANGE {
        return Regime::Range;
    }
    match previous {
        Some(r @ (Regime::TrendUp | Regime::TrendDown | Regime::Range)) => r.clone(),
        _ => Regime::Range,
    }
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

impl SeriesEngine {
    pub fn new(symbol: &str, timeframe: &str) -> SeriesEngine {
        SeriesEngine {
            symbol: symbol.to_string(),
            timeframe: timeframe.to_string(),
            dmi: Dmi::new(PERIOD),
            atr: Atr::new(PERIOD),
            atr_pcts: VecDeque::with_capacity(VOL_WINDOW + 1),
            label: None,
            pending: None,
            candles: 0,
            label_since: 0,
            last_signal: None,
            cross: None,
            prev: None,
        }
    }

    pub fn label(&self) -> Option<&Regime> {
        self.label.as_ref()
    }

    /// Feeds one closed candle.
    pub fn on_candle(&mut self, c: Candle) -> CandleOutcome {
        self.candles += 1;
        let atr = self.atr.update(c.high, c.low, c.close);
        let dmi = self.dmi.update(c.high, c.low, c.close);
        let (Some(atr), Some(d)) = (atr, dmi) else {
            return CandleOutcome::default();
        };
        let atr_pct = if c.close > 0.0 { atr / c.close } else { 0.0 };
        let threshold = (self.atr_pcts.len() >= VOL_MIN_SAMPLES)
            .then(|| percentile(self.atr_pcts.iter().copied(), VOL_PERCENTILE))
            .flatten();
        self.atr_pcts.push_back(atr_pct);
        if self.atr_pcts.len() > VOL_WINDOW {
            self.atr_pcts.pop_front();
        }
        let prev = self.prev.replace((d.plus_di, d.minus_di, d.adx));
        let Some(adx) = d.adx else {
            return CandleOutcome::default();
        };
        let ts = Timestamp(c.close_ms);
        let mut out = CandleOutcome::default();

        // Regime, with confirmation and minimum dwell.
        let raw = raw_label(
            adx,
            d.plus_di,
            d.minus_di,
            atr_pct,
            threshold,
            self.label.as_ref(),
        );
        match &self.label {
            None => {
                self.label = Some(raw);
                self.label_since = self.candles;
            }
            Some(cur) if *cur == raw => self.pending = None,
            Some(cur) => {
                let n = match &self.pending {
                    Some((r, n)) if *r == raw => n + 1,
                    _ => 1,
                };
                self.pending = Some((raw.clone(), n));
                let dwelt = self.candles - self.label_since >= MIN_DWELL_CANDLES;
                if n >= CONFIRM_CANDLES && dwelt {
                    let from = cur.clone();
                    let message = match &raw {
                        Regime::Volatile => format!(
                            "ATR% {} above its 90th percentile {}",
                            pct(atr_pct),
                            pct(threshold.unwrap_or(0.0))
                        ),
                        Regime::TrendUp | Regime::TrendDown
                            if from == Regime::Range || from == Regime::Volatile =>
                        {
                            format!(
                                "ADX crossed 25 ({adx:.1}), {}",
                                if raw == Regime::TrendUp {
                                    "+DI over −DI"
                                } else {
                                    "−DI over +DI"
                                }
                            )
                        }
                        Regime::TrendUp => format!("+DI crossed over −DI with ADX {adx:.1}"),
                        Regime::TrendDown => format!("−DI crossed over +DI with ADX {adx:.1}"),
                        Regime::Range => format!("ADX fell below 20 ({adx:.1})"),
                        other => format!("regime is now {other}"),
                    };
                    out.alert = Some(RegimeAlert {
                        id: 0,
                        symbol: self.symbol.clone(),
                        timeframe: self.timeframe.clone(),
                        from,
                        to: raw.clone(),
                        adx: round(adx, 2),
                        atr_pct: Some(round(atr_pct, 6)),
                        timestamp: ts,
                        message: Some(message),
                    });
                    self.label = Some(raw);
                    self.label_since = self.candles;
                    self.pending = None;
                }
            }
        }

        // Signal: a DI cross, confirmed by a strong and rising ADX soon after.
        if let Some((pp, pm, _)) = prev {
            if pp <= pm && d.plus_di > d.minus_di {
                self.cross = Some((Side::Long, self.candles));
            } else if pp >= pm && d.plus_di < d.minus_di {
                self.cross = Some((Side::Short, self.candles));
            }
        }
        let rising = matches!(prev, Some((_, _, Some(prev_adx))) if adx > prev_adx);
        if let Some((side, at)) = self.cross.clone() {
            let still = match side {
                Side::Long => d.plus_di > d.minus_di,
                _ => d.minus_di > d.plus_di,
            };
            let cooled = self
                .last_signal
                .is_none_or(|s| self.candles - s >= SIGNAL_COOLDOWN_CANDLES);
            if !still || self.candles - at > SIGNAL_WINDOW_CANDLES {
                self.cross = None;
            } else if adx >= SIGNAL_MIN_ADX && rising && cooled {
                self.cross = None;
                self.last_signal = Some(self.candles);
                let strength = ((adx - SIGNAL_MIN_ADX) / 30.0).clamp(0.0, 1.0);
                let long = side == Side::Long;
                let (a, b) = if long {
                    ("+DI", "−DI")
                } else {
                    ("−DI", "+DI")
                };
                let (da, db) = if long {
                    (d.plus_di, d.minus_di)
                } else {
                    (d.minus_di, d.plus_di)
                };
                let ago = self.candles - at;
                let note = format!(
                    "{a} {da:.1} over {b} {db:.1} (crossed {ago} candle{} ago), ADX {adx:.1} rising",
                    if ago == 1 { "" } else { "s" }
                );
                out.signal = Some(Signal {
                    id: 0,
                    symbol: self.symbol.clone(),
                    timeframe: self.timeframe.clone(),
                    side,
                    price: c.close,
                    timestamp: ts,
                    strategy: Some(STRATEGY.into()),
                    confidence: Some(round(0.4 + 0.55 * strength, 2)),
                    note: Some(note),
                });
            }
        }

        out.snapshot = Some(RegimeSnapshot {
            symbol: self.symbol.clone(),
            timeframe: self.timeframe.clone(),
            regime: self.label.clone().unwrap_or(Regime::Range),
            adx: round(adx, 4),
            atr_pct: round(atr_pct, 6),
            timestamp: ts,
            plus_di: Some(round(d.plus_di, 4)),
            minus_di: Some(round(d.minus_di, 4)),
            close: Some(c.close),
        });
        out
    }
}

/// Rounds for display on the wire (the arithmetic itself is unrounded).
pub fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let r = (x * f).round() / f;
    if r.is_finite() {
        r
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_in_order() {
        // volatile wins over everything
        assert_eq!(
            raw_label(40.0, 30.0, 10.0, 0.05, Some(0.04), None),
            Regime::Volatile
        );
        assert_eq!(
            raw_label(30.0, 30.0, 10.0, 0.01, Some(0.04), None),
            Regime::TrendUp
        );
        assert_eq!(
            raw_label(30.0, 10.0, 30.0, 0.01, Some(0.04), None),
            Regime::TrendDown
        );
        assert_eq!(raw_label(15.0, 10.0, 30.0, 0.01, None, None), Regime::Range);
        // hysteresis band keeps trends and range, leaves volatile for range
        assert_eq!(
            raw_label(22.0, 10.0, 30.0, 0.01, None, Some(&Regime::TrendUp)),
            Regime::TrendUp
        );
        assert_eq!(
            raw_label(22.0, 30.0, 10.0, 0.01, None, Some(&Regime::Range)),
            Regime::Range
        );
        assert_eq!(
            raw_label(22.0, 30.0, 10.0, 0.01, None, Some(&Regime::Volatile)),
            Regime::Range
        );
        assert_eq!(raw_label(22.0, 30.0, 10.0, 0.01, None, None), Regime::Range);
    }

    fn candle(i: i64, close: f64, range: f64) -> Candle {
        Candle {
            close_ms: i * 60_000,
            open: close,
            high: close + range,
            low: close - range,
            close,
        }
    }

    #[test]
    fn a_steady_climb_becomes_trend_up_after_warmup_and_dwell() {
        let mut e = SeriesEngine::new("X", "1m");
        let mut alerts = vec![];
        let mut first_snapshot_at = None;
        let mut price = 100.0;
        // 250 flat-ish candles (range), then a strong climb.
        for i in 0..600 {
            price += if i < 250 {
                if i % 2 == 0 {
                    0.3
                } else {
                    -0.3
                }
            } else {
                0.8
            };
            let out = e.on_candle(candle(i, price, 0.5));
            if out.snapshot.is_some() && first_snapshot_at.is_none() {
                first_snapshot_at = Some(i);
            }
            alerts.extend(out.alert);
        }
        // the first ADX is on the 28th candle (index 27)
        assert_eq!(first_snapshot_at, Some(27));
        assert_eq!(e.label(), Some(&Regime::TrendUp));
        let a = alerts
            .iter()
            .find(|a| a.to == Regime::TrendUp)
            .expect("an alert into trend_up");
        assert!(a.message.as_deref().unwrap().contains("ADX"), "{a:?}");
    }

    #[test]
    fn labels_change_at_most_once_per_dwell() {
        let mut e = SeriesEngine::new("X", "1m");
        let mut changes = vec![];
        let mut price = 100.0f64;
        for i in 0..3000i64 {
            // a trend flip every 15 candles: faster than the dwell
            let dir = if (i / 15) % 2 == 0 { 1.0 } else { -1.0 };
            price = (price + dir * 0.9).max(10.0);
            if let Some(a) = e.on_candle(candle(i, price, 0.4)).alert {
                changes.push(i);
                assert_ne!(a.from, a.to);
            }
        }
        assert!(changes.len() > 20, "{changes:?}");
        for w in changes.windows(2) {
            assert!(w[1] - w[0] >= MIN_DWELL_CANDLES as i64, "{changes:?}");
        }
        // and it is the dwell that spaces them here, not the market
        assert!(
            changes
                .windows(2)
                .any(|w| w[1] - w[0] == MIN_DWELL_CANDLES as i64),
            "{changes:?}"
        );
    }
}
