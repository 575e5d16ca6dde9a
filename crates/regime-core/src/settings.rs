//! The dashboard's settings (PROTOCOL.md §5): built-in defaults, then
//! `config.json`, then the query string, each value validated.
//!
//! A value that cannot be used never stops the page: the previous value (the
//! default, or what an earlier source set) stays, and a [`SettingProblem`]
//! says which key, which value and what was expected, so the health panel
//! can show it as a sentence.

use std::fmt;

use serde_json::Value;

use crate::live::TransportKind;
use crate::token::{BoundToken, Token};
use crate::wire::url::{self, host_of, normalise_api, normalise_ws, parse_query};

/// `protocol`: which live transport to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Plain JSON envelopes over a WebSocket (`native`).
    Native,
    /// Socket.IO v4 (`socketio`).
    SocketIo,
    /// Probe `{api}/socket.io/?EIO=4&transport=polling`, then pick (`auto`).
    Auto,
    /// REST only (`off`).
    Off,
}

impl Protocol {
    /// Reads a `protocol` value: `native`, `socketio`, `auto` or `off`, in any
    /// case. `plain`, `ws`, `websocket`, `socket.io` and `sio` are accepted as
    /// the obvious aliases, `none` and `rest` as `off`.
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.trim().to_ascii_lowercase().as_str() {
            "native" | "plain" | "ws" | "websocket" => Some(Protocol::Native),
            "socketio" | "socket.io" | "socket-io" | "sio" => Some(Protocol::SocketIo),
            "auto" => Some(Protocol::Auto),
            "off" | "none" | "rest" => Some(Protocol::Off),
            _ => None,
        }
    }

    /// The setting's value as the user writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Native => "native",
            Protocol::SocketIo => "socketio",
            Protocol::Auto => "auto",
            Protocol::Off => "off",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a setting came from: `config.json`.
pub const SOURCE_CONFIG_JSON: &str = "config.json";
/// Where a setting came from: the page's query string.
pub const SOURCE_QUERY: &str = "query string";

/// The default REST polling period, ms.
pub const DEFAULT_POLL_MS: u64 = 5000;
/// The shortest polling period accepted, ms.
pub const MIN_POLL_MS: u64 = 500;
/// The longest polling period accepted, ms (ten minutes).
pub const MAX_POLL_MS: u64 = 600_000;
/// The default Socket.IO namespace.
pub const DEFAULT_NAMESPACE: &str = "/signals";
/// The longest symbol or timeframe accepted, in characters.
pub const MAX_NAME_LEN: usize = 32;

const EXPECTED_NAME: &str = "1 to 32 characters among letters, digits and . _ : - /";
const EXPECTED_JSON: &str =
    "a JSON object such as {\"api\":\"https://api.example.com\",\"poll\":5000}";

/// One key of PROTOCOL.md §5: its name, what a usable value looks like (for
/// the [`SettingProblem`]), and how a value is read into the [`Settings`]
/// field it sets; that field's doc gives the default. `config.json`, the
/// query string and the selection written back into the address bar all
/// find their keys in [`KEYS`], so a key is added here and nowhere else.
struct Key {
    name: &'static str,
    expected: &'static str,
    /// Sets the field from a value; `None` when the value cannot be used,
    /// and the field keeps what it had.
    apply: fn(&mut Settings, &str) -> Option<()>,
}

impl Key {
    /// The key of that name; `None` for a key the settings do not read.
    fn named(name: &str) -> Option<&'static Key> {
        KEYS.iter().copied().find(|key| key.name == name)
    }
}

/// `api` sets [`Settings::api`].
const API: Key = Key {
    name: "api",
    expected: "an http:// or https:// URL with a host, such as https://api.example.com",
    apply: |s, value| normalise_api(value).map(|api| s.api = api),
};

/// `ws` sets [`Settings::ws`].
const WS: Key = Key {
    name: "ws",
    expected: "a ws:// or wss:// URL with a host (http:// and https:// are converted), or a path starting with /",
    apply: |s, value| normalise_ws(value).map(|ws| s.ws = Some(ws)),
};

/// `protocol` sets [`Settings::protocol`].
const PROTOCOL: Key = Key {
    name: "protocol",
    expected: "one of native, socketio, auto or off",
    apply: |s, value| Protocol::parse(value).map(|p| s.protocol = p),
};

/// `ns` sets [`Settings::namespace`].
const NS: Key = Key {
    name: "ns",
    expected:
        "a Socket.IO namespace starting with /, such as /signals or /, without spaces or commas",
    apply: |s, value| normalise_namespace(value).map(|ns| s.namespace = ns),
};

/// `symbol` sets [`Settings::symbol`].
const SYMBOL: Key = Key {
    name: "symbol",
    expected: EXPECTED_NAME,
    apply: |s, value| valid_name(value).map(|name| s.symbol = Some(name)),
};

/// `tf` sets [`Settings::timeframe`].
const TF: Key = Key {
    name: "tf",
    expected: EXPECTED_NAME,
    apply: |s, value| valid_name(value).map(|name| s.timeframe = Some(name)),
};

/// `poll` sets [`Settings::poll_ms`].
const POLL: Key = Key {
    name: "poll",
    expected: "a whole number of milliseconds from 500 to 600000",
    apply: |s, value| parse_poll(value).map(|ms| s.poll_ms = ms),
};

/// `token` sets [`Settings::token`], bound to the backend the other
/// settings name once every source is read.
const TOKEN: Key = Key {
    name: "token",
    expected: "the backend's token: 1 to 4096 characters, no control characters",
    apply: |s, value| Token::new(value).map(|t| s.token = Some(BoundToken::unbound(t))),
};

/// `liveWorker` sets [`Settings::live_worker`].
const LIVE_WORKER: Key = Key {
    name: "liveWorker",
    expected: "on or off",
    apply: |s, value| parse_on_off(value).map(|on| s.live_worker = on),
};

/// `liveQueue` sets [`Settings::live_queue`].
const LIVE_QUEUE: Key = Key {
    name: "liveQueue",
    expected: "a whole number of live messages from 10 to 1000000",
    apply: |s, value| parse_live_queue(value).map(|n| s.live_queue = n),
};

/// Every key the settings read.
const KEYS: &[&Key] = &[
    &API,
    &WS,
    &PROTOCOL,
    &NS,
    &SYMBOL,
    &TF,
    &POLL,
    &TOKEN,
    &LIVE_WORKER,
    &LIVE_QUEUE,
];

/// The default bound of the live Worker's queue, in messages.
pub const DEFAULT_LIVE_QUEUE: u32 = 50_000;
/// The smallest and largest `liveQueue` accepted.
pub const MIN_LIVE_QUEUE: u32 = 10;
pub const MAX_LIVE_QUEUE: u32 = 1_000_000;

/// A setting that was given but could not be used: shown to the user, and
/// the default is used instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingProblem {
    /// The key, e.g. `poll`; empty when the whole source could not be read
    /// (a `config.json` that is not a JSON object).
    pub key: String,
    /// The value as given.
    pub value: String,
    /// What was expected, e.g. `a whole number of milliseconds from 500 to 600000`.
    pub expected: String,
    /// Where it came from: `config.json` or `query string`.
    pub source: String,
}

impl SettingProblem {
    fn new(key: &str, value: &str, expected: &str, source: &str) -> Self {
        SettingProblem {
            key: key.to_string(),
            // A token's text is a secret, even when it cannot be used.
            value: if key == TOKEN.name {
                "[redacted]".to_string()
            } else {
                crate::live::excerpt(value, 80)
            },
            expected: expected.to_string(),
            source: source.to_string(),
        }
    }

    /// One sentence naming the key, the value and what was expected, e.g.
    /// `The setting poll = "fast" from the query string was not used: expected
    /// a whole number of milliseconds from 500 to 600000.`
    pub fn sentence(&self) -> String {
        if self.key.is_empty() {
            format!(
                "{} could not be read ({}), so none of its settings were used: expected {}.",
                self.source, self.value, self.expected
            )
        } else {
            format!(
                "The setting {} = {:?} from the {} was not used: expected {}.",
                self.key, self.value, self.source, self.expected
            )
        }
    }
}

impl fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence())
    }
}

/// Every setting the core needs. See PROTOCOL.md §5 for the keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// REST base URL, absolute, without a trailing slash (`api`).
    pub api: String,
    /// The live URL when the user set one (`ws`); `None` derives it from `api`.
    /// Kept normalised: a `ws://`/`wss://` URL, or a path starting with `/`
    /// that is resolved against `api`'s host.
    pub ws: Option<String>,
    /// `protocol`. Defaults to `Auto`.
    pub protocol: Protocol,
    /// Socket.IO namespace (`ns`). Defaults to `/signals`.
    pub namespace: String,
    /// Symbol shown (`symbol`); `None`: the first from `/api/symbols`.
    pub symbol: Option<String>,
    /// Timeframe shown (`tf`); `None`: the symbol's first.
    pub timeframe: Option<String>,
    /// REST polling period in API mode, ms (`poll`). Defaults to 5000.
    pub poll_ms: u64,
    /// The backend's token (`token`), with the hosts it may be sent to.
    /// Defaults to none.
    pub token: Option<BoundToken>,
    /// Whether a dedicated Worker owns the live socket (`liveWorker`, `on`
    /// or `off`); off, or without Worker support, the page opens it itself.
    /// Defaults to on.
    pub live_worker: bool,
    /// How many live messages the Worker holds for a page that is busy
    /// before it skips (and reports) the rest (`liveQueue`). Defaults to
    /// 50 000.
    pub live_queue: u32,
}

impl Settings {
    /// The built-in defaults for a page served from `page_origin`
    /// (`https://host:port`): REST at the page's origin, protocol `auto`,
    /// namespace `/signals`, polling every 5000 ms, symbol and timeframe
    /// chosen from `/api/symbols`.
    pub fn defaults(page_origin: &str) -> Settings {
        Settings {
            api: page_origin.trim().trim_end_matches('/').to_string(),
            ws: None,
            protocol: Protocol::Auto,
            namespace: DEFAULT_NAMESPACE.to_string(),
            symbol: None,
            timeframe: None,
            poll_ms: DEFAULT_POLL_MS,
            token: None,
            live_worker: true,
            live_queue: DEFAULT_LIVE_QUEUE,
        }
    }

    /// Defaults, then `config.json` (when there is one), then the query
    /// string: PROTOCOL.md §5's order, later sources winning.
    pub fn load(
        page_origin: &str,
        config_json: Option<&str>,
        query: &str,
    ) -> (Settings, Vec<SettingProblem>) {
        let mut settings = Settings::defaults(page_origin);
        let mut problems = Vec::new();
        if let Some(json) = config_json {
            settings.apply_json(json, SOURCE_CONFIG_JSON, &mut problems);
        }
        settings.apply_query(query, &mut problems);
        settings.bind_token();
        (settings, problems)
    }

    /// A token given by a source belongs to the backend the settings name
    /// once every source is read.
    pub fn bind_token(&mut self) {
        if let Some(mut token) = self.token.take() {
            token.bind(self);
            self.token = Some(token);
        }
    }

    /// The token for a request to `url`: `None` without one, or when `url`
    /// is on another host than the one the token was given for.
    pub fn token_for(&self, url: &str) -> Option<&Token> {
        self.token.as_ref().and_then(|t| t.for_url(url))
    }

    /// Applies a JSON object of settings (`config.json`). Unknown keys and
    /// `null` values are ignored; `poll` may be a number or a string. A text
    /// that is not a JSON object is one problem with an empty key, and
    /// nothing is applied.
    pub fn apply_json(&mut self, json: &str, source: &str, problems: &mut Vec<SettingProblem>) {
        let object = match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(object)) => object,
            Ok(other) => {
                let what = format!("it is a JSON {}, not an object", json_kind(&other));
                problems.push(SettingProblem::new("", &what, EXPECTED_JSON, source));
                return;
            }
            Err(error) => {
                problems.push(SettingProblem::new(
                    "",
                    &format!("invalid JSON: {error}"),
                    EXPECTED_JSON,
                    source,
                ));
                return;
            }
        };
        for (key, value) in &object {
            let text = match value {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                // Numbers are accepted for every key (a poll period, or a
                // symbol such as 1000); their text is validated as usual.
                Value::Number(n) => n.to_string(),
                other => {
                    if let Some(known) = Key::named(key) {
                        problems.push(SettingProblem::new(
                            key,
                            &other.to_string(),
                            known.expected,
                            source,
                        ));
                    }
                    continue;
                }
            };
            self.apply_one(key, &text, source, problems);
        }
    }

    /// Applies a query string (`?api=…&poll=2000`, with or without the `?`).
    /// Keys and values are percent-decoded (`+` is a space); unknown keys
    /// are left to whoever else reads the URL; a repeated key's last value
    /// wins.
    pub fn apply_query(&mut self, query: &str, problems: &mut Vec<SettingProblem>) {
        for (key, value) in parse_query(query) {
            self.apply_one(&key, &value, SOURCE_QUERY, problems);
        }
    }

    /// Validates and applies one key. Unknown keys are ignored.
    fn apply_one(
        &mut self,
        key: &str,
        value: &str,
        source: &str,
        problems: &mut Vec<SettingProblem>,
    ) {
        let Some(known) = Key::named(key) else { return };
        if (known.apply)(self, value).is_none() {
            problems.push(SettingProblem::new(key, value, known.expected, source));
        }
    }

    /// The live URL for a transport: the `ws` setting, completed for
    /// Socket.IO, or derived from `api` (see [`url::live_url`]).
    pub fn live_url(&self, kind: TransportKind) -> String {
        url::live_url(&self.api, self.ws.as_deref(), kind)
    }

    /// The URL that `auto` probes to learn whether the backend speaks
    /// Socket.IO: the Socket.IO URL with `transport=polling`.
    pub fn socketio_probe_url(&self) -> String {
        url::socketio_probe_url(&self.live_url(TransportKind::SocketIo))
    }

    /// `current_query` (the page's `location.search`, with or without `?`)
    /// with `symbol` and `tf` set to this selection, every other parameter
    /// kept as it was. Returns `""` or a string starting with `?`.
    pub fn to_query(&self, current_query: &str) -> String {
        query_with_selection(
            current_query,
            self.symbol.as_deref(),
            self.timeframe.as_deref(),
        )
    }
}

/// `current_query` with `symbol` and `tf` replaced (or removed, for `None`),
/// every other parameter kept in its original encoding and order. Returns
/// `""` or a string starting with `?`.
pub fn query_with_selection(
    current_query: &str,
    symbol: Option<&str>,
    timeframe: Option<&str>,
) -> String {
    url::query_with(
        current_query,
        &[
            (SYMBOL.name, symbol),
            (TF.name, timeframe),
            (TOKEN.name, None),
        ],
    )
}

/// `current_query` without its `token` parameter, every other parameter
/// kept: what the address bar keeps once the token is read.
pub fn query_without_token(current_query: &str) -> String {
    url::query_with(current_query, &[(TOKEN.name, None)])
}

/// Whether the query string holds a `token`.
pub fn query_has_token(query: &str) -> bool {
    parse_query(query).iter().any(|(k, _)| k == TOKEN.name)
}

/// The host a link points the page's data at, when it is not the page's
/// own backend: `api` or `ws` came from the query string and name another
/// host than `config.json` does (or, without one, than the page's origin).
/// Named by its real host (see [`host_of`]): `https://good.example@evil.example`
/// is `evil.example`. `None` when the link changes no host.
pub fn link_points_elsewhere(
    page_origin: &str,
    config_json: Option<&str>,
    query: &str,
) -> Option<String> {
    let keys = parse_query(query);
    if !keys.iter().any(|(k, _)| k == API.name || k == WS.name) {
        return None;
    }
    let (own, _) = Settings::load(page_origin, config_json, "");
    let (linked, _) = Settings::load(page_origin, config_json, query);
    let hosts = |s: &Settings| {
        [
            s.api.clone(),
            s.live_url(TransportKind::Plain),
            s.live_url(TransportKind::SocketIo),
        ]
        .map(|u| host_of(&u))
    };
    let own_hosts = hosts(&own);
    hosts(&linked)
        .into_iter()
        .flatten()
        .find(|h| !own_hosts.iter().flatten().any(|o| o == h))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn normalise_namespace(value: &str) -> Option<String> {
    let ns = value.trim();
    let ok = ns.starts_with('/')
        && ns.len() <= 100
        && !ns
            .chars()
            .any(|c| c == ',' || c.is_whitespace() || c.is_control() || c == '"');
    ok.then(|| ns.to_string())
}

fn parse_poll(value: &str) -> Option<u64> {
    let text = value.trim();
    let ms: u64 = if let Ok(n) = text.parse::<u64>() {
        n
    } else {
        // `5000.0` from a JSON number written as a float is still whole.
        let f: f64 = text.parse().ok()?;
        if !f.is_finite() || f.fract() != 0.0 || f < 0.0 || f > MAX_POLL_MS as f64 {
            return None;
        }
        f as u64
    };
    (MIN_POLL_MS..=MAX_POLL_MS).contains(&ms).then_some(ms)
}

/// `on`/`off` (also `true`/`false`, `1`/`0`, `yes`/`no`), in any case.
fn parse_on_off(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Some(true),
        "off" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

fn parse_live_queue(value: &str) -> Option<u32> {
    let n: u32 = value.trim().parse().ok()?;
    (MIN_LIVE_QUEUE..=MAX_LIVE_QUEUE).contains(&n).then_some(n)
}

/// A symbol or timeframe: 1..=32 characters of `[A-Za-z0-9._:-/]`.
fn valid_name(value: &str) -> Option<String> {
    let v = value.trim();
    let ok = !v.is_empty()
        && v.chars().count() <= MAX_NAME_LEN
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-' | '/'));
    ok.then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::url::percent_encode;

    const ORIGIN: &str = "http://localhost:8080";

    fn query(q: &str) -> (Settings, Vec<SettingProblem>) {
        Settings::load(ORIGIN, None, q)
    }

    fn json(j: &str) -> (Settings, Vec<SettingProblem>) {
        Settings::load(ORIGIN, Some(j), "")
    }

    #[test]
    fn defaults_follow_the_page_origin() {
        let s = Settings::defaults("https://dash.example.com/");
        assert_eq!(s.api, "https://dash.example.com");
        assert_eq!(s.ws, None);
        assert_eq!(s.protocol, Protocol::Auto);
        assert_eq!(s.namespace, "/signals");
        assert_eq!(s.poll_ms, 5000);
        assert_eq!((&s.symbol, &s.timeframe), (&None, &None));
        assert_eq!(
            s.live_url(TransportKind::Plain),
            "wss://dash.example.com/ws"
        );
        assert_eq!(
            s.live_url(TransportKind::SocketIo),
            "wss://dash.example.com/socket.io/?EIO=4&transport=websocket"
        );
    }

    #[test]
    fn every_key_is_read_from_the_query_string() {
        let (s, problems) = query(
            "?api=https%3A%2F%2Fapi.example.com%2F&ws=wss://live.example.com/ws/price&protocol=SocketIO\
             &ns=%2Fmarket&symbol=ETHUSDT&tf=4h&poll=2000&theme=dark",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.api, "https://api.example.com");
        assert_eq!(s.ws.as_deref(), Some("wss://live.example.com/ws/price"));
        assert_eq!(s.protocol, Protocol::SocketIo);
        assert_eq!(s.namespace, "/market");
        assert_eq!(s.symbol.as_deref(), Some("ETHUSDT"));
        assert_eq!(s.timeframe.as_deref(), Some("4h"));
        assert_eq!(s.poll_ms, 2000);
    }

    #[test]
    fn bad_values_keep_the_default_and_say_what_was_expected() {
        let cases: &[(&str, &str, &str)] = &[
            ("api=ftp://x", "api", "http:// or https://"),
            ("api=localhost:8000", "api", "http:// or https://"),
            ("api=http://", "api", "http:// or https://"),
            ("api=http://host:99999", "api", "http:// or https://"),
            ("ws=tcp://x/ws", "ws", "ws:// or wss://"),
            ("ws=ws://has space/ws", "ws", "ws:// or wss://"),
            ("protocol=grpc", "protocol", "native, socketio, auto or off"),
            ("ns=signals", "ns", "starting with /"),
            ("ns=/a,b", "ns", "starting with /"),
            ("poll=fast", "poll", "500 to 600000"),
            ("poll=499", "poll", "500 to 600000"),
            ("poll=600001", "poll", "500 to 600000"),
            ("poll=1500.5", "poll", "500 to 600000"),
            ("poll=-1000", "poll", "500 to 600000"),
            ("symbol=", "symbol", "1 to 32 characters"),
            ("symbol=%3Cscript%3E", "symbol", "1 to 32 characters"),
            (
                "tf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "tf",
                "1 to 32 characters",
            ),
        ];
        for (q, key, expected) in cases {
            let (s, problems) = query(q);
            assert_eq!(problems.len(), 1, "{q}: {problems:?}");
            let p = &problems[0];
            assert_eq!(p.key, *key, "{q}");
            assert_eq!(p.source, "query string");
            assert!(p.expected.contains(expected), "{q}: {}", p.expected);
            let sentence = p.sentence();
            assert!(
                sentence.contains(key) && sentence.contains("query string"),
                "{sentence}"
            );
            let d = Settings::defaults(ORIGIN);
            assert_eq!(
                (s.api, s.ws, s.protocol, s.namespace, s.poll_ms),
                (d.api, d.ws, d.protocol, d.namespace, d.poll_ms),
                "{q}"
            );
            assert_eq!((s.symbol, s.timeframe), (None, None), "{q}");
        }
    }

    #[test]
    fn a_problem_sentence_names_key_value_and_expectation() {
        let (_, problems) = query("poll=fast");
        assert_eq!(
            problems[0].sentence(),
            "The setting poll = \"fast\" from the query string was not used: \
             expected a whole number of milliseconds from 500 to 600000."
        );
    }

    #[test]
    fn config_json_accepts_numbers_and_strings_and_ignores_the_unknown() {
        let (s, problems) = json(
            r#"{"api":"http://10.0.0.2:8001","poll":"2500","protocol":"off","symbol":null,"extra":{"x":1}}"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.api, "http://10.0.0.2:8001");
        assert_eq!(s.poll_ms, 2500);
        assert_eq!(s.protocol, Protocol::Off);
        let (s, _) = json(r#"{"poll":3000}"#);
        assert_eq!(s.poll_ms, 3000);
        let (s, _) = json(r#"{"poll":3000.0}"#);
        assert_eq!(s.poll_ms, 3000);
    }

    #[test]
    fn config_json_that_cannot_be_read_is_one_problem() {
        for bad in ["{not json", "[1,2]", "\"api\"", ""] {
            let (s, problems) = json(bad);
            assert_eq!(problems.len(), 1, "{bad}");
            assert_eq!(problems[0].key, "");
            assert_eq!(problems[0].source, "config.json");
            assert!(
                problems[0]
                    .sentence()
                    .starts_with("config.json could not be read"),
                "{}",
                problems[0].sentence()
            );
            assert_eq!(s, Settings::defaults(ORIGIN));
        }
        let (_, problems) = json(r#"{"poll":true,"ns":["/a"]}"#);
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["ns", "poll"]);
    }

    #[test]
    fn the_query_string_wins_over_config_json() {
        let (s, problems) = Settings::load(
            ORIGIN,
            Some(r#"{"poll":2000,"symbol":"BTCUSDT","ns":"/a"}"#),
            "poll=9000&ns=bad",
        );
        assert_eq!(s.poll_ms, 9000);
        assert_eq!(s.symbol.as_deref(), Some("BTCUSDT"));
        // A bad query value keeps what config.json set, not the built-in default.
        assert_eq!(s.namespace, "/a");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn live_urls_are_derived_from_api() {
        let (s, _) = query("api=http://127.0.0.1:8001");
        assert_eq!(s.live_url(TransportKind::Plain), "ws://127.0.0.1:8001/ws");
        assert_eq!(
            s.live_url(TransportKind::SocketIo),
            "ws://127.0.0.1:8001/socket.io/?EIO=4&transport=websocket"
        );
        let (s, _) = query("api=https://h.example/backend/");
        assert_eq!(
            s.live_url(TransportKind::Plain),
            "wss://h.example/backend/ws"
        );
        assert_eq!(
            s.socketio_probe_url(),
            "https://h.example/backend/socket.io/?EIO=4&transport=polling"
        );
    }

    #[test]
    fn a_given_ws_url_is_used_and_completed_for_socketio() {
        let cases = [
            (
                "ws://h:8001/ws/price",
                "ws://h:8001/ws/price",
                "ws://h:8001/ws/price?EIO=4&transport=websocket",
            ),
            (
                "http://h:8001",
                "ws://h:8001",
                "ws://h:8001/socket.io/?EIO=4&transport=websocket",
            ),
            (
                "https://h/",
                "wss://h/",
                "wss://h/socket.io/?EIO=4&transport=websocket",
            ),
            (
                "wss://h/rt/?EIO=4&transport=websocket",
                "wss://h/rt/?EIO=4&transport=websocket",
                "wss://h/rt/?EIO=4&transport=websocket",
            ),
            (
                "wss://h/rt/?token=a",
                "wss://h/rt/?token=a",
                "wss://h/rt/?token=a&EIO=4&transport=websocket",
            ),
            (
                "wss://h/rt/?EIO=4",
                "wss://h/rt/?EIO=4",
                "wss://h/rt/?EIO=4&transport=websocket",
            ),
            (
                "ws://h/ws#frag",
                "ws://h/ws",
                "ws://h/ws?EIO=4&transport=websocket",
            ),
            (
                "/ws/price",
                "ws://localhost:8080/ws/price",
                "ws://localhost:8080/ws/price?EIO=4&transport=websocket",
            ),
        ];
        for (given, plain, sio) in cases {
            let (s, problems) = query(&format!("ws={}", percent_encode(given)));
            assert!(problems.is_empty(), "{given}: {problems:?}");
            assert_eq!(s.live_url(TransportKind::Plain), plain, "{given}");
            assert_eq!(s.live_url(TransportKind::SocketIo), sio, "{given}");
        }
    }

    #[test]
    fn nothing_in_a_url_or_file_panics() {
        let nasty = [
            "%",
            "%%",
            "?&&&",
            "=",
            "api=%",
            "ws=ws://[::1",
            "ws=ws://[::1]:80/x",
            "api=http://@",
            "poll=1e400",
            "poll=NaN",
            "poll=18446744073709551616",
            "symbol=%F0%9F%92%A9",
            "ns=/\u{0}",
            "api=http://h:",
            "ws=//h/ws",
        ];
        for q in nasty {
            let _ = query(q);
        }
        for j in [
            "{\"poll\":1e400}",
            "{\"poll\":-0}",
            "{\"api\":\"\u{202e}\"}",
            "null",
            "{}",
        ] {
            let _ = json(j);
        }
        let (s, p) = query("ws=ws://[::1]:80/x");
        assert!(p.is_empty());
        assert_eq!(s.live_url(TransportKind::Plain), "ws://[::1]:80/x");
    }

    #[test]
    fn a_token_is_read_bound_to_the_linked_backend_and_kept_out_of_links() {
        let (s, problems) = query("api=http://10.0.0.2:8001&token=s3cr3t&symbol=BTCUSDT");
        assert!(problems.is_empty(), "{problems:?}");
        let token = s.token.as_ref().expect("a token");
        assert_eq!(token.hosts(), ["10.0.0.2:8001"]);
        assert_eq!(
            s.token_for("http://10.0.0.2:8001/api/health")
                .map(|t| t.expose()),
            Some("s3cr3t")
        );
        assert_eq!(s.token_for("http://localhost:8080/api/health"), None);
        // The token never goes back into the address bar.
        assert_eq!(
            s.to_query("?api=x&token=s3cr3t&b=2"),
            "?api=x&b=2&symbol=BTCUSDT"
        );
        assert_eq!(query_without_token("?a=1&token=s&b=2&token=t"), "?a=1&b=2");
        assert_eq!(query_without_token("?token=s"), "");
        assert!(query_has_token("?a=1&token=") && !query_has_token("?tokens=1"));
        // A token that cannot be used is a problem that does not show it.
        let (s, problems) = query("token=a%0Ab");
        assert!(s.token.is_none());
        assert_eq!(problems[0].value, "[redacted]");
        assert!(!problems[0].sentence().contains("a\nb"));
    }

    #[test]
    fn a_link_that_points_elsewhere_is_named_by_its_real_host() {
        let page = "https://dash.example";
        let config = Some(r#"{"api":"https://good.example"}"#);
        let cases: &[(Option<&str>, &str, Option<&str>)] = &[
            (None, "", None),
            (None, "symbol=BTCUSDT&token=x", None),
            (None, "api=https://dash.example/", None),
            (None, "ws=/ws/price", None),
            (None, "api=https://evil.example", Some("evil.example")),
            (
                None,
                "ws=wss://evil.example:8443/ws",
                Some("evil.example:8443"),
            ),
            (config, "api=https://good.example", None),
            (config, "ws=wss://good.example/ws", None),
            (
                config,
                "api=https://good.example@evil.example",
                Some("evil.example"),
            ),
            (
                config,
                "api=https://evil.example%5C@good.example",
                Some("evil.example"),
            ),
            (config, "api=https://dash.example", Some("dash.example")),
            (config, "api=not a url", None),
        ];
        for (config, q, host) in cases {
            assert_eq!(
                link_points_elsewhere(page, *config, q).as_deref(),
                *host,
                "{config:?} {q}"
            );
        }
    }

    #[test]
    fn the_selection_is_written_back_into_the_query() {
        let mut s = Settings::defaults(ORIGIN);
        assert_eq!(s.to_query(""), "");
        s.symbol = Some("BTC/USDT".into());
        s.timeframe = Some("1h".into());
        assert_eq!(s.to_query(""), "?symbol=BTC/USDT&tf=1h");
        assert_eq!(
            s.to_query("?api=http%3A%2F%2Fh&symbol=ETH&x=1"),
            "?api=http%3A%2F%2Fh&symbol=BTC/USDT&x=1&tf=1h"
        );
        assert_eq!(
            s.to_query("tf=4h&symbol=A&symbol=B"),
            "?tf=1h&symbol=BTC/USDT"
        );
        let (back, problems) = query(&s.to_query("poll=2000"));
        assert!(problems.is_empty());
        assert_eq!(
            (back.symbol, back.timeframe, back.poll_ms),
            (s.symbol.clone(), s.timeframe.clone(), 2000)
        );
        assert_eq!(
            query_with_selection("?symbol=A&tf=1h&x=2", None, None),
            "?x=2"
        );
    }
}
