//! The connection's health: one calm line when all is well, everything the
//! hook knows (and what to do about it) when something is not.

use leptos::prelude::*;
use regime_core::machine::Mode;

use super::conn;
use super::format::{self, DASH};
use super::token_field::TokenField;
use crate::connection::HealthView;

/// True when the panel should open by itself: a problem of severity
/// error or warning, a settings problem, or a mode other than Live and
/// Connecting.
pub fn needs_attention(mode: Mode, h: &HealthView) -> bool {
    matches!(mode, Mode::Offline | Mode::Api)
        || h.problems
            .iter()
            .any(|p| p.severity == "error" || p.severity == "warning")
        || !h.setting_problems.is_empty()
}

/// The one-line summary in the panel's `<summary>`.
pub fn summary_line(badge: regime_view::Badge, mode: Mode, h: &HealthView) -> String {
    let mut parts = vec![format!("Connection: {}", badge.text())];
    if !h.transport.is_empty() {
        parts.push(h.transport.clone());
    }
    if let Some(p) = h.problems.first() {
        parts.push(p.sentence.clone());
    } else if mode == Mode::Live {
        // No rate once nothing comes (a flood's rate must not stand after it).
        if h.messages_per_sec > 0.0 {
            parts.push(format::rate(h.messages_per_sec));
        }
        if h.rtt_ms.is_some() {
            parts.push(format!("RTT {}", format::rtt(h.rtt_ms)));
        }
        // "All good" only while live data flows.
        if badge == regime_view::Badge::Live {
            parts.push("all good".to_string());
        }
    }
    parts.join(" · ")
}

/// A text field, or a dash when empty.
fn or_dash(s: &str) -> String {
    if s.is_empty() {
        DASH.to_string()
    } else {
        s.to_string()
    }
}

#[component]
pub fn HealthPanel() -> impl IntoView {
    let c = conn();
    let attention = Memo::new(move |_| c.health.with(|h| needs_attention(c.mode.get(), h)));
    let badge = super::badge::current(c);
    let h = move |f: fn(&HealthView) -> String| c.health.with(f);
    // The lists are rebuilt only when they change, not whenever the
    // traffic figures beside them move.
    let problems = Memo::new(move |_| c.health.with(|h| h.problems.clone()));
    let setting_problems = Memo::new(move |_| c.health.with(|h| h.setting_problems.clone()));

    let next_retry = move || {
        let now = c.now.get();
        c.health.with(|h| match h.next_retry_at {
            Some(at) if c.mode.get() != Mode::Live => {
                let left = at - now;
                if left <= 0.0 {
                    "now".to_string()
                } else {
                    format!("in {}", format::duration(left + 999.0))
                }
            }
            _ => DASH.to_string(),
        })
    };
    let last_msg = move || {
        let now = c.now.get();
        c.health.with(|h| match h.last_message_at {
            Some(at) => format!("{} ago", format::duration(now - at)),
            None => DASH.to_string(),
        })
    };

    view! {
        <details
            class="card health"
            class:attention=move || attention.get()
            data-testid="health-panel"
            // Opens by itself when something goes wrong, closes when it is
            // over; in between the trader's own click wins.
            prop:open=move || attention.get()
        >
            <summary class="health-summary">
                <span class=move || format!("health-dot dot-{}", c.mode.get().name()) aria-hidden="true"></span>
                <span class="health-line">{move || c.health.with(|h| summary_line(badge.get(), c.mode.get(), h))}</span>
            </summary>
            <div class="health-body">
                <Show when=move || problems.with(|p| !p.is_empty()) fallback=|| ()>
                    <ul class="problems">
                        {move || {
                            problems
                                .with(|problems| {
                                    problems
                                        .iter()
                                        .map(|p| {
                                            view! {
                                                <li class=format!("problem sev-{}", p.severity)>
                                                    // The severity tag sits outside the
                                                    // sentence, whose text stays exactly
                                                    // the diagnosis.
                                                    <p class="problem-sentence">
                                                        <span class="sev">{p.severity}</span>
                                                        <span
                                                            data-testid="health-diagnosis"
                                                            data-severity=p.severity
                                                        >
                                                            {p.sentence.clone()}
                                                        </span>
                                                    </p>
                                                    <p class="problem-detail" data-testid="health-detail">
                                                        {p.detail.clone()}
                                                    </p>
                                                </li>
                                            }
                                        })
                                        .collect_view()
                                })
                        }}
                    </ul>
                </Show>
                <Show when=move || setting_problems.with(|p| !p.is_empty()) fallback=|| ()>
                    <ul class="problems" data-testid="settings-problems">
                        {move || {
                            setting_problems
                                .with(|problems| {
                                    problems
                                        .iter()
                                        .map(|s| view! { <li class="problem sev-warning">{s.clone()}</li> })
                                        .collect_view()
                                })
                        }}
                    </ul>
                </Show>
                <TokenField />
                <dl class="health-grid">
                    <div><dt>"Mode"</dt><dd data-testid="health-mode">{move || badge.get().text()}</dd></div>
                    <div><dt>"Transport"</dt><dd data-testid="health-transport">{move || h(|h| or_dash(&h.transport))}</dd></div>
                    <div class="wide"><dt>"Live URL"</dt><dd class="url" data-testid="health-url">{move || h(|h| or_dash(&h.live_url))}</dd></div>
                    <div class="wide"><dt>"API URL"</dt><dd class="url">{move || h(|h| or_dash(&h.api_url))}</dd></div>
                    <div><dt>"Retries"</dt><dd class="num" data-testid="health-retries">{move || h(|h| h.retries.to_string())}</dd></div>
                    <div><dt>"Next retry"</dt><dd class="num" data-testid="health-next-retry">{next_retry}</dd></div>
                    <div><dt>"Messages"</dt><dd class="num" data-testid="health-rate">{move || h(|h| format::rate(h.messages_per_sec))}</dd></div>
                    <div><dt>"Last message"</dt><dd class="num" data-testid="health-last-msg">{last_msg}</dd></div>
                    <div><dt>"Round trip"</dt><dd class="num" data-testid="health-rtt">{move || h(|h| format::rtt(h.rtt_ms))}</dd></div>
                    <div>
                        <dt>"Malformed"</dt>
                        <dd class="num" data-testid="health-malformed" title=move || h(|h| h.last_malformed_reason.clone().unwrap_or_default())>
                            {move || h(|h| match &h.last_malformed_reason {
                                Some(r) if h.malformed > 0 => format!("{} (last: {r})", h.malformed),
                                _ => h.malformed.to_string(),
                            })}
                        </dd>
                    </div>
                    <div><dt>"Recovered"</dt><dd class="num" data-testid="health-recovered">{move || h(|h| h.recovered.to_string())}</dd></div>
                    <div><dt>"Backend"</dt><dd data-testid="health-version">{move || h(|h| h.backend_version.clone().unwrap_or_else(|| DASH.to_string()))}</dd></div>
                    <Show when=move || c.health.with(|h| h.last_error.is_some()) fallback=|| ()>
                        <div class="wide"><dt>"Last error"</dt><dd>{move || h(|h| h.last_error.clone().unwrap_or_default())}</dd></div>
                    </Show>
                </dl>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::DiagnosisView;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn opens_on_problems_and_degraded_modes() {
        let calm = HealthView::default();
        assert!(!needs_attention(Mode::Live, &calm));
        assert!(!needs_attention(Mode::Connecting, &calm));
        assert!(needs_attention(Mode::Api, &calm));
        assert!(needs_attention(Mode::Offline, &calm));
        let mut info = HealthView::default();
        info.problems.push(DiagnosisView {
            severity: "info",
            sentence: "x".into(),
            detail: String::new(),
        });
        assert!(!needs_attention(Mode::Live, &info));
        info.problems.push(DiagnosisView {
            severity: "warning",
            sentence: "y".into(),
            detail: String::new(),
        });
        assert!(needs_attention(Mode::Live, &info));
        let settings = HealthView {
            setting_problems: vec!["poll must be a number".into()],
            ..Default::default()
        };
        assert!(needs_attention(Mode::Live, &settings));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn summary_is_one_calm_line() {
        let h = HealthView {
            transport: "plain WebSocket".into(),
            messages_per_sec: 2.0,
            rtt_ms: Some(41.6),
            ..Default::default()
        };
        assert_eq!(
            summary_line(regime_view::Badge::Live, Mode::Live, &h),
            "Connection: ● Live · plain WebSocket · 2.0 msg/s · RTT 42 ms · all good"
        );
        // Connected without live data is not "all good", and no rate
        // stands once nothing comes.
        let quiet = regime_view::Badge::Quiet {
            flowing: regime_view::Flowing::Nothing,
            polled: false,
        };
        let still = HealthView {
            messages_per_sec: 0.0,
            ..h
        };
        assert_eq!(
            summary_line(quiet, Mode::Live, &still),
            "Connection: ◐ Live, no data · plain WebSocket · RTT 42 ms"
        );
    }
}
