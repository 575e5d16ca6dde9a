//! Alert rules: which regime changes interrupt the trader, and how.
//!
//! The trader keeps a list of [`AlertRule`]s (symbol, timeframe and target
//! regime, each "any" when not set, and a minimum ADX) and one cooldown per
//! symbol and timeframe ([`AlertRules`], kept in `localStorage` under
//! [`RULES_KEY`], versioned). Every regime alert that reaches the page goes
//! through [`Alerting::decide`]: it alerts when a rule matches and its
//! symbol and timeframe are out of their cooldown; otherwise it is muted,
//! and the history says why. A burst of alerts becomes one toast ("5 regime
//! changes in 4 s", [`Burst`]). The default rule set is one rule matching
//! everything with no cooldown: every regime change alerts.
//!
//! No browser and no clock: `now` is an argument (ms, any monotonic clock),
//! so every rule here is a plain `cargo test` with a virtual clock.

use std::collections::{HashMap, VecDeque};

use regime_core::model::{Regime, RegimeAlert};
use serde::{Deserialize, Serialize};

/// The `localStorage` key of the rules.
pub const RULES_KEY: &str = "regime.alertRules";
/// The stored format. An entry of any other version is ignored.
pub const RULES_VERSION: u32 = 1;
/// Rules kept at most.
pub const MAX_RULES: usize = 50;
/// The longest cooldown, in seconds (a day).
pub const MAX_COOLDOWN_S: u32 = 86_400;
/// A stored entry larger than this is not one the page wrote.
pub const MAX_RULES_BYTES: usize = 16 * 1024;
/// Symbol and timeframe names longer than this are cut (they are matched
/// against the backend's names, which are short).
pub const MAX_NAME_CHARS: usize = 40;
/// Alerts kept in the history.
pub const HISTORY_LEN: usize = 100;
/// A burst: more than [`BURST_SINGLES`] alerts within this many ms.
pub const BURST_WINDOW_MS: f64 = 10_000.0;
/// Alerts of one window shown as toasts of their own; from the next one on
/// they are one toast. As many as the desktop shows at once.
pub const BURST_SINGLES: usize = 3;
/// Symbol and timeframe pairs whose cooldown is remembered.
const COOLDOWN_KEYS: usize = 1000;

/// The regimes a rule can target, as (wire label, words).
pub const TARGETS: [(&str, &str); 5] = [
    ("trend_up", "trend up"),
    ("trend_down", "trend down"),
    ("range", "range"),
    ("volatile", "volatile"),
    ("trend", "trend"),
];

/// One rule. `None` means any.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default)]
    pub timeframe: Option<String>,
    /// The regime gone to, as its wire label (`trend_up`, …).
    #[serde(default)]
    pub to: Option<String>,
    /// The alert's ADX must be at least this; 0 means no minimum.
    #[serde(default)]
    pub min_adx: f64,
}

fn same(rule: &Option<String>, value: &str) -> bool {
    rule.as_deref()
        .is_none_or(|r| r.trim().eq_ignore_ascii_case(value.trim()))
}

impl AlertRule {
    /// The rule that matches every regime change.
    pub fn any() -> Self {
        AlertRule {
            symbol: None,
            timeframe: None,
            to: None,
            min_adx: 0.0,
        }
    }

    /// A rule from the dialog's fields: blank means any; the ADX is kept
    /// within 0..=100 and a value that is not a number is no minimum.
    pub fn new(symbol: &str, timeframe: &str, to: &str, min_adx: f64) -> Self {
        AlertRule {
            symbol: name(symbol),
            timeframe: name(timeframe),
            to: name(to),
            min_adx: clamp_adx(min_adx),
        }
    }

    /// Whether this alert is one the rule asks for.
    pub fn matches(&self, alert: &RegimeAlert) -> bool {
        same(&self.symbol, &alert.symbol)
            && same(&self.timeframe, &alert.timeframe)
            && same(&self.to, alert.to.as_str())
            && (self.min_adx <= 0.0 || alert.adx >= self.min_adx)
    }

    /// The rule in words: "BTCUSDT · 1h · to trend up · ADX ≥ 25".
    pub fn describe(&self) -> String {
        let to = self.to.as_deref().map(|t| {
            let words = TARGETS
                .iter()
                .find(|(w, _)| *w == t)
                .map_or_else(|| Regime::parse(t).label(), |(_, words)| words.to_string());
            format!("to {words}")
        });
        let parts = [
            self.symbol.clone().unwrap_or_else(|| "any symbol".into()),
            self.timeframe
                .clone()
                .unwrap_or_else(|| "any timeframe".into()),
            to.unwrap_or_else(|| "any regime".into()),
        ];
        let mut text = parts.join(" · ");
        if self.min_adx > 0.0 {
            text.push_str(&format!(" · ADX ≥ {}", trim_number(self.min_adx)));
        }
        text
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn name(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.chars().take(MAX_NAME_CHARS).collect())
}

fn clamp_adx(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

/// The trader's rule set, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRules {
    /// [`RULES_VERSION`].
    pub v: u32,
    /// An alert alerts when any rule matches; none: nothing alerts.
    pub rules: Vec<AlertRule>,
    /// After an alert, the same symbol and timeframe stay quiet this long.
    #[serde(default)]
    pub cooldown_s: u32,
}

impl Default for AlertRules {
    /// Every regime change alerts, with no cooldown.
    fn default() -> Self {
        AlertRules {
            v: RULES_VERSION,
            rules: vec![AlertRule::any()],
            cooldown_s: 0,
        }
    }
}

/// Why a stored rule set was ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RulesProblem {
    Unreadable,
    OtherVersion(u32),
    TooLarge,
}

impl RulesProblem {
    /// The note the dialog shows.
    pub fn sentence(&self) -> String {
        let why = match self {
            RulesProblem::Unreadable => "could not be read".to_string(),
            RulesProblem::OtherVersion(v) => format!("are of another format (version {v})"),
            RulesProblem::TooLarge => "are larger than the page writes".to_string(),
        };
        format!("The saved alert rules {why}; the default (every regime change alerts) is used.")
    }
}

impl AlertRules {
    /// The text kept in `localStorage`.
    pub fn to_storage(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored entry read back, cleaned (names cut, ADX and cooldown in
    /// range, at most [`MAX_RULES`] rules), or why it cannot be used.
    pub fn from_storage(text: &str) -> Result<AlertRules, RulesProblem> {
        if text.len() > MAX_RULES_BYTES {
            return Err(RulesProblem::TooLarge);
        }
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        let version = serde_json::from_str::<Version>(text)
            .map_err(|_| RulesProblem::Unreadable)?
            .v;
        if version != RULES_VERSION {
            return Err(RulesProblem::OtherVersion(version));
        }
        let mut rules: AlertRules =
            serde_json::from_str(text).map_err(|_| RulesProblem::Unreadable)?;
        rules.rules.truncate(MAX_RULES);
        for r in &mut rules.rules {
            *r = AlertRule::new(
                r.symbol.as_deref().unwrap_or(""),
                r.timeframe.as_deref().unwrap_or(""),
                r.to.as_deref().unwrap_or(""),
                r.min_adx,
            );
        }
        rules.cooldown_s = rules.cooldown_s.min(MAX_COOLDOWN_S);
        Ok(rules)
    }

    /// Adds a rule (an identical one is not added twice; at most
    /// [`MAX_RULES`]). Answers whether it was added.
    pub fn add(&mut self, rule: AlertRule) -> bool {
        if self.rules.len() >= MAX_RULES || self.rules.contains(&rule) {
            return false;
        }
        self.rules.push(rule);
        true
    }

    pub fn remove(&mut self, index: usize) {
        if index < self.rules.len() {
            self.rules.remove(index);
        }
    }

    /// Sets the cooldown, within 0..=[`MAX_COOLDOWN_S`].
    pub fn set_cooldown(&mut self, seconds: f64) {
        self.cooldown_s = if seconds.is_finite() {
            seconds.clamp(0.0, MAX_COOLDOWN_S as f64) as u32
        } else {
            0
        };
    }

    fn matches(&self, alert: &RegimeAlert) -> bool {
        self.rules.iter().any(|r| r.matches(alert))
    }
}

/// What became of one alert.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A rule matched: it toasts (alone or in a burst).
    Alerted,
    /// No rule asks for it.
    NoRule,
    /// A rule matched, but its symbol and timeframe alerted less than the
    /// cooldown ago.
    Cooldown { remaining_ms: f64 },
}

impl Outcome {
    /// The history's word for it.
    pub fn words(&self) -> String {
        match self {
            Outcome::Alerted => "alerted".to_string(),
            Outcome::NoRule => "muted: no rule".to_string(),
            Outcome::Cooldown { remaining_ms } => {
                format!("muted: cooldown, {} s left", (remaining_ms / 1000.0).ceil())
            }
        }
    }
}

/// How an alert that alerts is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Toasting {
    /// A toast of its own.
    Single,
    /// Part of a burst: one toast for the burst, `seq` naming it (the
    /// same while the burst goes on), `since` when its first alert came.
    Burst {
        seq: u64,
        count: usize,
        span_ms: f64,
        since: f64,
    },
}

impl Toasting {
    /// A burst's toast text: "5 regime changes in 4 s".
    pub fn burst_text(count: usize, span_ms: f64) -> String {
        let s = (span_ms / 1000.0).ceil().max(1.0);
        format!("{count} regime changes in {s} s")
    }
}

/// Groups a burst of alerts into one toast: the first [`BURST_SINGLES`]
/// within [`BURST_WINDOW_MS`] toast alone; the next one starts a burst
/// toast that counts every alert of the window, and each alert less than a
/// window after the burst's last joins it.
#[derive(Clone, Debug, Default)]
pub struct Burst {
    recent: VecDeque<f64>,
    /// (seq, first alert's time, last alert's time, count).
    current: Option<(u64, f64, f64, usize)>,
    next_seq: u64,
}

impl Burst {
    pub fn add(&mut self, now: f64) -> Toasting {
        if let Some((seq, since, last, count)) = self.current.as_mut() {
            if now >= *last && now - *last < BURST_WINDOW_MS {
                *last = now;
                *count += 1;
                return Toasting::Burst {
                    seq: *seq,
                    count: *count,
                    span_ms: *last - *since,
                    since: *since,
                };
            }
            self.current = None;
            self.recent.clear();
        }
        // A clock that went backwards starts afresh.
        self.recent
            .retain(|&t| t <= now && now - t < BURST_WINDOW_MS);
        self.recent.push_back(now);
        if self.recent.len() <= BURST_SINGLES {
            return Toasting::Single;
        }
        let since = self.recent.front().copied().unwrap_or(now);
        let count = self.recent.len();
        self.next_seq += 1;
        self.current = Some((self.next_seq, since, now, count));
        self.recent.clear();
        Toasting::Burst {
            seq: self.next_seq,
            count,
            span_ms: now - since,
            since,
        }
    }
}

/// One alert in the history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// Unique within the page's life, for keyed rendering.
    pub seq: u64,
    pub alert: RegimeAlert,
    pub outcome: Outcome,
}

/// What [`Alerting::decide`] answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    /// `Some` when it alerts.
    pub toast: Option<Toasting>,
}

/// The rules, the cooldowns, the burst and the history, together.
#[derive(Clone, Debug, Default)]
pub struct Alerting {
    rules: AlertRules,
    /// (symbol, timeframe) lower-cased → when it last alerted.
    last: HashMap<(String, String), f64>,
    last_order: VecDeque<(String, String)>,
    burst: Burst,
    history: VecDeque<HistoryEntry>,
    seq: u64,
}

impl Alerting {
    pub fn new(rules: AlertRules) -> Self {
        Alerting {
            rules,
            ..Default::default()
        }
    }

    pub fn rules(&self) -> &AlertRules {
        &self.rules
    }

    /// New rules; the cooldowns already running keep running.
    pub fn set_rules(&mut self, rules: AlertRules) {
        self.rules = rules;
    }

    /// The history, newest first.
    pub fn history(&self) -> impl Iterator<Item = &HistoryEntry> {
        self.history.iter()
    }

    /// Decides one alert that arrived at `now` and records it in the
    /// history. Call once per alert (after de-duplication).
    pub fn decide(&mut self, alert: &RegimeAlert, now: f64) -> Decision {
        let outcome = if !self.rules.matches(alert) {
            Outcome::NoRule
        } else {
            let key = (
                alert.symbol.trim().to_ascii_lowercase(),
                alert.timeframe.trim().to_ascii_lowercase(),
            );
            let cooldown_ms = self.rules.cooldown_s as f64 * 1000.0;
            match self.last.get(&key) {
                // A clock that went backwards does not hold an alert back.
                Some(&t) if now >= t && now - t < cooldown_ms => Outcome::Cooldown {
                    remaining_ms: cooldown_ms - (now - t),
                },
                _ => {
                    if self.last.insert(key.clone(), now).is_none() {
                        self.last_order.push_back(key);
                        if self.last_order.len() > COOLDOWN_KEYS {
                            if let Some(old) = self.last_order.pop_front() {
                                self.last.remove(&old);
                            }
                        }
                    }
                    Outcome::Alerted
                }
            }
        };
        let toast = (outcome == Outcome::Alerted).then(|| self.burst.add(now));
        self.seq += 1;
        self.history.push_front(HistoryEntry {
            seq: self.seq,
            alert: alert.clone(),
            outcome: outcome.clone(),
        });
        self.history.truncate(HISTORY_LEN);
        Decision { outcome, toast }
    }
}

/// The page's title with the count of alerts not looked at yet:
/// "(3) Regime dashboard"; the title alone when there are none. A count
/// already in `base` is replaced, not stacked.
pub fn title_with_unread(base: &str, unread: u32) -> String {
    let base = strip_unread(base);
    if unread == 0 {
        base.to_string()
    } else {
        format!("({}) {base}", unread.min(999))
    }
}

fn strip_unread(title: &str) -> &str {
    if let Some(rest) = title.strip_prefix('(') {
        if let Some((n, tail)) = rest.split_once(") ") {
            if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
                return tail;
            }
        }
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::Timestamp;

    fn alert(symbol: &str, tf: &str, to: &str, adx: f64) -> RegimeAlert {
        RegimeAlert {
            id: 1,
            symbol: symbol.into(),
            timeframe: tf.into(),
            from: Regime::Range,
            to: Regime::parse(to),
            adx,
            atr_pct: None,
            timestamp: Timestamp(0),
            message: None,
        }
    }

    fn btc_1h_up(min_adx: f64) -> AlertRules {
        AlertRules {
            rules: vec![AlertRule::new("BTCUSDT", "1h", "trend_up", min_adx)],
            ..AlertRules::default()
        }
    }

    #[test]
    fn by_default_every_regime_change_alerts_each_in_its_own_toast() {
        let mut a = Alerting::new(AlertRules::default());
        for (i, (s, tf, to)) in [
            ("BTCUSDT", "1h", "trend_up"),
            ("ETHUSDT", "5m", "squeeze"),
            ("", "", ""),
        ]
        .into_iter()
        .enumerate()
        {
            let d = a.decide(&alert(s, tf, to, f64::NAN), i as f64 * 20_000.0);
            assert_eq!(d.outcome, Outcome::Alerted);
            assert_eq!(d.toast, Some(Toasting::Single));
        }
    }

    #[test]
    fn a_rule_picks_symbol_timeframe_target_and_minimum_adx() {
        let mut a = Alerting::new(btc_1h_up(25.0));
        let mut t = 0.0;
        let mut outcome = |al: RegimeAlert| {
            t += 60_000.0;
            a.decide(&al, t).outcome
        };
        assert_eq!(
            outcome(alert("BTCUSDT", "1h", "trend_up", 27.0)),
            Outcome::Alerted
        );
        // Names are matched without regard to case or spaces.
        assert_eq!(
            outcome(alert(" btcusdt", "1H", "trend_up", 25.0)),
            Outcome::Alerted
        );
        assert_eq!(
            outcome(alert("BTCUSDT", "1h", "trend_up", 24.9)),
            Outcome::NoRule
        );
        assert_eq!(
            outcome(alert("BTCUSDT", "1h", "trend_up", f64::NAN)),
            Outcome::NoRule
        );
        assert_eq!(
            outcome(alert("BTCUSDT", "5m", "trend_up", 30.0)),
            Outcome::NoRule
        );
        assert_eq!(
            outcome(alert("ETHUSDT", "1h", "trend_up", 30.0)),
            Outcome::NoRule
        );
        assert_eq!(
            outcome(alert("BTCUSDT", "1h", "range", 30.0)),
            Outcome::NoRule
        );
        // "Any" fields, and no rule at all.
        let mut a = Alerting::new(AlertRules {
            rules: vec![AlertRule::new("", "", "range", 0.0)],
            ..AlertRules::default()
        });
        assert_eq!(
            a.decide(&alert("X", "1d", "range", 1.0), 0.0).outcome,
            Outcome::Alerted
        );
        a.set_rules(AlertRules {
            rules: vec![],
            ..AlertRules::default()
        });
        let d = a.decide(&alert("X", "1d", "range", 1.0), 1.0);
        assert_eq!((d.outcome, d.toast), (Outcome::NoRule, None));
    }

    #[test]
    fn the_cooldown_holds_one_symbol_and_timeframe_back_and_not_the_others() {
        let mut rules = AlertRules::default();
        rules.set_cooldown(60.0);
        let mut a = Alerting::new(rules);
        let btc = alert("BTCUSDT", "1h", "trend_up", 30.0);
        assert_eq!(a.decide(&btc, 0.0).outcome, Outcome::Alerted);
        assert_eq!(
            a.decide(&btc, 15_000.0).outcome,
            Outcome::Cooldown {
                remaining_ms: 45_000.0
            }
        );
        // Another timeframe of the same symbol is its own pair.
        assert_eq!(
            a.decide(&alert("BTCUSDT", "5m", "range", 9.0), 16_000.0)
                .outcome,
            Outcome::Alerted
        );
        // A muted alert does not extend the cooldown: it ends 60 s after
        // the one that alerted.
        assert_eq!(a.decide(&btc, 60_000.0).outcome, Outcome::Alerted);
        assert!(matches!(
            a.decide(&btc, 61_000.0).outcome,
            Outcome::Cooldown { .. }
        ));
        // A clock that went backwards lets it through.
        assert_eq!(a.decide(&btc, 10.0).outcome, Outcome::Alerted);
        assert_eq!(
            Outcome::Cooldown {
                remaining_ms: 44_001.0
            }
            .words(),
            "muted: cooldown, 45 s left"
        );
    }

    #[test]
    fn a_burst_becomes_one_toast_that_counts_it() {
        let mut a = Alerting::new(AlertRules::default());
        let toasts: Vec<Toasting> = (0..6)
            .map(|i| {
                let al = alert(&format!("S{i}"), "1m", "range", 10.0);
                a.decide(&al, i as f64 * 800.0).toast.unwrap()
            })
            .collect();
        assert_eq!(
            toasts[..3],
            [Toasting::Single, Toasting::Single, Toasting::Single]
        );
        assert_eq!(
            toasts[3],
            Toasting::Burst {
                seq: 1,
                count: 4,
                span_ms: 2400.0,
                since: 0.0
            }
        );
        assert_eq!(
            toasts[5],
            Toasting::Burst {
                seq: 1,
                count: 6,
                span_ms: 4000.0,
                since: 0.0
            }
        );
        assert_eq!(Toasting::burst_text(6, 4000.0), "6 regime changes in 4 s");
        assert_eq!(Toasting::burst_text(5, 0.0), "5 regime changes in 1 s");
        // Quiet for a window: the burst is over, the next alert toasts alone.
        let d = a.decide(&alert("S9", "1m", "range", 10.0), 4000.0 + BURST_WINDOW_MS);
        assert_eq!(d.toast, Some(Toasting::Single));
        // Alerts spread wider than the window never make a burst.
        let mut b = Burst::default();
        for i in 0..20 {
            assert_eq!(b.add(i as f64 * 3400.0), Toasting::Single, "alert {i}");
        }
        // A muted alert is not part of a burst.
        let mut a = Alerting::new(btc_1h_up(0.0));
        for i in 0..10 {
            assert_eq!(
                a.decide(&alert("ETHUSDT", "1h", "trend_up", 9.0), i as f64)
                    .toast,
                None
            );
        }
    }

    #[test]
    fn the_history_keeps_the_newest_alerts_first_with_their_outcome() {
        let mut a = Alerting::new(btc_1h_up(0.0));
        for i in 0..(HISTORY_LEN + 20) {
            let mut al = alert(
                if i % 2 == 0 { "BTCUSDT" } else { "ETHUSDT" },
                "1h",
                "trend_up",
                30.0,
            );
            al.id = i as u64;
            a.decide(&al, i as f64 * 60_000.0);
        }
        let h: Vec<&HistoryEntry> = a.history().collect();
        assert_eq!(h.len(), HISTORY_LEN);
        assert_eq!(h[0].alert.id, (HISTORY_LEN + 19) as u64);
        assert_eq!(h[0].outcome, Outcome::NoRule);
        assert_eq!(h[1].outcome, Outcome::Alerted);
        assert!(h.windows(2).all(|w| w[0].seq > w[1].seq));
    }

    #[test]
    fn rules_round_trip_through_storage() {
        let mut rules = btc_1h_up(25.0);
        rules.add(AlertRule::any());
        assert!(!rules.add(AlertRule::any()), "the same rule twice");
        rules.set_cooldown(90.0);
        let text = rules.to_storage();
        assert!(text.contains("\"v\":1"), "{text}");
        assert_eq!(AlertRules::from_storage(&text), Ok(rules.clone()));
        rules.remove(0);
        rules.remove(7);
        assert_eq!(rules.rules, vec![AlertRule::any()]);
        assert_eq!(
            rules.rules[0].describe(),
            "any symbol · any timeframe · any regime"
        );
        assert_eq!(
            AlertRule::new("BTCUSDT", "1h", "trend_up", 25.0).describe(),
            "BTCUSDT · 1h · to trend up · ADX ≥ 25"
        );
        assert_eq!(
            AlertRule::new("X", "", "squeeze", 22.55).describe(),
            "X · any timeframe · to squeeze · ADX ≥ 22.6"
        );
    }

    #[test]
    fn a_corrupt_or_old_entry_is_ignored_and_said() {
        for (text, problem) in [
            ("not json", RulesProblem::Unreadable),
            ("{\"v\":1,\"rules\":\"x\"}", RulesProblem::Unreadable),
            ("[]", RulesProblem::Unreadable),
            ("{\"v\":0,\"rules\":[]}", RulesProblem::OtherVersion(0)),
            ("{\"v\":2}", RulesProblem::OtherVersion(2)),
        ] {
            assert_eq!(
                AlertRules::from_storage(text),
                Err(problem.clone()),
                "{text}"
            );
            assert!(problem.sentence().contains("default"));
        }
        let huge = format!(
            "{{\"v\":1,\"rules\":[],\"x\":\"{}\"}}",
            "a".repeat(MAX_RULES_BYTES)
        );
        assert_eq!(AlertRules::from_storage(&huge), Err(RulesProblem::TooLarge));
        // Values out of range are brought into it, long names cut.
        let odd = format!(
            "{{\"v\":1,\"cooldownS\":4000000000,\"rules\":[{{\"symbol\":\"{}\",\"minAdx\":1e300}},{{\"symbol\":\"  \",\"minAdx\":-5}}]}}",
            "Z".repeat(500)
        );
        let r = AlertRules::from_storage(&odd).unwrap();
        assert_eq!(r.cooldown_s, MAX_COOLDOWN_S);
        assert_eq!(
            r.rules[0].symbol.as_ref().unwrap().chars().count(),
            MAX_NAME_CHARS
        );
        assert_eq!(r.rules[0].min_adx, 100.0);
        assert_eq!(r.rules[1], AlertRule::any());
        let mut c = AlertRules::default();
        c.set_cooldown(f64::NAN);
        assert_eq!(c.cooldown_s, 0);
        c.set_cooldown(-3.0);
        assert_eq!(c.cooldown_s, 0);
    }

    #[test]
    fn the_title_counts_what_was_not_looked_at() {
        assert_eq!(title_with_unread("Regime dashboard", 0), "Regime dashboard");
        assert_eq!(
            title_with_unread("Regime dashboard", 3),
            "(3) Regime dashboard"
        );
        assert_eq!(
            title_with_unread("(3) Regime dashboard", 4),
            "(4) Regime dashboard"
        );
        assert_eq!(
            title_with_unread("(3) Regime dashboard", 0),
            "Regime dashboard"
        );
        assert_eq!(title_with_unread("(x) Regime", 1), "(1) (x) Regime");
        assert_eq!(title_with_unread("R", 5000), "(999) R");
    }
}
