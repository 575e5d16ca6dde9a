//! regime-view: what the dashboard draws, computed from the core's state.
//!
//! Between `regime-core` (which decides everything about the connection and
//! keeps the data) and the app crate's Leptos components (which only draw):
//! once per animation frame the app's driver asks [`build_frame`] for the
//! parts of the page that changed, and hands the [`FrameUpdate`] to the
//! hook that publishes them as signals. Plain synchronous Rust with no
//! browser, no clock and no Leptos, so every rule here is a `cargo test`.
//!
//! | module | job |
//! |---|---|
//! | [`parts`] | the published parts, declared once: [`FrameUpdate`], [`PageView`], [`with_published_parts!`] |
//! | [`frame`] | [`ViewState`], [`build_frame`]: the core's changes as a [`FrameUpdate`] |
//! | [`pacing`] | how often the signals list and the traffic figures are republished |
//! | [`matrix`] | the "Regimes by timeframe" matrix: cells, the agreement of a row, cell words |
//! | [`market`] | the snapshot, signal rows and last price as the page holds them |
//! | [`mode_hold`] | the badge's hysteresis: partial REST failure does not flip API and Offline every few seconds |
//! | [`selection`] | the market shown from live data when `/api/symbols` has not answered |
//! | [`price`] | which price is shown: the newest from any source, with its own age |
//! | [`health`] | the health panel's and the badge's view of the status |
//! | [`freshness`] | how fresh the shown regime is: amber at twice the cadence, red at five times |
//! | [`lists`] | how long the signals list is: kept, published and drawn, from one setting |
//! | [`badge`] | what the connection badge says: Live only while live data flows, amber when connected with none |
//! | [`adx`] | the ADX bands: no trend, emerging from 20, trending from 25 |
//! | [`runs`] | time in regime: every run of the history, the current one and the typical length |
//! | [`times`] | times in UTC or the trader's zone: clock, date, a signal's time, the zone's name |
//! | [`stored`] | the last view kept in browser storage, bounded and versioned, and its restoration |
//! | [`export`] | the signals list as an RFC 4180 CSV file, formula cells neutralised |
//! | [`alert_rules`] | which regime changes alert: rules, cooldown, bursts as one toast, the history, the title's unread count |

pub mod adx;
pub mod alert_rules;
pub mod badge;
pub mod export;
pub mod frame;
pub mod freshness;
pub mod health;
pub mod lists;
pub mod market;
pub mod matrix;
pub mod mode_hold;
pub mod pacing;
pub mod parts;
pub mod price;
pub mod runs;
pub mod selection;
pub mod stored;
pub mod times;

pub use adx::{adx_band, AdxBand, ADX_EMERGING, ADX_THRESHOLDS, ADX_TRENDING};
pub use badge::{Badge, Flowing, LiveData};
pub use frame::{build_frame, HookCounters, ViewState};
pub use freshness::{stale_when_offline, Freshness};
pub use health::{health_view, DiagnosisView, HealthView};
pub use lists::{SignalsListCaps, DRAWN_ROWS};
pub use market::{PriceView, SignalRow, SnapshotView};
pub use matrix::MatrixView;
pub use mode_hold::ModeHold;
pub use parts::{FrameUpdate, PageView};
pub use price::{age_ms, newest_price, PriceCandidate, PriceSource};
pub use times::TimeZoneChoice;

// The published parts' types are written with `$crate::regime_core::…`
// paths, so that the list means the same wherever it is expanded.
#[doc(hidden)]
pub use regime_core;
