//! Load test: N concurrent live clients (half plain WebSocket, half
//! Socket.IO over WebSocket) against a demo-server on loopback for S
//! seconds. Reports messages received per second, dropped connections, and
//! the server's peak RSS (VmHWM) and CPU time when it runs it as a child.
//!
//! ```text
//! cargo build --profile server -p demo-server
//! cargo run --profile server -p demo-server --example load -- --clients 1000 --secs 60
//! ```
//!
//! Without `--url` it starts `target/server/demo-server --port 0 --speed 50`
//! itself (change with `--server-bin` and `--speed`). Loopback only: the
//! URL must name 127.0.0.1, localhost or [::1]. Everything is bounded by
//! `--secs` (plus at most 30 s to connect).

use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug)]
struct Opts {
    /// Concurrent clients (half plain, half Socket.IO).
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// How long to measure, in seconds.
    #[arg(long, default_value_t = 60)]
    secs: u64,
    /// --speed given to the server that this tool starts.
    #[arg(long, default_value_t = 50.0)]
    speed: f64,
    /// The server binary to start (default: target/server/demo-server).
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
    /// Use a running server instead (http://127.0.0.1:PORT); no RSS then.
    #[arg(long)]
    url: Option<String>,
    /// Extra signals per second asked of the server (floodPerSec, needs --control).
    #[arg(long, default_value_t = 0.0)]
    flood: f64,
}

#[derive(Default)]
struct Stats {
    connected: AtomicU64,
    connect_failed: AtomicU64,
    dropped: AtomicU64,
    messages: AtomicU64,
    bytes: AtomicU64,
    plain_messages: AtomicU64,
    sio_messages: AtomicU64,
}

fn proc_status(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// utime + stime of a process, in seconds.
fn proc_cpu_secs(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

async fn plain_client(base: String, stats: Arc<Stats>, stop: Instant) {
    let url = format!("{base}/ws");
    let Ok((ws, _)) = tokio_tungstenite::connect_async(&url).await else {
        stats.connect_failed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    stats.connected.fetch_add(1, Ordering::Relaxed);
    let (mut tx, mut rx) = ws.split();
    let mut next_ping = Instant::now() + Duration::from_secs(5);
    let mut id = 0u64;
    loop {
        let left = stop.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        match tokio::time::timeout(left.min(Duration::from_secs(1)), rx.next()).await {
            Err(_) => {}
            Ok(Some(Ok(Message::Text(t)))) => {
                stats.messages.fetch_add(1, Ordering::Relaxed);
                stats.plain_messages.fetch_add(1, Ordering::Relaxed);
                stats.bytes.fetch_add(t.len() as u64, Ordering::Relaxed);
            }
            Ok(Some(Ok(_))) => {}
            Ok(None) | Ok(Some(Err(_))) => {
                if Instant::now() < stop {
                    stats.dropped.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
        }
        if Instant::now() >= next_ping {
            id += 1;
            next_ping = Instant::now() + Duration::from_secs(5);
            let _ = tx
                .send(Message::Text(
                    format!(r#"{{"type":"ping","id":{id}}}"#).into(),
                ))
                .await;
        }
    }
}

async fn sio_client(base: String, stats: Arc<Stats>, stop: Instant) {
    let url = format!("{base}/socket.io/?EIO=4&transport=websocket");
    let Ok((ws, _)) = tokio_tungstenite::connect_async(&url).await else {
        stats.connect_failed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let mut joined = false;
    loop {
        let left = stop.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        match tokio::time::timeout(left.min(Duration::from_secs(1)), rx.next()).await {
            Err(_) => {}
            Ok(Some(Ok(Message::Text(t)))) => {
                let t = t.as_str();
                if t.starts_with('0') {
                    let _ = tx.send(Message::Text("40/signals,".into())).await;
                } else if t == "2" {
                    let _ = tx.send(Message::Text("3".into())).await;
                } else if t.starts_with("40/signals,") && !joined {
                    joined = true;
                    stats.connected.fetch_add(1, Ordering::Relaxed);
                } else if t.starts_with("42") {
                    stats.messages.fetch_add(1, Ordering::Relaxed);
                    stats.sio_messages.fetch_add(1, Ordering::Relaxed);
                    stats.bytes.fetch_add(t.len() as u64, Ordering::Relaxed);
                }
            }
            Ok(Some(Ok(_))) => {}
            Ok(None) | Ok(Some(Err(_))) => {
                if Instant::now() < stop {
                    stats.dropped.fetch_add(1, Ordering::Relaxed);
                }
                if !joined {
                    stats.connect_failed.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
        }
    }
}

/// The `counters` object of `GET /control/state`, as text.
async fn control_state(http_base: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = http_base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    let req = format!("GET /control/state HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.ok()?;
    let mut raw = String::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut raw))
        .await
        .ok()?
        .ok()?;
    let body = raw.split_once("\r\n\r\n")?.1;
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    Some(v.get("counters")?.to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Opts::parse();
    let mut child = None;
    let base = match &o.url {
        Some(u) => {
            let host = u
                .trim_start_matches("http://")
                .split(['/', ':'])
                .next()
                .unwrap_or("");
            let host = if u.contains("[::1]") { "[::1]" } else { host };
            if !["127.0.0.1", "localhost", "[::1]"].contains(&host) {
                return Err("loopback only: --url must name 127.0.0.1, localhost or [::1]".into());
            }
            u.trim_end_matches('/').replacen("http://", "ws://", 1)
        }
        None => {
            let bin = o.server_bin.clone().unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/server/demo-server")
            });
            let mut c = tokio::process::Command::new(&bin)
                .args(["--port", "0", "--bind", "127.0.0.1", "--speed", &o.speed.to_string(), "--control"])
                .env("RUST_LOG", "warn")
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e} (build it: cargo build --profile server -p demo-server)", bin.display()))?;
            let mut lines = BufReader::new(c.stdout.take().unwrap()).lines();
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await??
                .ok_or("no stdout line")?;
            let url = line
                .strip_prefix("listening on ")
                .ok_or("unexpected first line")?
                .to_string();
            child = Some(c);
            url.replacen("http://", "ws://", 1)
        }
    };
    let pid = child.as_ref().and_then(|c| c.id());
    let http_base = base.replacen("ws://", "http://", 1);
    eprintln!(
        "server {http_base} (pid {pid:?}); {} clients for {} s",
        o.clients, o.secs
    );

    if o.flood > 0.0 {
        // a raw POST, to keep this tool free of an HTTP client dependency
        let addr = http_base.trim_start_matches("http://").to_string();
        let body = format!(r#"{{"floodPerSec":{}}}"#, o.flood);
        let mut s = tokio::net::TcpStream::connect(&addr).await?;
        use tokio::io::AsyncWriteExt;
        s.write_all(
            format!(
                "POST /control/faults HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await?;
    }

    let stats = Arc::new(Stats::default());
    let connect_deadline = Instant::now() + Duration::from_secs(30);
    let stop = connect_deadline + Duration::from_secs(o.secs);
    let mut tasks = Vec::with_capacity(o.clients);
    let t_connect = Instant::now();
    for i in 0..o.clients {
        let (b, s) = (base.clone(), stats.clone());
        tasks.push(if i % 2 == 0 {
            tokio::spawn(plain_client(b, s, stop))
        } else {
            tokio::spawn(sio_client(b, s, stop))
        });
        if i % 50 == 49 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // wait for the connections, then measure exactly `secs`
    while stats.connected.load(Ordering::Relaxed) + stats.connect_failed.load(Ordering::Relaxed)
        < o.clients as u64
        && Instant::now() < connect_deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connected = stats.connected.load(Ordering::Relaxed);
    eprintln!(
        "{connected} connected in {:.1} s",
        t_connect.elapsed().as_secs_f64()
    );
    let m0 = stats.messages.load(Ordering::Relaxed);
    let cpu0 = pid.and_then(proc_cpu_secs);
    let t0 = Instant::now();
    let measure_end = t0 + Duration::from_secs(o.secs);
    let mut peak_rss = 0;
    while Instant::now() < measure_end {
        tokio::time::sleep(
            Duration::from_secs(5).min(measure_end.saturating_duration_since(Instant::now())),
        )
        .await;
        let rss = pid.and_then(|p| proc_status(p, "VmRSS:")).unwrap_or(0);
        peak_rss = peak_rss.max(rss);
        let m = stats.messages.load(Ordering::Relaxed) - m0;
        eprintln!(
            "  t={:>3.0}s  msgs/s {:>9.0}  dropped {}  server RSS {} MiB",
            t0.elapsed().as_secs_f64(),
            m as f64 / t0.elapsed().as_secs_f64(),
            stats.dropped.load(Ordering::Relaxed),
            rss / 1024
        );
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let msgs = stats.messages.load(Ordering::Relaxed) - m0;
    let cpu = match (cpu0, pid.and_then(proc_cpu_secs)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let hwm = pid.and_then(|p| proc_status(p, "VmHWM:"));
    let state = if let Some(p) = pid {
        std::fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .map(|_| "running")
    } else {
        None
    };
    let counters = control_state(&http_base).await.unwrap_or_default();
    for t in &tasks {
        t.abort();
    }

    println!(
        "clients            {} ({} plain, {} Socket.IO)",
        o.clients,
        o.clients.div_ceil(2),
        o.clients / 2
    );
    println!("connected          {connected}");
    println!(
        "connect failures   {}",
        stats.connect_failed.load(Ordering::Relaxed)
    );
    println!(
        "dropped            {}",
        stats.dropped.load(Ordering::Relaxed)
    );
    println!("measured           {elapsed:.1} s");
    println!(
        "messages received  {msgs} ({:.0}/s in total, {:.1}/s per client)",
        msgs as f64 / elapsed,
        msgs as f64 / elapsed / connected.max(1) as f64
    );
    println!(
        "  plain / sio      {} / {} (since start)",
        stats.plain_messages.load(Ordering::Relaxed),
        stats.sio_messages.load(Ordering::Relaxed)
    );
    println!(
        "bytes received     {:.1} MiB",
        stats.bytes.load(Ordering::Relaxed) as f64 / 1048576.0
    );
    if let Some(h) = hwm {
        println!(
            "server VmHWM       {:.1} MiB (peak RSS sampled {:.1} MiB)",
            h as f64 / 1024.0,
            peak_rss as f64 / 1024.0
        );
    }
    if let Some(c) = cpu {
        println!(
            "server CPU         {c:.1} s over {elapsed:.1} s ({:.0}% of one core)",
            c / elapsed * 100.0
        );
    }
    if !counters.is_empty() {
        println!("server counters    {counters}");
    }
    if let Some(s) = state {
        println!("server state       {s}");
    }
    if let Some(mut c) = child {
        let _ = c.start_kill();
        let _ = c.wait().await;
    }
    Ok(())
}
