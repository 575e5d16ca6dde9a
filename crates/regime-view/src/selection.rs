//! Which market the page shows when `/api/symbols` has not answered.
//!
//! The core picks the selection from the symbol list that REST gives. With
//! REST failing, live regime events still arrive, each naming its symbol
//! and timeframe; the page picks its market from those rather than
//! shimmering skeletons for good over live data.

use regime_core::model::SymbolInfo;

/// The market to show, from the (symbol, timeframe) pairs live data
/// brought: the one the settings ask for when it came, else the first
/// timeframe the settings ask for, else the first symbol's first timeframe
/// (each in name order).
pub fn selection_from_live(
    wanted_symbol: Option<&str>,
    wanted_timeframe: Option<&str>,
    seen: &[(String, String)],
) -> Option<(String, String)> {
    let mut seen: Vec<&(String, String)> = seen.iter().collect();
    regime_core::sort::sort_by(&mut seen, |a, b| a.cmp(b));
    let symbol_ok = |s: &str| wanted_symbol.is_none_or(|w| w == s);
    let tf_ok = |t: &str| wanted_timeframe.is_none_or(|w| w == t);
    seen.iter()
        .find(|(s, t)| symbol_ok(s) && tf_ok(t))
        .or_else(|| seen.iter().find(|(s, _)| symbol_ok(s)))
        .or_else(|| seen.first())
        .map(|&p| p.clone())
}

/// The pickers' symbol list from the same pairs, in name order.
pub fn symbols_from_live(seen: &[(String, String)]) -> Vec<SymbolInfo> {
    let mut seen: Vec<&(String, String)> = seen.iter().collect();
    regime_core::sort::sort_by(&mut seen, |a, b| a.cmp(b));
    let mut out: Vec<SymbolInfo> = Vec::new();
    for (s, t) in seen {
        match out.last_mut() {
            Some(last) if &last.symbol == s => last.timeframes.push(t.clone()),
            _ => out.push(SymbolInfo {
                symbol: s.clone(),
                timeframes: vec![t.clone()],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(s, t)| (s.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn the_settings_choice_first_then_the_first_seen() {
        let seen = pairs(&[("ETHUSDT", "1h"), ("BTCUSDT", "5m"), ("BTCUSDT", "1m")]);
        let pick = |s, t| selection_from_live(s, t, &seen);
        let want = |s: &str, t: &str| Some((s.to_string(), t.to_string()));
        assert_eq!(pick(None, None), want("BTCUSDT", "1m"));
        assert_eq!(pick(Some("ETHUSDT"), None), want("ETHUSDT", "1h"));
        assert_eq!(pick(Some("BTCUSDT"), Some("5m")), want("BTCUSDT", "5m"));
        // A timeframe not seen for that symbol: its first one.
        assert_eq!(pick(Some("BTCUSDT"), Some("4h")), want("BTCUSDT", "1m"));
        // A symbol not seen: the first seen.
        assert_eq!(pick(Some("XRPUSDT"), None), want("BTCUSDT", "1m"));
        assert_eq!(selection_from_live(None, None, &[]), None);
    }

    #[test]
    fn the_pickers_list_what_live_data_brought() {
        let seen = pairs(&[("ETHUSDT", "1h"), ("BTCUSDT", "5m"), ("BTCUSDT", "1m")]);
        let got: Vec<(String, Vec<String>)> = symbols_from_live(&seen)
            .into_iter()
            .map(|i| (i.symbol, i.timeframes))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "BTCUSDT".to_string(),
                    vec!["1m".to_string(), "5m".to_string()]
                ),
                ("ETHUSDT".to_string(), vec!["1h".to_string()]),
            ]
        );
    }
}
