//! `window.__regime`: a plain JavaScript object that end-to-end tests read.
//!
//! Installed once per driver (the last one installed wins) and updated at
//! most once per animation frame, only for the fields that changed: a
//! handful of `Reflect.set` calls with numbers, so it costs nothing to keep
//! in production and holds no growing data (memory stays flat). See the
//! field list in [`super`]'s documentation.

use js_sys::{Object, Reflect};
use regime_view::HookCounters;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// How one field's value is read from the counters.
type FieldValue = dyn Fn(&HookCounters) -> JsValue;

/// The hook object and the one closure it holds.
pub struct TestHook {
    object: Object,
    _memory_bytes: Closure<dyn Fn() -> f64>,
    written: Option<HookCounters>,
    written_live: Option<(&'static str, u64, u64)>,
}

/// The byte length of the WebAssembly memory: what the page's Rust side
/// holds, at page granularity. 0 if it cannot be read.
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| f64::from(b.byte_length()))
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property of a plain object cannot fail; a frozen object
    // (someone else's) simply keeps its values.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn id_value(id: Option<u64>) -> JsValue {
    id.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64))
}

impl TestHook {
    /// Creates the object with zeroed counters and puts it on
    /// `window.__regime`. `None` outside a window.
    pub fn install() -> Option<TestHook> {
        let window = web_sys::window()?;
        let object = Object::new();
        let memory_bytes = Closure::<dyn Fn() -> f64>::new(wasm_memory_bytes);
        set(&object, "wasmMemoryBytes", memory_bytes.as_ref());
        set(&object, "panic", &JsValue::NULL);
        let mut hook = TestHook {
            object,
            _memory_bytes: memory_bytes,
            written: None,
            written_live: None,
        };
        hook.update(&HookCounters {
            mode: "connecting",
            ..HookCounters::default()
        });
        set(&window, "__regime", &hook.object);
        Some(hook)
    }

    /// Writes the counters that changed since the last call.
    pub fn update(&mut self, c: &HookCounters) {
        let old = self.written.take();
        let o = &self.object;
        let changed =
            |f: &dyn Fn(&HookCounters) -> JsValue| old.as_ref().is_none_or(|w| f(w) != f(c));
        let fields: [(&str, &FieldValue); 9] = [
            ("framesTotal", &|c| JsValue::from_f64(c.frames_total as f64)),
            ("batches", &|c| JsValue::from_f64(c.batches as f64)),
            ("signalsAccepted", &|c| {
                JsValue::from_f64(c.signals_accepted as f64)
            }),
            ("firstSignalId", &|c| id_value(c.first_signal_id)),
            ("lastSignalId", &|c| id_value(c.last_signal_id)),
            ("duplicatesDropped", &|c| {
                JsValue::from_f64(c.duplicates_dropped as f64)
            }),
            ("malformed", &|c| JsValue::from_f64(c.malformed as f64)),
            ("recovered", &|c| JsValue::from_f64(c.recovered as f64)),
            ("mode", &|c| JsValue::from_str(c.mode)),
        ];
        for (key, f) in fields {
            if changed(f) {
                set(o, key, &f(c));
            }
        }
        self.written = Some(c.clone());
    }
}

impl TestHook {
    /// Writes `liveSocket`, `liveGaps` and `liveSkipped` when they changed.
    pub fn update_live(&mut self, path: &'static str, gaps: u64, skipped: u64) {
        let now = (path, gaps, skipped);
        if self.written_live == Some(now) {
            return;
        }
        set(&self.object, "liveSocket", &JsValue::from_str(path));
        set(&self.object, "liveGaps", &JsValue::from_f64(gaps as f64));
        set(
            &self.object,
            "liveSkipped",
            &JsValue::from_f64(skipped as f64),
        );
        self.written_live = Some(now);
    }
}

/// Sets `window.__regime.panic` (when the hook exists) to the message.
pub fn record_panic(message: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(hook) = Reflect::get(&window, &JsValue::from_str("__regime")) else {
        return;
    };
    if let Some(object) = hook.dyn_ref::<Object>() {
        set(object, "panic", &JsValue::from_str(message));
    }
}
