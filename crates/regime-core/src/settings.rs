//! The dashboard's settings (PROTOCOL.md §5): built-in defaults, then
//! `config.json`, then the query string, each value validated.
//! Owned by the connection-layer work (issue #5); this is the agreed surface.

use crate::live::TransportKind;

/// `protocol`: which live transport to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Plain JSON envelopes over a WebSocket (`native`).
    Native,
    /// Socket.IO v4 (`socketio`).
    SocketIo,
    /// Probe `{api}/socket.io/?EIO=4&transport=polling`, then pick (`auto`).
    Auto,
    /// REST only (`off`).
    Off,
}

/// A setting that was given but could not be used: shown to the user, and
/// the default is used instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingProblem {
    /// The key, e.g. `poll`.
    pub key: String,
    /// The value as given.
    pub value: String,
    /// What was expected, e.g. `a whole number of milliseconds from 500 to 600000`.
    pub expected: String,
    /// Where it came from: `config.json` or `query string`.
    pub source: String,
}

/// Every setting the core needs. See PROTOCOL.md §5 for the keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// REST base URL, absolute, without a trailing slash (`api`).
    pub api: String,
    /// The live URL when the user set one (`ws`); `None` derives it from `api`.
    pub ws: Option<String>,
    /// `protocol`. Defaults to `Auto`.
    pub protocol: Protocol,
    /// Socket.IO namespace (`ns`). Defaults to `/signals`.
    pub namespace: String,
    /// Symbol shown (`symbol`); `None`: the first from `/api/symbols`.
    pub symbol: Option<String>,
    /// Timeframe shown (`tf`); `None`: the symbol's first.
    pub timeframe: Option<String>,
    /// REST polling period in API mode, ms (`poll`). Defaults to 5000.
    pub poll_ms: u64,
}

impl Settings {
    /// The live URL for a transport: `ws` when set, else `ws(s)://<api host>/ws`
    /// or `…/socket.io/?EIO=4&transport=websocket`.
    pub fn live_url(&self, _kind: TransportKind) -> String {
        todo!("issue #5")
    }
}
