//! regime-core: everything the dashboard decides, in plain synchronous Rust.
//!
//! No IO, no clock, no browser: time comes in as an argument (milliseconds
//! from any fixed origin, see [`Millis`]), bytes come in as `&str`, and what
//! the caller must do next comes out as commands. See ARCHITECTURE.md.

pub mod model;
pub mod time;

/// Milliseconds from an origin the caller picks (the browser's
/// `performance.now()`, a test's virtual clock). Only differences matter.
pub type Millis = u64;
