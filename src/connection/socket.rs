//! One live WebSocket, reported to the driver event by event.
//!
//! This uses `web_sys::WebSocket` with four handler closures rather than
//! gloo-net's `gloo_net::websocket::futures::WebSocket`, for reasons found in
//! gloo-net 0.7's source:
//!
//! - Its stream never yields the `open` event (only a sink waker sees it), and
//!   the core must know the moment a socket opens: it starts the Socket.IO
//!   handshake timer there and tells "refused before opening" (the browser
//!   hides the HTTP status of a failed upgrade: `error`, then `close` 1006)
//!   from "dropped after opening".
//! - Every frame goes through an unbounded channel and a task wake-up, and a
//!   binary frame is copied into a `Vec<u8>`; the core only needs a text
//!   frame's text and a binary frame's length, at up to 50 000 frames a
//!   second.
//! - It has `unreachable!()` paths (an unexpected `data` type, an unknown
//!   `readyState`) and nothing that a backend sends may panic the page.
//!
//! Handlers are properties (`onmessage` …) so that closing detaches them all
//! at once: after [`LiveSocket::close`] no event of this socket reaches the
//! core, which is what the core's `CloseSocket` asks.

use std::rc::Weak;

use regime_core::machine::SocketId;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::driver::{Input, Shared};

/// A browser WebSocket and the closures that report its events.
pub struct LiveSocket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl LiveSocket {
    /// Opens `url`. An `Err` is the browser's own refusal (a malformed URL,
    /// a blocked port) as text: no event will follow for it.
    pub(crate) fn open(
        url: &str,
        socket: SocketId,
        driver: Weak<Shared>,
    ) -> Result<LiveSocket, String> {
        let ws = WebSocket::new(url).map_err(|e| js_error_text(&e))?;
        // ArrayBuffer, not Blob: a Blob's length is known at once too, but an
        // ArrayBuffer keeps binary frames in order with text ones without a
        // promise, and the core only wants the length.
        ws.set_binary_type(BinaryType::Arraybuffer);

        let d = driver.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            Shared::send_input(&d, Input::SocketOpen(socket));
        });
        let d = driver.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let input = match data.as_string() {
                Some(text) => Input::SocketText(socket, text),
                None => match data.dyn_ref::<js_sys::ArrayBuffer>() {
                    Some(buffer) => Input::SocketBinary(socket, buffer.byte_length() as usize),
                    // A Blob (if a script changed binaryType) or anything else:
                    // still a frame that is not text, counted by its size.
                    None => Input::SocketBinary(
                        socket,
                        data.dyn_ref::<web_sys::Blob>()
                            .map_or(0, |b| b.size() as usize),
                    ),
                },
            };
            Shared::send_input(&d, input);
        });
        let d = driver.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            let input = Input::SocketClosed {
                socket,
                code: event.code(),
                reason: event.reason(),
                was_clean: event.was_clean(),
            };
            Shared::send_input(&d, input);
        });
        let d = driver;
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            Shared::send_input(&d, Input::SocketError(socket));
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(LiveSocket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        })
    }

    /// Sends a text frame. An `Err` means the browser refused (the socket is
    /// not open yet): the driver reports it to the core as a socket error.
    pub fn send(&self, text: &str) -> Result<(), String> {
        self.ws.send_with_str(text).map_err(|e| js_error_text(&e))
    }

    /// Detaches every handler, then closes with 1000 (normal closure). The
    /// closures stay alive until this value is dropped, which the driver
    /// defers until no handler of this socket can be on the stack.
    pub fn close(&self) {
        self.detach();
        // Closing a socket that is still connecting or already closed is
        // allowed; an exception here is only possible for a bad code, and
        // 1000 is always valid, so the result carries nothing to act on.
        let _ = self.ws.close_with_code(1000);
    }

    fn detach(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        // A socket dropped without `close` (the driver stopped) must not call
        // into closures that are about to be freed.
        self.detach();
    }
}

/// A JavaScript exception as one line of text: `SyntaxError: …` for an
/// Error or DOMException, the value itself otherwise.
pub fn js_error_text(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        let name = String::from(error.name());
        let message = String::from(error.message());
        return if message.is_empty() {
            name
        } else {
            format!("{name}: {message}")
        };
    }
    if let Some(text) = value.as_string() {
        return text;
    }
    // DOMException is an Error in every current browser; this is the rest.
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
