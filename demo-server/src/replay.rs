//! `--replay FILE.csv`: candles from a file instead of the simulator.
//!
//! Format: `timestamp,open,high,low,close[,volume]`, one candle per line; a
//! first line that does not parse is taken as a header; blank lines and
//! lines starting with `#` are skipped. The timestamp is RFC 3339, epoch
//! milliseconds, or epoch seconds (a number below 10^11). The timeframe is
//! the median spacing of the timestamps (`1m`, `5m`, `1h`, `1d`, …).

use std::path::Path;

use regime_core::time::parse_rfc3339;

use crate::regime::Candle;

/// Candles read from a file, sorted by time, and the inferred timeframe.
#[derive(Debug)]
pub struct ReplayData {
    pub candles: Vec<Candle>,
    pub timeframe: String,
    pub tf_ms: i64,
}

fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim().trim_matches('"');
    if let Some(ms) = parse_rfc3339(s) {
        return Some(ms);
    }
    let x: f64 = s.parse().ok()?;
    if !x.is_finite() || x < 0.0 {
        return None;
    }
    Some(if x < 1e11 {
        (x * 1000.0).round() as i64
    } else {
        x.round() as i64
    })
}

fn parse_line(line: &str) -> Result<Candle, String> {
    let cols: Vec<&str> = line.split([',', ';', '\t']).map(str::trim).collect();
    if cols.len() < 5 {
        return Err(format!("expected at least 5 columns, got {}", cols.len()));
    }
    let ts = parse_time(cols[0]).ok_or_else(|| format!("bad timestamp {:?}", cols[0]))?;
    let num = |i: usize| -> Result<f64, String> {
        cols[i]
            .trim_matches('"')
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("bad number {:?}", cols[i]))
    };
    let (open, high, low, close) = (num(1)?, num(2)?, num(3)?, num(4)?);
    // Tolerate files whose high/low do not bracket open/close.
    let high = high.max(open).max(close);
    let low = low.min(open).min(close);
    Ok(Candle {
        close_ms: ts,
        open,
        high,
        low,
        close,
    })
}

/// A timeframe label for a spacing in milliseconds.
pub fn timeframe_label(ms: i64) -> String {
    const UNITS: &[(i64, &str)] = &[
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1000, "s"),
    ];
    for &(unit, suffix) in UNITS {
        if ms >= unit && ms % unit == 0 {
            return format!("{}{suffix}", ms / unit);
        }
    }
    format!("{}ms", ms.max(1))
}

pub fn parse(text: &str) -> Result<ReplayData, String> {
    let mut candles = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Ok(c) => candles.push(c),
            Err(_) if candles.is_empty() && i == 0 => continue, // a header
            Err(e) => return Err(format!("line {}: {e}", i + 1)),
        }
    }
    if candles.len() < 2 {
        return Err("need at least two candles".into());
    }
    candles.sort_by_key(|c| c.close_ms);
    candles.dedup_by_key(|c| c.close_ms);
    let mut gaps: Vec<i64> = candles
        .windows(2)
        .map(|w| w[1].close_ms - w[0].close_ms)
        .filter(|g| *g > 0)
        .collect();
    if gaps.is_empty() {
        return Err("all candles have the same timestamp".into());
    }
    gaps.sort_unstable();
    let tf_ms = gaps[gaps.len() / 2];
    Ok(ReplayData {
        candles,
        timeframe: timeframe_label(tf_ms),
        tf_ms,
    })
}

pub fn load(path: &Path) -> Result<ReplayData, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rfc3339_and_epochs() {
        let d = parse(
            "timestamp,open,high,low,close,volume\n\
             2025-10-09T12:00:00Z,1,2,0.5,1.5,10\n\
             2025-10-09T13:00:00Z,1.5,2.5,1,2,11\n\
             2025-10-09T14:00:00Z,2,3,1.5,2.5,12\n",
        )
        .unwrap();
        assert_eq!(d.timeframe, "1h");
        assert_eq!(d.candles.len(), 3);
        assert_eq!(d.candles[0].close_ms, 1_760_011_200_000);

        let d = parse("1760011200,1,2,0.5,1.5\n1760011500,1,2,0.5,1.5\n1760011800,1,2,0.5,1.5")
            .unwrap();
        assert_eq!(d.timeframe, "5m");
        let d = parse("1760011200000,1,2,0.5,1.5\n1760011260000,1,2,0.5,1.5").unwrap();
        assert_eq!(d.timeframe, "1m");
        assert_eq!(d.candles[1].close_ms, 1_760_011_260_000);
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        assert!(parse("").is_err());
        assert!(parse("a,b,c,d,e\nx,1,2,3,4").is_err());
        assert!(parse("1760011200,1,2,0.5,1.5").is_err());
        assert!(parse("1760011200,1,2,0.5,1.5\n1760011260,1,nan,0.5").is_err());
        assert_eq!(timeframe_label(86_400_000), "1d");
        assert_eq!(timeframe_label(90_000), "90s");
    }
}
