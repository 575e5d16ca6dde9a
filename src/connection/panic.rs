//! Panics: still printed to the console (console_error_panic_hook), and also
//! kept as a message that the health panel shows, so a trader sees that the
//! page stopped rather than trusting frozen numbers.
//!
//! Nothing a backend, a URL or a setting sends is meant to reach a panic;
//! this is the net under that promise.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

thread_local! {
    /// The first panic's message (later ones are usually its consequences).
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static PANICKED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Installs the hook (once; later calls do nothing).
pub fn install() {
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            let message = info.to_string();
            if !PANICKED.swap(true, Ordering::SeqCst) {
                // try_borrow: a panic while the message is being read must
                // not turn into a second panic inside the hook.
                MESSAGE.with(|m| {
                    if let Ok(mut m) = m.try_borrow_mut() {
                        *m = Some(message.clone());
                    }
                });
                super::test_hook::record_panic(&message);
            }
        }));
    });
}

/// True once any panic happened.
pub fn has_panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// The first panic's message, if any.
pub fn message() -> Option<String> {
    if !has_panicked() {
        return None;
    }
    MESSAGE.with(|m| m.try_borrow().ok().and_then(|m| m.clone()))
}
