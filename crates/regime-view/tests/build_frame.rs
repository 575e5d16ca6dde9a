//! The per-frame view, driven by a core fed by hand: canned REST answers
//! and live frames, a clock that is a number. Moved here from the app
//! crate's browser suite, where they needed Chromium to run.

use regime_core::machine::{Command, Connection, Mode, Policy, RestOutcome, RestRequest, SocketId};
use regime_core::settings::{Protocol, Settings};
use regime_view::{build_frame, health_view, FrameUpdate, PageView, ViewState};

/// Answers every fetch the core asked for with canned REST bodies, until it
/// asks for nothing more.
fn answer_fetches(conn: &mut Connection, now: u64) {
    answer_fetches_with(conn, now, &[]);
}

/// Like [`answer_fetches`], with signal `id` gained by the backend since: in
/// its newest page and in the answer to `after`.
fn answer_fetches_with_signal(conn: &mut Connection, now: u64, id: u64) {
    answer_fetches_with(conn, now, &[id]);
}

fn answer_fetches_with(conn: &mut Connection, now: u64, after_signals: &[u64]) {
    for _ in 0..10 {
        let mut fetches = Vec::new();
        while let Some(command) = conn.poll_command() {
            if let Command::Fetch { request, what, .. } = command {
                fetches.push((request, what));
            }
        }
        if fetches.is_empty() {
            return;
        }
        for (request, what) in fetches {
            let body = match what {
                RestRequest::Health => r#"{"status":"ok","time":"2025-10-09T12:00:00Z","version":"test-1"}"#.to_string(),
                RestRequest::Symbols => {
                    r#"{"symbols":[{"symbol":"BTCUSDT","timeframes":["1h","4h"]},{"symbol":"ETHUSDT","timeframes":["1h"]}]}"#.to_string()
                }
                RestRequest::Regime { symbol, timeframe } => format!(
                    r#"{{"symbol":"{symbol}","timeframe":"{timeframe}","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:00:00Z","close":64210.5}}"#
                ),
                RestRequest::History { symbol, timeframe } => format!(
                    r#"{{"symbol":"{symbol}","timeframe":"{timeframe}","points":[{{"timestamp":"2025-10-09T11:00:00Z","regime":"range","adx":17.0,"atrPct":0.01}},{{"timestamp":"2025-10-09T12:00:00Z","regime":"range","adx":18.5,"atrPct":0.0156}}]}}"#
                ),
                RestRequest::Signals { after: None } => {
                    // The newest page: the backend's first three and
                    // whatever it made since, like any legal backend.
                    let rows: Vec<String> = (1..=3)
                        .chain(after_signals.iter().copied().filter(|&id| id > 3))
                        .map(|id| format!(r#"{{"id":{id},"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":1.5,"timestamp":{id}000}}"#))
                        .collect();
                    format!(r#"{{"signals":[{}]}}"#, rows.join(","))
                }
                RestRequest::Signals { after: Some(after) } => {
                    let rows: Vec<String> = after_signals
                        .iter()
                        .filter(|&&id| id > after)
                        .map(|id| format!(r#"{{"id":{id},"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":1.5,"timestamp":{id}000}}"#))
                        .collect();
                    format!(r#"{{"signals":[{}]}}"#, rows.join(","))
                }
                RestRequest::Alerts { .. } => r#"{"alerts":[]}"#.to_string(),
                RestRequest::SocketIoProbe | RestRequest::Reachability => String::new(),
            };
            conn.handle_rest(now, request, RestOutcome::Answered { status: 200, body });
        }
    }
}

/// A plain-WebSocket connection whose REST answers are in (signals 1..=3)
/// and whose first socket (returned beside it) has just opened.
fn live_native_connection() -> (Connection, SocketId) {
    let mut settings = Settings::defaults("http://backend.test");
    settings.protocol = Protocol::Native;
    let mut conn = Connection::new(settings, Policy::default(), 1);
    conn.start(0);
    answer_fetches(&mut conn, 10);
    let socket = 1; // the first socket the core numbers
    conn.handle_socket_open(20, socket);
    (conn, socket)
}

/// A plain envelope carrying signal `id` (BTCUSDT 1h long).
fn signal_frame(id: u64) -> String {
    format!(
        r#"{{"type":"signal","data":{{"id":{id},"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":1.5,"timestamp":{id}000}}}}"#
    )
}

fn rest_only_connection() -> Connection {
    rest_only_connection_keeping(Policy::default().limits.signals)
}

/// [`rest_only_connection`] with a store that keeps `signals` signals.
fn rest_only_connection_keeping(signals: usize) -> Connection {
    let mut settings = Settings::defaults("http://backend.test");
    settings.protocol = Protocol::Off;
    let mut policy = Policy::default();
    policy.limits.signals = signals;
    let mut conn = Connection::new(settings, policy, 1);
    conn.start(0);
    answer_fetches(&mut conn, 10);
    conn
}

#[test]
fn the_first_frame_publishes_everything_and_an_idle_frame_nothing() {
    let mut conn = rest_only_connection();
    let mut state = ViewState::new(vec!["a setting problem".into()]);
    let first = build_frame(&mut conn, &mut state);
    assert_eq!(
        first.selection,
        Some(("BTCUSDT".to_string(), "1h".to_string()))
    );
    assert_eq!(first.mode, Some(Mode::Api));
    let symbols: Vec<String> = first
        .symbols
        .clone()
        .unwrap()
        .into_iter()
        .map(|s| s.symbol)
        .collect();
    assert_eq!(symbols, ["BTCUSDT", "ETHUSDT"]);
    let ids: Vec<u64> = first
        .signals
        .clone()
        .unwrap()
        .iter()
        .map(|r| r.signal.id)
        .collect();
    assert_eq!(ids, [3, 2, 1], "signals are published newest first");
    let snapshot = first
        .snapshot
        .clone()
        .unwrap()
        .expect("the selection's snapshot");
    assert_eq!(snapshot.snapshot.adx, 18.5);
    assert_eq!(snapshot.received_at, 10.0);
    assert_eq!(first.history.as_ref().map(Vec::len), Some(2));
    assert_eq!(first.loading, Some(false));
    let health = first.health.clone().unwrap();
    assert_eq!(health.transport, "REST");
    assert_eq!(health.api_url, "http://backend.test");
    assert_eq!(health.setting_problems, ["a setting problem"]);
    assert_eq!(health.backend_version.as_deref(), Some("test-1"));
    assert_eq!(first.counters.signals_accepted, 3);
    assert_eq!(
        (
            first.counters.first_signal_id,
            first.counters.last_signal_id
        ),
        (Some(1), Some(3))
    );
    assert_eq!(first.counters.mode, "api");

    let idle = build_frame(&mut conn, &mut state);
    assert!(
        !idle.any(),
        "nothing changed, nothing is published: {idle:?}"
    );
    assert_eq!(idle.counters, first.counters);
}

#[test]
fn the_hook_counts_signals_dropped_as_duplicates() {
    let (mut conn, socket) = live_native_connection(); // signals 1..=3 from REST
    for (at, id) in [(30, 2), (31, 4), (32, 4), (33, 3)] {
        conn.handle_socket_text(at, socket, &signal_frame(id));
    }
    let mut state = ViewState::new(Vec::new());
    let update = build_frame(&mut conn, &mut state);
    assert_eq!(update.counters.signals_accepted, 4);
    assert_eq!(
        update.counters.duplicates_dropped, 3,
        "2 and 3 were held from REST, 4 came twice"
    );
}

#[test]
fn a_busy_list_is_republished_at_most_every_200_ms_and_never_lost() {
    let mut conn = rest_only_connection();
    let mut state = ViewState::new(Vec::new());
    state.now = 1_000.0;
    assert!(build_frame(&mut conn, &mut state).signals.is_some());
    // A poll brings signal 4 at 1 050 ms: too soon after the last list.
    conn.handle_timeout(6_000);
    answer_fetches_with_signal(&mut conn, 6_010, 4);
    state.now = 1_050.0;
    let held = build_frame(&mut conn, &mut state);
    assert!(held.signals.is_none(), "held back within 200 ms");
    assert!(
        state.signals_pending,
        "and remembered, so the driver asks for another frame"
    );
    state.now = 1_210.0;
    let frame = build_frame(&mut conn, &mut state);
    let ids: Vec<u64> = frame.signals.unwrap().iter().map(|r| r.signal.id).collect();
    assert_eq!(ids, [4, 3, 2, 1]);
    assert!(!state.signals_pending);
}

#[test]
fn a_flooding_list_is_republished_once_a_second_and_calms_back() {
    let (mut conn, socket) = live_native_connection(); // signals 1..=3 from REST
    let mut next_id = 100;
    let mut feed = |conn: &mut Connection, n: u64| {
        for _ in 0..n {
            next_id += 1;
            conn.handle_socket_text(30, socket, &signal_frame(next_id));
        }
    };
    let mut state = ViewState::new(Vec::new());
    state.now = 1_000.0;
    assert!(build_frame(&mut conn, &mut state).signals.is_some());
    assert!(!state.signals_flooding);

    // 60 new rows in one publication: the list floods.
    feed(&mut conn, 60);
    state.now = 1_250.0;
    assert_eq!(
        build_frame(&mut conn, &mut state)
            .signals
            .map(|r| r[0].signal.id),
        Some(160)
    );
    assert!(state.signals_flooding);

    // The next publication waits a second, not 200 ms, and loses nothing.
    feed(&mut conn, 1);
    state.now = 1_500.0;
    assert!(build_frame(&mut conn, &mut state).signals.is_none());
    assert!(state.signals_pending);
    state.now = 2_250.0;
    let rows = build_frame(&mut conn, &mut state)
        .signals
        .expect("due after 1 s");
    assert_eq!(rows[0].signal.id, 161);
    assert!(!state.signals_flooding, "one new row is calm again");

    // Calm: back to 200 ms.
    feed(&mut conn, 1);
    state.now = 2_460.0;
    assert_eq!(
        build_frame(&mut conn, &mut state)
            .signals
            .map(|r| r[0].signal.id),
        Some(162)
    );
}

#[test]
fn traffic_alone_refreshes_the_health_view_at_most_every_500_ms() {
    let (mut conn, socket) = live_native_connection();
    let mut state = ViewState::new(Vec::new());
    state.now = 1_000.0;
    conn.handle_socket_text(30, socket, &signal_frame(10));
    let first = build_frame(&mut conn, &mut state);
    assert_eq!(first.health.as_ref().map(|h| h.messages_total), Some(1));

    // More frames 100 ms later: counted at once by the hook, but the panel's
    // figures wait for the interval.
    conn.handle_socket_text(40, socket, &signal_frame(11));
    conn.handle_socket_text(41, socket, &signal_frame(12));
    state.now = 1_100.0;
    let held = build_frame(&mut conn, &mut state);
    assert!(
        held.health.is_none(),
        "traffic alone waits: {:?}",
        held.health
    );
    assert_eq!(held.counters.frames_total, 3, "the hook is never held back");
    assert!(
        state.traffic_pending,
        "remembered, so the driver asks for another frame"
    );

    // Nothing new, but the interval has passed: the held figures go out.
    state.now = 1_500.0;
    let caught_up = build_frame(&mut conn, &mut state);
    assert_eq!(caught_up.health.map(|h| h.messages_total), Some(3));
    assert!(!state.traffic_pending);

    // A real status change (the socket drops) goes out at once, even right
    // after a publication, with the traffic held so far.
    conn.handle_socket_text(60, socket, &signal_frame(13));
    conn.handle_socket_closed(61, socket, 1006, "", false);
    state.now = 1_520.0;
    let dropped = build_frame(&mut conn, &mut state);
    let health = dropped
        .health
        .expect("a status change is published at once");
    assert_eq!(health.messages_total, 4);
    assert_ne!(dropped.mode, None);
}

#[test]
fn the_list_limit_bounds_published_rows() {
    let mut conn = rest_only_connection_keeping(2);
    let mut state = ViewState::new(Vec::new());
    let frame = build_frame(&mut conn, &mut state);
    let ids: Vec<u64> = frame.signals.unwrap().iter().map(|r| r.signal.id).collect();
    assert_eq!(ids, [3, 2]);
}

#[test]
fn a_selection_change_republishes_the_selection_parts() {
    let mut conn = rest_only_connection();
    let mut state = ViewState::new(Vec::new());
    build_frame(&mut conn, &mut state);
    // 15m: a timeframe the backend does not list, so neither the 1h
    // overview nor the matrix (which fetches every listed one) holds it.
    conn.select(20, "BTCUSDT", "15m");
    let frame = build_frame(&mut conn, &mut state);
    assert_eq!(
        frame.selection,
        Some(("BTCUSDT".to_string(), "15m".to_string()))
    );
    assert_eq!(
        frame.snapshot,
        Some(None),
        "no snapshot for the new selection yet"
    );
    assert_eq!(frame.loading, Some(true));
    answer_fetches(&mut conn, 30);
    let frame = build_frame(&mut conn, &mut state);
    assert_eq!(
        frame.snapshot.flatten().map(|s| s.snapshot.timeframe),
        Some("15m".to_string())
    );
    assert_eq!(frame.loading, Some(false));
}

#[test]
fn a_panic_message_leads_the_health_problems() {
    let conn = rest_only_connection();
    let mut state = ViewState::new(Vec::new());
    state.set_panic(Some("panicked at src/x.rs:1:1: boom".into()));
    let health = health_view(conn.status(), 5000, &state, 0);
    assert_eq!(health.problems[0].severity, "error");
    assert!(health.problems[0].detail.contains("boom"));
    assert_eq!(
        health.panic.as_deref(),
        Some("panicked at src/x.rs:1:1: boom")
    );
    assert_eq!(health.poll_ms, 5000.0);
}

#[test]
fn the_first_frame_publishes_every_part_but_alerts_that_are_not_fresh() {
    let mut conn = rest_only_connection();
    let mut state = ViewState::new(Vec::new());
    let first = build_frame(&mut conn, &mut state);
    let mut want: Vec<&str> = FrameUpdate::PARTS.to_vec();
    want.retain(|part| *part != "fresh_alerts");
    assert_eq!(first.changed_parts(), want);
    assert_eq!(
        build_frame(&mut conn, &mut state).changed_parts(),
        Vec::<&str>::new()
    );
}

#[test]
fn publishing_only_what_changed_ends_where_publishing_everything_does() {
    let (mut conn, socket) = live_native_connection();
    let mut state = ViewState::new(Vec::new());
    let mut page = PageView::initial(5000.0);
    let mut next_id = 10;
    for step in 0..8 {
        match step {
            1 => {
                for at in 30..33 {
                    next_id += 1;
                    conn.handle_socket_text(at, socket, &signal_frame(next_id));
                }
            }
            2 => {
                conn.select(40, "BTCUSDT", "4h");
                answer_fetches(&mut conn, 50);
            }
            3 => {
                // A flood: the list waits a second after this one.
                for _ in 0..60 {
                    next_id += 1;
                    conn.handle_socket_text(60, socket, &signal_frame(next_id));
                }
            }
            4 => conn.handle_socket_closed(70, socket, 1006, "", false),
            5 => {
                conn.handle_timeout(6_000);
                answer_fetches(&mut conn, 6_010);
            }
            _ => {}
        }
        state.now += 1_000.0;
        page.apply(build_frame(&mut conn, &mut state));
    }
    let mut everything = ViewState::new(Vec::new());
    everything.now = state.now;
    let mut whole = PageView::initial(5000.0);
    whole.apply(build_frame(&mut conn, &mut everything));
    // Fresh alerts are events, not state: a new builder has seen none.
    page.fresh_alerts = whole.fresh_alerts.clone();
    assert_eq!(page, whole);
    assert_eq!(page.selection, ("BTCUSDT".to_string(), "4h".to_string()));
    assert_eq!(page.signals.len(), 66, "3 from REST, 63 live");
}

#[test]
fn the_store_limit_is_the_length_of_the_published_list() {
    // The backend holds signals 1..=3; the store keeps the newest `kept`.
    for (kept, want) in [
        (1, vec![3]),
        (2, vec![3, 2]),
        (3, vec![3, 2, 1]),
        (500, vec![3, 2, 1]),
    ] {
        let mut conn = rest_only_connection_keeping(kept);
        let frame = build_frame(&mut conn, &mut ViewState::new(Vec::new()));
        let ids: Vec<u64> = frame.signals.unwrap().iter().map(|r| r.signal.id).collect();
        assert_eq!(ids, want, "limits.signals = {kept}");
    }
}

#[test]
fn the_shown_price_is_the_newest_from_any_source_with_its_own_age() {
    use regime_view::PriceSource;
    let (mut conn, socket) = live_native_connection();
    let mut state = ViewState::new(Vec::new());
    state.now = 30.0;
    // Before any tick: the REST snapshot's close (12:00:00).
    let first = build_frame(&mut conn, &mut state)
        .last_price
        .flatten()
        .unwrap();
    assert_eq!(
        (first.price, first.source),
        (64_210.5, PriceSource::Snapshot)
    );
    assert_eq!(first.received_at, 10.0);

    // A live tick after the candle's close wins, received at 1 000.
    conn.handle_socket_text(
        1_000,
        socket,
        r#"{"type":"price","data":{"symbol":"BTCUSDT","price":59276.8,"timestamp":"2025-10-09T12:00:30Z"}}"#,
    );
    let tick = build_frame(&mut conn, &mut state)
        .last_price
        .flatten()
        .unwrap();
    assert_eq!((tick.price, tick.source), (59_276.8, PriceSource::Tick));
    assert_eq!((tick.received_at, tick.previous), (1_000.0, Some(64_210.5)));

    // Live drops; a newer snapshot arrives (here live, the same in REST):
    // its close replaces the frozen tick, with its own received time.
    conn.handle_socket_text(
        5_000,
        socket,
        r#"{"type":"regime","data":{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:01:00Z","close":59094.5}}"#,
    );
    let moved = build_frame(&mut conn, &mut state)
        .last_price
        .flatten()
        .unwrap();
    assert_eq!(
        (moved.price, moved.source),
        (59_094.5, PriceSource::Snapshot)
    );
    assert_eq!(
        (moved.received_at, moved.previous),
        (5_000.0, Some(59_276.8))
    );

    // An older tick arriving late does not take the price back.
    conn.handle_socket_text(
        6_000,
        socket,
        r#"{"type":"price","data":{"symbol":"BTCUSDT","price":1.0,"timestamp":"2025-10-09T12:00:40Z"}}"#,
    );
    let kept = build_frame(&mut conn, &mut state)
        .last_price
        .flatten()
        .unwrap();
    assert_eq!(kept.price, 59_094.5);
}

#[test]
fn with_rest_failing_the_page_picks_its_market_from_live_data() {
    let mut settings = Settings::defaults("http://backend.test");
    settings.protocol = Protocol::Native;
    let mut conn = Connection::new(settings, Policy::default(), 1);
    conn.start(0);
    // Every REST call answers 500.
    let mut requests = Vec::new();
    while let Some(command) = conn.poll_command() {
        if let Command::Fetch { request, .. } = command {
            requests.push(request);
        }
    }
    for request in requests {
        conn.handle_rest(
            10,
            request,
            RestOutcome::Answered {
                status: 500,
                body: "oops".to_string(),
            },
        );
    }
    conn.handle_socket_open(20, 1);
    let mut state = ViewState::new(Vec::new());
    let mut page = PageView::default();
    page.apply(build_frame(&mut conn, &mut state));
    assert_eq!(page.selection, (String::new(), String::new()));
    assert!(page.loading);

    conn.handle_socket_text(
        1_000,
        1,
        r#"{"type":"regime","data":{"symbol":"ETHUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:01:00Z","close":2901.5}}"#,
    );
    state.now = 1_000.0;
    page.apply(build_frame(&mut conn, &mut state));
    assert_eq!(page.selection, ("ETHUSDT".to_string(), "1h".to_string()));
    assert_eq!(page.symbols.len(), 1);
    assert_eq!(page.symbols[0].timeframes, vec!["1h".to_string()]);
    assert!(page.snapshot.is_some());
    assert!(!page.loading);
    assert_eq!(page.last_price.as_ref().map(|p| p.price), Some(2901.5));
}

#[test]
fn no_history_is_said_only_once_an_answer_came_back_empty() {
    let mut settings = Settings::defaults("http://backend.test");
    settings.protocol = Protocol::Off;
    let mut conn = Connection::new(settings, Policy::default(), 1);
    conn.start(0);
    let mut state = ViewState::new(Vec::new());
    let mut page = PageView::default();
    // Everything answers but the history, which stays in flight: the
    // snapshot is there (no longer loading), the chart still waits.
    let mut history = None;
    for _ in 0..10 {
        let mut fetches = Vec::new();
        while let Some(command) = conn.poll_command() {
            if let Command::Fetch { request, what, .. } = command {
                fetches.push((request, what));
            }
        }
        for (request, what) in fetches {
            let body = match what {
                RestRequest::History { .. } => {
                    history = Some(request);
                    continue;
                }
                RestRequest::Health => r#"{"status":"ok"}"#.to_string(),
                RestRequest::Symbols => r#"{"symbols":[{"symbol":"BTCUSDT","timeframes":["1h"]}]}"#.to_string(),
                RestRequest::Regime { .. } => r#"{"symbol":"BTCUSDT","timeframe":"1h","regime":"range","adx":18.5,"atrPct":0.0156,"timestamp":"2025-10-09T12:00:00Z","close":64210.5}"#.to_string(),
                RestRequest::Signals { .. } => r#"{"signals":[]}"#.to_string(),
                RestRequest::Alerts { .. } => r#"{"alerts":[]}"#.to_string(),
                _ => String::new(),
            };
            conn.handle_rest(10, request, RestOutcome::Answered { status: 200, body });
        }
    }
    page.apply(build_frame(&mut conn, &mut state));
    assert!(!page.loading, "the snapshot is in");
    assert!(
        page.history_waiting,
        "the history request is still in flight"
    );

    // The answer comes back empty: now, and only now, there is no history.
    let request = history.expect("a history request was made");
    conn.handle_rest(
        20,
        request,
        RestOutcome::Answered {
            status: 200,
            body: r#"{"symbol":"BTCUSDT","timeframe":"1h","points":[]}"#.to_string(),
        },
    );
    state.now = 20.0;
    page.apply(build_frame(&mut conn, &mut state));
    assert!(page.history.is_empty());
    assert!(!page.history_waiting);
}

#[test]
fn the_matrix_has_a_row_per_symbol_and_a_column_per_listed_timeframe() {
    use regime_view::matrix::MatrixCell;
    let (mut conn, socket) = live_native_connection();
    let mut state = ViewState::new(Vec::new());
    let matrix = build_frame(&mut conn, &mut state).matrix.unwrap();
    assert_eq!(matrix.columns, ["1h", "4h"]);
    assert_eq!(matrix.total, 2);
    let symbols: Vec<&str> = matrix.rows.iter().map(|r| r.symbol.as_str()).collect();
    assert_eq!(symbols, ["BTCUSDT", "ETHUSDT"]);
    // BTCUSDT: both timeframes answered "range", so the row agrees;
    // ETHUSDT lists 1h only, which agrees with nothing.
    assert_eq!(
        matrix.rows[0].agreed,
        Some(regime_core::model::Regime::Range)
    );
    assert_eq!(matrix.rows[1].cells[1], MatrixCell::NotListed);
    assert_eq!(matrix.rows[1].agreed, None);
    // A live event for one cell republishes the matrix with it, and the
    // row no longer agrees.
    conn.handle_socket_text(
        30,
        socket,
        r#"{"type":"regime","data":{"symbol":"BTCUSDT","timeframe":"4h","regime":"trend_up","adx":31.0,"atrPct":0.02,"timestamp":"2025-10-09T13:00:00Z"}}"#,
    );
    state.now = 40.0;
    let matrix = build_frame(&mut conn, &mut state).matrix.unwrap();
    assert!(matches!(
        &matrix.rows[0].cells[1],
        MatrixCell::Known { regime: regime_core::model::Regime::TrendUp, adx, .. } if *adx == 31.0
    ));
    assert_eq!(matrix.rows[0].agreed, None);
    // An idle frame does not republish it.
    assert_eq!(build_frame(&mut conn, &mut state).matrix, None);
}

#[test]
fn the_first_rows_are_published_at_once_whatever_the_pacing() {
    // Cold (or a reload): the first frame comes before any REST answer,
    // with an empty list.
    let mut settings = Settings::defaults("http://backend.test");
    settings.protocol = Protocol::Off;
    let mut conn = Connection::new(settings, Policy::default(), 1);
    conn.start(0);
    let mut state = ViewState::new(Vec::new());
    state.now = 1_000.0;
    let first = build_frame(&mut conn, &mut state);
    assert_eq!(first.signals, Some(Vec::new()));
    // The signals answer 50 ms later: out in that frame, not 150 ms after
    // (a stored list replaced by the fresh one must never go blank between).
    answer_fetches(&mut conn, 50);
    state.now = 1_050.0;
    let frame = build_frame(&mut conn, &mut state);
    let ids: Vec<u64> = frame
        .signals
        .expect("published at once")
        .iter()
        .map(|r| r.signal.id)
        .collect();
    assert_eq!(ids, [3, 2, 1]);
}
