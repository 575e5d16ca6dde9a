//! What travels on the wire: the codecs of both live protocols, text in and
//! text out, and the URLs they travel to, with no state of their own (a
//! [`crate::session`] keeps that).
//!
//! | module | job |
//! |---|---|
//! | [`plain`] | the plain JSON envelope as the client reads and writes it (docs/PROTOCOL.md §3) |
//! | [`engineio`], [`socketio`] | Engine.IO 4 and Socket.IO 5 packets (§4, docs/SOCKETIO.md) |
//! | [`json`] | what every codec reads alike: market events in one pass, serde_json errors as sentences |
//! | [`url`] | URLs: a setting's URL checked, the live and probe URLs derived, query strings and percent-coding |

pub mod engineio;
pub mod json;
pub mod plain;
pub mod socketio;
pub mod url;
