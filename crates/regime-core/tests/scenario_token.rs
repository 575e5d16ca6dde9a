//! A backend that asks for a token (PROTOCOL.md §2 "Authentication"): the
//! token on every REST request, on the plain socket's URL and in Socket.IO's
//! CONNECT, on every reconnect; a refusal said in one sentence, never Live;
//! a new token taken at once; and the token never in what the page shows.

mod support;

use regime_core::diagnosis::DiagnosisKind;
use regime_core::machine::{Command, Mode, RestRequest};
use regime_core::settings::{Protocol, Settings};
use regime_core::token::{BoundToken, Token};
use support::{settings, Server, Sim, API};

const SECRET: &str = "s3cr3t-Tok+n/=";

fn with_token(protocol: Protocol, token: &str) -> Settings {
    let mut s = settings(protocol);
    s.token = Some(BoundToken::for_settings(Token::new(token).unwrap(), &s));
    s
}

fn server(protocol: Protocol) -> Server {
    let mut server = match protocol {
        Protocol::SocketIo => Server::socketio("/signals"),
        _ => Server::new(support::Speaks::Plain),
    };
    server.token = Some(SECRET.into());
    server
}

/// Every text the page shows or could log: status, problems, settings and
/// commands as `{:?}` prints them, but for the two places the token goes on
/// purpose (the plain socket's URL, Socket.IO's CONNECT frame).
fn shown(sim: &Sim) -> String {
    let status = sim.conn.status();
    let mut text = format!(
        "{} {} {:?}",
        status.live_url, status.api_url, status.last_error
    );
    for p in &status.problems {
        text.push_str(&p.sentence);
        text.push_str(&p.detail);
    }
    text.push_str(&format!("{:?}", sim.conn.settings()));
    for (_, c) in &sim.log {
        if !matches!(c, Command::OpenSocket { .. } | Command::Send { .. }) {
            text.push_str(&format!("{c:?}"));
        }
    }
    text
}

#[test]
fn the_right_token_goes_on_every_request_and_reaches_live_on_both_protocols() {
    for protocol in [Protocol::Native, Protocol::SocketIo] {
        let mut sim = Sim::new(server(protocol), with_token(protocol, SECRET));
        sim.start();
        sim.run_for(2_000);
        assert_eq!(sim.mode(), Mode::Live, "{protocol}");
        assert!(sim.conn.status().token_set);
        let auth = &sim.server.authorizations;
        assert!(auth.len() >= 4, "{auth:?}");
        let bearer = format!("Bearer {SECRET}");
        assert!(
            auth.iter().all(|a| a.as_deref() == Some(bearer.as_str())),
            "{protocol}: {auth:?}"
        );
        let opened: Vec<&String> = sim
            .log
            .iter()
            .filter_map(|(_, c)| match c {
                Command::OpenSocket { url, .. } => Some(url),
                _ => None,
            })
            .collect();
        match protocol {
            Protocol::Native => {
                assert_eq!(opened, ["ws://backend.test/ws?token=s3cr3t-Tok%2Bn%2F%3D"])
            }
            _ => {
                assert!(!opened[0].contains("token"), "{opened:?}");
                let connect = sim
                    .server
                    .client_frames
                    .iter()
                    .find(|(_, t)| t.starts_with("40"))
                    .map(|(_, t)| t.clone());
                assert_eq!(
                    connect.as_deref(),
                    Some(r#"40/signals,{"token":"s3cr3t-Tok+n/="}"#)
                );
            }
        }
        // The token is never shown: not in the live URL, a problem or a log.
        assert!(!sim.conn.status().live_url.contains("token"));
        assert!(!shown(&sim).contains(SECRET), "{protocol}");

        // Every reconnect carries it again.
        sim.restart_server(500);
        sim.run_for(10_000);
        assert_eq!(sim.mode(), Mode::Live, "{protocol}: back");
        match protocol {
            Protocol::Native => {
                let opens = sim
                    .log
                    .iter()
                    .filter(|(_, c)| matches!(c, Command::OpenSocket { url, .. } if url.ends_with("?token=s3cr3t-Tok%2Bn%2F%3D")))
                    .count();
                assert!(opens >= 2, "{opens}");
            }
            _ => {
                let connects = sim
                    .server
                    .client_frames
                    .iter()
                    .filter(|(_, t)| t.starts_with(r#"40/signals,{"token":"s3cr3t-Tok+n/=""#))
                    .count();
                assert!(connects >= 2, "{connects}");
            }
        }
    }
}

#[test]
fn a_wrong_token_is_said_once_never_live_and_a_typed_one_connects_at_once() {
    for protocol in [Protocol::Native, Protocol::SocketIo] {
        let mut sim = Sim::new(server(protocol), with_token(protocol, "wrong"));
        sim.start();
        let mut modes = Vec::new();
        for _ in 0..100 {
            sim.run_for(100);
            modes.push(sim.mode());
        }
        assert!(!modes.contains(&Mode::Live), "{protocol}: {modes:?}");
        assert!(sim.has_problem(DiagnosisKind::TokenRefused), "{protocol}");
        let refused: Vec<_> = sim
            .conn
            .status()
            .problems
            .iter()
            .filter(|p| p.kind == DiagnosisKind::TokenRefused)
            .collect();
        assert_eq!(refused.len(), 1);
        assert_eq!(
            refused[0].sentence,
            "The backend refused the token: type the right one into Token and press Connect."
        );
        assert!(
            !sim.has_problem(DiagnosisKind::RestHttpError),
            "one sentence, not one per endpoint"
        );
        assert!(
            !sim.has_problem(DiagnosisKind::NamespaceRefused),
            "not the namespace's fault"
        );
        assert!(!shown(&sim).contains("wrong"), "{protocol}");

        // The right one, typed in: accepted at once, without a reload.
        let at = sim.now;
        sim.conn.set_token(at, Token::new(SECRET));
        sim.perform();
        sim.run_for(1_000);
        assert_eq!(
            sim.mode(),
            Mode::Live,
            "{protocol}: {:?}",
            sim.conn.status()
        );
        assert!(!sim.has_problem(DiagnosisKind::TokenRefused));
        assert!(
            sim.conn.store().symbols().len() == 2,
            "REST asked again with the new token"
        );
        let bound = sim.conn.settings().token.as_ref().unwrap();
        assert_eq!(bound.hosts(), ["backend.test"]);
    }
}

#[test]
fn no_token_for_a_backend_that_wants_one_is_said_too() {
    let mut sim = Sim::new(server(Protocol::Off), settings(Protocol::Off));
    sim.start();
    sim.run_for(2_000);
    assert_eq!(sim.mode(), Mode::Offline);
    assert!(!sim.conn.status().token_set);
    assert!(sim.problem_sentences()[0].starts_with("The backend asks for a token and none is set"));
}

#[test]
fn api_mode_polling_carries_the_token() {
    let mut sim = Sim::new(server(Protocol::Off), with_token(Protocol::Off, SECRET));
    sim.start();
    sim.run_for(30_000);
    assert_eq!(sim.mode(), Mode::Api);
    let polls = sim
        .fetches(|w| matches!(w, RestRequest::Regime { .. }))
        .len();
    assert!(polls >= 5, "{polls}");
    let bearer = format!("Bearer {SECRET}");
    assert!(sim
        .server
        .authorizations
        .iter()
        .all(|a| a.as_deref() == Some(bearer.as_str())));
}

#[test]
fn a_token_kept_for_one_backend_is_never_sent_to_another_host() {
    // Kept for good.example; a link then points api at this test's backend.
    let good = Settings::load("https://good.example", None, "").0;
    let kept = BoundToken::for_settings(Token::new(SECRET).unwrap(), &good);
    let mut s = settings(Protocol::Native);
    assert!(!s.api.contains("good.example"), "{API}");
    s.token = Some(kept);
    let mut sim = Sim::new(server(Protocol::Native), s);
    sim.start();
    sim.run_for(2_000);
    assert!(sim.server.authorizations.iter().all(Option::is_none));
    assert!(!sim.conn.status().token_set);
    assert!(sim
        .log
        .iter()
        .all(|(_, c)| !matches!(c, Command::OpenSocket { url, .. } if url.contains("token"))));
}

#[test]
fn the_probe_and_the_reachability_check_carry_no_token() {
    let mut sim = Sim::new(
        server(Protocol::SocketIo),
        with_token(Protocol::Auto, SECRET),
    );
    sim.start();
    sim.run_for(2_000);
    assert_eq!(sim.mode(), Mode::Live);
    let probe = sim.log.iter().find_map(|(_, c)| match c {
        Command::Fetch {
            what: RestRequest::SocketIoProbe,
            authorization,
            ..
        } => Some(authorization.is_none()),
        _ => None,
    });
    assert_eq!(probe, Some(true));
}

#[test]
fn a_browser_that_quotes_the_url_with_the_token_is_shown_without_it() {
    let mut sim = Sim::new(
        server(Protocol::Native),
        with_token(Protocol::Native, SECRET),
    );
    sim.browser_refuses = Some(format!(
        "SyntaxError: Failed to construct 'WebSocket': The URL 'ws://backend.test/ws?token={}' is invalid.",
        "s3cr3t-Tok%2Bn%2F%3D"
    ));
    sim.start();
    sim.run_for(1_000);
    let text = shown(&sim);
    assert!(text.contains("[redacted]"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
}
