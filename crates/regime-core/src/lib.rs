//! regime-core: everything the dashboard decides, in plain synchronous Rust.
//!
//! No IO, no clock, no browser: time comes in as an argument (milliseconds
//! from any fixed origin, see [`Millis`]), bytes come in as `&str`, and what
//! the caller must do next comes out as commands. See docs/ARCHITECTURE.md.
//!
//! | module | job |
//! |---|---|
//! | [`model`] | the wire objects of PROTOCOL.md §1 (shared with the demo backend) |
//! | [`time`] | RFC 3339 text ⇄ epoch milliseconds |
//! | [`live`] | what a live session yields, whichever protocol |
//! | [`wire`] | the codecs of both live protocols, text in and text out |
//! | [`wire::plain`] | plain JSON envelope decoding/encoding (§3); also at [`plain`] |
//! | [`wire::engineio`], [`wire::socketio`] | Engine.IO 4 and Socket.IO 5 packets (§4); also at [`engineio`], [`socketio`] |
//! | [`session`] | one live connection's protocol logic: handshake, heartbeat, events; `LiveSession` in `session/mod.rs`, one file per protocol |
//! | [`settings`] | defaults, `config.json` and query string, validated (§5) |
//! | [`token`] | the backend's token, never printed, bound to the hosts it was given for |
//! | [`backoff`] | reconnect delays: exponential, full jitter, capped |
//! | [`sort`] | the one stable sort every list uses (one copy of the sort in the wasm) |
//! | [`store`] | bounded, de-duplicated data the page draws |
//! | [`diagnosis`] | a failure as one sentence a trader can act on |
//! | [`machine`] | the connection: modes Connecting/Live/API/Offline (§6), commands out; its public face in `machine/mod.rs`, one file per job below |
//! | `machine/policy.rs` | every number of the connection behaviour, with its default |
//! | `machine/deadlines.rs` | every deadline in one table: `poll_timeout`, and what runs when one passed |
//! | `machine/attempt.rs` | the live socket: its phase, its failures, the transport choice |
//! | `machine/recovery.rs` | signals and alerts `after` the ids held, a backend's new run, live items held back |
//! | `machine/rest.rs` | requests in flight, URLs, answers, retries, polling, the overview's fan-out |
//! | `machine/problems.rs` | what the health panel lists, keyed by `ProblemKey` |
//! | `machine/traffic.rs` | live messages counted, and their rate |
//! | `machine/mode.rs` | the badge, settled after every input |

pub mod backoff;
pub mod diagnosis;
pub mod live;
pub mod machine;
pub mod model;
pub mod session;
pub mod settings;
pub mod sort;
pub mod store;
pub mod time;
pub mod token;
pub mod wire;

// The codecs by their short paths, which the tests and the benchmarks use.
pub use wire::{engineio, plain, socketio};

/// Milliseconds from an origin the caller picks (the browser's
/// `performance.now()`, a test's virtual clock). Only differences matter.
pub type Millis = u64;
