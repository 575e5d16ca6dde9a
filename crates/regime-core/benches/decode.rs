//! How many typical live frames one core decodes per second.
//!
//! Run with `cargo bench -p regime-core --bench decode`. Each benchmark
//! decodes one frame per iteration, so criterion's throughput line reads in
//! frames per second (`elem/s`). The target is at least 500 000 frames/s for
//! each protocol.
//!
//! On Linux the clock is the benchmark thread's CPU time, not the wall clock:
//! the project's machines have two cores shared with compilers and test
//! suites, and wall time there measures the scheduler more than the decoder.
//! `BENCH_CLOCK=wall` measures wall time instead.

use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
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

/// Nanoseconds of CPU time used by this thread, or of wall time when the
/// platform has no thread clock or `BENCH_CLOCK=wall` asks for it.
struct BenchClock {
    wall: WallTime,
    cpu: bool,
}

impl BenchClock {
    fn from_env() -> Self {
        let wall_asked = std::env::var("BENCH_CLOCK").is_ok_and(|v| v == "wall");
        BenchClock {
            wall: WallTime,
            cpu: !wall_asked && thread_cpu_ns().is_some(),
        }
    }

    fn now_ns(&self) -> u64 {
        match thread_cpu_ns() {
            Some(ns) if self.cpu => ns,
            _ => WALL_ORIGIN.with(|origin| origin.elapsed().as_nanos() as u64),
        }
    }
}

thread_local! {
    static WALL_ORIGIN: std::time::Instant = std::time::Instant::now();
}

#[cfg(target_os = "linux")]
fn thread_cpu_ns() -> Option<u64> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes a timespec through the valid pointer
    // that it is given; the C library that std links on Linux provides it, and
    // on 64-bit Linux a timespec is two i64s.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0 && cfg!(target_pointer_width = "64"))
        .then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu_ns() -> Option<u64> {
    None
}

impl Measurement for BenchClock {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        self.now_ns()
    }
    fn end(&self, started: u64) -> u64 {
        self.now_ns().saturating_sub(started)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Both clocks count nanoseconds, which is what WallTime formats.
        self.wall.formatter()
    }
}

fn decode(c: &mut Criterion<BenchClock>) {
    println!(
        "clock: {}",
        if c_uses_cpu() {
            "thread CPU time (BENCH_CLOCK=wall for wall time)"
        } else {
            "wall time"
        }
    );
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

fn c_uses_cpu() -> bool {
    BenchClock::from_env().cpu
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(BenchClock::from_env());
    targets = decode
}
criterion_main!(benches);
