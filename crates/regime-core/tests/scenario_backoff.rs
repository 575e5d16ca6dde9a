//! The reconnect rhythm as the backend sees it: delays between attempts,
//! their bounds, forever, and the reset after a stable connection.

mod support;

use regime_core::machine::{Command, Mode, Policy};
use regime_core::settings::Protocol;
use regime_core::Millis;
use support::*;

/// (opened at, closed-by-the-network at) per attempt, from the command log
/// and the fixed latency of the simulation.
fn open_times(sim: &Sim) -> Vec<Millis> {
    sim.log
        .iter()
        .filter_map(|(t, c)| matches!(c, Command::OpenSocket { .. }).then_some(*t))
        .collect()
}

#[test]
fn delays_grow_from_500_to_the_5_s_cap_with_jitter_and_never_stop() {
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Native));
    sim.start();
    sim.run_for(10 * 60_000);
    let opens = open_times(&sim);
    assert!(
        opens.len() >= 120,
        "ten minutes of retries at ≤ 5 s each: {}",
        opens.len()
    );
    // Each refusal arrives `latency` after the open; the gap beyond that is the delay.
    let delays: Vec<Millis> = opens
        .windows(2)
        .map(|w| w[1] - w[0] - sim.latency)
        .collect();
    let ceilings = [500, 1000, 2000, 4000];
    for (i, d) in delays.iter().enumerate() {
        let ceiling = ceilings.get(i).copied().unwrap_or(5000);
        assert!(*d <= ceiling, "delay {i} = {d} > {ceiling}");
    }
    let late = &delays[10..];
    assert!(late.iter().any(|d| *d > 2500), "full jitter reaches high");
    assert!(late.iter().any(|d| *d < 2500), "full jitter reaches low");
    assert!(sim.conn.status().retries as usize >= opens.len() - 1);
    assert_eq!(sim.mode(), Mode::Api);
}

#[test]
fn the_countdown_is_published() {
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Native));
    sim.start();
    sim.run_for(30);
    let st = sim.conn.status();
    let next = st.next_retry_at.expect("a retry is scheduled");
    assert!(next >= sim.now - 30 && next <= sim.now + 500);
    assert_eq!(st.retries, 1);
    assert_eq!(sim.conn.poll_timeout().map(|t| t <= next), Some(true));
}

#[test]
fn a_stable_connection_resets_the_backoff_and_a_flapping_one_does_not() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    // Eight failed attempts in a row: the ceiling is at the cap.
    sim.restart_server(25_000);
    sim.run_for(10);
    sim.run_until_mode(Mode::Live, 40_000);
    assert!(open_times(&sim).len() >= 6);
    // Flapping: up for 1 s, then down again; the back-off keeps its count.
    sim.run_for(1000);
    sim.restart_server(0);
    sim.run_for(10);
    assert!(
        sim.conn.status().retries >= 5,
        "flapping keeps backing off: {}",
        sim.conn.status().retries
    );
    sim.run_until_mode(Mode::Live, 10_000);
    // Stable for 6 s, then a drop: the next delay is back to ≤ 500 ms.
    sim.run_for(6000);
    sim.restart_server(0);
    sim.run_for(2);
    let dropped_at = sim.now;
    assert_eq!(sim.conn.status().retries, 1);
    let next = sim.conn.status().next_retry_at.unwrap();
    assert!(
        next <= dropped_at + 500,
        "first retry after a stable connection within 500 ms"
    );
    sim.run_until_mode(Mode::Live, 1000);
}

#[test]
fn user_reconnect_forgets_the_backoff() {
    let mut sim = Sim::new(Server::new(Speaks::Nothing), settings(Protocol::Native));
    sim.start();
    sim.run_for(60_000);
    sim.server.speaks = Speaks::Plain;
    let now = sim.now;
    sim.conn.user_reconnect(now);
    sim.perform();
    assert_eq!(open_times(&sim).last(), Some(&now), "at once");
    sim.run_for(100);
    assert_eq!(sim.mode(), Mode::Live);
    assert_eq!(sim.conn.status().retries, 0);
    assert!(
        sim.conn.status().problems.is_empty(),
        "{:?}",
        sim.problem_sentences()
    );
}

#[test]
fn custom_policy_numbers_are_obeyed() {
    let policy = Policy {
        backoff_base_ms: 100,
        backoff_cap_ms: 300,
        ..Policy::default()
    };
    let mut sim = Sim::with_policy(
        Server::new(Speaks::Nothing),
        settings(Protocol::Native),
        policy,
    );
    sim.start();
    sim.run_for(30_000);
    let opens = open_times(&sim);
    assert!(opens.windows(2).all(|w| w[1] - w[0] - sim.latency <= 300));
    assert!(opens.len() >= 30_000 / 320);
}

#[test]
fn message_rate_is_a_sliding_window_that_decays_to_zero() {
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200);
    for _ in 0..50 {
        sim.emit_regime("BTCUSDT", "1h");
        sim.run_for(100); // 10 per second for 5 s
    }
    let rate = sim.conn.status().messages_per_sec;
    assert!((8.0..=12.0).contains(&rate), "{rate}");
    sim.run_for(6000);
    assert_eq!(
        sim.conn.status().messages_per_sec,
        0.0,
        "decays without any input but time"
    );
    assert!(sim.conn.status().last_message_at.is_some());
}

#[test]
fn a_flood_rate_is_gone_within_two_seconds_of_its_end() {
    // A flood's "N msg/s" must not stand for seconds after it ended.
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200);
    for _ in 0..40 {
        for _ in 0..10 {
            sim.emit_signal();
        }
        sim.run_for(50); // 200 per second for 2 s
    }
    let rate = sim.conn.status().messages_per_sec;
    assert!((150.0..=250.0).contains(&rate), "{rate}");
    let ended = sim.now;
    let mut gone = None;
    while sim.now - ended < 3000 {
        sim.run_for(50);
        if sim.conn.status().messages_per_sec == 0.0 {
            gone = Some(sim.now - ended);
            break;
        }
    }
    let gone = gone.expect("the rate falls to zero");
    assert!(gone <= 2050, "gone {gone} ms after the flood");
}

#[test]
fn live_data_times_belong_to_the_connection() {
    // The badge says "● Live" only once data flowed on this connection:
    // the core says when the last market event and the last signal came,
    // and forgets both with the connection.
    let mut sim = Sim::new(Server::new(Speaks::Plain), settings(Protocol::Native));
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200);
    assert_eq!(sim.conn.status().live_market_at, None);
    assert_eq!(sim.conn.status().live_feed_at, None);
    sim.emit_signal();
    sim.run_for(200);
    assert!(sim.conn.status().live_feed_at.is_some());
    assert_eq!(
        sim.conn.status().live_market_at,
        None,
        "a signal is not market data"
    );
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(50);
    let first = sim.conn.status().live_market_at.expect("a regime event is");
    sim.run_for(500);
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(50);
    assert!(sim.conn.status().live_market_at.unwrap() >= first + 500);
    assert_eq!(sim.conn.status().live_silence_ms, 30_000);
    sim.restart_server(3000);
    sim.run_for(100);
    assert_ne!(sim.mode(), Mode::Live);
    assert_eq!(sim.conn.status().live_market_at, None);
    assert_eq!(sim.conn.status().live_feed_at, None);
    sim.run_until_mode(Mode::Live, 20_000);
    assert_eq!(
        sim.conn.status().live_market_at,
        None,
        "a new connection starts with none"
    );
}

#[test]
fn a_rate_window_below_a_second_is_a_second_for_its_deadline_too() {
    // The rate counts whole seconds, so a shorter window is taken as one
    // second. Its deadline must say the same, or it is due at once, forever.
    let policy = Policy {
        rate_window_ms: 300,
        ..Policy::default()
    };
    let mut sim = Sim::with_policy(
        Server::new(Speaks::Plain),
        settings(Protocol::Native),
        policy,
    );
    sim.start();
    sim.run_until_mode(Mode::Live, 1000);
    sim.run_for(200);
    sim.emit_regime("BTCUSDT", "1h");
    sim.run_for(50);
    assert!(sim.conn.status().messages_per_sec > 0.0);
    let timeout = sim.conn.poll_timeout().unwrap();
    assert!(timeout > sim.now, "due at {timeout}, now {}", sim.now);
    sim.run_for(3000);
    assert_eq!(sim.conn.status().messages_per_sec, 0.0);
}
