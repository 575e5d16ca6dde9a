//! Command-line flags. Every flag is documented here and shows up in `--help`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

/// The bundled demo backend of the regime dashboard: REST, a plain WebSocket
/// and Socket.IO v4 on one port, fed by a market simulator (or a CSV replay),
/// with optional fault injection for tests.
///
/// Logs go to stderr (set RUST_LOG, default `info`); stdout carries exactly
/// one line, `listening on http://ADDR:PORT`.
#[derive(Parser, Debug, Clone)]
#[command(name = "demo-server", version, about, long_about)]
pub struct Args {
    /// TCP port to listen on; 0 picks a free port (read it from the stdout line).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Market speed: candles per second of the fastest (1m) series, may be
    /// fractional (e.g. 0.2). Every series runs on one shared clock, so the 5m
    /// series closes SPEED/5 candles per second and the 1h series SPEED/60;
    /// live events carry the wall-clock time (never a future one).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,

    /// Seed of the market simulator: the same seed gives the same candles.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// How many symbols to simulate, each with 1m, 5m and 1h: BTCUSDT,
    /// ETHUSDT, SOLUSDT, then SYM0004USDT, SYM0005USDT… (at most 5000). The
    /// extra ones are cheap: a short warm-up (40 candles, 120 points kept)
    /// and one 1m candle per symbol every 60/SPEED seconds, a few symbols at
    /// a time. Ignored with --replay.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub symbols: usize,

    /// Signals and alerts kept for REST paging (`after=`), each.
    #[arg(long, default_value_t = 2000)]
    pub history: usize,

    /// Regime history points kept per series.
    #[arg(long, default_value_t = 500)]
    pub points: usize,

    /// Candles pre-simulated per series at start, so history and indicators are warm.
    #[arg(long, default_value_t = 300)]
    pub warmup: usize,

    /// Price ticks per candle (the live `price` events between candles).
    #[arg(long, default_value_t = 4)]
    pub ticks_per_candle: u32,

    /// Replay candles from a CSV file (timestamp,open,high,low,close[,volume];
    /// header optional; timestamp RFC 3339, epoch ms or epoch s) instead of simulating.
    #[arg(long, value_name = "FILE.csv")]
    pub replay: Option<PathBuf>,

    /// Symbol name given to the replayed candles.
    #[arg(long, default_value = "REPLAY")]
    pub replay_symbol: String,

    /// Serve a built `dist/` directory (SPA fallback to index.html).
    #[arg(long = "static", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,

    /// Allow only this origin (CORS). Default: any origin.
    #[arg(long, value_name = "ORIGIN")]
    pub cors_origin: Option<String>,

    /// Enable the fault-injection control API under /control/.
    #[arg(long)]
    pub control: bool,

    /// Allow this origin (e.g. `http://127.0.0.1:8000`, exactly as a browser
    /// sends it) to call /control/ from a page (CORS). Repeatable. Without it
    /// /control/ sends no CORS header at all, so no web page can drive it.
    #[arg(long, value_name = "ORIGIN")]
    pub control_allow_origin: Vec<String>,

    /// Batches (PROTOCOL.md "Batches"): the most events in one batch frame
    /// (plain `{"type":"batch",…}`, Socket.IO event `batch`), sent only to
    /// clients that subscribed with `"batch":true`; 0 = never batch.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub batch_max: u64,

    /// Batches: how long a batch waits for more events before it is sent,
    /// in milliseconds (0: only the events already queued go together).
    #[arg(long, default_value_t = 16, value_name = "MS")]
    pub batch_ms: u64,

    /// Batches also go to clients that did not ask for them (a backend that
    /// batches whatever the client said; a client must take them).
    #[arg(long)]
    pub batch_unasked: bool,

    /// Socket.IO (Engine.IO) ping interval in milliseconds.
    #[arg(long, default_value_t = 25_000)]
    pub sio_ping_interval_ms: u64,

    /// Socket.IO (Engine.IO) ping timeout in milliseconds.
    #[arg(long, default_value_t = 20_000)]
    pub sio_ping_timeout_ms: u64,

    // ---- faults, also settable at run time through /control/faults ----
    /// Share (0..1) of live messages replaced by a malformed frame.
    #[arg(long, default_value_t = 0.0)]
    pub malformed_rate: f64,

    /// Extra signals per second broadcast on both transports (a flood).
    #[arg(long, default_value_t = 0.0)]
    pub flood: f64,

    /// Steady extra signals per second (besides the strategy's own).
    #[arg(long, default_value_t = 0.0)]
    pub signals_per_sec: f64,

    /// Share (0..1) of /api/ requests answered 500.
    #[arg(long, default_value_t = 0.0)]
    pub rest_fail_rate: f64,

    /// Delay added to every /api/ answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Do not serve Socket.IO (its paths answer 404).
    #[arg(long)]
    pub no_socketio: bool,

    /// Do not serve the plain WebSocket (its paths answer 404).
    #[arg(long)]
    pub no_plain: bool,

    /// Answer every /api/ request 503.
    #[arg(long)]
    pub no_rest: bool,

    /// Accept Socket.IO connections but never send them an event.
    #[arg(long)]
    pub socketio_silent: bool,

    /// The plain WebSocket never answers pings.
    #[arg(long)]
    pub plain_no_pong: bool,

    /// The plain WebSocket sends nothing at all (a dead-looking connection).
    #[arg(long)]
    pub plain_silent: bool,

    /// Drop all live sockets every N seconds (0 = never).
    #[arg(long, default_value_t = 0.0, value_name = "SECS")]
    pub restart_live_every: f64,

    /// /api/health reports no `epoch` (a backend that never says that its
    /// ids started again; /control/restart still empties the store).
    #[arg(long)]
    pub no_epoch: bool,

    /// /api/signals and /api/alerts ignore `after` and answer the newest N.
    #[arg(long)]
    pub ignore_after: bool,

    /// A page of signals or alerts holds at most N items, whatever `limit`
    /// asks (0 = no cap).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub page_cap: u64,

    /// Shift every timestamp the backend sends by this many milliseconds
    /// (negative: behind), like a server with a wrong clock.
    #[arg(
        long,
        default_value_t = 0,
        allow_negative_numbers = true,
        value_name = "MS"
    )]
    pub clock_skew_ms: i64,

    /// Every injected REST error (500, 503, 502) carries an `{"error":…}`
    /// body of about 1 MB.
    #[arg(long)]
    pub huge_errors: bool,

    /// Share (0..1) of /api/ requests answered 502 by a "gateway" in front of
    /// the app: an HTML body and no CORS header at all.
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    pub gateway_fail_rate: f64,

    /// The first N /api/ requests are answered like --gateway-fail-rate does.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub gateway_fail_next: u64,

    /// Play a proxy that does not forward WebSocket upgrades: upgrades
    /// answer 400, Engine.IO polling still answers.
    #[arg(long)]
    pub websocket_upgrade_refused: bool,

    /// Ask for this token (PROTOCOL.md §2 "Authentication"): REST wants
    /// `Authorization: Bearer T`, the plain WebSocket `?token=T`, Socket.IO
    /// `{"token":"T"}` in its CONNECT; otherwise REST answers 401, the plain
    /// socket is closed with 1008 and Socket.IO answers CONNECT_ERROR
    /// `unauthorized`. Static files and /control/ stay open.
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
}

impl Args {
    /// Arguments for an in-process test server: port 0, control on,
    /// everything else at defaults.
    pub fn for_tests() -> Args {
        Args::parse_from(["demo-server", "--port", "0", "--control"])
    }
}
