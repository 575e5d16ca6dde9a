//! The regime-alert toasts as plain data: which are on screen, which wait,
//! when each goes away, and how often a sound or a desktop notification may
//! interrupt the trader. The toast component only draws this.

use std::collections::{HashSet, VecDeque};

use regime_core::machine::FreshAlert;

use super::format::alert_text;

/// (backend run, alert id).
pub type ToastKey = (u32, u64);

/// The run half of a burst toast's key (no backend run gets this far).
pub const BURST_RUN: u32 = u32::MAX;

/// One toast: an alert, its text, and when it arrived (ms, any clock).
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    /// The key for keyed rendering and for dismissal: the backend run and
    /// the alert id (a new run's alert 5 is not the old run's alert 5).
    pub key: ToastKey,
    pub text: String,
    /// The backend's optional free text, shown as text under the line.
    pub message: Option<String>,
    /// The alert's own time (epoch ms, as the backend stamped it): a
    /// recovered alert may be minutes old when its toast appears.
    pub at_ms: i64,
    /// The regime the market went to, for the toast's colour.
    pub to_class: &'static str,
    pub arrived_at: f64,
    /// Grows each time the queue writes a toast, a burst updated in place
    /// included: the list is keyed by `(key, revision)` ([`Toast::view_key`]),
    /// so a toast whose text changed is drawn again (keyed by `key` alone,
    /// a burst stayed at "4 regime changes" when the fifth came).
    pub revision: u64,
}

impl Toast {
    /// The key the toast list renders by: a new revision is a new element.
    pub fn view_key(&self) -> (ToastKey, u64) {
        (self.key, self.revision)
    }
}

/// A toast message longer than this many characters shows its start and
/// opens to the whole on a click: a 470-character message made an 8-line
/// toast over the signals list.
pub const MESSAGE_HEAD_CHARS: usize = 120;

/// The start of a message too long for a toast (cut at a word when one ends
/// in the last fifth), or `None` when the whole fits.
pub fn message_head(message: &str) -> Option<String> {
    if message.chars().count() <= MESSAGE_HEAD_CHARS {
        return None;
    }
    let cut: String = message.chars().take(MESSAGE_HEAD_CHARS).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .filter(|&i| i >= cut.len() * 4 / 5)
        .unwrap_or(cut.len());
    Some(format!("{}…", cut[..at_word].trim_end()))
}

/// The toast queue. Newest first; at most `max_visible` on screen, the
/// rest counted; each goes away `ttl_ms` after it arrived or when dismissed.
#[derive(Clone, Debug)]
pub struct ToastQueue {
    items: VecDeque<Toast>,
    /// The last `fresh_alerts` generation taken in.
    generation: u64,
    /// Alert ids already toasted, so a batch seen twice toasts once.
    seen: HashSet<ToastKey>,
    seen_order: VecDeque<ToastKey>,
    max_visible: usize,
    ttl_ms: f64,
    /// The last [`Toast::revision`] given.
    revision: u64,
}

impl ToastQueue {
    /// Toasts on screen at once. Defaults to 3.
    pub const MAX_VISIBLE: usize = 3;
    /// How long a toast stays. Defaults to 8 s.
    pub const TTL_MS: f64 = 8000.0;
    /// Waiting toasts kept at most (a flood must not grow memory).
    pub const MAX_QUEUED: usize = 100;
    /// Alert ids remembered for de-duplication.
    const SEEN_CAP: usize = 1000;

    pub fn new() -> Self {
        Self::with_limits(Self::MAX_VISIBLE, Self::TTL_MS)
    }

    pub fn with_limits(max_visible: usize, ttl_ms: f64) -> Self {
        ToastQueue {
            items: VecDeque::new(),
            generation: 0,
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            max_visible,
            ttl_ms,
            revision: 0,
        }
    }

    /// Takes in a `fresh_alerts` batch. A generation already taken in is
    /// ignored; an alert id already toasted is ignored. Answers how many
    /// toasts were added (for sound and notification).
    pub fn ingest(&mut self, generation: u64, alerts: &[FreshAlert], now: f64) -> Vec<Toast> {
        let fresh = self.take_new(generation, alerts);
        fresh.iter().map(|a| self.push_alert(a, now)).collect()
    }

    /// The alerts of a `fresh_alerts` batch not seen before (a generation
    /// already taken in brings none), without toasting them: the alert
    /// rules decide which do.
    pub fn take_new(&mut self, generation: u64, alerts: &[FreshAlert]) -> Vec<FreshAlert> {
        if generation <= self.generation && generation != 0 {
            return Vec::new();
        }
        self.generation = generation;
        let mut fresh = Vec::new();
        for f in alerts {
            let key = (f.run, f.alert.id);
            if !self.seen.insert(key) {
                continue;
            }
            self.seen_order.push_back(key);
            if self.seen_order.len() > Self::SEEN_CAP {
                if let Some(old) = self.seen_order.pop_front() {
                    self.seen.remove(&old);
                }
            }
            fresh.push(f.clone());
        }
        fresh
    }

    /// Toasts one alert.
    pub fn push_alert(&mut self, f: &FreshAlert, now: f64) -> Toast {
        let a = &f.alert;
        let toast = Toast {
            key: (f.run, a.id),
            text: alert_text(a),
            message: a.message.clone().filter(|m| !m.trim().is_empty()),
            to_class: super::format::regime_class(&a.to),
            at_ms: a.timestamp.millis(),
            arrived_at: now,
            revision: self.next_revision(),
        };
        self.items.push_front(toast.clone());
        self.items.truncate(Self::MAX_QUEUED);
        toast
    }

    /// Shows a burst as one toast: the burst's own toasts (those that came
    /// since `since`) make way for it, and a later alert of the same burst
    /// updates it in place, its time to live starting again. Its message
    /// names the newest change (`newest`, the alert that came last).
    pub fn show_burst(
        &mut self,
        seq: u64,
        text: String,
        since: f64,
        newest: &FreshAlert,
        now: f64,
    ) -> Toast {
        let key = (BURST_RUN, seq);
        self.items
            .retain(|t| t.key != key && (t.key.0 == BURST_RUN || t.arrived_at < since));
        let toast = Toast {
            key,
            text,
            message: Some(format!("Newest: {}", alert_text(&newest.alert))),
            to_class: "toast-burst",
            at_ms: newest.alert.timestamp.millis(),
            arrived_at: now,
            revision: self.next_revision(),
        };
        self.items.push_front(toast.clone());
        toast
    }

    fn next_revision(&mut self) -> u64 {
        self.revision += 1;
        self.revision
    }

    /// Drops toasts older than the time to live. Answers whether any went.
    pub fn expire(&mut self, now: f64) -> bool {
        let before = self.items.len();
        let ttl = self.ttl_ms;
        self.items.retain(|t| now - t.arrived_at < ttl);
        self.items.len() != before
    }

    /// Closes one toast.
    pub fn dismiss(&mut self, key: ToastKey) {
        self.items.retain(|t| t.key != key);
    }

    /// Closes every toast.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The toasts on screen, newest first.
    pub fn visible(&self) -> Vec<Toast> {
        self.items.iter().take(self.max_visible).cloned().collect()
    }

    /// How many wait behind the visible ones.
    pub fn hidden(&self) -> usize {
        self.items.len().saturating_sub(self.max_visible)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// When the oldest toast expires, for the next timer.
    pub fn next_expiry(&self) -> Option<f64> {
        self.items
            .iter()
            .map(|t| t.arrived_at + self.ttl_ms)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))))
    }
}

impl Default for ToastQueue {
    fn default() -> Self {
        Self::new()
    }
}

/// Lets an interruption (a beep, a desktop notification) through at most
/// once per interval.
#[derive(Clone, Copy, Debug)]
pub struct RateLimiter {
    interval_ms: f64,
    last: Option<f64>,
}

impl RateLimiter {
    /// One sound or notification per 10 s at most.
    pub const ALERT_INTERVAL_MS: f64 = 10_000.0;

    pub fn new(interval_ms: f64) -> Self {
        RateLimiter {
            interval_ms,
            last: None,
        }
    }

    /// True (and remembers `now`) when enough time has passed.
    pub fn allow(&mut self, now: f64) -> bool {
        match self.last {
            Some(t) if now - t < self.interval_ms && now >= t => false,
            _ => {
                self.last = Some(now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::{Regime, RegimeAlert, Timestamp};

    fn alert(id: u64) -> FreshAlert {
        FreshAlert {
            run: 0,
            alert: alert_of(id),
        }
    }

    fn alert_of(id: u64) -> RegimeAlert {
        RegimeAlert {
            id,
            symbol: "BTCUSDT".into(),
            timeframe: "1h".into(),
            from: Regime::Range,
            to: Regime::TrendUp,
            adx: 27.1,
            atr_pct: None,
            timestamp: Timestamp(0),
            message: Some("ADX crossed 25".into()),
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_batch_becomes_toasts_newest_first_with_the_rest_counted() {
        let mut q = ToastQueue::new();
        let added = q.ingest(1, &[alert(1), alert(2), alert(3), alert(4), alert(5)], 0.0);
        assert_eq!(added.len(), 5);
        let keys: Vec<u64> = q.visible().iter().map(|t| t.key.1).collect();
        assert_eq!(keys, vec![5, 4, 3]);
        assert_eq!(q.hidden(), 2);
        assert_eq!(
            q.visible()[0].text,
            "BTCUSDT 1h: range → trend up · ADX 27.1"
        );
        assert_eq!(q.visible()[0].to_class, "regime-trend-up");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_same_generation_or_alert_toasts_once() {
        let mut q = ToastQueue::new();
        assert_eq!(q.ingest(1, &[alert(1)], 0.0).len(), 1);
        assert_eq!(q.ingest(1, &[alert(1)], 0.0).len(), 0);
        // A later batch that repeats an old alert adds only the new one.
        assert_eq!(q.ingest(2, &[alert(1), alert(2)], 0.0).len(), 1);
        assert_eq!(q.len(), 2);
        // Generation 0 is the hook's empty start: nothing to take in.
        assert_eq!(q.ingest(0, &[], 0.0).len(), 0);
        // A new backend run numbers from 1 again: its alert 1 is news.
        let new_run = FreshAlert {
            run: 1,
            alert: alert_of(1),
        };
        assert_eq!(q.ingest(3, &[new_run], 0.0).len(), 1);
        assert_eq!(q.visible()[0].key, (1, 1));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn toasts_expire_after_eight_seconds_and_can_be_dismissed() {
        let mut q = ToastQueue::new();
        q.ingest(1, &[alert(1)], 0.0);
        q.ingest(2, &[alert(2)], 3000.0);
        assert_eq!(q.next_expiry(), Some(8000.0));
        assert!(!q.expire(7999.0));
        assert!(q.expire(8000.0));
        assert_eq!(
            q.visible().iter().map(|t| t.key).collect::<Vec<_>>(),
            vec![(0, 2)]
        );
        q.dismiss((0, 2));
        assert!(q.is_empty());
        assert_eq!(q.next_expiry(), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_burst_replaces_its_own_toasts_and_updates_in_place() {
        let mut q = ToastQueue::new();
        q.ingest(1, &[alert(1)], 0.0);
        let fresh = q.take_new(2, &[alert(1), alert(2), alert(3)]);
        assert_eq!(fresh.len(), 2, "alert 1 was toasted already");
        for f in &fresh {
            q.push_alert(f, 20_000.0);
        }
        q.show_burst(
            1,
            "4 regime changes in 3 s".into(),
            20_000.0,
            &fresh[1],
            23_000.0,
        );
        let keys: Vec<ToastKey> = q.visible().iter().map(|t| t.key).collect();
        assert_eq!(keys, vec![(BURST_RUN, 1), (0, 1)]);
        let drawn = q.visible()[0].view_key();
        q.show_burst(
            1,
            "5 regime changes in 4 s".into(),
            20_000.0,
            &alert(9),
            24_000.0,
        );
        assert_eq!(q.len(), 2);
        assert_eq!(q.visible()[0].text, "5 regime changes in 4 s");
        assert_eq!(q.visible()[0].arrived_at, 24_000.0);
        // Same toast, new text: the list must draw it again.
        assert_eq!(q.visible()[0].key, drawn.0);
        assert_ne!(q.visible()[0].view_key(), drawn);
        assert_eq!(
            q.visible()[0].message.as_deref(),
            Some("Newest: BTCUSDT 1h: range → trend up · ADX 27.1")
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_flood_stays_bounded() {
        let mut q = ToastQueue::new();
        let flood: Vec<FreshAlert> = (0..5000).map(alert).collect();
        q.ingest(1, &flood, 0.0);
        assert_eq!(q.len(), ToastQueue::MAX_QUEUED);
        assert_eq!(q.visible()[0].key, (0, 4999));
        assert!(q.seen.len() <= ToastQueue::SEEN_CAP);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn interruptions_are_rate_limited() {
        let mut r = RateLimiter::new(RateLimiter::ALERT_INTERVAL_MS);
        assert!(r.allow(0.0));
        assert!(!r.allow(5000.0));
        assert!(!r.allow(9999.0));
        assert!(r.allow(10_000.0));
        // A clock that went backwards (a new page origin) does not lock it.
        assert!(r.allow(10.0));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_long_message_shows_its_start_and_a_short_one_all() {
        assert_eq!(message_head("Trend confirmed on volume."), None);
        let long = "word ".repeat(94); // 470 characters
        let head = message_head(&long).unwrap();
        assert!(head.ends_with("word…"), "{head}");
        assert!(head.chars().count() <= MESSAGE_HEAD_CHARS + 1, "{head}");
        // No space to cut at: cut at the limit, on a character boundary.
        let head = message_head(&"é".repeat(300)).unwrap();
        assert_eq!(head.chars().count(), MESSAGE_HEAD_CHARS + 1);
    }
}
