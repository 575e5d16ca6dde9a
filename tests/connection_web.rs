//! The browser connection layer in headless Chromium.
//!
//! Two kinds of tests live here:
//!
//! - small helpers that need the browser (its clock, its errors, the
//!   WebAssembly memory); the per-frame view and the hook counters are pure
//!   and tested natively in `crates/regime-view/tests/build_frame.rs`;
//! - live ones, which drive a real [`Driver`] against the demo backend that
//!   `make test-wasm` starts (`scripts/with-demo-server.sh … --control`). Its
//!   base URL comes in at compile time as `DEMO_SERVER_URL`; without it the
//!   live tests fail with a message saying so (they never skip silently).
//!
//! Live tests use short policies and bounded polling loops, so each takes a
//! few seconds. They change the backend's fault settings, so each one starts
//! with `POST /control/reset` and ends by resetting again.

use std::time::Duration;

use leptos::prelude::*;
use regime_core::live::TransportKind;
use regime_core::machine::{Mode, Policy};
use regime_core::settings::{Protocol, Settings};
use regime_dashboard::connection::{
    clock, rest, settings_loader, socket, test_hook, use_connection_with_options, Driver,
    DriverOptions, UseConnectionOptions,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The demo backend's base URL, or a failure that says how to provide it.
fn demo_url() -> &'static str {
    match option_env!("DEMO_SERVER_URL") {
        Some(url) if !url.is_empty() => url.trim_end_matches('/'),
        _ => panic!(
            "DEMO_SERVER_URL was not set when this test was compiled. Run `make test-wasm`, or start \
             `cargo run -p demo-server -- --port 0 --control` and run \
             `DEMO_SERVER_URL=http://127.0.0.1:PORT cargo test --target wasm32-unknown-unknown --test connection_web`."
        ),
    }
}

/// Numbers small enough that a fallback and a recovery take seconds.
fn quick_policy() -> Policy {
    Policy {
        backoff_base_ms: 200,
        backoff_cap_ms: 800,
        stable_reset_ms: 1000,
        connect_timeout_ms: 3000,
        plain_ping_every_ms: 1000,
        plain_silence_ms: 4000,
        first_attempt_grace_ms: 300,
        rest_timeout_ms: 4000,
        ..Policy::default()
    }
}

fn quick_options() -> DriverOptions {
    DriverOptions {
        policy: quick_policy(),
        seed: 7,
        window_events: false,
        animation_frames: false,
        test_hook: false,
        write_url: false,
        ..DriverOptions::default()
    }
}

fn demo_settings(protocol: Protocol) -> Settings {
    let mut settings = Settings::defaults(demo_url());
    settings.protocol = protocol;
    settings.poll_ms = 500;
    settings
}

async fn sleep_ms(ms: u64) {
    gloo_timers::future::sleep(Duration::from_millis(ms)).await;
}

/// Polls `condition` every 50 ms until it holds, for at most `timeout_ms`;
/// panics with `what` and `context()` otherwise.
async fn wait_for(
    what: &str,
    timeout_ms: u64,
    condition: impl Fn() -> bool,
    context: impl Fn() -> String,
) {
    let start = clock::now();
    loop {
        if condition() {
            return;
        }
        if clock::now().saturating_sub(start) > timeout_ms {
            panic!(
                "timed out after {timeout_ms} ms waiting until {what}; {}",
                context()
            );
        }
        sleep_ms(50).await;
    }
}

/// [`wait_for`] a condition on the driver, showing its status on failure.
async fn wait_until(
    driver: &Driver,
    what: &str,
    timeout_ms: u64,
    condition: impl Fn(&Driver) -> bool,
) {
    wait_for(
        what,
        timeout_ms,
        || condition(driver),
        || format!("status: {:#?}", driver.status()),
    )
    .await;
}

thread_local! {
    /// True while a live test holds the demo backend.
    static BACKEND_BUSY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Exclusive use of the demo backend while it lives: live tests change its
/// fault settings, so they must not overlap, whether or not the test runner
/// interleaves async tests.
struct BackendLease;

impl Drop for BackendLease {
    fn drop(&mut self) {
        BACKEND_BUSY.with(|b| b.set(false));
    }
}

/// Waits for the backend, resets its faults and holds it.
async fn lease_backend() -> BackendLease {
    let start = clock::now();
    while BACKEND_BUSY.with(|b| b.replace(true)) {
        assert!(
            clock::now().saturating_sub(start) < 60_000,
            "another live test held the demo backend for a minute (a live test that failed keeps it: see the first failure)"
        );
        sleep_ms(50).await;
    }
    let lease = BackendLease;
    control("reset", "{}").await;
    lease
}

/// `POST {demo}/control/{path}` with a JSON body; panics unless it answers 2xx.
async fn control(path: &str, body: &str) {
    let url = format!("{}/control/{path}", demo_url());
    let request = gloo_net::http::Request::post(&url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .unwrap_or_else(|e| panic!("could not build POST {url}: {e}"));
    // The backend answers CORS on /control/ only for the origins named with
    // --control-allow-origin; `make test-wasm` names this page's origin.
    let response = request.send().await.unwrap_or_else(|e| {
        panic!(
            "POST {url} failed: {e} (is the demo backend running with --control and \
             --control-allow-origin set to this page's origin? `make test-wasm` does both)"
        )
    });
    assert!(response.ok(), "POST {url} answered {}", response.status());
}

fn signal_ids(driver: &Driver) -> Vec<u64> {
    driver
        .with_connection(|c| {
            c.store()
                .signals()
                .oldest_first()
                .map(|s| s.value.id)
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Small browser helpers (the per-frame view is tested natively, in
// crates/regime-view/tests/build_frame.rs)
// ---------------------------------------------------------------------------

#[wasm_bindgen_test]
fn small_helpers_never_panic() {
    assert_eq!(clock::millis_of(12.9), 12);
    assert_eq!(clock::millis_of(-3.0), 0);
    assert_eq!(clock::millis_of(f64::NAN), 0);
    assert_eq!(clock::millis_of(f64::INFINITY), 0);
    assert!(clock::now_f64() > 0.0);
    assert_ne!(clock::random_seed(), 0);
    assert_eq!(rest::cut("aé€".to_string(), 4), "aé");
    assert_eq!(rest::cut("aé€".to_string(), 3), "aé");
    assert_eq!(rest::cut("abc".to_string(), 10), "abc");
    assert_eq!(
        socket::js_error_text(&js_sys::Error::new("boom").into()),
        "Error: boom"
    );
    assert_eq!(
        socket::js_error_text(&JsValue::from_str("plain text")),
        "plain text"
    );
    assert_eq!(socket::js_error_text(&JsValue::from_f64(3.0)), "3");
    assert!(test_hook::wasm_memory_bytes() >= 65536.0);
}

// ---------------------------------------------------------------------------
// Without a backend: every failure is an input, none is a panic
// ---------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn nothing_listening_ends_offline_without_a_panic() {
    // Port 9 (discard) on loopback: nothing listens there in the test
    // environment, so the socket and every fetch fail at once.
    let mut settings = Settings::defaults("http://127.0.0.1:9");
    settings.protocol = Protocol::Native;
    settings.poll_ms = 500;
    let driver = Driver::new(
        settings,
        DriverOptions {
            test_hook: true,
            ..quick_options()
        },
    );
    driver.start();
    wait_until(&driver, "the mode is Offline", 10_000, |d| {
        d.mode() == Mode::Offline
    })
    .await;
    let status = driver.status().unwrap();
    assert!(status.last_error.is_some(), "{status:#?}");
    assert!(
        !status.problems.is_empty(),
        "the health panel says why: {status:#?}"
    );
    driver.refresh();
    let hook =
        js_sys::Reflect::get(&web_sys::window().unwrap(), &JsValue::from_str("__regime")).unwrap();
    let mode = js_sys::Reflect::get(&hook, &JsValue::from_str("mode")).unwrap();
    assert_eq!(mode.as_string().as_deref(), Some("offline"));
    let memory = js_sys::Reflect::get(&hook, &JsValue::from_str("wasmMemoryBytes")).unwrap();
    let bytes = js_sys::Function::from(memory)
        .call0(&JsValue::NULL)
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(bytes >= 65536.0);
    driver.stop();
}

#[wasm_bindgen_test]
async fn a_malformed_live_url_is_reported_not_thrown() {
    let mut settings = Settings::defaults("http://127.0.0.1:9");
    settings.protocol = Protocol::Native;
    // Settings validation would refuse this; the driver must survive it anyway.
    settings.ws = Some("ws://exa mple/ws".into());
    let driver = Driver::new(settings, quick_options());
    driver.start();
    wait_until(&driver, "a live failure is recorded", 5000, |d| {
        d.status()
            .is_some_and(|s| s.retries > 0 || s.last_error.is_some())
    })
    .await;
    driver.stop();
    assert_eq!(
        driver.open_resources(),
        (0, 0),
        "stop closes and aborts everything"
    );
}

// ---------------------------------------------------------------------------
// Live, against the demo backend
// ---------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn plain_websocket_goes_live_and_regime_events_arrive() {
    let _backend = lease_backend().await;
    let driver = Driver::new(demo_settings(Protocol::Native), quick_options());
    driver.start();
    wait_until(&driver, "the plain WebSocket is Live", 10_000, |d| {
        d.mode() == Mode::Live
    })
    .await;
    let status = driver.status().unwrap();
    assert_eq!(status.transport, Some(TransportKind::Plain));
    assert!(status.live_url.ends_with("/ws"), "{}", status.live_url);

    // The simulator sends a regime event per candle (one a second): wait
    // for one received after going Live, which only the socket can bring
    // (REST is not polled while Live).
    let live_at = clock::now();
    let frames_at_live = status.messages_total;
    wait_until(&driver, "a live regime event arrives", 10_000, |d| {
        d.with_connection(|c| {
            let (symbol, tf) = c.selection().unwrap_or(("", ""));
            c.status().messages_total > frames_at_live
                && c.store()
                    .snapshot(symbol, tf)
                    .is_some_and(|s| s.received_at > live_at)
        })
        .unwrap_or(false)
    })
    .await;
    assert_eq!(driver.mode(), Mode::Live);
    driver.stop();
}

#[wasm_bindgen_test]
async fn socketio_goes_live() {
    let _backend = lease_backend().await;
    let driver = Driver::new(demo_settings(Protocol::SocketIo), quick_options());
    driver.start();
    wait_until(&driver, "Socket.IO is Live", 10_000, |d| {
        d.mode() == Mode::Live
    })
    .await;
    let status = driver.status().unwrap();
    assert_eq!(status.transport, Some(TransportKind::SocketIo));
    assert!(
        status
            .live_url
            .contains("/socket.io/?EIO=4&transport=websocket"),
        "{}",
        status.live_url
    );
    let frames = status.messages_total;
    wait_until(&driver, "Socket.IO events arrive", 10_000, |d| {
        d.status().is_some_and(|s| s.messages_total > frames + 1)
    })
    .await;
    driver.stop();
}

#[wasm_bindgen_test]
async fn auto_finds_a_live_transport() {
    let _backend = lease_backend().await;
    let driver = Driver::new(demo_settings(Protocol::Auto), quick_options());
    driver.start();
    wait_until(&driver, "protocol=auto is Live", 15_000, |d| {
        d.mode() == Mode::Live
    })
    .await;
    driver.stop();
}

#[wasm_bindgen_test]
async fn losing_the_live_side_falls_back_to_api_and_recovers_every_signal() {
    let _backend = lease_backend().await;
    // A steady stream of signals, so that some arrive while the live side
    // is down and must come back through REST, each exactly once.
    control("faults", r#"{"signalsPerSec":10}"#).await;
    let driver = Driver::new(demo_settings(Protocol::Native), quick_options());
    driver.start();
    wait_until(&driver, "Live", 10_000, |d| d.mode() == Mode::Live).await;
    let held_before = signal_ids(&driver).last().copied();
    wait_until(&driver, "live signals arrive", 10_000, |d| {
        signal_ids(d).last().copied() > held_before
    })
    .await;

    control("faults", r#"{"liveEnabled":false}"#).await;
    wait_until(&driver, "the page falls back to API mode", 15_000, |d| {
        d.mode() == Mode::Api
    })
    .await;
    let in_api = signal_ids(&driver).last().copied();
    wait_until(
        &driver,
        "signals keep coming by REST polling",
        10_000,
        |d| signal_ids(d).last().copied() > in_api,
    )
    .await;

    control("faults", r#"{"liveEnabled":true}"#).await;
    wait_until(&driver, "Live again", 15_000, |d| d.mode() == Mode::Live).await;
    let back_live = signal_ids(&driver).last().copied();
    wait_until(&driver, "live signals after recovery", 10_000, |d| {
        signal_ids(d).last().copied() > back_live
    })
    .await;
    control("reset", "{}").await;

    let ids = signal_ids(&driver);
    console_log!(
        "fallback and recovery: {} signals held, recovered {}, status {:?}",
        ids.len(),
        driver.status().map_or(0, |s| s.recovered),
        driver
            .status()
            .map(|s| (s.mode, s.retries, s.messages_total))
    );
    let first = *ids.first().expect("signals were stored");
    let last = *ids.last().unwrap();
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "no id is held twice");
    // The store keeps the newest 500; everything from the first one held
    // to the last is there: none lost across the fallback and recovery.
    assert_eq!(
        ids.len() as u64,
        last - first + 1,
        "ids {first}..={last} all present: {ids:?}"
    );
    let status = driver.status().unwrap();
    assert!(
        status.retries == 0 || status.mode == Mode::Live,
        "{status:#?}"
    );
    driver.stop();
}

#[wasm_bindgen_test]
async fn selecting_another_symbol_fetches_it_and_writes_the_url() {
    let _backend = lease_backend().await;
    let driver = Driver::new(
        demo_settings(Protocol::Native),
        DriverOptions {
            write_url: true,
            ..quick_options()
        },
    );
    driver.start();
    wait_until(&driver, "the symbol list is known", 10_000, |d| {
        d.with_connection(|c| c.store().symbols().len() >= 2)
            .unwrap_or(false)
    })
    .await;
    let (symbol, tf) = driver
        .with_connection(|c| {
            let info = &c.store().symbols()[1];
            (
                info.symbol.clone(),
                info.timeframes.first().cloned().unwrap_or_default(),
            )
        })
        .unwrap();
    driver.select(&symbol, &tf);
    wait_until(
        &driver,
        "the new selection's snapshot arrives",
        10_000,
        |d| {
            d.with_connection(|c| c.store().snapshot(&symbol, &tf).is_some())
                .unwrap_or(false)
        },
    )
    .await;
    let frame = driver.refresh().expect("a frame");
    assert_eq!(frame.selection, Some((symbol.clone(), tf.clone())));
    let search = web_sys::window().unwrap().location().search().unwrap();
    assert!(search.contains(&format!("symbol={symbol}")), "{search}");
    assert!(search.contains(&format!("tf={tf}")), "{search}");
    driver.stop();
}

#[wasm_bindgen_test]
async fn the_hook_publishes_signals_on_animation_frames_and_the_test_hook() {
    let _backend = lease_backend().await;
    let owner = Owner::new();
    let conn = owner.with(|| {
        use_connection_with_options(UseConnectionOptions {
            settings: Some(demo_settings(Protocol::Native)),
            config_url: String::new(),
            driver: DriverOptions {
                animation_frames: true,
                test_hook: true,
                window_events: true,
                ..quick_options()
            },
            stored_view: false,
        })
    });
    let context = move || {
        format!(
            "mode {:?}, selection {:?}, {} signals, health {:#?}",
            conn.mode.get_untracked(),
            conn.selection.get_untracked(),
            conn.signals.with_untracked(Vec::len),
            conn.health.get_untracked()
        )
    };
    wait_for(
        "the signals show Live data for a selection",
        10_000,
        move || {
            conn.mode.get_untracked() == Mode::Live
                && !conn.selection.get_untracked().0.is_empty()
                && !conn.signals.with_untracked(Vec::is_empty)
                && conn.snapshot.with_untracked(Option::is_some)
                && !conn.loading.get_untracked()
                && !conn.symbols.with_untracked(Vec::is_empty)
                && conn
                    .health
                    .with_untracked(|h| h.transport == "plain WebSocket")
        },
        context,
    )
    .await;
    let ids: Vec<u64> = conn
        .signals
        .with_untracked(|rows| rows.iter().map(|r| r.signal.id).collect());
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    // window.__regime follows, one animation frame behind at most.
    let hook =
        js_sys::Reflect::get(&web_sys::window().unwrap(), &JsValue::from_str("__regime")).unwrap();
    let number = |key: &str| {
        js_sys::Reflect::get(&hook, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_f64())
    };
    wait_for(
        "window.__regime counts live frames",
        5000,
        || {
            number("framesTotal").unwrap_or(0.0) > 0.0
                && number("signalsAccepted").unwrap_or(0.0) > 0.0
        },
        || format!("{:?}", js_sys::JSON::stringify(&hook)),
    )
    .await;
    let mode = js_sys::Reflect::get(&hook, &JsValue::from_str("mode")).unwrap();
    assert_eq!(mode.as_string().as_deref(), Some("live"));
    assert!(number("lastSignalId") >= number("firstSignalId"));

    // The select action reaches the core and comes back as the selection.
    let (symbol, tf) = conn.symbols.with_untracked(|s| {
        let info = s.last().unwrap();
        (info.symbol.clone(), info.timeframes[0].clone())
    });
    conn.select.run((symbol.clone(), tf.clone()));
    wait_for(
        "the new selection is published",
        5000,
        move || conn.selection.get_untracked() == (symbol.clone(), tf.clone()),
        context,
    )
    .await;
    conn.reconnect.run(());
    wait_for(
        "Live again after reconnect",
        10_000,
        move || conn.mode.get_untracked() == Mode::Live,
        context,
    )
    .await;

    // Cleaning the owner up stops the driver: the counters stand still.
    owner.cleanup();
    sleep_ms(300).await;
    let frames = number("framesTotal");
    sleep_ms(1500).await;
    assert_eq!(
        number("framesTotal"),
        frames,
        "no frames counted after cleanup"
    );
}

#[wasm_bindgen_test]
async fn config_json_is_optional_and_read_when_present() {
    // A 404 is "no file", silently.
    let missing =
        settings_loader::fetch_config(&format!("{}/no-such-config.json", demo_url())).await;
    assert_eq!(missing, None);
    // Nothing listening is "no file" too.
    assert_eq!(
        settings_loader::fetch_config("http://127.0.0.1:9/config.json").await,
        None
    );
    // A JSON answer is returned as text, for Settings::apply_json to judge.
    let health = settings_loader::fetch_config(&format!("{}/api/health", demo_url())).await;
    assert!(health.is_some_and(|t| t.contains("\"status\"")));
}
