//! Where the backend's token is kept in this browser: `sessionStorage` (for
//! the tab) or, when "remember on this device" is ticked, `localStorage`;
//! always with the hosts it belongs to (`regime_core::token::BoundToken`),
//! so that a token kept for one backend is never sent to another. Storage
//! that is missing or refuses (a private window, a sandboxed frame) keeps
//! nothing, and the page goes on.

use regime_core::token::BoundToken;
use web_sys::Storage;

/// The storage key, in both storages.
pub const KEY: &str = "regime.token";

fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The token kept for this tab, or else on this device.
pub fn load() -> Option<BoundToken> {
    [session(), local()]
        .into_iter()
        .flatten()
        .find_map(|s| s.get_item(KEY).ok().flatten())
        .and_then(|text| BoundToken::from_storage(&text))
}

/// Whether the token is remembered on this device (`localStorage`).
pub fn remembered() -> bool {
    local().is_some_and(|s| s.get_item(KEY).ok().flatten().is_some())
}

/// Keeps `token` for the tab, and on this device when `remember`; `None`
/// forgets it in both.
pub fn save(token: Option<&BoundToken>, remember: bool) {
    let text = token.map(BoundToken::to_storage);
    for (storage, wanted) in [(session(), true), (local(), remember)] {
        let Some(storage) = storage else { continue };
        match (&text, wanted) {
            (Some(text), true) => {
                let _ = storage.set_item(KEY, text);
            }
            _ => {
                let _ = storage.remove_item(KEY);
            }
        }
    }
}
