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
//! | [`plain`] | plain JSON envelope decoding/encoding (§3) |
//! | [`engineio`], [`socketio`] | Engine.IO 4 and Socket.IO 5 packets (§4) |
//! | [`session`] | one live connection's protocol logic: handshake, heartbeat, events |
//! | [`settings`] | defaults, `config.json` and query string, validated (§5) |
//! | [`backoff`] | reconnect delays: exponential, full jitter, capped |
//! | [`store`] | bounded, de-duplicated data the page draws |
//! | [`diagnosis`] | a failure as one sentence a trader can act on |
//! | [`machine`] | modes Connecting/Live/API/Offline (§6), commands out |

pub mod backoff;
pub mod diagnosis;
pub mod engineio;
pub mod live;
pub mod machine;
pub mod model;
pub mod plain;
pub mod session;
pub mod settings;
pub mod socketio;
pub mod store;
pub mod time;

/// Milliseconds from an origin the caller picks (the browser's
/// `performance.now()`, a test's virtual clock). Only differences matter.
pub type Millis = u64;
