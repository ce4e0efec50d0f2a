//! Start-up time of every function: from spawning its release binary until it asks the Lambda
//! Runtime API for its first event (`GET /2018-06-01/runtime/invocation/next`), i.e. the init
//! phase that a cold start adds to the first request: runtime, configuration, SDK clients.
//!
//! The Runtime API is a stub: it notes when the request line arrives and never answers; the
//! process is killed right after.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::Path,
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use local_stack::Template;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::mpsc,
};

use crate::table::{self, Align, Table};

const NEXT_EVENT: &str = "GET /2018-06-01/runtime/invocation/next";

pub struct FunctionStartup {
    pub binary: String,
    pub size: u64,
    /// Deflated at gzip's best level: close to the zip Lambda is given.
    pub deflated: u64,
    /// The first start after the build, apart from the others.
    pub first: Duration,
    /// Sorted.
    pub startups: Vec<Duration>,
}

/// A request line the stub received, and when.
struct Seen {
    at: Instant,
    request_line: String,
}

struct RuntimeApiStub {
    address: SocketAddr,
    seen: mpsc::UnboundedReceiver<Seen>,
    server: tokio::task::JoinHandle<()>,
}

impl RuntimeApiStub {
    async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (tx, seen) = mpsc::unbounded_channel();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(hold(stream, tx.clone()));
            }
        });
        Ok(Self { address, seen, server })
    }
}

impl Drop for RuntimeApiStub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Reports the connection's first request line, then holds it open until the client goes away.
async fn hold(stream: TcpStream, seen: mpsc::UnboundedSender<Seen>) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).await.is_err() {
        return;
    }
    let _ = seen.send(Seen { at: Instant::now(), request_line: request_line.trim_end().to_owned() });
    let mut sink = [0u8; 4096];
    while matches!(reader.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// One start of `binary`: the time until it asked for its first event.
async fn start_once(
    stub: &mut RuntimeApiStub,
    path: &Path,
    binary: &str,
    env: &[(String, String)],
) -> Result<Duration> {
    while stub.seen.try_recv().is_ok() {}
    let spawned = Instant::now();
    let mut child = tokio::process::Command::new(path)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", path.display()))?;
    let seen = tokio::select! {
        seen = stub.seen.recv() => seen.context("the Runtime API stub stopped")?,
        status = child.wait() => bail!("{binary} exited before asking for an event ({status:?}); run it by hand to see why"),
        () = tokio::time::sleep(Duration::from_secs(30)) => bail!("{binary} did not ask for an event within 30 s"),
    };
    child.kill().await.with_context(|| format!("stopping {binary}"))?;
    if !seen.request_line.starts_with(NEXT_EVENT) {
        bail!("{binary} sent `{}` to the Runtime API before asking for an event (an init error?)", seen.request_line);
    }
    Ok(seen.at.saturating_duration_since(spawned))
}

/// Every function of the template, `runs` starts each, with the local stack's environment `env`
/// (so that configuration and clients are built as under `make dev`). The starts go round-robin
/// (one of each function per round) so that the machine's noise falls on every function alike;
/// each function's first start, the first read of its freshly built binary, is kept apart.
pub async fn measure_all(
    template: &Template,
    binaries: &Path,
    env: &BTreeMap<String, String>,
    runs: usize,
) -> Result<Vec<FunctionStartup>> {
    let mut stub = RuntimeApiStub::start().await?;
    let mut functions = Vec::new();
    for function in template.functions()? {
        let binary = function.binary;
        let path = binaries.join(&binary);
        let size = std::fs::metadata(&path)
            .with_context(|| format!("{} is missing: `make bench` builds it", path.display()))?
            .len();
        let mut vars: Vec<(String, String)> = env.clone().into_iter().collect();
        for (name, value) in [
            ("AWS_LAMBDA_RUNTIME_API", stub.address.to_string().as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", &binary),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "bench"),
        ] {
            vars.push((name.to_owned(), value.to_owned()));
        }
        let deflated = deflated_size(&path)?;
        functions.push((
            path,
            vars,
            FunctionStartup { binary, size, deflated, first: Duration::ZERO, startups: Vec::new() },
        ));
    }
    for (path, vars, f) in &mut functions {
        f.first = start_once(&mut stub, path, &f.binary, vars).await?;
    }
    for _ in 0..runs {
        for (path, vars, f) in &mut functions {
            let took = start_once(&mut stub, path, &f.binary, vars).await?;
            f.startups.push(took);
        }
    }
    let mut results: Vec<FunctionStartup> = functions.into_iter().map(|(_, _, f)| f).collect();
    for f in &mut results {
        f.startups.sort();
    }
    results.sort_by(|a, b| a.binary.cmp(&b.binary));
    Ok(results)
}

/// The binary's size deflated (`gzip -9`), what a zip of it weighs to a few hundred bytes.
fn deflated_size(path: &Path) -> Result<u64> {
    let out = std::process::Command::new("gzip").arg("-9").arg("-c").arg(path).output().context("running gzip")?;
    if !out.status.success() {
        bail!("gzip {} failed", path.display());
    }
    Ok(out.stdout.len() as u64)
}

/// Runs `startup-breakdown` (a function's start-up steps, timed inside one process) `runs` times
/// with the functions' environment; the median of each step.
pub fn breakdown(binaries: &Path, env: &BTreeMap<String, String>, runs: usize) -> Result<Table> {
    let mut samples: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for _ in 0..runs {
        let out = std::process::Command::new(binaries.join("startup-breakdown"))
            .env_clear()
            .envs(env)
            .output()
            .context("running startup-breakdown")?;
        let line = String::from_utf8_lossy(&out.stdout);
        let steps: Vec<(String, u64)> =
            serde_json::from_str(line.lines().last().unwrap_or_default()).context("startup-breakdown's output")?;
        for (step, micros) in steps {
            if !order.contains(&step) {
                order.push(step.clone());
            }
            samples.entry(step).or_default().push(micros);
        }
    }
    let mut t = Table::new(&[
        ("step of a function with AWS clients (alerts; one process)", Align::Left),
        ("median ms", Align::Right),
    ]);
    for step in order {
        let mut values = samples.remove(&step).unwrap_or_default();
        values.sort_unstable();
        let median = values.get(values.len() / 2).copied().unwrap_or_default();
        t.row(vec![step, format!("{:.2}", median as f64 / 1000.0)]);
    }
    Ok(t)
}

fn p50(f: &FunctionStartup) -> Duration {
    table::percentile(&f.startups, 50.0)
}

/// The median of the functions' start-up p50s.
fn median_p50<'a>(functions: impl IntoIterator<Item = &'a FunctionStartup>) -> Duration {
    let mut p50s: Vec<Duration> = functions.into_iter().map(p50).collect();
    p50s.sort();
    p50s.get(p50s.len() / 2).copied().unwrap_or_default()
}

/// Each service's router fallback: a function without AWS clients, the yardstick for the others.
fn is_fallback(f: &FunctionStartup) -> bool {
    f.binary.ends_with("-fallback")
}

/// Every function: the arm64 zip `make build` made (`zips`, by binary), the host binary and its
/// deflated size, start-up percentiles and first start, and start-up p50 over the yardstick.
pub fn table(functions: &[FunctionStartup], zips: &BTreeMap<String, u64>) -> Table {
    let base = median_p50(functions.iter().filter(|f| is_fallback(f)));
    let mut t = Table::new(&[
        ("function", Align::Left),
        ("arm64 zip", Align::Right),
        ("host binary", Align::Right),
        ("gzip -9", Align::Right),
        ("start-up p50 ms", Align::Right),
        ("p90 ms", Align::Right),
        ("first start ms", Align::Right),
        ("p50 ÷ fallbacks'", Align::Right),
    ]);
    for f in functions {
        let ratio =
            if base.is_zero() { "-".to_owned() } else { format!("{:.2}×", p50(f).as_secs_f64() / base.as_secs_f64()) };
        t.row(vec![
            f.binary.clone(),
            zips.get(&f.binary).map_or_else(|| "-".to_owned(), |z| table::size(*z)),
            table::size(f.size),
            table::size(f.deflated),
            table::ms(p50(f)),
            table::ms(table::percentile(&f.startups, 90.0)),
            table::ms(f.first),
            ratio,
        ]);
    }
    t
}

/// Functions with AWS clients against the fallbacks (which have none), and the largest zip.
pub fn summary(functions: &[FunctionStartup], zips: &BTreeMap<String, u64>) -> String {
    let (fallbacks, with_clients): (Vec<&FunctionStartup>, Vec<&FunctionStartup>) =
        functions.iter().partition(|f| is_fallback(f));
    let range = |group: &[&FunctionStartup]| {
        let p50s = group.iter().map(|f| p50(f));
        format!(
            "{}–{} ms",
            table::ms(p50s.clone().min().unwrap_or_default()),
            table::ms(p50s.max().unwrap_or_default())
        )
    };
    let (clients, none) = (median_p50(with_clients.iter().copied()), median_p50(fallbacks.iter().copied()));
    format!(
        "Start-up p50, {} functions with AWS clients: {} (median {} ms); {} fallbacks without: {} (median {} ms); \
         ratio of the medians {:.2}×\n",
        with_clients.len(),
        range(&with_clients),
        table::ms(clients),
        fallbacks.len(),
        range(&fallbacks),
        table::ms(none),
        if none.is_zero() { 0.0 } else { clients.as_secs_f64() / none.as_secs_f64() }
    ) + &zips.iter().max_by_key(|(_, size)| **size).map_or_else(String::new, |(binary, size)| {
        format!("Largest arm64 zip: {binary}, {} ({size} bytes)\n", table::size(*size))
    })
}
