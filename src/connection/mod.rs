//! The browser connection layer: drives `regime_core::machine::Connection`
//! with the browser's WebSocket, fetch, timers, online/offline and
//! visibility events, and publishes what components draw as Leptos signals.
//!
//! ```text
//!  settings_loader ─► Settings ─► driver (owns the Connection) ─► regime_view ─► Leptos signals
//!                                   ▲  socket, rest, timers, window events
//! ```
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` | the hook: [`use_connection`], [`provide_connection`]; the view types, re-exported from `regime-view` |
//! | `published.rs` | a Leptos signal per published part ([`ViewSignals`]) and the read-only [`UseConnectionReturn`], generated from regime-view's one list of parts |
//! | [`driver`] | performs the core's commands, feeds browser events back, one timer, frames |
//! | [`socket`] | one `web_sys::WebSocket` and its four handlers (the fallback) |
//! | [`worker_socket`] | the live sockets in a dedicated Worker (`worker.js`), one tick at a time |
//! | [`rest`] | gloo-net fetch with an AbortController per request |
//! | [`settings_loader`] | defaults, `config.json`, query string; the link's token out of the address bar |
//! | [`token_store`] | the token in `sessionStorage` / `localStorage`, with its hosts |
//! | [`test_hook`] | `window.__regime` |
//! | [`panic`] | the panic message for the health panel |
//! | [`clock`] | `performance.now()` for the core |
//! | [`stored_view`] | the last view in `localStorage`: painted at load, kept while fresh data comes |
//!
//! # `window.__regime`: the test and diagnostic hook
//!
//! A plain JavaScript object, replaced when a driver starts and refreshed at
//! most once per animation frame (only the fields that changed are written;
//! it holds no growing data):
//!
//! | field | meaning |
//! |---|---|
//! | `framesTotal` | live frames received (text and binary) since load; a batch is one frame |
//! | `batches` | of those, batch frames (several events in one frame, PROTOCOL.md "Batches") |
//! | `signalsAccepted` | signals newly taken in since load, each once (duplicates not counted; one that came after newer ones, too old for the 500 kept, counts once too) |
//! | `firstSignalId`, `lastSignalId` | the lowest and highest signal id stored since load (`null` before any) |
//! | `duplicatesDropped` | signals dropped because their id was already held |
//! | `malformed` | live frames skipped as malformed (a bad element of a batch counts as one) |
//! | `recovered` | signals and alerts that REST `after` queries brought back |
//! | `mode` | `connecting`, `live`, `api` or `offline` |
//! | `liveSocket` | `worker` while a dedicated Worker holds the live socket, `page` when the page does (`liveWorker=off`, no Worker, or its script failed) |
//! | `liveGaps`, `liveSkipped` | times the Worker's queue was full (the page fell behind), and the live frames it skipped then (recovered through REST) |
//! | `panic` | the first panic message, or `null` |
//! | `wasmMemoryBytes()` | the WebAssembly memory's size in bytes, now |
//!
//! With contiguous ids from the backend, "every id exactly once" reads as
//! `signalsAccepted == lastSignalId - firstSignalId + 1`. Counters lag the
//! truth by at most one animation frame, and stand still in a background tab
//! (no frames there).

pub mod clock;
pub mod driver;
pub mod panic;
mod published;
pub mod rest;
pub mod settings_loader;
pub mod socket;
pub mod stored_view;
pub mod test_hook;
pub mod token_store;
pub mod worker_socket;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use regime_core::settings::Settings;
use regime_view::PageView;
use wasm_bindgen::JsValue;

pub use driver::{Driver, DriverOptions};
pub use published::{UseConnectionReturn, ViewSignals};
pub use regime_view::{DiagnosisView, HealthView, PriceView, SignalRow, SnapshotView};

/// Options of [`use_connection_with_options`].
#[derive(Clone, Debug)]
pub struct UseConnectionOptions {
    /// Settings to use as they are, instead of reading `config.json` and the
    /// query string. Defaults to `None` (read them).
    pub settings: Option<Settings>,
    /// Where `config.json` is fetched from, relative to the page; empty for
    /// none. Defaults to `"config.json"`.
    pub config_url: String,
    /// The driver's options: policy, jitter seed, window events, animation
    /// frames, `window.__regime`, URL write-back. Defaults to
    /// [`DriverOptions::default`].
    pub driver: DriverOptions,
    /// Paint the view kept in `localStorage` at once, before the network
    /// answers, and keep the view there (see [`stored_view`]). Defaults to
    /// true.
    pub stored_view: bool,
}

impl Default for UseConnectionOptions {
    fn default() -> Self {
        UseConnectionOptions {
            settings: None,
            config_url: "config.json".to_string(),
            driver: DriverOptions::default(),
            stored_view: true,
        }
    }
}

/// How often the view is kept in `localStorage` while fresh data changes,
/// in seconds (and when the page is left).
const KEEP_VIEW_EVERY_S: u32 = 5;

/// The driver once the settings are read, and what was asked before that.
#[derive(Default)]
struct DriverSlot {
    driver: Option<Driver>,
    /// A `select` that came before the driver existed: used as its start.
    pending_select: Option<(String, String)>,
    /// The owner was cleaned up: do not start (or stop at once).
    disposed: bool,
}

/// Creates a connection (settings, driver, signals) owned by the current
/// reactive owner, and returns its signals and actions. Most code wants
/// [`use_connection`], which reads the one that [`provide_connection`] put in
/// context.
pub fn use_connection_with_options(options: UseConnectionOptions) -> UseConnectionReturn {
    panic::install();
    let poll_ms = options
        .settings
        .as_ref()
        .map_or(regime_core::settings::DEFAULT_POLL_MS, |s| s.poll_ms);
    let signals = ViewSignals::new(PageView::initial(poll_ms as f64), clock::now_f64());
    let slot = Rc::new(RefCell::new(DriverSlot::default()));
    let stored = StoredValue::new_local(slot.clone());

    let UseConnectionOptions {
        settings,
        config_url,
        driver: driver_options,
        stored_view: use_storage,
    } = options;
    // The stored view goes on screen now, before the settings are read.
    let keeper = use_storage.then(|| {
        let restoration = stored_view::restore(signals, clock::now_f64());
        stored_view::StoredViewKeeper::new(signals, restoration)
    });
    let frame_keeper = keeper.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let (mut settings, problems, link_elsewhere) = match settings {
            Some(s) => (s, Vec::new(), None),
            None => {
                let loaded = settings_loader::load(&config_url).await;
                (loaded.settings, loaded.problems, loaded.link_elsewhere)
            }
        };
        if slot.borrow().disposed {
            return;
        }
        if let Some((symbol, timeframe)) = slot.borrow_mut().pending_select.take() {
            settings.symbol = Some(symbol);
            settings.timeframe = Some(timeframe);
        }
        let mut driver_options = driver_options;
        driver_options
            .setting_problems
            .extend(problems.iter().map(|p| p.sentence()));
        driver_options.link_elsewhere = link_elsewhere;
        let driver = Driver::new(settings, driver_options);
        driver.set_on_frame(move |mut update| {
            if let Some(k) = &frame_keeper {
                k.filter(&mut update);
            }
            signals.apply(update)
        });
        slot.borrow_mut().driver = Some(driver.clone());
        driver.start();
    });

    let tick_keeper = keeper.clone();
    let ticks = std::cell::Cell::new(0u32);
    let ticker = set_interval_with_handle(
        move || {
            let _ = signals.now.try_set(clock::now_f64());
            // The view is kept every few seconds while fresh data changes.
            ticks.set(ticks.get().wrapping_add(1));
            if ticks.get() % KEEP_VIEW_EVERY_S == 0 {
                if let Some(k) = &tick_keeper {
                    k.keep();
                }
            }
        },
        Duration::from_secs(1),
    )
    .ok();
    // And when the page is left (a reload, a closed tab).
    let pagehide = keeper.map(|k| window_event_listener(leptos::ev::pagehide, move |_| k.keep()));
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
        if let Some(h) = pagehide {
            h.remove();
        }
        let driver = stored
            .try_with_value(|slot| {
                let mut slot = slot.borrow_mut();
                slot.disposed = true;
                slot.driver.take()
            })
            .flatten();
        if let Some(d) = driver {
            d.stop();
        }
    });

    let current = move || {
        stored
            .try_with_value(|slot| slot.borrow().driver.clone())
            .flatten()
    };
    let reconnect = Callback::new(move |()| {
        if let Some(d) = current() {
            d.reconnect();
        }
    });
    let select = Callback::new(
        move |(symbol, timeframe): (String, String)| match current() {
            Some(d) => d.select(&symbol, &timeframe),
            None => {
                stored.try_with_value(|slot| {
                    slot.borrow_mut().pending_select = Some((symbol, timeframe))
                });
            }
        },
    );
    let set_token = Callback::new(move |(text, remember): (String, bool)| {
        if let Some(d) = current() {
            d.set_token(&text, remember);
        }
    });
    let set_matrix_rows = Callback::new(move |rows: usize| {
        if let Some(d) = current() {
            d.set_matrix_rows(rows);
        }
    });
    signals
        .read_only(reconnect, select, set_token)
        .with_matrix_rows(set_matrix_rows)
}

/// Reads the settings, starts the driver and puts its [`UseConnectionReturn`]
/// in context for every component below. `App` calls it once, first.
pub fn provide_connection() -> UseConnectionReturn {
    let connection = use_connection_with_options(UseConnectionOptions::default());
    provide_context(connection);
    connection
}

/// The connection that [`provide_connection`] put in context. Without one
/// (a component rendered alone, in a test), it provides one here, so a
/// missing provider costs a second connection, never a panic.
pub fn use_connection() -> UseConnectionReturn {
    match use_context::<UseConnectionReturn>() {
        Some(connection) => connection,
        None => {
            web_sys::console::warn_1(&JsValue::from_str(
                "use_connection: no provide_connection() above this component; starting a connection here",
            ));
            provide_connection()
        }
    }
}
