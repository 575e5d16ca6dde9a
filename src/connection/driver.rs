//! The driver: owns the core's `Connection` and does what it asks with the
//! browser, feeding everything that happens back in as an input.
//!
//! Per input: call the core's handler, perform every command it queued
//! (`poll_command` until empty), re-arm the one timer for `poll_timeout`,
//! and ask for an animation frame. On the frame, the view is rebuilt from
//! the core's `take_changes` (see [`regime_view::build_frame`]) and handed to whoever
//! draws it, and the `window.__regime` hook is refreshed.
//!
//! Re-entrancy: every input goes through a queue. A handler never runs
//! inside another one: an input that arrives while the core is borrowed
//! (an exception thrown while a command is performed, a Leptos effect that
//! selects a symbol during a frame) waits in the queue and is handled by the
//! drain loop that holds the borrow. No `RefCell` is ever borrowed twice.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};

use regime_core::machine::{
    Command, Connection, Mode, Policy, RequestId, RestOutcome, SocketId, Status,
};
use regime_core::settings::Settings;
use regime_core::token::Token;
use regime_core::Millis;
use regime_view::{build_frame, FrameUpdate, ViewState};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, Event, EventTarget};

use super::clock;
use super::socket::LiveSocket;
use super::test_hook::TestHook;
use super::worker_socket::{split_frames, Piece, Record, WorkerLink, WorkerNews};

/// Inputs waiting past this many (only possible if the core stayed borrowed
/// after a panic) are dropped, so a flood cannot grow memory without bound.
const MAX_QUEUED_INPUTS: usize = 100_000;

/// After a timeout, a deadline that is still due is retried this much later
/// rather than at once, so that a deadline the core cannot clear never
/// becomes a busy loop.
const OVERDUE_RETRY_MS: Millis = 50;

/// How the driver is set up. [`Default`] is the page's setup.
#[derive(Clone, Debug)]
pub struct DriverOptions {
    /// The core's numbers (back-off, timeouts, store limits; the store's
    /// signal limit is also the signals list's length, see
    /// [`regime_view::lists`]). Defaults to `Policy::default()`.
    pub policy: Policy,
    /// The reconnect jitter's seed. Defaults to a random one per page load.
    pub seed: u64,
    /// Listen to `online`/`offline`, `visibilitychange` and `focus`.
    /// Defaults to true.
    pub window_events: bool,
    /// Refresh the view on animation frames. Without it, only
    /// [`Driver::refresh`] builds a frame. Defaults to true.
    pub animation_frames: bool,
    /// Publish `window.__regime`. Defaults to true.
    pub test_hook: bool,
    /// Write the selected symbol/timeframe into the page URL
    /// (`history.replaceState`). Defaults to true.
    pub write_url: bool,
    /// Settings that could not be used, as sentences for the health panel.
    /// Defaults to none.
    pub setting_problems: Vec<String>,
    /// The host the link points the data at, when it is not the page's own
    /// backend, for the notice. Defaults to none.
    pub link_elsewhere: Option<String>,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            policy: Policy::default(),
            seed: clock::random_seed(),
            window_events: true,
            animation_frames: true,
            test_hook: true,
            write_url: true,
            setting_problems: Vec::new(),
            link_elsewhere: None,
        }
    }
}

/// Something that happened, for the core.
#[derive(Debug)]
pub(crate) enum Input {
    Start,
    SocketOpen(SocketId),
    SocketText(SocketId, String),
    SocketBinary(SocketId, usize),
    SocketClosed {
        socket: SocketId,
        code: u16,
        reason: String,
        was_clean: bool,
    },
    SocketError(SocketId),
    Rest(RequestId, RestOutcome),
    Timeout,
    Online(bool),
    Visibility(bool),
    Reconnect,
    Select(String, String),
    /// The "Regimes by timeframe" matrix shows this many rows.
    MatrixRows(usize),
    /// A new token from the Token field (none: forget it), and whether to
    /// remember it on this device.
    SetToken(Option<Token>, bool),
    /// The live Worker posted something (see [`super::worker_socket`]).
    Worker(WorkerNews),
}

/// A live socket: the page's own, or one the Worker holds.
enum Socket {
    Page(LiveSocket),
    /// Held by the Worker; its URL, to open it here should the Worker fail
    /// to load.
    Worker(String),
}

/// Where the Worker stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WorkerState {
    /// Started; its script may still be loading (messages to it wait).
    Loading,
    Ready,
}

/// The core and the browser resources its commands created.
struct Core {
    connection: Connection,
    sockets: HashMap<SocketId, Socket>,
    /// The live Worker, while the sockets go through it.
    worker: Option<(WorkerLink, WorkerState)>,
    fetches: HashMap<RequestId, Option<AbortController>>,
    /// The armed `setTimeout`: (handle, deadline).
    timer: Option<(i32, Millis)>,
    /// The last input was a timeout.
    after_timeout: bool,
}

/// Who receives each frame's view changes.
type FrameReceiver = Box<dyn FnMut(FrameUpdate)>;
/// The animation-frame callback (its argument is the frame's time).
type FrameCallback = Closure<dyn FnMut(f64)>;

/// A window or document listener, removed when the driver stops.
struct Listener {
    target: EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

/// Everything the driver's closures share (through `Weak`, so that dropping
/// the last [`Driver`] frees it all).
pub(crate) struct Shared {
    core: RefCell<Core>,
    queue: RefCell<VecDeque<Input>>,
    view: RefCell<ViewState>,
    hook: RefCell<Option<TestHook>>,
    on_frame: RefCell<Option<FrameReceiver>>,
    /// Closed sockets whose closures may still be on the stack: freed on the
    /// next timer, frame or tick.
    graveyard: RefCell<Vec<LiveSocket>>,
    timer_closure: RefCell<Option<Closure<dyn FnMut()>>>,
    frame_closure: RefCell<Option<FrameCallback>>,
    tick_closure: RefCell<Option<Closure<dyn FnMut()>>>,
    tick_handle: Cell<Option<i32>>,
    frame_handle: Cell<Option<i32>>,
    listeners: RefCell<Vec<Listener>>,
    started: Cell<bool>,
    stopped: Cell<bool>,
    options: DriverOptions,
    /// The selection last written into the URL.
    url_selection: RefCell<Option<(String, String)>>,
}

/// The connection driver. Cloning gives another handle to the same one.
#[derive(Clone)]
pub struct Driver {
    shared: Rc<Shared>,
}

impl Driver {
    /// A driver for these settings; nothing happens until [`Driver::start`].
    pub fn new(settings: Settings, options: DriverOptions) -> Driver {
        let connection = Connection::new(settings, options.policy, options.seed.max(1));
        let mut view = ViewState::new(options.setting_problems.clone());
        view.link_elsewhere = options.link_elsewhere.clone();
        let shared = Rc::new(Shared {
            core: RefCell::new(Core {
                connection,
                sockets: HashMap::new(),
                worker: None,
                fetches: HashMap::new(),
                timer: None,
                after_timeout: false,
            }),
            queue: RefCell::new(VecDeque::new()),
            view: RefCell::new(view),
            hook: RefCell::new(None),
            on_frame: RefCell::new(None),
            graveyard: RefCell::new(Vec::new()),
            timer_closure: RefCell::new(None),
            frame_closure: RefCell::new(None),
            tick_closure: RefCell::new(None),
            tick_handle: Cell::new(None),
            frame_handle: Cell::new(None),
            listeners: RefCell::new(Vec::new()),
            started: Cell::new(false),
            stopped: Cell::new(false),
            options,
            url_selection: RefCell::new(None),
        });
        Shared::make_closures(&shared);
        Driver { shared }
    }

    /// Sets who receives the view changes, once per animation frame.
    pub fn set_on_frame(&self, on_frame: impl FnMut(FrameUpdate) + 'static) {
        *self.shared.on_frame.borrow_mut() = Some(Box::new(on_frame));
    }

    /// Starts the connection: REST and the live side at once, the window
    /// listeners, the test hook and the 1 Hz watchdog. Calling it again does
    /// nothing.
    pub fn start(&self) {
        let s = &self.shared;
        if s.started.replace(true) || s.stopped.get() {
            return;
        }
        if s.options.test_hook {
            *s.hook.borrow_mut() = TestHook::install();
        }
        if s.options.window_events {
            Shared::listen(s);
        }
        Shared::start_tick(s);
        Shared::start_worker(s);
        Shared::input(s, Input::Start);
        let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
        if !online {
            Shared::input(s, Input::Online(false));
        }
    }

    /// "Reconnect now".
    pub fn reconnect(&self) {
        Shared::input(&self.shared, Input::Reconnect);
    }

    /// A new token, typed into the Token field: kept for this backend (on
    /// this device too when `remember`), and used at once. An empty or
    /// unusable text forgets the token.
    pub fn set_token(&self, text: &str, remember: bool) {
        Shared::input(&self.shared, Input::SetToken(Token::new(text), remember));
    }

    /// Shows another symbol/timeframe.
    pub fn select(&self, symbol: &str, timeframe: &str) {
        Shared::input(
            &self.shared,
            Input::Select(symbol.to_string(), timeframe.to_string()),
        );
    }

    /// The matrix shows `rows` rows: the core fetches and subscribes to them.
    pub fn set_matrix_rows(&self, rows: usize) {
        Shared::input(&self.shared, Input::MatrixRows(rows));
    }

    /// Tells the core whether the browser is online (as the window events
    /// would).
    pub fn set_online(&self, online: bool) {
        Shared::input(&self.shared, Input::Online(online));
    }

    /// Tells the core whether the page is visible (as `visibilitychange`
    /// would).
    pub fn set_visible(&self, visible: bool) {
        Shared::input(&self.shared, Input::Visibility(visible));
    }

    /// Builds a frame now (as an animation frame would) and hands it to the
    /// `on_frame` receiver; also returns it.
    pub fn refresh(&self) -> Option<FrameUpdate> {
        Shared::frame(&self.shared)
    }

    /// Reads the core. `None` only while the core is busy (never from
    /// outside a handler).
    pub fn with_connection<R>(&self, f: impl FnOnce(&Connection) -> R) -> Option<R> {
        self.shared.core.try_borrow().ok().map(|c| f(&c.connection))
    }

    /// The mode now.
    pub fn mode(&self) -> Mode {
        self.with_connection(|c| c.mode())
            .unwrap_or(Mode::Connecting)
    }

    /// The core's status now.
    pub fn status(&self) -> Option<Status> {
        self.with_connection(|c| c.status().clone())
    }

    /// Live sockets and fetches the driver holds open: for tests that check
    /// nothing leaks across reconnects.
    pub fn open_resources(&self) -> (usize, usize) {
        self.shared
            .core
            .try_borrow()
            .map_or((0, 0), |c| (c.sockets.len(), c.fetches.len()))
    }

    /// Stops everything: closes sockets, aborts fetches, clears timers and
    /// removes listeners. The driver ignores every later input.
    pub fn stop(&self) {
        Shared::stop(&self.shared);
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The closures are freed with this value: nothing the browser holds
        // may still call them.
        self.shutdown();
    }
}

impl Shared {
    /// Reports an input from a closure that holds a weak reference.
    pub(crate) fn send_input(weak: &Weak<Shared>, input: Input) {
        if let Some(shared) = weak.upgrade() {
            Shared::input(&shared, input);
        }
    }

    fn make_closures(this: &Rc<Shared>) {
        let weak = Rc::downgrade(this);
        let timer = Closure::<dyn FnMut()>::new(move || {
            if let Some(s) = weak.upgrade() {
                if let Ok(mut core) = s.core.try_borrow_mut() {
                    core.timer = None;
                }
                s.graveyard.borrow_mut().clear();
                Shared::input(&s, Input::Timeout);
            }
        });
        let weak = Rc::downgrade(this);
        let frame = Closure::<dyn FnMut(f64)>::new(move |_: f64| {
            if let Some(s) = weak.upgrade() {
                s.frame_handle.set(None);
                Shared::frame(&s);
            }
        });
        let weak = Rc::downgrade(this);
        let tick = Closure::<dyn FnMut()>::new(move || {
            if let Some(s) = weak.upgrade() {
                Shared::tick(&s);
            }
        });
        *this.timer_closure.borrow_mut() = Some(timer);
        *this.frame_closure.borrow_mut() = Some(frame);
        *this.tick_closure.borrow_mut() = Some(tick);
    }

    /// Queues an input and handles the queue unless a drain is already
    /// under way further up the stack.
    pub(crate) fn input(this: &Rc<Shared>, input: Input) {
        if this.stopped.get() {
            return;
        }
        {
            let mut queue = this.queue.borrow_mut();
            if queue.len() >= MAX_QUEUED_INPUTS {
                queue.clear();
            }
            queue.push_back(input);
        }
        Shared::drain(this);
    }

    fn drain(this: &Rc<Shared>) {
        let Ok(mut core) = this.core.try_borrow_mut() else {
            // A drain further up the stack holds the core: it will take this
            // input from the queue before it returns.
            return;
        };
        let mut now = clock::now();
        loop {
            let next = this.queue.borrow_mut().pop_front();
            let Some(input) = next else { break };
            now = clock::now();
            core.after_timeout = matches!(input, Input::Timeout);
            Shared::apply(this, &mut core, now, input);
            Shared::perform(this, &mut core, now);
        }
        Shared::arm_timer(this, &mut core, now);
        drop(core);
        Shared::request_frame(this);
    }

    fn apply(this: &Rc<Shared>, core: &mut Core, now: Millis, input: Input) {
        if let Input::Worker(news) = input {
            return Shared::worker_news(this, core, now, news);
        }
        let c = &mut core.connection;
        match input {
            Input::Start => {
                // This computer's clock, to judge the backend's timestamps.
                c.set_wall_clock(now, js_sys::Date::now() as i64);
                c.start(now)
            }
            Input::SocketOpen(id) => c.handle_socket_open(now, id),
            Input::SocketText(id, text) => c.handle_socket_text(now, id, &text),
            Input::SocketBinary(id, len) => c.handle_socket_binary(now, id, len),
            Input::SocketClosed {
                socket,
                code,
                reason,
                was_clean,
            } => {
                if let Some(Socket::Page(gone)) = core.sockets.remove(&socket) {
                    this.graveyard.borrow_mut().push(gone);
                }
                core.connection
                    .handle_socket_closed(now, socket, code, &reason, was_clean);
            }
            Input::Worker(_) => {}
            Input::SocketError(id) => c.handle_socket_error(now, id),
            Input::Rest(id, outcome) => {
                core.fetches.remove(&id);
                core.connection.handle_rest(now, id, outcome);
            }
            Input::Timeout => c.handle_timeout(now),
            Input::Online(online) => c.handle_online(now, online),
            Input::Visibility(visible) => {
                c.handle_visibility(now, visible);
                // Background tabs throttle timers: whatever fell due while
                // hidden is run now.
                c.handle_timeout(now);
            }
            Input::Reconnect => c.user_reconnect(now),
            Input::SetToken(token, remember) => {
                c.set_token(now, token);
                super::token_store::save(c.settings().token.as_ref(), remember);
            }
            Input::Select(symbol, timeframe) => c.select(now, &symbol, &timeframe),
            Input::MatrixRows(rows) => c.set_matrix_rows(now, rows),
        }
    }

    /// Performs every queued command. A send that the browser refuses
    /// becomes an input (queued: the core is borrowed here); a socket it
    /// refuses to create is told to the core at once, and what the core
    /// does about it joins this loop.
    fn perform(this: &Rc<Shared>, core: &mut Core, now: Millis) {
        while let Some(command) = core.connection.poll_command() {
            match command {
                Command::OpenSocket {
                    socket,
                    url,
                    kind: _,
                } => {
                    if let Some((link, _)) = &core.worker {
                        let max = core.connection.settings().live_queue;
                        link.open(socket, &url, max);
                        core.sockets.insert(socket, Socket::Worker(url));
                        continue;
                    }
                    match LiveSocket::open(&url, socket, Rc::downgrade(this)) {
                        Ok(live) => {
                            core.sockets.insert(socket, Socket::Page(live));
                        }
                        Err(message) => {
                            // No event will come for a socket the browser
                            // refused to create: its words say why.
                            core.connection.handle_socket_refused(now, socket, &message);
                        }
                    }
                }
                Command::Send { socket, text } => match core.sockets.get(&socket) {
                    Some(Socket::Page(live)) if live.send(&text).is_err() => {
                        this.queue
                            .borrow_mut()
                            .push_back(Input::SocketError(socket));
                    }
                    Some(Socket::Page(_)) => {}
                    Some(Socket::Worker(_)) => {
                        // A send the Worker's socket refuses comes back as
                        // an error record.
                        if let Some((link, _)) = &core.worker {
                            link.send(socket, &text);
                        }
                    }
                    None => {}
                },
                Command::CloseSocket { socket } => match core.sockets.remove(&socket) {
                    Some(Socket::Page(live)) => {
                        live.close();
                        this.graveyard.borrow_mut().push(live);
                    }
                    Some(Socket::Worker(_)) => {
                        if let Some((link, _)) = &core.worker {
                            link.close(socket);
                        }
                    }
                    None => {}
                },
                Command::Fetch {
                    request,
                    url,
                    what: _,
                    opaque,
                    authorization,
                } => {
                    let authorization = authorization.map(|t| t.bearer());
                    let controller = super::rest::abort_controller();
                    let signal = controller.as_ref().map(|c| c.signal());
                    core.fetches.insert(request, controller);
                    let weak = Rc::downgrade(this);
                    wasm_bindgen_futures::spawn_local(async move {
                        let outcome = super::rest::get(
                            &url,
                            opaque,
                            authorization.as_deref(),
                            signal.as_ref(),
                        )
                        .await;
                        Shared::send_input(&weak, Input::Rest(request, outcome));
                    });
                }
                Command::CancelFetch { request } => {
                    if let Some(Some(controller)) = core.fetches.remove(&request) {
                        controller.abort();
                    }
                }
            }
        }
    }

    /// Keeps one `setTimeout` armed for the core's earliest deadline. A
    /// later deadline does not re-arm (the early wake-up is harmless and
    /// re-arms then), so a frame flood does not cost a clear/set pair per
    /// frame.
    fn arm_timer(this: &Rc<Shared>, core: &mut Core, now: Millis) {
        let Some(deadline) = core.connection.poll_timeout() else {
            return;
        };
        if let Some((_, armed)) = core.timer {
            if armed <= deadline {
                return;
            }
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some((handle, _)) = core.timer.take() {
            window.clear_timeout_with_handle(handle);
        }
        let delay = if deadline > now {
            deadline - now
        } else if core.after_timeout {
            OVERDUE_RETRY_MS
        } else {
            0
        };
        let delay = i32::try_from(delay).unwrap_or(i32::MAX);
        let closure = this.timer_closure.borrow();
        let Some(callback) = closure.as_ref() else {
            return;
        };
        if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            delay,
        ) {
            core.timer = Some((handle, deadline.max(now)));
        }
    }

    fn request_frame(this: &Rc<Shared>) {
        if !this.options.animation_frames || this.frame_handle.get().is_some() || this.stopped.get()
        {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let closure = this.frame_closure.borrow();
        let Some(callback) = closure.as_ref() else {
            return;
        };
        if let Ok(handle) = window.request_animation_frame(callback.as_ref().unchecked_ref()) {
            this.frame_handle.set(Some(handle));
        }
    }

    /// One view refresh: build the changes under the core's borrow, then
    /// hand them out with no borrow held (the receiver may call back in).
    fn frame(this: &Rc<Shared>) -> Option<FrameUpdate> {
        this.graveyard.borrow_mut().clear();
        if this.stopped.get() {
            return None;
        }
        let (update, live) = {
            let Ok(mut core) = this.core.try_borrow_mut() else {
                return None;
            };
            let mut view = this.view.borrow_mut();
            view.set_panic(super::panic::message());
            view.now = clock::now() as f64;
            let update = build_frame(&mut core.connection, &mut view);
            let live = Shared::live_path(&core);
            if view.signals_pending || view.traffic_pending || view.mode_pending() {
                // The list, the traffic figures or a change of the badge
                // were held back this frame: come back for them.
                drop(view);
                drop(core);
                Shared::request_frame(this);
            }
            (update, live)
        };
        if let Some(hook) = this.hook.borrow_mut().as_mut() {
            hook.update(&update.counters);
            hook.update_live(live.0, live.1, live.2);
        }
        // Take the receiver out while it runs, so that it may use the driver.
        let receiver = this.on_frame.borrow_mut().take();
        if let Some(mut receiver) = receiver {
            receiver(update.clone());
            let mut slot = this.on_frame.borrow_mut();
            if slot.is_none() {
                *slot = Some(receiver);
            }
        }
        // After the view: `history.replaceState` costs milliseconds that the
        // first data on screen should not wait for.
        if this.options.write_url {
            if let Some(selection) = &update.selection {
                Shared::write_url(this, selection);
            }
        }
        Some(update)
    }

    /// `history.replaceState` with `symbol` and `tf` in the query, so that a
    /// copied link shows the same view.
    fn write_url(this: &Rc<Shared>, selection: &(String, String)) {
        if selection.0.is_empty() || this.url_selection.borrow().as_ref() == Some(selection) {
            return;
        }
        *this.url_selection.borrow_mut() = Some(selection.clone());
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let (Ok(path), Ok(search), Ok(hash)) =
            (location.pathname(), location.search(), location.hash())
        else {
            return;
        };
        let query = regime_core::settings::query_with_selection(
            &search,
            Some(&selection.0),
            Some(&selection.1),
        );
        if query == search {
            return;
        }
        if let Ok(history) = window.history() {
            // Only a security error (a sandboxed frame) can refuse this; the
            // URL then simply stays as it was.
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("{path}{query}{hash}")),
            );
        }
    }

    /// Which path the live socket takes (`worker` or `page`), and the
    /// Worker's gaps and the frames skipped in them, for `window.__regime`.
    fn live_path(core: &Core) -> (&'static str, u64, u64) {
        let status = core.connection.status();
        let path = if core.worker.is_some() {
            "worker"
        } else {
            "page"
        };
        (path, status.live_gaps, status.live_skipped)
    }

    /// Starts the live Worker, unless `liveWorker=off`, REST only, or the
    /// browser has none: then the page opens its sockets itself.
    fn start_worker(this: &Rc<Shared>) {
        let Ok(mut core) = this.core.try_borrow_mut() else {
            return;
        };
        let settings = core.connection.settings();
        if !settings.live_worker || settings.protocol == regime_core::settings::Protocol::Off {
            return;
        }
        core.worker = WorkerLink::start(Rc::downgrade(this)).map(|l| (l, WorkerState::Loading));
    }

    /// What the Worker posted: a tick of socket events goes to the core in
    /// order (a run of texts in one call), then the Worker may post the
    /// next; a Worker that failed gives its sockets to the page.
    fn worker_news(this: &Rc<Shared>, core: &mut Core, now: Millis, news: WorkerNews) {
        match news {
            WorkerNews::Ready => {
                if let Some((_, state)) = &mut core.worker {
                    *state = WorkerState::Ready;
                }
            }
            WorkerNews::Failed => Shared::worker_failed(this, core, now),
            WorkerNews::Tick(tick) => {
                let mut offset = 0;
                for record in tick.records {
                    let c = &mut core.connection;
                    match record {
                        Record::Opened(s) => c.handle_socket_open(now, s),
                        Record::Frames(s, lens) => {
                            split_frames(&tick.bytes, &mut offset, &lens, |piece| match piece {
                                Piece::Texts(texts) => c.handle_socket_texts(now, s, texts),
                                Piece::Binary(len) => c.handle_socket_binary(now, s, len),
                            })
                        }
                        Record::Closed {
                            socket,
                            code,
                            reason,
                            was_clean,
                        } => {
                            core.sockets.remove(&socket);
                            c.handle_socket_closed(now, socket, code, &reason, was_clean);
                        }
                        Record::Error(s) => c.handle_socket_error(now, s),
                        Record::Refused(s, words) => {
                            core.sockets.remove(&s);
                            c.handle_socket_refused(now, s, &words);
                        }
                        Record::Gap(s, dropped) => c.handle_socket_gap(now, s, dropped),
                    }
                }
                if let Some((link, _)) = &core.worker {
                    link.ack();
                }
            }
        }
    }

    /// The Worker's script did not load or stopped. Sockets it never
    /// reported on (it never ran) open here under the same ids, so the core
    /// cannot tell; sockets of a Worker that ran are lost, which the core
    /// hears as an error and reconnects (on the page from now on).
    fn worker_failed(this: &Rc<Shared>, core: &mut Core, now: Millis) {
        let Some((_, state)) = core.worker.take() else {
            return;
        };
        let held: Vec<(SocketId, String)> = core
            .sockets
            .iter()
            .filter_map(|(id, s)| match s {
                Socket::Worker(url) => Some((*id, url.clone())),
                Socket::Page(_) => None,
            })
            .collect();
        for (socket, url) in held {
            core.sockets.remove(&socket);
            if state == WorkerState::Loading {
                match LiveSocket::open(&url, socket, Rc::downgrade(this)) {
                    Ok(live) => {
                        core.sockets.insert(socket, Socket::Page(live));
                    }
                    Err(message) => core.connection.handle_socket_refused(now, socket, &message),
                }
            } else {
                let mut queue = this.queue.borrow_mut();
                queue.push_back(Input::SocketError(socket));
                queue.push_back(Input::SocketClosed {
                    socket,
                    code: 1006,
                    reason: String::new(),
                    was_clean: false,
                });
            }
        }
    }

    /// Once a second: free closed sockets, and run an overdue deadline that
    /// a throttled timer has not run yet.
    fn tick(this: &Rc<Shared>) {
        this.graveyard.borrow_mut().clear();
        let overdue = this
            .core
            .try_borrow()
            .is_ok_and(|c| c.timer.is_some_and(|(_, at)| at + 1000 < clock::now()));
        if overdue {
            Shared::input(this, Input::Timeout);
        }
    }

    fn start_tick(this: &Rc<Shared>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let closure = this.tick_closure.borrow();
        let Some(callback) = closure.as_ref() else {
            return;
        };
        if let Ok(handle) = window.set_interval_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            1000,
        ) {
            this.tick_handle.set(Some(handle));
        }
    }

    /// `online`/`offline` and `focus` on the window, `visibilitychange` on
    /// the document.
    fn listen(this: &Rc<Shared>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let mut listeners = Vec::new();
        let weak = Rc::downgrade(this);
        listeners.push((
            "online",
            window.clone().unchecked_into::<EventTarget>(),
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                Shared::send_input(&weak, Input::Online(true));
            }),
        ));
        let weak = Rc::downgrade(this);
        listeners.push((
            "offline",
            window.clone().unchecked_into::<EventTarget>(),
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                Shared::send_input(&weak, Input::Online(false));
            }),
        ));
        let weak = Rc::downgrade(this);
        listeners.push((
            "focus",
            window.clone().unchecked_into::<EventTarget>(),
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                Shared::send_input(&weak, Input::Timeout);
            }),
        ));
        if let Some(document) = window.document() {
            let weak = Rc::downgrade(this);
            let doc = document.clone();
            listeners.push((
                "visibilitychange",
                document.unchecked_into::<EventTarget>(),
                Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                    let visible = doc.visibility_state() == web_sys::VisibilityState::Visible;
                    Shared::send_input(&weak, Input::Visibility(visible));
                }),
            ));
        }
        let mut kept = this.listeners.borrow_mut();
        for (event, target, closure) in listeners {
            if target
                .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
                .is_ok()
            {
                kept.push(Listener {
                    target,
                    event,
                    closure,
                });
            }
        }
    }

    fn stop(this: &Rc<Shared>) {
        this.shutdown();
    }

    fn shutdown(&self) {
        let this = self;
        if this.stopped.replace(true) {
            return;
        }
        this.queue.borrow_mut().clear();
        let window = web_sys::window();
        if let Some(w) = &window {
            if let Some(h) = this.frame_handle.take() {
                let _ = w.cancel_animation_frame(h);
            }
            if let Some(h) = this.tick_handle.take() {
                w.clear_interval_with_handle(h);
            }
        }
        for l in this.listeners.borrow_mut().drain(..) {
            let _ = l
                .target
                .remove_event_listener_with_callback(l.event, l.closure.as_ref().unchecked_ref());
        }
        if let Ok(mut core) = this.core.try_borrow_mut() {
            if let (Some(w), Some((h, _))) = (&window, core.timer.take()) {
                w.clear_timeout_with_handle(h);
            }
            for (_, socket) in core.sockets.drain() {
                if let Socket::Page(live) = socket {
                    live.close();
                    this.graveyard.borrow_mut().push(live);
                }
            }
            // Terminating the Worker closes its sockets.
            core.worker = None;
            for (_, controller) in core.fetches.drain() {
                if let Some(c) = controller {
                    c.abort();
                }
            }
        }
    }
}
