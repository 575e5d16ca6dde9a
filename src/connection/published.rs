//! The published parts as Leptos signals: one `RwSignal` per part of
//! [`regime_view::with_published_parts!`], the frame's publication into
//! them, and the read-only handle components read. Nothing here lists the
//! parts: the macro below is expanded with regime-view's list.

use leptos::prelude::*;
use regime_view::parts::publish::{Always, IfChanged};
use regime_view::{FrameUpdate, PageView};

/// How a changed part reaches its signal, for each kind of
/// [`regime_view::parts::publish`]. A disposed signal (the page part that
/// used it is gone) is left alone.
trait SetPart {
    fn set<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T);
}

impl SetPart for IfChanged {
    /// Sets the signal only when the value differs, so that readers of
    /// small values do not re-render for nothing.
    fn set<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
        if signal
            .try_with_untracked(|held| held != &value)
            .unwrap_or(false)
        {
            let _ = signal.try_set(value);
        }
    }
}

impl SetPart for Always {
    fn set<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
        let _ = signal.try_set(value);
    }
}

macro_rules! hook_signals {
    ( $( $(#[$doc:meta])* $name:ident : $ty:ty = $initial:expr, $publish:ty; )* ) => {
        /// What `use_connection()` returns: a read-only signal per
        /// published part, the clock and the actions. `Copy`, so components
        /// can take it by value.
        #[derive(Clone, Copy)]
        pub struct UseConnectionReturn {
            $( $(#[$doc])* pub $name: Signal<$ty>, )*
            /// `performance.now()` ms, ticking once a second, for ages and
            /// countdowns.
            pub now: Signal<f64>,
            /// The stored view painted at load, while it is on screen (see
            /// [`regime_view::stored`]); `None` once fresh data replaced it.
            pub restored: Signal<Option<regime_view::stored::RestoredNote>>,
            pub reconnect: Callback<()>,
            /// Select (symbol, timeframe): re-subscribes, refetches,
            /// cancels the old.
            pub select: Callback<(String, String)>,
            /// A new token (text, "remember on this device"): kept for
            /// this backend, and the connection starts again with it at
            /// once. An empty text forgets the token.
            pub set_token: Callback<(String, bool)>,
            /// Show this many rows of the "Regimes by timeframe" matrix
            /// (the core fetches and subscribes to them). A no-op unless
            /// [`Self::with_matrix_rows`] gave it.
            pub set_matrix_rows: Callback<usize>,
        }

        impl UseConnectionReturn {
            /// The handle with the matrix's "show more" action.
            pub fn with_matrix_rows(self, set_matrix_rows: Callback<usize>) -> Self {
                UseConnectionReturn { set_matrix_rows, ..self }
            }
        }

        /// The writable half of every published signal, and the clock.
        /// Public so that component tests can stand in for the hook with
        /// signals they set themselves.
        #[derive(Clone, Copy)]
        pub struct ViewSignals {
            $( $(#[$doc])* pub $name: RwSignal<$ty>, )*
            /// `performance.now()` ms, set by the hook's ticker.
            pub now: RwSignal<f64>,
            /// The stored view's note, set by the hook.
            pub restored: RwSignal<Option<regime_view::stored::RestoredNote>>,
        }

        impl ViewSignals {
            /// Signals holding `page`, with the clock at `now`.
            pub fn new(page: PageView, now: f64) -> Self {
                ViewSignals {
                    $( $name: RwSignal::new(page.$name), )*
                    now: RwSignal::new(now),
                    restored: RwSignal::new(None),
                }
            }

            /// Publishes one frame: only the parts that changed are set.
            pub fn apply(&self, update: FrameUpdate) {
                $( if let Some(value) = update.$name {
                    <$publish as SetPart>::set(self.$name, value);
                } )*
            }

            /// The read-only handle, with the actions beside it.
            pub fn read_only(
                &self,
                reconnect: Callback<()>,
                select: Callback<(String, String)>,
                set_token: Callback<(String, bool)>,
            ) -> UseConnectionReturn {
                UseConnectionReturn {
                    $( $name: self.$name.into(), )*
                    now: self.now.into(),
                    restored: self.restored.into(),
                    reconnect,
                    select,
                    set_token,
                    set_matrix_rows: Callback::new(|_| {}),
                }
            }
        }
    };
}

regime_view::with_published_parts!(hook_signals);
