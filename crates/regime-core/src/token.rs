//! The backend's token (PROTOCOL.md §2 "Authentication") and the hosts it
//! belongs to.
//!
//! A token is a secret: [`Token`] has no `Display`, and its `Debug` prints
//! no character of it, so no `{:?}` of a setting or a command can log it.
//! It is kept with the hosts it was given for ([`BoundToken`]): a token that
//! a link or the Token field gave for one backend is never sent to another
//! host, even when a later link points `api` or `ws` somewhere else.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::live::TransportKind;
use crate::settings::Settings;
use crate::wire::url::host_of;

/// The longest token accepted, in bytes.
pub const MAX_TOKEN_LEN: usize = 4096;

/// A backend's token. Its text is read with [`Token::expose`], by the code
/// that puts it on the wire and nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token from what a user or a link gave: trimmed; `None` when empty,
    /// longer than [`MAX_TOKEN_LEN`] or holding a control character (it could
    /// not go into an HTTP header).
    pub fn new(text: &str) -> Option<Token> {
        let text = text.trim();
        let ok = !text.is_empty()
            && text.len() <= MAX_TOKEN_LEN
            && !text.chars().any(|c| c.is_control());
        ok.then(|| Token(text.to_string()))
    }

    /// The secret itself, for the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value of the `Authorization` header: `Bearer <token>`.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// A token and the hosts (as [`host_of`] names them) it may be sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundToken {
    token: Token,
    /// Empty until [`BoundToken::bind`]: a token just read from a source,
    /// whose backend is known once every setting is.
    hosts: Vec<String>,
}

/// How a [`BoundToken`] is kept in the browser's storage.
#[derive(Serialize, Deserialize)]
struct Stored {
    token: String,
    hosts: Vec<String>,
}

impl BoundToken {
    /// A token for the backend that `settings` name: its REST host and its
    /// live host (both transports').
    pub fn for_settings(token: Token, settings: &Settings) -> BoundToken {
        let mut bound = BoundToken {
            token,
            hosts: Vec::new(),
        };
        bound.bind(settings);
        bound
    }

    /// A token not yet bound to any host: it goes nowhere until
    /// [`bind`](Self::bind).
    pub(crate) fn unbound(token: Token) -> BoundToken {
        BoundToken {
            token,
            hosts: Vec::new(),
        }
    }

    /// Binds a token that has no hosts yet to the backend `settings` name.
    pub(crate) fn bind(&mut self, settings: &Settings) {
        if !self.hosts.is_empty() {
            return;
        }
        let urls = [
            settings.api.clone(),
            settings.live_url(TransportKind::Plain),
            settings.live_url(TransportKind::SocketIo),
        ];
        for host in urls.iter().filter_map(|u| host_of(u)) {
            if !self.hosts.contains(&host) {
                self.hosts.push(host);
            }
        }
    }

    /// The token, when `url` is on one of its hosts.
    pub fn for_url(&self, url: &str) -> Option<&Token> {
        let host = host_of(url)?;
        self.hosts.contains(&host).then_some(&self.token)
    }

    /// The token itself, whatever the host.
    pub fn secret(&self) -> &Token {
        &self.token
    }

    /// The hosts it belongs to.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// The text to keep in `sessionStorage` or `localStorage`.
    pub fn to_storage(&self) -> String {
        let stored = Stored {
            token: self.token.0.clone(),
            hosts: self.hosts.clone(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// A token read back from storage; `None` for anything else (another
    /// app's value, a damaged entry, a token bound to no host).
    pub fn from_storage(text: &str) -> Option<BoundToken> {
        let stored: Stored = serde_json::from_str(text).ok()?;
        let token = Token::new(&stored.token)?;
        let hosts: Vec<String> = stored
            .hosts
            .into_iter()
            .filter(|h| !h.is_empty() && h.len() <= 300)
            .take(8)
            .collect();
        (!hosts.is_empty()).then_some(BoundToken { token, hosts })
    }
}

/// Whether a refusal's words (a Socket.IO CONNECT_ERROR message, a close
/// reason) say that the credentials were refused rather than the namespace:
/// `unauthorized`, `forbidden`, `invalid token`, `authentication failed`…
pub fn is_token_refusal(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "unauthori",
        "forbidden",
        "token",
        "auth",
        "credential",
        "401",
        "403",
    ]
    .iter()
    .any(|w| m.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(query: &str) -> Settings {
        Settings::load("http://page.example:8080", None, query).0
    }

    #[test]
    fn a_token_never_prints() {
        let t = Token::new("  s3cr3t ").unwrap();
        assert_eq!(t.expose(), "s3cr3t");
        assert_eq!(t.bearer(), "Bearer s3cr3t");
        assert!(!format!("{t:?}").contains("s3cr3t"));
        let s = settings("token=s3cr3t&api=http://api.example");
        assert!(!format!("{s:?}").contains("s3cr3t"));
        for bad in ["", "   ", "a\nb", "a\u{0}b", &"x".repeat(MAX_TOKEN_LEN + 1)] {
            assert_eq!(Token::new(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_token_goes_only_to_the_hosts_it_was_given_for() {
        let s = settings("api=https://good.example&ws=wss://live.good.example/ws");
        let bound = BoundToken::for_settings(Token::new("t").unwrap(), &s);
        assert_eq!(bound.hosts(), ["good.example", "live.good.example"]);
        for url in [
            "https://good.example/api/health",
            "https://GOOD.example:443/api/signals?after=1",
            "wss://live.good.example/ws",
        ] {
            assert!(bound.for_url(url).is_some(), "{url}");
        }
        for url in [
            "https://evil.example/api/health",
            "https://good.example@evil.example/api/health",
            "https://good.example:8443/api/health",
            "https://good.example.evil.example/api/health",
            "/api/health",
        ] {
            assert!(bound.for_url(url).is_none(), "{url}");
        }
    }

    #[test]
    fn a_token_survives_storage_with_its_hosts() {
        let s = settings("api=http://127.0.0.1:8081");
        let bound = BoundToken::for_settings(Token::new("a\"b").unwrap(), &s);
        let back = BoundToken::from_storage(&bound.to_storage()).unwrap();
        assert_eq!(back, bound);
        for bad in [
            "",
            "x",
            "{}",
            r#"{"token":"t","hosts":[]}"#,
            r#"{"token":"","hosts":["h"]}"#,
        ] {
            assert_eq!(BoundToken::from_storage(bad), None, "{bad}");
        }
    }

    #[test]
    fn refusals_of_the_credentials_are_told_from_other_refusals() {
        for m in [
            "unauthorized",
            "Unauthorised",
            "invalid token",
            "Authentication error",
            "forbidden",
        ] {
            assert!(is_token_refusal(m), "{m}");
        }
        for m in [
            "Invalid namespace",
            "the server gave no reason",
            "server full",
        ] {
            assert!(!is_token_refusal(m), "{m}");
        }
    }
}
