//! `demo-server`: see `--help` and README.md.

use std::io::Write;

use clap::Parser;
use demo_server::{start, Args};
use tracing_subscriber::EnvFilter;

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let server = match start(args).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo-server: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The one line on stdout: the e2e harness reads the port from it.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", server.url());
    let _ = out.flush();
    drop(out);
    tracing::info!(addr = %server.addr, "serving");

    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    std::process::ExitCode::SUCCESS
}
