//! How many typical live frames one core decodes per second.
//!
//! Run with `cargo bench -p regime-core --bench decode`. Each benchmark
//! decodes one frame per iteration, so criterion's throughput line reads in
//! frames per second (`elem/s`). The target is at least 500 000 frames/s for
//! each protocol.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use regime_core::live::{LiveEvent, SessionEvent};
use regime_core::plain::{decode_server_frame, PlainServerFrame};
use regime_core::session::{LiveSession, SocketIoSessionConfig};
use regime_core::socketio::{decode_event, ServerEvent, SocketIoPacket};

/// A full Signal, every optional field present, as backends send it.
const SIGNAL: &str = r#"{"id":57,"symbol":"BTCUSDT","timeframe":"1h","side":"long","price":64250.5,"strategy":"adx-breakout","confidence":0.72,"timestamp":"2025-10-09T13:00:00Z","note":"DI+ over DI-"}"#;

fn plain_frame() -> String {
    format!(r#"{{"type":"signal","data":{SIGNAL}}}"#)
}

fn socketio_frame() -> String {
    format!(r#"42/signals,["signal",{SIGNAL}]"#)
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(1));

    let plain = plain_frame();
    group.bench_function("plain envelope signal", |b| {
        b.iter(|| match decode_server_frame(black_box(&plain)) {
            Ok(PlainServerFrame::Event(LiveEvent::Signal(s))) => s.id,
            _ => 0,
        })
    });

    // The Socket.IO codec alone: strip the Engine.IO `4`, split the packet,
    // decode the event arguments.
    let sio = socketio_frame();
    group.bench_function("socketio event signal", |b| {
        b.iter(|| {
            let text = black_box(&sio[1..]);
            let Ok(packet) = SocketIoPacket::decode_header(text) else {
                return 0;
            };
            match packet.payload.map(decode_event) {
                Some(Ok(d)) => match d.event {
                    ServerEvent::Market(LiveEvent::Signal(s)) => s.id,
                    _ => 1,
                },
                _ => 2,
            }
        })
    });

    // The whole session path a frame takes in the page: Engine.IO, Socket.IO,
    // namespace check, event decoding, output.
    let mut session = LiveSession::socketio(0, SocketIoSessionConfig::default());
    let mut out = Vec::new();
    session.handle_open(0, &mut out);
    session.handle_text(
        0,
        r#"0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#,
        &mut out,
    );
    session.handle_text(0, r#"40/signals,{"sid":"a"}"#, &mut out);
    assert!(session.is_ready(), "the session must be ready: {out:?}");
    group.bench_function("socketio session signal", |b| {
        b.iter(|| {
            out.clear();
            session.handle_text(1, black_box(&sio), &mut out);
            matches!(out.first(), Some(SessionEvent::Event(_)))
        })
    });

    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
