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

/// Installs the hook (once; later calls do nothing). It runs before the
/// hook it finds, which it keeps: console_error_panic_hook's (installed here
/// if nobody did yet), and whatever the components chain after it.
pub fn install() {
    INSTALL.call_once(|| {
        console_error_panic_hook::set_once();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            record(&info.to_string());
            previous(info);
        }));
    });
}

/// Keeps the first panic's message for the health panel and the test hook.
fn record(message: &str) {
    if PANICKED.swap(true, Ordering::SeqCst) {
        return;
    }
    // try_borrow: a panic while the message is being read must not turn
    // into a second panic inside the hook.
    MESSAGE.with(|m| {
        if let Ok(mut m) = m.try_borrow_mut() {
            *m = Some(message.to_string());
        }
    });
    super::test_hook::record_panic(message);
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
