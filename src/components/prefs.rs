//! The trader's page preferences: theme, alert sound, desktop
//! notifications, UTC or local times. Remembered in `localStorage`; shared with the components
//! as one small `Copy` handle in context.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use regime_view::TimeZoneChoice;

/// The theme the trader chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow the system setting (`prefers-color-scheme`).
    System,
    Dark,
    Light,
}

impl ThemeChoice {
    /// The next choice of the toggle: system → dark → light → system.
    pub fn next(self) -> ThemeChoice {
        match self {
            ThemeChoice::System => ThemeChoice::Dark,
            ThemeChoice::Dark => ThemeChoice::Light,
            ThemeChoice::Light => ThemeChoice::System,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Dark => "dark",
            ThemeChoice::Light => "light",
        }
    }
    pub fn parse(s: &str) -> ThemeChoice {
        match s {
            "dark" => ThemeChoice::Dark,
            "light" => ThemeChoice::Light,
            _ => ThemeChoice::System,
        }
    }
    /// The toggle's symbol.
    pub fn icon(self) -> &'static str {
        match self {
            ThemeChoice::System => "◐",
            ThemeChoice::Dark => "☾",
            ThemeChoice::Light => "☀",
        }
    }
    /// The toggle's word (hidden on phones, where the symbol stays).
    pub fn word(self) -> &'static str {
        match self {
            ThemeChoice::System => "Auto",
            ThemeChoice::Dark => "Dark",
            ThemeChoice::Light => "Light",
        }
    }
}

/// The preferences handle. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct Prefs {
    pub theme: RwSignal<ThemeChoice>,
    /// True when the system asks for a light scheme (tracked live).
    pub system_light: RwSignal<bool>,
    pub sound: RwSignal<bool>,
    pub notify: RwSignal<bool>,
    /// Where every time on the page is shown: UTC or this computer's zone.
    pub zone: RwSignal<TimeZoneChoice>,
}

impl Prefs {
    /// Dark or light, after the choice and the system setting.
    pub fn is_light(self) -> bool {
        match self.theme.get() {
            ThemeChoice::Light => true,
            ThemeChoice::Dark => false,
            ThemeChoice::System => self.system_light.get(),
        }
    }
}

const THEME_KEY: &str = "regime.theme";
const SOUND_KEY: &str = "regime.sound";
const NOTIFY_KEY: &str = "regime.notify";
const ZONE_KEY: &str = "regime.zone";

fn storage() -> Option<web_sys::Storage> {
    // Private modes may refuse storage: then nothing is remembered.
    web_sys::window()?.local_storage().ok()?
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Whether this browser has the Notification API at all.
pub fn notifications_supported() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false)
    })
}

/// Whether the page may show desktop notifications now.
pub fn notification_granted() -> bool {
    notifications_supported()
        && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

/// Reads the preferences, provides them as context, and keeps `<html
/// data-theme>` and `localStorage` in step with them.
pub fn provide_prefs() -> Prefs {
    let media = web_sys::window().and_then(|w| {
        w.match_media("(prefers-color-scheme: light)")
            .ok()
            .flatten()
    });
    let prefs = Prefs {
        theme: RwSignal::new(
            load(THEME_KEY).map_or(ThemeChoice::System, |s| ThemeChoice::parse(&s)),
        ),
        system_light: RwSignal::new(media.as_ref().is_some_and(|m| m.matches())),
        sound: RwSignal::new(load(SOUND_KEY).as_deref() == Some("on")),
        // A remembered "on" only holds while the browser still allows it.
        notify: RwSignal::new(load(NOTIFY_KEY).as_deref() == Some("on") && notification_granted()),
        zone: RwSignal::new(
            load(ZONE_KEY).map_or(TimeZoneChoice::Local, |s| TimeZoneChoice::parse(&s)),
        ),
    };

    // Follow the system setting while the page is open.
    if let Some(m) = media {
        let system_light = prefs.system_light;
        let cb = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if let Some(q) = ev.dyn_ref::<web_sys::MediaQueryList>() {
                system_light.set(q.matches());
            }
        });
        let _ = m.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        // The listener lives as long as the page, like the preference.
        cb.forget();
    }

    Effect::new(move |_| {
        let choice = prefs.theme.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            match choice {
                ThemeChoice::System => {
                    let _ = root.remove_attribute("data-theme");
                }
                c => {
                    let _ = root.set_attribute("data-theme", c.as_str());
                }
            }
        }
        save(THEME_KEY, choice.as_str());
    });
    Effect::new(move |_| save(SOUND_KEY, if prefs.sound.get() { "on" } else { "off" }));
    Effect::new(move |_| save(NOTIFY_KEY, if prefs.notify.get() { "on" } else { "off" }));
    Effect::new(move |_| save(ZONE_KEY, prefs.zone.get().as_str()));

    provide_context(prefs);
    prefs
}

/// The preferences from context, or defaults when none were provided (a
/// component mounted alone in a test).
pub fn use_prefs() -> Prefs {
    use_context::<Prefs>().unwrap_or_else(|| Prefs {
        theme: RwSignal::new(ThemeChoice::Dark),
        system_light: RwSignal::new(false),
        sound: RwSignal::new(false),
        notify: RwSignal::new(false),
        zone: RwSignal::new(TimeZoneChoice::Local),
    })
}

/// Turns desktop notifications on: asks the browser's permission first,
/// only now that the trader asked for them.
pub fn enable_notifications(prefs: Prefs) {
    if !notifications_supported() {
        prefs.notify.set(false);
        return;
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => prefs.notify.set(true),
        web_sys::NotificationPermission::Denied => prefs.notify.set(false),
        _ => {
            let Ok(promise) = web_sys::Notification::request_permission() else {
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
                let granted = answer.ok().and_then(|v| v.as_string()).as_deref() == Some("granted");
                prefs.notify.set(granted);
            });
        }
    }
}
