//! demo-server: the dashboard's bundled backend, as a library so that tests
//! can build the whole app and serve it in-process on port 0.
//!
//! | file | job |
//! |---|---|
//! | `cli.rs` | the flags |
//! | `lib.rs` | the router and [`start`] |
//! | `state.rs` | shared state, publish, dropping live sockets |
//! | `rest.rs` | `/api/…` |
//! | `auth.rs` | `--token`: REST Bearer, the plain socket's `?token=`, Socket.IO's CONNECT auth |
//! | `plain_ws.rs` | `/ws`, `/ws/price` |
//! | `plain_codec.rs` | the server's side of the plain envelope: client frames read, events and errors written |
//! | `socketio.rs` | `/socket.io/` (socketioxide) |
//! | `hub.rs` | the broadcast channel of pre-serialised frames |
//! | `store.rs` | bounded histories and id sequences |
//! | `simulator.rs` | the regime-switching random walk |
//! | `indicators.rs` | Wilder's TR, ATR, DM, DI, DX, ADX |
//! | `regime.rs` | classification rule and signal strategy |
//! | `feed.rs` | runs the simulator or the replay in real time |
//! | `replay.rs` | reading a candle CSV |
//! | `faults.rs` | fault settings, malformed frames, fault tasks |
//! | `control.rs` | `/control/…` |
//! | `static_files.rs` | `--static DIR` |

pub mod auth;
pub mod cli;
pub mod control;
pub mod faults;
pub mod feed;
pub mod greeting;
pub mod hub;
pub mod indicators;
pub mod plain_codec;
pub mod plain_ws;
pub mod regime;
pub mod replay;
pub mod rest;
pub mod simulator;
pub mod socketio;
pub mod state;
pub mod static_files;
pub mod store;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::cors::{AllowHeaders, AllowOrigin, Any, CorsLayer};

pub use cli::Args;
pub use state::AppState;

use rest::error;

/// Refuses live connections as the fault settings say: a transport that is
/// off answers 404 (like a server without it), live off answers 503.
async fn live_gate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let (sio, plain) = (
        path.starts_with("/socket.io"),
        path == "/ws" || path == "/ws/price",
    );
    if sio || plain {
        let f = st.faults.get();
        if (sio && !f.socketio_enabled) || (plain && !f.plain_enabled) {
            return error(StatusCode::NOT_FOUND, "not found");
        }
        if !f.live_enabled {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "live transports are disabled (fault injection)",
            );
        }
        let upgrade = req
            .headers()
            .get(axum::http::header::UPGRADE)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
        if upgrade && f.websocket_upgrade_refused {
            return error(
                StatusCode::BAD_REQUEST,
                "WebSocket upgrade refused (a proxy that does not forward upgrades)",
            );
        }
    }
    next.run(req).await
}

fn cors(args: &Args) -> anyhow::Result<CorsLayer> {
    let origin = match &args.cors_origin {
        None => AllowOrigin::from(Any),
        Some(o) => AllowOrigin::exact(
            HeaderValue::from_str(o).context("--cors-origin is not a valid header value")?,
        ),
    };
    // The headers asked for are mirrored rather than `*`: a wildcard never
    // covers `Authorization`, which a backend with `--token` wants.
    Ok(CorsLayer::new()
        .allow_origin(origin)
        .allow_methods(Any)
        .allow_headers(AllowHeaders::mirror_request()))
}

/// The whole app: REST, both live transports, control, static files.
///
/// `/control/` is a service of its own ([`control::service`]): the CORS of
/// `/api/` and the live transports never applies to it.
pub fn app(st: &AppState) -> anyhow::Result<Router> {
    let sio_layer = socketio::build(st);
    let mut router = Router::new()
        .nest("/api", rest::router(st.clone()))
        .route("/ws", get(plain_ws::handler))
        .route("/ws/price", get(plain_ws::handler));
    router = match &st.args.static_dir {
        Some(dir) => router.merge(static_files::router(dir.clone())),
        None => router
            .route(
                "/",
                get(|| async {
                    "demo-server is running: REST under /api/, WebSocket at /ws, Socket.IO at /socket.io/ \
                     (no --static DIR given, so no dashboard here)\n"
                }),
            )
            .fallback(|| async { error(StatusCode::NOT_FOUND, "not found") }),
    };
    let main = router
        .with_state(st.clone())
        .layer(sio_layer)
        .layer(middleware::from_fn_with_state(st.clone(), live_gate))
        .layer(cors(&st.args)?);
    Ok(Router::new()
        .nest_service("/control", control::service(st)?)
        .fallback_service(main)
        .layer(middleware::from_fn_with_state(st.clone(), rest::front)))
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    serve: JoinHandle<std::io::Result<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// `http://ADDR:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Drops live sockets, stops the tasks, and waits (at most 5 s) for
    /// open HTTP requests to finish.
    pub async fn shutdown(mut self) {
        for t in &self.tasks {
            t.abort();
        }
        self.state.drop_live(true, true).await;
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(Duration::from_secs(5), &mut self.serve)
            .await
            .is_err()
        {
            self.serve.abort();
        }
    }
}

fn validate(a: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        a.speed.is_finite() && a.speed > 0.0 && a.speed <= 10_000.0,
        "--speed must be in (0, 10000]"
    );
    anyhow::ensure!(
        a.ticks_per_candle >= 1 && a.ticks_per_candle <= 1000,
        "--ticks-per-candle must be 1..=1000"
    );
    anyhow::ensure!(a.warmup <= 100_000, "--warmup must be at most 100000");
    anyhow::ensure!(
        (1..=feed::MAX_SYMBOLS).contains(&a.symbols),
        "--symbols must be 1..={}",
        feed::MAX_SYMBOLS
    );
    faults::FaultSettings::from_args(a)
        .validate()
        .map_err(anyhow::Error::msg)
}

/// Binds, warms the market up, and serves in the background.
pub async fn start(args: Args) -> anyhow::Result<Server> {
    validate(&args)?;
    let replay = match &args.replay {
        Some(p) => Some(replay::load(p).map_err(anyhow::Error::msg)?),
        None => None,
    };
    if let Some(dir) = &args.static_dir {
        anyhow::ensure!(
            dir.join("index.html").is_file(),
            "--static {}: no index.html there",
            dir.display()
        );
    }
    let listener = TcpListener::bind((args.bind, args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.bind, args.port))?;
    let addr = listener.local_addr()?;
    let st = AppState::new(args);
    let app = app(&st)?;

    let mut tasks = Vec::new();
    match replay {
        Some(data) => tasks.push(tokio::spawn(feed::run_replay(st.clone(), data))),
        None => {
            let sim = feed::warm_simulator(&st);
            tasks.push(tokio::spawn(feed::run_simulator(st.clone(), sim)));
            if let Some(extras) = feed::warm_extras(&st) {
                tasks.push(tokio::spawn(feed::run_extras(st.clone(), extras)));
            }
        }
    }
    tasks.push(tokio::spawn(socketio::run_forwarder(st.clone())));
    tasks.push(tokio::spawn(faults::run_extra_signals(st.clone())));
    tasks.push(tokio::spawn(faults::run_restarts(st.clone())));

    let (tx, rx) = oneshot::channel::<()>();
    let serve = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .into_future();
    let serve = tokio::spawn(serve);
    Ok(Server {
        addr,
        state: st,
        shutdown: Some(tx),
        serve,
        tasks,
    })
}
