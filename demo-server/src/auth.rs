//! `--token T` (PROTOCOL.md §2 "Authentication"): REST wants
//! `Authorization: Bearer T` (401 with an `{"error"}` body otherwise), the
//! plain WebSocket `?token=T` on its URL (otherwise the socket is accepted
//! and closed at once with 1008 `unauthorized`, as a browser can read no
//! HTTP status of a refused upgrade), Socket.IO `{"token":"T"}` in the
//! namespace CONNECT's auth payload (otherwise CONNECT_ERROR
//! `{"message":"unauthorized"}`). Static files, `/control/` and Engine.IO's
//! own handshake stay open: the token guards the data.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use socketioxide::extract::{State as SioState, TryData};

use crate::rest::error;
use crate::state::AppState;

/// What every refusal says.
pub const UNAUTHORIZED: &str = "unauthorized";

/// Compares without stopping at the first difference, so that the time an
/// answer takes says nothing of how much of a guess was right.
fn same(given: &str, token: &str) -> bool {
    let (a, b) = (given.as_bytes(), token.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (i, byte) in b.iter().enumerate() {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ byte);
    }
    diff == 0
}

/// Whether a request's `Authorization` header carries the token (always,
/// without `--token`).
pub fn bearer_ok(st: &AppState, authorization: Option<&str>) -> bool {
    match &st.args.token {
        None => true,
        Some(token) => authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|given| same(given.trim(), token)),
    }
}

/// Whether a live URL's query carries `token=` with the token (always,
/// without `--token`).
pub fn query_ok(st: &AppState, query: Option<&str>) -> bool {
    match &st.args.token {
        None => true,
        Some(token) => regime_core::wire::url::parse_query(query.unwrap_or(""))
            .iter()
            .any(|(k, v)| k == "token" && same(v, token)),
    }
}

/// The REST middleware: 401 unless the request carries the token.
pub async fn rest(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if bearer_ok(&st, authorization) {
        return next.run(req).await;
    }
    let mut answer = error(
        StatusCode::UNAUTHORIZED,
        "unauthorized: this backend wants Authorization: Bearer <token>",
    );
    answer.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    answer
}

/// The Socket.IO CONNECT middleware: a CONNECT_ERROR `unauthorized` unless
/// the auth payload is `{"token":"T",…}`.
pub async fn socketio(
    SioState(st): SioState<AppState>,
    TryData(auth): TryData<serde_json::Value>,
) -> Result<(), &'static str> {
    let given = auth
        .ok()
        .and_then(|a| a.get("token").and_then(|t| t.as_str()).map(str::to_string));
    match &st.args.token {
        None => Ok(()),
        Some(token) if given.as_deref().is_some_and(|g| same(g, token)) => Ok(()),
        Some(_) => Err(UNAUTHORIZED),
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn tokens_are_compared_whole() {
        assert!(same("abc", "abc"));
        for other in ["", "ab", "abcd", "abd", "ABC"] {
            assert!(!same(other, "abc"), "{other}");
        }
    }
}
