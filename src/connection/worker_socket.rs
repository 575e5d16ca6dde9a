//! The live socket in a dedicated Worker (`worker.js`, served next to
//! `index.html`): the page side of it.
//!
//! The Worker owns the WebSockets and only moves bytes; the core stays
//! here. Once per tick the Worker posts one message with every frame since
//! the last: the driver hands its texts to the core in one call
//! ([`regime_core::machine::Connection::handle_socket_texts`]), then acks,
//! and only then does the Worker post the next tick. While the page is
//! busy, frames wait in the Worker, up to the `liveQueue` setting; past it
//! the Worker skips them and reports a gap, which the core recovers through
//! REST (see docs/ARCHITECTURE.md, "The live socket in a Worker").
//!
//! Nothing from the Worker may panic the page: every field is read with a
//! fallback, and a malformed tick is skipped from the first bad record on.

use std::rc::Weak;

use js_sys::{Array, Int32Array, Reflect, Uint8Array};
use regime_core::machine::SocketId;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, MessageEvent, Worker};

use super::driver::{Input, Shared};

/// The Worker script, relative to the page (so that a page under a path
/// prefix loads its own). Trunk copies it into dist/ without hashing its
/// name, so the query carries a hash of its text: a browser never runs a
/// cached Worker of another build with this page.
pub fn worker_url() -> String {
    format!("worker.js?v={WORKER_HASH:08x}")
}

/// FNV-1a of the Worker's text, computed at compile time (the text itself
/// is not in the wasm).
const WORKER_HASH: u32 = {
    let bytes = include_str!("worker.js").as_bytes();
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
};

/// One event of a tick, in the order the Worker saw them.
#[derive(Debug)]
pub(crate) enum Record {
    Opened(SocketId),
    /// Frames: a text frame's byte length in the tick's bytes, or `-1 - n`
    /// for a binary frame of `n` bytes.
    Frames(SocketId, Vec<i32>),
    Closed {
        socket: SocketId,
        code: u16,
        reason: String,
        was_clean: bool,
    },
    Error(SocketId),
    /// The browser would not create the socket, in its words.
    Refused(SocketId, String),
    /// The Worker's queue was full: it skipped this many frames.
    Gap(SocketId, u64),
}

/// One tick: the UTF-8 bytes of every text frame, back to back, and the
/// records that cut them.
#[derive(Debug, Default)]
pub(crate) struct Tick {
    pub bytes: Vec<u8>,
    pub records: Vec<Record>,
}

/// What the Worker said, for the driver.
#[derive(Debug)]
pub(crate) enum WorkerNews {
    /// The script runs.
    Ready,
    /// The script did not load, or stopped: the page opens its sockets
    /// itself from now on.
    Failed,
    Tick(Tick),
}

/// The Worker and the closures that hear it.
pub struct WorkerLink {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl WorkerLink {
    /// Starts the Worker. `None` when the browser has no `Worker` or
    /// refuses this one at once (a CSP without `worker-src`): the page then
    /// opens its sockets itself.
    pub(crate) fn start(driver: Weak<Shared>) -> Option<WorkerLink> {
        let global = js_sys::global();
        let has_worker = Reflect::has(&global, &JsValue::from_str("Worker")).unwrap_or(false);
        if !has_worker {
            return None;
        }
        let worker = Worker::new(&worker_url()).ok()?;
        let d = driver.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(news) = read_news(&event.data()) {
                Shared::send_input(&d, Input::Worker(news));
            }
        });
        let d = driver;
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            // Not reported to the console by the browser again.
            event.prevent_default();
            Shared::send_input(&d, Input::Worker(WorkerNews::Failed));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(WorkerLink {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn post(&self, message: &[(&str, JsValue)]) {
        let object = js_sys::Object::new();
        for (key, value) in message {
            let _ = Reflect::set(&object, &JsValue::from_str(key), value);
        }
        // Only a value that cannot be cloned fails, and these are strings
        // and numbers.
        let _ = self.worker.post_message(&object);
    }

    /// Opens `url` as `socket`, holding at most `max` frames for the page.
    pub fn open(&self, socket: SocketId, url: &str, max: u32) {
        self.post(&[
            ("t", "open".into()),
            ("s", (socket as f64).into()),
            ("url", url.into()),
            ("max", max.into()),
        ]);
    }

    pub fn send(&self, socket: SocketId, text: &str) {
        self.post(&[
            ("t", "send".into()),
            ("s", (socket as f64).into()),
            ("text", text.into()),
        ]);
    }

    /// Closes with 1000; no event of this socket is posted after it.
    pub fn close(&self, socket: SocketId) {
        self.post(&[("t", "close".into()), ("s", (socket as f64).into())]);
    }

    /// The page has handled the last tick: the Worker may post the next.
    pub fn ack(&self) {
        self.post(&[("t", "ack".into())]);
    }
}

impl Drop for WorkerLink {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A message from the Worker; `None` for anything else.
fn read_news(data: &JsValue) -> Option<WorkerNews> {
    if !data.is_object() {
        return None;
    }
    if get(data, "t").as_string().as_deref() == Some("ready") {
        return Some(WorkerNews::Ready);
    }
    let records = get(data, "r").dyn_into::<Array>().ok()?;
    let bytes = get(data, "b")
        .dyn_into::<Uint8Array>()
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let mut tick = Tick {
        bytes,
        records: Vec::with_capacity(records.length() as usize),
    };
    for r in records.iter() {
        match read_record(&r) {
            Some(record) => tick.records.push(record),
            None => break,
        }
    }
    Some(WorkerNews::Tick(tick))
}

fn read_record(r: &JsValue) -> Option<Record> {
    let r = r.dyn_ref::<Array>()?;
    let socket = r.get(0).as_f64().filter(|s| *s >= 0.0)? as SocketId;
    let kind = r.get(1).as_string()?;
    Some(match kind.as_str() {
        "o" => Record::Opened(socket),
        "d" => Record::Frames(socket, r.get(2).dyn_into::<Int32Array>().ok()?.to_vec()),
        "c" => Record::Closed {
            socket,
            code: r
                .get(2)
                .as_f64()
                .map_or(1006, |c| c.clamp(0.0, 65535.0) as u16),
            reason: r.get(3).as_string().unwrap_or_default(),
            was_clean: r.get(4).as_bool().unwrap_or(false),
        },
        "e" => Record::Error(socket),
        "r" => Record::Refused(socket, r.get(2).as_string().unwrap_or_default()),
        "g" => Record::Gap(socket, r.get(2).as_f64().map_or(0, |n| n.max(0.0) as u64)),
        _ => return None,
    })
}

/// A piece of a tick's frames of one socket: a run of texts, or one binary
/// frame's length.
pub(crate) enum Piece<'a, 'b> {
    Texts(&'b [&'a str]),
    Binary(usize),
}

/// A tick's frames of one socket, cut from its bytes: texts in runs, each
/// binary frame on its own, in order. `offset` moves past the texts taken.
/// A length past the end (never from our Worker) ends the run.
pub(crate) fn split_frames<'a>(
    bytes: &'a [u8],
    offset: &mut usize,
    lens: &[i32],
    mut on: impl FnMut(Piece<'a, '_>),
) {
    let mut texts: Vec<&'a str> = Vec::with_capacity(lens.len());
    for &len in lens {
        if len < 0 {
            if !texts.is_empty() {
                on(Piece::Texts(&texts));
                texts.clear();
            }
            on(Piece::Binary((-(len as i64) - 1) as usize));
            continue;
        }
        let end = offset.saturating_add(len as usize);
        let Some(slice) = bytes.get(*offset..end) else {
            break;
        };
        *offset = end;
        // The Worker's TextEncoder wrote UTF-8; a slice that is not (never
        // from our Worker) is taken as one replacement character, so it
        // still counts as a frame, and reads as malformed.
        match std::str::from_utf8(slice) {
            Ok(text) => texts.push(text),
            Err(_) => texts.push("\u{FFFD}"),
        }
    }
    if !texts.is_empty() {
        on(Piece::Texts(&texts));
    }
}
