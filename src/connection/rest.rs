//! REST requests for the core, with gloo-net's fetch.
//!
//! Every request gets its own `AbortController`: the core's `CancelFetch`
//! aborts it (a changed symbol never races an old answer). `opaque` requests
//! use `no-cors`: their answer is opaque (status 0, no body), which is all
//! the core wants to know ("the host is up, CORS blocks us").
//!
//! gloo-net turns a rejected fetch into its `Error` through a conversion that
//! assumes the rejection is an `Error` object; fetch only ever rejects with a
//! `TypeError` or, when aborted without a reason (as here), an `AbortError`
//! `DOMException`, both of which are `Error`s, so that assumption holds.

use regime_core::machine::RestOutcome;
use web_sys::{AbortController, AbortSignal, RequestCache, RequestMode};

/// Answer bodies longer than this are cut (the core reads JSON; a backend
/// that sends megabytes by mistake must not take the page's memory with it).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A new AbortController, or `None` in the (theoretical) browser without one:
/// the request then simply cannot be cancelled, and the core ignores its
/// late answer anyway.
pub fn abort_controller() -> Option<AbortController> {
    AbortController::new().ok()
}

/// GETs `url` and says how it ended; `authorization` is the
/// `Authorization` header's value (`Bearer …`), when the core gives one.
/// Never panics; every failure is an outcome for the core.
pub async fn get(
    url: &str,
    opaque: bool,
    authorization: Option<&str>,
    signal: Option<&AbortSignal>,
) -> RestOutcome {
    let mut builder = gloo_net::http::Request::get(url)
        .cache(RequestCache::NoStore)
        .abort_signal(signal);
    if let Some(value) = authorization {
        builder = builder.header("Authorization", value);
    }
    if opaque {
        builder = builder.mode(RequestMode::NoCors);
    }
    let request = match builder.build() {
        Ok(request) => request,
        Err(error) => {
            return RestOutcome::NetworkError {
                message: format!("the request could not be made: {error}"),
            }
        }
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            let message = error.to_string();
            if signal.is_some_and(|s| s.aborted()) || message.starts_with("AbortError") {
                return RestOutcome::Aborted;
            }
            return RestOutcome::NetworkError { message };
        }
    };
    let status = response.status();
    let body = match response.text().await {
        Ok(body) => body,
        Err(error) => {
            if signal.is_some_and(|s| s.aborted()) {
                return RestOutcome::Aborted;
            }
            return RestOutcome::NetworkError {
                message: format!("the answer broke off: {error}"),
            };
        }
    };
    RestOutcome::Answered {
        status,
        body: cut(body, MAX_BODY_BYTES),
    }
}

/// `body` cut to at most `max` bytes on a char boundary.
pub fn cut(mut body: String, max: usize) -> String {
    if body.len() > max {
        let mut end = max;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
    }
    body
}
