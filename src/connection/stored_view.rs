//! The last view in `localStorage`, for an instant reload: read and
//! painted into the hook's signals before the driver starts, kept again
//! every few seconds while fresh data changes and when the page is left.
//! The rules (bounds, version, what replaces what) are regime-view's
//! ([`regime_view::stored`]); this file only talks to the browser.

use std::cell::RefCell;
use std::rc::Rc;

use regime_view::stored::{Restoration, RestorationStep, RestoredNote, StoredView, STORAGE_KEY};
use regime_view::{FrameUpdate, SignalRow, SnapshotView};

use super::published::ViewSignals;
use leptos::prelude::*;

fn storage() -> Option<web_sys::Storage> {
    // Private modes may refuse storage: then nothing is kept.
    web_sys::window()?.local_storage().ok()?
}

fn wall_now() -> i64 {
    js_sys::Date::now() as i64
}

/// Paints the stored view, if there is a usable one, into `signals`, and
/// answers the restoration that the hook's frames go through. An entry
/// that cannot be used is removed, and said once.
pub fn restore(signals: ViewSignals, perf_now: f64) -> Option<Restoration> {
    let storage = storage()?;
    let text = storage.get_item(STORAGE_KEY).ok()??;
    let now = wall_now();
    let view = match StoredView::decode(&text, now) {
        Ok(view) => view,
        Err(problem) => {
            let _ = storage.remove_item(STORAGE_KEY);
            signals.restored.set(Some(RestoredNote::Ignored(problem)));
            return None;
        }
    };
    if !asked_for(&view.symbol, &view.timeframe) {
        // The page's address asks for another market: painting this one
        // would only flash the wrong data.
        return None;
    }
    // On the page's own clock, so that freshness and ages read true.
    let received_at = perf_now - now.saturating_sub(view.saved_at) as f64;
    let restoration = Restoration::of(&view);
    signals
        .selection
        .set((view.symbol.clone(), view.timeframe.clone()));
    if let Some(snapshot) = view.snapshot {
        signals.snapshot.set(Some(SnapshotView {
            snapshot,
            received_at,
        }));
    }
    signals.history.set(view.history);
    signals.signals.set(
        view.signals
            .into_iter()
            .map(|signal| SignalRow {
                signal,
                received_at,
                run: 0,
                before_restart: false,
            })
            .collect(),
    );
    if let Some(matrix) = view.matrix.and_then(|m| m.to_view(received_at)) {
        signals.matrix.set(matrix);
    }
    signals.loading.set(false);
    signals.restored.set(Some(RestoredNote::Shown {
        saved_at: view.saved_at,
    }));
    Some(restoration)
}

/// Whether the query string's `symbol` and `tf`, where given, are these.
fn asked_for(symbol: &str, timeframe: &str) -> bool {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return true;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return true;
    };
    params.get("symbol").is_none_or(|s| s == symbol)
        && params.get("tf").is_none_or(|t| t == timeframe)
}

/// Between the driver's frames and the signals while a stored view is on
/// screen, and the keeper of the view once fresh data is in.
#[derive(Clone)]
pub struct StoredViewKeeper {
    signals: ViewSignals,
    restoration: Rc<RefCell<Option<Restoration>>>,
    /// Market data changed since the view was last kept.
    dirty: Rc<RefCell<bool>>,
}

impl StoredViewKeeper {
    pub fn new(signals: ViewSignals, restoration: Option<Restoration>) -> Self {
        StoredViewKeeper {
            signals,
            restoration: Rc::new(RefCell::new(restoration)),
            dirty: Rc::new(RefCell::new(false)),
        }
    }

    /// Takes a frame before it is published.
    pub fn filter(&self, update: &mut FrameUpdate) {
        let mut slot = self.restoration.borrow_mut();
        if let Some(r) = slot.as_mut() {
            if r.filter(update) == RestorationStep::Ended {
                // What is still the stored data is not the backend's: the
                // driver said empty.
                if r.snapshot && update.snapshot.is_none() {
                    update.snapshot = Some(None);
                }
                if r.history && update.history.is_none() {
                    update.history = Some(Vec::new());
                }
                if r.signals && update.signals.is_none() {
                    update.signals = Some(Vec::new());
                }
                *slot = None;
                let _ = self.signals.restored.try_set(None);
            }
        } else if update.loading == Some(false)
            && self
                .signals
                .restored
                .try_with_untracked(Option::is_some)
                .unwrap_or(false)
        {
            let _ = self.signals.restored.try_set(None);
        }
        if slot.is_none()
            && (update.snapshot.is_some()
                || update.history.is_some()
                || update.signals.is_some()
                || update.matrix.is_some())
        {
            *self.dirty.borrow_mut() = true;
        }
    }

    /// Keeps the view now, if fresh data changed since the last time.
    pub fn keep(&self) {
        if self.restoration.borrow().is_some() || !std::mem::take(&mut *self.dirty.borrow_mut()) {
            return;
        }
        let s = self.signals;
        // `try_`: the page part that owns the signals may be gone.
        let view = s.selection.try_with_untracked(|selection| {
            s.snapshot.try_with_untracked(|snapshot| {
                s.history.try_with_untracked(|history| {
                    s.signals.try_with_untracked(|rows| {
                        s.matrix.try_with_untracked(|matrix| {
                            StoredView::new(
                                wall_now(),
                                selection,
                                snapshot.as_ref(),
                                history,
                                rows,
                                matrix,
                            )
                        })
                    })
                })
            })
        });
        let Some(Some(Some(Some(Some(view))))) = view else {
            return;
        };
        if let (Some(text), Some(storage)) = (view.encode(), storage()) {
            // Full storage: the view is not kept, the page goes on.
            let _ = storage.set_item(STORAGE_KEY, &text);
        }
    }
}
