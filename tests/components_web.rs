//! The page's components in headless Chromium, each mounted alone with a
//! hand-made connection: plain signals that the test sets, put in context
//! where the real hook would be. No backend, no driver.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test components_web`.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use regime_core::machine::{FreshAlert, Mode};
use regime_core::model::{
    Regime, RegimeAlert, RegimePoint, RegimeSnapshot, Side, Signal as TradeSignal, SymbolInfo,
    Timestamp,
};
use regime_dashboard::app::Dashboard;
use regime_dashboard::components::header::Header;
use regime_dashboard::components::health_panel::HealthPanel;
use regime_dashboard::components::regime_widget::RegimeWidget;
use regime_dashboard::components::signals_list::SignalsList;
use regime_dashboard::components::toasts::Toasts;
use regime_dashboard::connection::{
    DiagnosisView, HealthView, PriceView, SignalRow, SnapshotView, UseConnectionReturn, ViewSignals,
};
use regime_view::{LiveData, PageView, PriceSource};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The connection's state as plain signals the test writes: the hook's own
/// [`ViewSignals`] (one per published part, and the clock), with the
/// actions recorded.
#[derive(Clone, Copy)]
struct FakeConnection {
    view: ViewSignals,
    reconnects: RwSignal<u32>,
    selected: RwSignal<Vec<(String, String)>>,
    tokens: RwSignal<Vec<(String, bool)>>,
}

impl std::ops::Deref for FakeConnection {
    type Target = ViewSignals;
    fn deref(&self) -> &ViewSignals {
        &self.view
    }
}

impl FakeConnection {
    fn new() -> Self {
        let page = PageView {
            mode: Mode::Live,
            health: HealthView {
                transport: "plain WebSocket".into(),
                live_url: "ws://127.0.0.1:8081/ws".into(),
                api_url: "http://127.0.0.1:8081".into(),
                poll_ms: 5000.0,
                // Live with market data flowing: a regime event a second
                // before the clock's start, well inside the silence limit.
                live: LiveData {
                    market_at: Some(99_000.0),
                    feed_at: None,
                    silence_ms: 30_000.0,
                    no_regime: false,
                },
                ..HealthView::default()
            },
            selection: ("BTCUSDT".into(), "1h".into()),
            symbols: vec![
                SymbolInfo {
                    symbol: "BTCUSDT".into(),
                    timeframes: vec!["1m".into(), "1h".into()],
                },
                SymbolInfo {
                    symbol: "ETHUSDT".into(),
                    timeframes: vec!["1h".into()],
                },
            ],
            loading: false,
            ..PageView::default()
        };
        FakeConnection {
            view: ViewSignals::new(page, 100_000.0),
            reconnects: RwSignal::new(0),
            selected: RwSignal::new(Vec::new()),
            tokens: RwSignal::new(Vec::new()),
        }
    }

    /// The hook's surface, built from these signals.
    fn handle(self) -> UseConnectionReturn {
        self.view.read_only(
            Callback::new(move |_| self.reconnects.update(|n| *n += 1)),
            Callback::new(move |sel| self.selected.update(|v| v.push(sel))),
            Callback::new(move |t| self.tokens.update(|v| v.push(t))),
        )
    }
}

/// A mounted component in its own container, unmounted when dropped.
struct Mounted {
    root: web_sys::HtmlElement,
    /// Unmounts on drop (an `UnmountHandle`).
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

impl Mounted {
    fn one(&self, testid: &str) -> web_sys::HtmlElement {
        self.find(testid)
            .unwrap_or_else(|| panic!("no [data-testid={testid}] on the page"))
    }
    fn find(&self, testid: &str) -> Option<web_sys::HtmlElement> {
        self.root
            .query_selector(&format!("[data-testid=\"{testid}\"]"))
            .unwrap()
            .map(|e| e.unchecked_into())
    }
    fn all(&self, testid: &str) -> Vec<web_sys::HtmlElement> {
        let list = self
            .root
            .query_selector_all(&format!("[data-testid=\"{testid}\"]"))
            .unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().unchecked_into())
            .collect()
    }
    fn text(&self, testid: &str) -> String {
        self.one(testid).text_content().unwrap_or_default()
    }
    fn attr(&self, testid: &str, name: &str) -> String {
        self.one(testid).get_attribute(name).unwrap_or_default()
    }
}

fn mount<F, N>(conn: FakeConnection, f: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
    N::State: 'static,
{
    let doc = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), move || {
        provide_context(conn.handle());
        f()
    });
    Mounted {
        root,
        _handle: Box::new(handle),
    }
}

/// Lets the reactive system run its effects and update the DOM.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(30).await;
}

fn snapshot(regime: Regime, received_at: f64) -> SnapshotView {
    SnapshotView {
        snapshot: RegimeSnapshot {
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            regime,
            adx: 18.46,
            atr_pct: 0.0156,
            timestamp: Timestamp(1_760_011_200_000),
            plus_di: Some(17.2),
            minus_di: None,
            close: Some(64210.5),
        },
        received_at,
    }
}

fn trade_signal(id: u64, side: Side, note: &str) -> SignalRow {
    SignalRow {
        signal: TradeSignal {
            id,
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            side,
            price: 64250.5,
            timestamp: Timestamp(1_760_014_800_000),
            strategy: Some("adx-breakout".into()),
            confidence: Some(0.72),
            note: Some(note.into()),
        },
        received_at: 0.0,
        run: 0,
        before_restart: false,
    }
}

fn fresh(id: u64) -> FreshAlert {
    FreshAlert {
        run: 0,
        alert: alert(id),
    }
}

fn alert(id: u64) -> RegimeAlert {
    RegimeAlert {
        id,
        symbol: "BTCUSDT".into(),
        timeframe: "1h".into(),
        from: Regime::Range,
        to: Regime::TrendUp,
        adx: 27.06,
        atr_pct: Some(0.018),
        timestamp: Timestamp(1_760_014_800_000),
        message: Some("ADX crossed 25".into()),
    }
}

/// Sets a select's value and sends the bubbling `change` a user's pick sends.
fn choose(select: &web_sys::HtmlElement, value: &str) {
    let select: &web_sys::HtmlSelectElement = select.unchecked_ref();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    select.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn regime_widget_shows_label_class_and_formatted_indicators() {
    let conn = FakeConnection::new();
    conn.snapshot
        .set(Some(snapshot(Regime::TrendUp, 100_000.0)));
    // The hook's price: the newest from any source, here the snapshot's close.
    conn.last_price.set(Some(PriceView {
        price: 64210.5,
        previous: None,
        received_at: 100_000.0,
        at: Timestamp(0),
        source: PriceSource::Snapshot,
    }));
    let page = mount(conn, || view! { <RegimeWidget /> });
    settle().await;

    assert_eq!(page.text("regime-label"), "trend up");
    assert_eq!(page.attr("regime-label", "data-regime"), "trend_up");
    assert!(page
        .one("regime-label")
        .class_list()
        .contains("regime-trend-up"));
    assert_eq!(page.text("adx-value"), "18.5");
    assert_eq!(page.text("atr-pct"), "1.56 %");
    assert_eq!(page.text("plus-di"), "17.2");
    // A missing value is a dash, never `undefined` or `NaN`.
    assert_eq!(page.text("minus-di"), "—");
    assert!(page.text("last-price").contains("64,210.50"));
    assert_eq!(page.attr("freshness", "data-state"), "fresh");

    // An unknown label is shown as it came, in the neutral style.
    conn.snapshot
        .set(Some(snapshot(Regime::Other("squeeze".into()), 100_000.0)));
    settle().await;
    assert_eq!(page.text("regime-label"), "squeeze");
    assert_eq!(page.attr("regime-label", "data-regime"), "squeeze");
    assert!(page
        .one("regime-label")
        .class_list()
        .contains("regime-other"));

    // Freshness: amber at twice the poll period, red at five times.
    conn.now.set(100_000.0 + 12_000.0);
    settle().await;
    assert_eq!(page.attr("freshness", "data-state"), "amber");
    assert!(page.text("freshness").contains("regime updated 12 s ago"));
    // The price's age is its own, beside it.
    assert_eq!(page.text("price-age"), "12 s ago");
    conn.now.set(100_000.0 + 30_000.0);
    settle().await;
    assert_eq!(page.attr("freshness", "data-state"), "red");

    // A price tick flashes in its direction.
    conn.last_price.set(Some(PriceView {
        price: 64300.0,
        previous: Some(64210.5),
        received_at: 100_000.0,
        at: Timestamp(0),
        source: PriceSource::Tick,
    }));
    settle().await;
    let class = page.one("last-price").class_name();
    assert!(class.contains("flash-up"), "{class}");
    let non_finite = ["NaN", "inf", "undefined"];
    let all_text = page.root.text_content().unwrap();
    assert!(
        non_finite.iter().all(|w| !all_text.contains(w)),
        "{all_text}"
    );
}

#[wasm_bindgen_test]
async fn regime_widget_states_loading_offline_and_empty() {
    let conn = FakeConnection::new();
    conn.loading.set(true);
    let page = mount(conn, || view! { <RegimeWidget /> });
    settle().await;
    assert!(page.find("skeleton").is_some());

    conn.loading.set(false);
    conn.mode.set(Mode::Offline);
    settle().await;
    assert!(page.find("skeleton").is_none());
    assert!(page.text("error-state").contains("does not answer"));

    conn.mode.set(Mode::Live);
    settle().await;
    assert!(page.find("empty-state").is_some());
}

#[wasm_bindgen_test]
async fn a_signal_row_shows_every_field_and_backend_markup_stays_text() {
    let conn = FakeConnection::new();
    let evil = "<img src=x onerror=alert(1)>";
    conn.signals.set(vec![trade_signal(57, Side::Long, evil)]);
    let page = mount(conn, || view! { <SignalsList /> });
    settle().await;

    let rows = page.all("signal-row");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get_attribute("data-id").as_deref(), Some("57"));
    // From another year than this one: the date too, to the minute (in the
    // local zone).
    // (`10-09 HH:MM` on a machine whose clock is still in 2025.)
    let time = page.text("signal-time");
    let time = time.strip_prefix("2025-").unwrap_or(&time);
    assert_eq!(time.len(), 11, "{time}");
    assert!(time.starts_with("10-"), "{time}");
    assert_eq!(time.as_bytes()[8], b':');
    assert_eq!(
        page.attr("signal-time", "title"),
        "2025-10-09T13:00:00.000Z"
    );
    assert_eq!(page.text("signal-symbol"), "BTCUSDT");
    assert_eq!(page.text("signal-tf"), "1h");
    assert_eq!(page.text("signal-side"), "long");
    assert!(page.root.query_selector(".side-long").unwrap().is_some());
    assert_eq!(page.text("signal-price"), "64,250.50");
    assert_eq!(page.text("signal-strategy"), "adx-breakout");
    assert_eq!(page.text("signal-confidence"), "72 %");
    // The note is text: the markup shows as typed and makes no element.
    assert_eq!(page.text("signal-note"), evil);
    assert!(page.root.query_selector("img").unwrap().is_none());

    // Newest first, keyed by id: a new signal goes on top.
    conn.signals
        .update(|s| s.insert(0, trade_signal(58, Side::Short, "DI- over DI+")));
    settle().await;
    let ids: Vec<String> = page
        .all("signal-row")
        .iter()
        .map(|r| r.get_attribute("data-id").unwrap())
        .collect();
    assert_eq!(ids, vec!["58", "57"]);

    // The side filter.
    choose(&page.one("signal-filter-side"), "short");
    settle().await;
    let ids: Vec<String> = page
        .all("signal-row")
        .iter()
        .map(|r| r.get_attribute("data-id").unwrap())
        .collect();
    assert_eq!(ids, vec!["58"]);
    choose(&page.one("signal-filter-side"), "flat");
    settle().await;
    assert!(page.all("signal-row").is_empty());
    assert!(page.text("empty-state").contains("match"));
}

#[wasm_bindgen_test]
async fn signals_list_says_when_there_are_none_yet() {
    let conn = FakeConnection::new();
    conn.loading.set(true);
    let page = mount(conn, || view! { <SignalsList /> });
    settle().await;
    assert!(page.find("skeleton").is_some());
    conn.loading.set(false);
    settle().await;
    assert!(page.text("empty-state").contains("No signals yet"));
}

#[wasm_bindgen_test]
async fn toasts_show_three_group_a_burst_and_go() {
    let conn = FakeConnection::new();
    // The hook's clock ahead of the page's own, so the test drives it.
    conn.now.set(1e12);
    let page = mount(conn, || view! { <Toasts /> });
    settle().await;
    assert_eq!(page.attr("toasts", "aria-live"), "polite");
    assert!(page.all("toast").is_empty());

    conn.fresh_alerts.set((1, (1..=3).map(fresh).collect()));
    settle().await;
    let toasts = page.all("toast");
    assert_eq!(toasts.len(), 3);
    assert!(toasts[0]
        .text_content()
        .unwrap()
        .contains("BTCUSDT 1h: range → trend up · ADX 27.1"));
    assert!(page.find("toast-more").is_none());

    // The same batch again does not toast again.
    conn.fresh_alerts.set((1, (1..=3).map(fresh).collect()));
    settle().await;
    assert_eq!(page.all("toast").len(), 3);

    // Two more within ten seconds: a burst, one toast for all five.
    conn.now.update(|n| *n += 2_000.0);
    conn.fresh_alerts.set((2, (4..=5).map(fresh).collect()));
    settle().await;
    let toasts = page.all("toast");
    assert_eq!(toasts.len(), 1);
    assert!(toasts[0]
        .text_content()
        .unwrap()
        .contains("5 regime changes in 2 s"));
    assert_eq!(
        page.text("toast-message"),
        "Newest: BTCUSDT 1h: range → trend up · ADX 27.1"
    );

    // Eight seconds later it is gone.
    conn.now.update(|n| *n += 8_000.0);
    settle().await;
    assert!(page.all("toast").is_empty());
}

#[wasm_bindgen_test]
async fn health_panel_opens_when_something_is_wrong() {
    let conn = FakeConnection::new();
    let page = mount(conn, || view! { <HealthPanel /> });
    settle().await;
    let details: web_sys::HtmlDetailsElement = page.one("health-panel").unchecked_into();
    assert!(!details.open(), "all is well: one closed line");
    assert_eq!(page.text("health-mode"), "● Live");
    assert_eq!(page.text("health-transport"), "plain WebSocket");
    assert_eq!(page.text("health-url"), "ws://127.0.0.1:8081/ws");

    // Connected, but the market data stopped 31 s ago: not green any more.
    conn.health
        .update(|h| h.live.market_at = Some(100_000.0 - 31_000.0));
    settle().await;
    assert_eq!(page.text("health-mode"), "◐ Live, no data");

    conn.health.update(|h| {
        h.problems.push(DiagnosisView {
            severity: "error",
            sentence: "The live server refused the connection: is the backend running?".into(),
            detail: "WebSocket closed with code 1006".into(),
        });
        h.retries = 3;
        h.next_retry_at = Some(104_200.0);
    });
    conn.mode.set(Mode::Api);
    settle().await;
    assert!(details.open());
    assert_eq!(page.attr("health-diagnosis", "data-severity"), "error");
    assert!(page
        .text("health-diagnosis")
        .contains("refused the connection"));
    assert_eq!(
        page.text("health-detail"),
        "WebSocket closed with code 1006"
    );
    assert_eq!(page.text("health-retries"), "3");
    assert_eq!(page.text("health-next-retry"), "in 5 s");
}

#[wasm_bindgen_test]
async fn the_token_field_hands_a_new_token_to_the_hook_and_keeps_none() {
    let conn = FakeConnection::new();
    let page = mount(conn, || view! { <HealthPanel /> });
    settle().await;
    assert_eq!(page.text("token-state"), "token: none");
    let input: web_sys::HtmlInputElement = page.one("token-input").unchecked_into();
    assert_eq!(input.type_(), "password");
    input.set_value("s3cr3t");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    page.one("token-connect").click();
    settle().await;
    assert_eq!(conn.tokens.get_untracked(), [("s3cr3t".to_string(), false)]);
    assert_eq!(input.value(), "", "the field lets go of the secret");
    conn.health.update(|h| h.token_set = true);
    settle().await;
    assert_eq!(page.text("token-state"), "token: set");
    assert!(!page.root.inner_html().contains("s3cr3t"));
}

#[wasm_bindgen_test]
async fn header_badge_and_selectors_talk_to_the_hook() {
    let conn = FakeConnection::new();
    conn.mode.set(Mode::Api);
    let page = mount(conn, || view! { <Header /> });
    settle().await;
    assert_eq!(page.attr("badge", "data-mode"), "api");
    assert_eq!(page.text("badge"), "○ API");
    assert!(page
        .attr("badge", "title")
        .contains("http://127.0.0.1:8081"));

    page.one("reconnect").click();
    settle().await;
    assert_eq!(conn.reconnects.get_untracked(), 1);

    // ETHUSDT has no 1m: switching keeps 1h, which it has.
    choose(&page.one("symbol-select"), "ETHUSDT");
    settle().await;
    assert_eq!(
        conn.selected.get_untracked(),
        vec![("ETHUSDT".to_string(), "1h".to_string())]
    );
    choose(&page.one("tf-select"), "1m");
    settle().await;
    assert_eq!(
        conn.selected.get_untracked().last().unwrap(),
        &("BTCUSDT".to_string(), "1m".to_string())
    );
}

#[wasm_bindgen_test]
async fn the_whole_page_draws_history_into_sparklines_and_chart() {
    let conn = FakeConnection::new();
    conn.snapshot.set(Some(snapshot(Regime::Range, 100_000.0)));
    conn.history.set(
        (0..60)
            .map(|i| RegimePoint {
                timestamp: Timestamp(1_760_000_000_000 + i * 3_600_000),
                regime: if i < 30 {
                    Regime::Range
                } else {
                    Regime::TrendUp
                },
                adx: 15.0 + i as f64 / 3.0,
                atr_pct: 0.01,
                close: Some(64_000.0 + i as f64 * 10.0),
            })
            .collect(),
    );
    let page = mount(conn, || view! { <Dashboard /> });
    settle().await;
    for id in ["sparkline-adx", "sparkline-atr", "sparkline-close"] {
        let spark = page.one(id);
        let d = spark
            .query_selector("path.line")
            .unwrap()
            .unwrap()
            .get_attribute("d")
            .unwrap();
        assert!(d.starts_with('M') && d.len() > 100, "{id}: {d}");
        assert_eq!(
            spark.query_selector_all("rect.band").unwrap().length(),
            2,
            "{id}"
        );
    }
    gloo_timers::future::TimeoutFuture::new(100).await;
    let canvas: web_sys::HtmlCanvasElement = page.one("history-chart").unchecked_into();
    assert!(canvas.width() > 0 && canvas.height() > 0);
    let save: web_sys::HtmlButtonElement = page.one("save-png").unchecked_into();
    assert!(!save.disabled());
    // The ribbon's one change (range to trend up), counted beside the candles.
    assert_eq!(
        page.one("chart-changes").text_content().unwrap(),
        "· 1 regime change"
    );
}
