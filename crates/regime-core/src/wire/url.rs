//! The URLs the core reads and builds: a setting's URL checked, the live URL
//! derived from the `api` and `ws` settings, the Socket.IO probe, and query
//! strings taken apart, put together and percent-coded.
//!
//! No URL library: the core needs only these few shapes, and each is written
//! so that no text, however broken, makes it panic.

use crate::live::TransportKind;

/// The live URL for a transport, from the `api` and `ws` settings.
///
/// With `ws` given: that URL (a path is put on `api`'s host); for
/// Socket.IO, `/socket.io/` is used when it has no path, and
/// `EIO=4&transport=websocket` is added when its query has no `EIO=`.
/// Without `ws`: derived from `api` (`http` → `ws`, `https` → `wss`,
/// keeping any path prefix of `api`): `…/ws` for the plain transport,
/// `…/socket.io/?EIO=4&transport=websocket` for Socket.IO.
pub fn live_url(api: &str, ws: Option<&str>, kind: TransportKind) -> String {
    let base = ws_base_of(api);
    let given = ws.map(|ws| {
        if ws.starts_with('/') {
            // A path: on the api's host (its origin, not its path prefix).
            let (scheme, rest) = split_scheme(&base).unwrap_or(("ws", base.as_str()));
            let authority = rest.split('/').next().unwrap_or(rest);
            format!("{scheme}://{authority}{ws}")
        } else {
            ws.to_string()
        }
    });
    match (given, kind) {
        (Some(url), TransportKind::Plain) => url,
        (Some(url), TransportKind::SocketIo) => socketio_url(&url),
        (None, TransportKind::Plain) => format!("{base}/ws"),
        (None, TransportKind::SocketIo) => {
            format!("{base}/socket.io/?EIO=4&transport=websocket")
        }
    }
}

/// The URL that `auto` probes to learn whether a backend speaks Socket.IO:
/// its Socket.IO live URL over HTTP(S), with `transport=polling`.
pub fn socketio_probe_url(socketio_url: &str) -> String {
    let (scheme, rest) = split_scheme(socketio_url).unwrap_or(("ws", socketio_url));
    let http = if scheme.eq_ignore_ascii_case("wss") {
        "https"
    } else {
        "http"
    };
    format!("{http}://{rest}").replace("transport=websocket", "transport=polling")
}

/// Splits `scheme://rest` into (scheme, rest).
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let at = url.find("://")?;
    let scheme = &url[..at];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some((scheme, &url[at + 3..]))
}

/// True when the authority (`host[:port]`, maybe `user@`) is usable: a
/// non-empty host, no spaces or controls, a numeric port if any.
fn valid_authority(authority: &str) -> bool {
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if host_port.is_empty()
        || host_port
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        // An IPv6 literal: `[::1]:8080`.
        match rest.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => return false,
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let port_ok = match port {
        None => true,
        Some(p) => {
            !p.is_empty()
                && p.len() <= 5
                && p.chars().all(|c| c.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= 65535)
        }
    };
    !host.is_empty() && port_ok
}

/// Splits an absolute URL into (lower-case scheme, authority, rest starting
/// at the path, query or fragment), or `None` when it is not one. A `\\`
/// ends the authority as `/` does: browsers read `https://evil.example\\@good.example`
/// as a path on `evil.example`, and so does this.
fn split_url(url: &str) -> Option<(String, &str, &str)> {
    let (scheme, rest) = split_scheme(url)?;
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if !valid_authority(authority) || tail.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some((scheme.to_ascii_lowercase(), authority, tail))
}

/// The host a URL really names, lower-cased, with its port when it is not
/// the scheme's default: `https://good.example@evil.example/x` is
/// `evil.example` (what comes before `@` is a user name, not a host),
/// `http://h:8081` is `h:8081`, `wss://H:443/ws` is `h`. `None` for text
/// that is not an absolute URL with a usable host.
pub fn host_of(url: &str) -> Option<String> {
    let (scheme, authority, _) = split_url(url.trim())?;
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host_port = host_port.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" | "ws" => ":80",
        "https" | "wss" => ":443",
        _ => "",
    };
    let host = match host_port.strip_suffix(default_port) {
        Some(host) if !default_port.is_empty() && !host.ends_with(':') => host,
        _ => host_port.as_str(),
    };
    Some(host.trim_end_matches('.').to_string())
}

/// `url` with the value of every `token` query parameter replaced by
/// `[redacted]`, for anything that shows or logs a URL: a token a user
/// wrote into the `ws` setting is never displayed.
pub fn redact_token(url: &str) -> String {
    let Some((before, after)) = url.split_once('?') else {
        return url.to_string();
    };
    let (query, fragment) = match after.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (after, None),
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            if percent_decode(key).eq_ignore_ascii_case("token") {
                format!("{key}=[redacted]")
            } else {
                pair.to_string()
            }
        })
        .collect();
    let mut out = format!("{before}?{}", parts.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `url` with `key=value` added to its query (before any fragment), the
/// value percent-encoded.
pub fn with_query_param(url: &str, key: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{sep}{key}={}", percent_encode_all(value));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Encodes everything but unreserved characters (RFC 3986), for a value
/// that must come back exactly as it went in.
fn percent_encode_all(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A REST base URL (the `api` setting): an http(s) URL with a usable host;
/// the fragment and query are dropped, trailing slashes removed. `None` when
/// the value is not one.
pub(crate) fn normalise_api(value: &str) -> Option<String> {
    let (scheme, authority, tail) = split_url(value.trim())?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let path = tail
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    Some(format!("{scheme}://{authority}{path}"))
}

/// A live URL (the `ws` setting): a ws(s) URL (http(s) converted) without
/// its fragment, or a path starting with `/`. `None` when the value is
/// neither.
pub(crate) fn normalise_ws(value: &str) -> Option<String> {
    let value = value.trim();
    if value.starts_with('/') && !value.starts_with("//") {
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        return Some(value.split('#').next().unwrap_or(value).to_string());
    }
    let (scheme, authority, tail) = split_url(value)?;
    let scheme = match scheme.as_str() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        _ => return None,
    };
    let tail = tail.split('#').next().unwrap_or("");
    Some(format!("{scheme}://{authority}{tail}"))
}

/// The `ws(s)://…` form of the api base URL (any path prefix kept). An api
/// that is not http(s) (a `file://` page with no `api` set) is used as it is
/// after its scheme.
fn ws_base_of(api: &str) -> String {
    match split_scheme(api) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => format!("wss://{rest}"),
        Some((_, rest)) => format!("ws://{rest}"),
        None => format!("ws://{api}"),
    }
}

/// A user's live URL made into a Socket.IO one: `/socket.io/` when it has no
/// path, `EIO=4&transport=websocket` when its query has no `EIO=`.
fn socketio_url(url: &str) -> String {
    let (before_query, query) = match url.split_once('?') {
        Some((b, q)) => (b.to_string(), Some(q)),
        None => (url.to_string(), None),
    };
    let mut base = before_query;
    let has_path = split_scheme(&base)
        .map(|(_, rest)| rest.find('/').is_some_and(|i| i + 1 < rest.len()))
        .unwrap_or(true);
    if !has_path {
        base = format!("{}/socket.io/", base.trim_end_matches('/'));
    }
    match query {
        None | Some("") => format!("{base}?EIO=4&transport=websocket"),
        Some(q) => {
            let keys: Vec<&str> = q
                .split('&')
                .map(|p| p.split('=').next().unwrap_or(""))
                .collect();
            if !keys.contains(&"EIO") {
                format!("{base}?{q}&EIO=4&transport=websocket")
            } else if !keys.contains(&"transport") {
                format!("{base}?{q}&transport=websocket")
            } else {
                format!("{base}?{q}")
            }
        }
    }
}

/// Splits a query string into decoded (key, value) pairs. A pair without
/// `=` has an empty value.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes and `+` (a space, as forms write it). A `%` not
/// followed by two hex digits is kept as it is; bytes that are not UTF-8
/// become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes everything but unreserved characters and `:` `/` (which are safe
/// in a query value and keep symbols such as `BTC/USDT` readable).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `current_query` with each key of `replace` set to its value, or removed
/// for `None`: a key keeps the place of its first occurrence (a new one is
/// added at the end, in `replace`'s order), every other parameter keeps its
/// original encoding and order. Returns `""` or a string starting with `?`.
pub fn query_with(current_query: &str, replace: &[(&str, Option<&str>)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut at: Vec<Option<usize>> = vec![None; replace.len()];
    for raw in current_query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let key = percent_decode(raw.split('=').next().unwrap_or(""));
        let Some(i) = replace.iter().position(|(k, _)| *k == key) else {
            parts.push(raw.to_string());
            continue;
        };
        // A placeholder keeps the original position of the first occurrence.
        at[i] = at[i].or(Some(parts.len()));
        parts.push(String::new());
    }
    for ((key, value), at) in replace.iter().zip(at) {
        if let Some(v) = value {
            let pair = format!("{key}={}", percent_encode(v));
            match at {
                Some(i) => parts[i] = pair,
                None => parts.push(pair),
            }
        }
    }
    let kept: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_named_by_its_real_host() {
        let cases = [
            ("https://good.example@evil.example", Some("evil.example")),
            (
                "https://good.example@evil.example/api",
                Some("evil.example"),
            ),
            (
                "https://user:pw@good.example:8443/x",
                Some("good.example:8443"),
            ),
            ("https://a@b@evil.example", Some("evil.example")),
            ("https://evil.example\\@good.example", Some("evil.example")),
            ("https://evil.example#@good.example", Some("evil.example")),
            ("https://evil.example?@good.example", Some("evil.example")),
            ("HTTPS://Evil.Example.:443/", Some("evil.example")),
            ("http://127.0.0.1:8081", Some("127.0.0.1:8081")),
            ("ws://127.0.0.1:80/ws", Some("127.0.0.1")),
            ("wss://[::1]:9000/ws", Some("[::1]:9000")),
            ("/ws/price", None),
            ("evil.example", None),
            ("https://", None),
        ];
        for (url, host) in cases {
            assert_eq!(host_of(url).as_deref(), host, "{url}");
        }
    }

    #[test]
    fn a_url_with_a_token_is_shown_redacted() {
        assert_eq!(
            redact_token("wss://h/ws?token=s3cr3t&x=1"),
            "wss://h/ws?token=[redacted]&x=1"
        );
        assert_eq!(
            redact_token("wss://h/rt/?EIO=4&TOKEN=a%20b#f"),
            "wss://h/rt/?EIO=4&TOKEN=[redacted]#f"
        );
        assert_eq!(redact_token("wss://h/ws"), "wss://h/ws");
        assert_eq!(redact_token("wss://h/ws?tokens=1"), "wss://h/ws?tokens=1");
    }

    #[test]
    fn a_query_parameter_is_added_exactly() {
        assert_eq!(
            with_query_param("ws://h/ws", "token", "a b/+&"),
            "ws://h/ws?token=a%20b%2F%2B%26"
        );
        assert_eq!(
            with_query_param("ws://h/ws?x=1#f", "token", "t"),
            "ws://h/ws?x=1&token=t#f"
        );
        assert_eq!(
            with_query_param("ws://h/ws?", "token", "t"),
            "ws://h/ws?token=t"
        );
        let (_, value) = parse_query("token=a%20b%2F%2B%26").remove(0);
        assert_eq!(value, "a b/+&");
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("a%2Fb+c"), "a/b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%E2%82%AC"), "€");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
        assert_eq!(
            parse_query("?a&b=&=c&d=1=2"),
            [
                ("a".to_string(), String::new()),
                ("b".to_string(), String::new()),
                (String::new(), "c".to_string()),
                ("d".to_string(), "1=2".to_string()),
            ]
        );
    }
}
