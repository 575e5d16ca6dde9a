//! The "Regimes by timeframe" matrix against a backend that lists 200
//! symbols: only the rows on screen are fetched, a few at a time beside the
//! overview strip, "show more" fetches the next rows, the live subscription
//! names what is shown, and a live regime event updates a cell.

mod support;

use regime_core::machine::{Mode, Policy, RestRequest};
use regime_core::model::Subscription;
use regime_core::settings::Protocol;
use support::*;

fn many_symbols(n: usize) -> Vec<(String, Vec<String>)> {
    (1..=n)
        .map(|i| {
            (
                format!("SYM{i:04}USDT"),
                vec!["1m".to_string(), "5m".to_string(), "1h".to_string()],
            )
        })
        .collect()
}

fn regime_requests(sim: &Sim) -> Vec<(String, String)> {
    sim.fetches(|w| matches!(w, RestRequest::Regime { .. }))
        .into_iter()
        .filter_map(|(_, _, w)| match w {
            RestRequest::Regime { symbol, timeframe } => Some((symbol, timeframe)),
            _ => None,
        })
        .collect()
}

/// Answers what is held, one round at a time, and returns the most
/// `/api/regime` requests that were in flight at once.
fn drain_held(sim: &mut Sim) -> usize {
    drain_held_with(sim, |_, _| {})
}

/// [`drain_held`], with `each(sim, round)` run before each round is counted.
fn drain_held_with(sim: &mut Sim, mut each: impl FnMut(&mut Sim, usize)) -> usize {
    let mut peak = 0;
    for round in 0..500 {
        each(sim, round);
        let regime = sim
            .held
            .iter()
            .filter(|(_, w, _)| matches!(w, RestRequest::Regime { .. }))
            .count();
        peak = peak.max(regime);
        if sim.held.is_empty() {
            break;
        }
        sim.release_rest();
        sim.run_for(50);
    }
    peak
}

fn last_subscription(sim: &Sim) -> Subscription {
    let text = sim
        .server
        .client_frames
        .iter()
        .rev()
        .find(|(_, t)| t.contains("subscribe"))
        .map(|(_, t)| t.clone())
        .expect("a subscribe frame");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    serde_json::from_value(v).unwrap()
}

#[test]
fn two_hundred_symbols_fetch_only_the_rows_shown_a_few_at_a_time() {
    let mut server = Server::new(Speaks::Plain);
    server.symbols = many_symbols(200);
    let policy = Policy::default();
    let mut sim = Sim::with_policy(server, settings(Protocol::Native), policy);
    sim.hold_rest = true;
    sim.start();
    let peak = drain_held(&mut sim);
    assert_eq!(sim.mode(), Mode::Live);
    assert!(
        peak <= policy.rest_fanout,
        "{peak} regime requests in flight at once"
    );
    assert_eq!(sim.conn.matrix_rows(), policy.matrix_rows);
    assert_eq!(sim.conn.matrix_timeframes(), ["1m", "5m", "1h"]);

    let asked = regime_requests(&sim);
    // Every cell of the rows shown, at every timeframe, was fetched…
    for i in 1..=policy.matrix_rows {
        for tf in ["1m", "5m", "1h"] {
            let cell = (format!("SYM{i:04}USDT"), tf.to_string());
            assert!(asked.contains(&cell), "{cell:?} not fetched");
            assert!(sim.conn.store().snapshot(&cell.0, &cell.1).is_some());
        }
    }
    // …once each, and nothing of a row below them but the strip's timeframe.
    let below = asked
        .iter()
        .filter(|(s, tf)| {
            let row: usize = s[3..7].parse().unwrap();
            row > policy.matrix_rows && tf != "1m"
        })
        .count();
    assert_eq!(below, 0, "{asked:?}");
    let strip = policy.overview_symbols + 1;
    assert_eq!(
        asked.len(),
        strip + policy.matrix_rows * 2,
        "the strip's symbols at the selected timeframe, the matrix's other cells"
    );
    assert!(asked.len() < 200, "not every symbol is fetched");

    // The subscription names what is shown: the strip and the matrix rows,
    // at the matrix's timeframes, not all 200 symbols.
    let sub = last_subscription(&sim);
    assert_eq!(sub.timeframes, ["1m", "5m", "1h"]);
    assert_eq!(sub.symbols.len(), strip);
    assert!(sub.symbols.contains(&"SYM0001USDT".to_string()));
    assert!(!sub.symbols.contains(&"SYM0100USDT".to_string()));
}

#[test]
fn show_more_fetches_the_next_rows_and_subscribes_to_them() {
    let mut server = Server::new(Speaks::Plain);
    server.symbols = many_symbols(200);
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.hold_rest = true;
    sim.start();
    drain_held(&mut sim);
    let before = regime_requests(&sim).len();

    sim.conn.set_matrix_rows(sim.now, 40);
    sim.perform();
    let peak = drain_held(&mut sim);
    assert!(peak <= 4, "{peak} in flight");
    let asked = regime_requests(&sim);
    let new: Vec<_> = asked[before..].to_vec();
    // Rows 9..=40 at 5m and 1h (their 1m: the strip's, for rows up to 25).
    let expected = 32 * 2 + (40 - 25);
    assert_eq!(new.len(), expected, "{new:?}");
    assert!(new.contains(&("SYM0040USDT".to_string(), "5m".to_string())));
    assert!(!new.iter().any(|(s, _)| s == "SYM0041USDT"));
    let sub = last_subscription(&sim);
    assert!(sub.symbols.contains(&"SYM0040USDT".to_string()));
    assert!(!sub.symbols.contains(&"SYM0041USDT".to_string()));
}

#[test]
fn a_live_regime_event_updates_a_matrix_cell() {
    let mut server = Server::new(Speaks::Plain);
    server.symbols = many_symbols(12);
    let mut sim = Sim::new(server, settings(Protocol::Native));
    sim.start();
    sim.run_for(500);
    assert_eq!(sim.mode(), Mode::Live);
    let cell = sim.conn.store().snapshot("SYM0003USDT", "1h").unwrap();
    assert_eq!(cell.value.regime.as_str(), "trend_up");
    let at = cell.received_at;

    let frame = r#"{"type":"regime","data":{"symbol":"SYM0003USDT","timeframe":"1h","regime":"range","adx":14.5,"atrPct":0.01,"timestamp":"2030-01-01T00:00:00Z"}}"#;
    sim.emit_raw(frame);
    sim.run_for(100);
    let cell = sim.conn.store().snapshot("SYM0003USDT", "1h").unwrap();
    assert_eq!(cell.value.regime.as_str(), "range");
    assert_eq!(cell.value.adx, 14.5);
    assert!(cell.received_at > at);
    assert!(sim.conn.take_changes().snapshots);
}

#[test]
fn api_mode_polls_the_matrix_cells_on_screen_only() {
    let mut server = Server::new(Speaks::Plain);
    server.symbols = many_symbols(200);
    let mut s = settings(Protocol::Off);
    s.poll_ms = 2000;
    let mut sim = Sim::new(server, s);
    sim.start();
    sim.run_for(1000);
    let first = regime_requests(&sim).len();
    sim.run_for(2000);
    let round = regime_requests(&sim).len() - first;
    // One poll round: the strip (25) and the matrix's other cells (8 × 2).
    assert_eq!(round, 25 + 16);
}

/// The selected market's own snapshot is asked outside the strip's and the
/// matrix's queue (a click, a poll round); the bound holds for all of them
/// together: a click while the queue is full never makes it five.
#[test]
fn a_click_while_the_strip_and_matrix_fill_stays_within_the_bound() {
    let mut server = Server::new(Speaks::Plain);
    server.symbols = many_symbols(200);
    let policy = Policy::default();
    let mut sim = Sim::with_policy(server, settings(Protocol::Native), policy);
    sim.hold_rest = true;
    sim.start();
    let peak = drain_held_with(&mut sim, |sim, round| {
        if round % 3 == 1 && round < 60 {
            // A click on another market while requests are held.
            let sym = format!("SYM{:04}USDT", 10 + round);
            sim.conn.select(sim.now, &sym, "5m");
            sim.perform();
        }
    });
    assert!(
        peak <= policy.rest_fanout,
        "{peak} regime requests in flight at once"
    );
    assert!(peak >= 2, "the queue did run in parallel ({peak})");
}
