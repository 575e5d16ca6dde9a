//! The parts of the page that are published, declared once.
//!
//! [`with_published_parts!`](crate::with_published_parts) holds the list.
//! Each part is a name, its doc, the type the page holds, the value it
//! shows before the first frame, and how the hook hands a change to its
//! signal (see [`publish`]). This crate builds [`FrameUpdate`] (one
//! `Option` per part: `None` is "unchanged") and [`PageView`] (every part's
//! value) from it; the app crate's hook builds its Leptos signals, the
//! frame's publication and the read-only handle components read from the
//! same list. Adding a part is one entry there, then the lines of
//! [`build_frame`](crate::build_frame) that fill it in and the component
//! that draws it.

use crate::frame::HookCounters;

/// How the hook hands a changed part to its signal: the last item of each
/// part in [`with_published_parts!`](crate::with_published_parts). Types
/// rather than values, so that the hook picks its code for each part when
/// it is compiled.
pub mod publish {
    /// Set only when the value differs from the one held, so that readers
    /// of small values (mode, selection, health) do not re-render for
    /// nothing.
    #[derive(Clone, Copy, Debug)]
    pub struct IfChanged;

    /// Set whenever published: lists, which are published only when their
    /// source changed and whose comparison would walk every row.
    #[derive(Clone, Copy, Debug)]
    pub struct Always;
}

/// Calls the macro named `$then` with every published part, as
///
/// ```text
/// /// doc
/// name: Type = value before the first frame, publish kind;
/// ```
///
/// Types and values are written with `$crate` paths, so the list means the
/// same in any crate that expands it.
#[macro_export]
macro_rules! with_published_parts {
    ($then:ident) => {
        $then! {
            /// The connection mode: Connecting, Live, API or Offline.
            mode: $crate::regime_core::machine::Mode
                = $crate::regime_core::machine::Mode::Connecting,
                $crate::parts::publish::IfChanged;
            /// Everything the health panel and the badge show.
            health: $crate::HealthView = $crate::HealthView::default(),
                $crate::parts::publish::IfChanged;
            /// (symbol, timeframe) shown; empty strings until `/api/symbols`
            /// answered.
            selection: (::std::string::String, ::std::string::String)
                = (::std::string::String::new(), ::std::string::String::new()),
                $crate::parts::publish::IfChanged;
            /// The symbols the backend lists, with their timeframes.
            symbols: ::std::vec::Vec<$crate::regime_core::model::SymbolInfo>
                = ::std::vec::Vec::new(),
                $crate::parts::publish::IfChanged;
            /// The selected symbol/timeframe's current regime.
            snapshot: ::std::option::Option<$crate::SnapshotView> = ::std::option::Option::None,
                $crate::parts::publish::IfChanged;
            /// Every symbol's regime at the selected timeframe (overview strip).
            overview: ::std::vec::Vec<$crate::SnapshotView> = ::std::vec::Vec::new(),
                $crate::parts::publish::Always;
            /// The "Regimes by timeframe" matrix: the rows shown, every
            /// timeframe listed.
            matrix: $crate::MatrixView = $crate::MatrixView::default(),
                $crate::parts::publish::Always;
            /// The selection's history, oldest first.
            history: ::std::vec::Vec<$crate::regime_core::model::RegimePoint>
                = ::std::vec::Vec::new(),
                $crate::parts::publish::Always;
            /// Newest first, bounded.
            signals: ::std::vec::Vec<$crate::SignalRow> = ::std::vec::Vec::new(),
                $crate::parts::publish::Always;
            /// Newest first, bounded.
            alerts: ::std::vec::Vec<$crate::regime_core::model::RegimeAlert>
                = ::std::vec::Vec::new(),
                $crate::parts::publish::Always;
            /// Alerts that arrived since the page's first load (live or
            /// recovered), with a generation counter that grows with every
            /// batch: toasts.
            fresh_alerts: (u64, ::std::vec::Vec<$crate::regime_core::machine::FreshAlert>)
                = (0, ::std::vec::Vec::new()),
                $crate::parts::publish::Always;
            /// The newest price of the selection from any source, with its age.
            last_price: ::std::option::Option<$crate::PriceView> = ::std::option::Option::None,
                $crate::parts::publish::IfChanged;
            /// True until the first REST data for the selection arrived.
            loading: bool = true, $crate::parts::publish::IfChanged;
            /// True while the selection's history was never answered and its
            /// request is in flight: the chart waits rather than saying
            /// "no history" before the answer came back empty.
            history_waiting: bool = true, $crate::parts::publish::IfChanged;
        }
    };
}

/// Builds [`FrameUpdate`] and [`PageView`] from the list.
macro_rules! declare_frame_and_page {
    ( $( $(#[$doc:meta])* $name:ident : $ty:ty = $initial:expr, $publish:ty; )* ) => {
        /// One frame's worth of view changes: `None` means "unchanged".
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct FrameUpdate {
            $( $(#[$doc])* pub $name: Option<$ty>, )*
            /// Not a part of the page: the `window.__regime` counters,
            /// always present (the test hook compares them with what it
            /// last wrote).
            pub counters: HookCounters,
        }

        impl FrameUpdate {
            /// Every part's name, in the order of
            /// [`with_published_parts!`](crate::with_published_parts).
            pub const PARTS: &'static [&'static str] = &[$( stringify!($name) ),*];

            /// True when some part of the view changed (the counters aside).
            pub fn any(&self) -> bool {
                false $( || self.$name.is_some() )*
            }

            /// The names of the parts that changed, in the order of
            /// [`Self::PARTS`].
            pub fn changed_parts(&self) -> Vec<&'static str> {
                let mut changed = Vec::new();
                $( if self.$name.is_some() { changed.push(stringify!($name)); } )*
                changed
            }
        }

        /// Every part's value: what the page shows. [`Default`] is what it
        /// shows before the first frame.
        #[derive(Clone, Debug, PartialEq)]
        pub struct PageView {
            $( $(#[$doc])* pub $name: $ty, )*
        }

        impl Default for PageView {
            fn default() -> Self {
                PageView { $( $name: $initial, )* }
            }
        }

        impl PageView {
            /// Takes the parts that changed in `update`.
            pub fn apply(&mut self, update: FrameUpdate) {
                $( if let Some(value) = update.$name { self.$name = value; } )*
            }
        }
    };
}

with_published_parts!(declare_frame_and_page);

impl PageView {
    /// What the page shows before the first frame, with the poll period
    /// (ms) that the freshness colours measure against already known.
    pub fn initial(poll_ms: f64) -> PageView {
        PageView {
            health: crate::HealthView {
                poll_ms,
                ..crate::HealthView::default()
            },
            ..PageView::default()
        }
    }
}
