//! `make bench`: build time, artifact sizes, start-up times and warm request latencies of the
//! functions in `infra/template.yaml`, against a fresh local AWS endpoint; prints one Markdown
//! table per part, each as soon as it is measured.
//!
//! 0. the deployment build, exactly `make build` (every function for arm64 Lambda, zipped, one
//!    cargo invocation), timed; then every function for this host, as `cargo lambda watch
//!    --release` runs it, so that no compile lands in a measured request;
//! 1. every function: its binary and arm64 zip sizes and its start-up time, from spawn until it
//!    asks a stub of the Lambda Runtime API for its first event, next to the function of its
//!    service that has no AWS clients ([`startup`]); the start-up steps a function with clients
//!    defers to its first request, timed;
//! 2. every scenario (one per service): warm latency of each endpoint through `cargo lambda watch
//!    --release`, and the AWS requests each call costs, counted by the local endpoint ([`latency`]);
//! 3. queue throughput and the alert runs ([`orders::throughput`], [`alerts::runs`]);
//! 4. last, the analytics query costs ([`analytics::costs`]), on a local endpoint of their own, so
//!    that the tens of thousands of items they ingest slow nothing else down (with 60 customers on
//!    the shared endpoint, before the emulator's `Query` read one partition only, they outlasted the
//!    SDK's timeouts and every later measurement failed). What the costs count (requests, and items
//!    read as DynamoDB counts them) does not depend on the emulator's speed.
//!
//! Knobs: `BENCH_REQUESTS` (measured requests per endpoint, 200), `BENCH_STARTUP_RUNS` (starts per
//! function, 15), `BENCH_ORDERS` (orders in the pre-filled queue, 2000), `BENCH_ALERTS` (alerts in
//! the dispatcher's minute, 2000), `BENCH_CLEAN_BUILD=1`
//! (time the deployment build from an empty target directory, as a fresh clone or CI would),
//! `BENCH_ONLY=startup` (no build, no latency: start-up of the binaries already in
//! `BENCH_BINARIES`, default this build's release directory; to compare release profiles),
//! `BENCH_ONLY=latency` (no build, no start-up: the latency, throughput, alert runs and query
//! costs of the release binaries already built), `BENCH_ONLY=analytics` (the analytics query costs only; runs from any build, since it counts
//! requests and items, not time), `BENCH_ANALYTICS_CUSTOMERS` (customers ordering weekly in the
//! query-cost data, 15).

mod alerts;
mod analytics;
mod booking;
mod latency;
mod orders;
mod startup;
mod table;
mod walkin;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, Result, bail};
use local_stack::{
    Emulator, Template,
    dev::{WatchProcess, function_environment},
    emulator::{free_port, workspace_root},
    provision, template,
};

fn env_count(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => match value.parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => bail!("{name}={value:?} is not a positive integer"),
        },
    }
}

/// Where the release binaries are: next to this one, which `make bench` builds with them.
fn release_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the bench binary")?;
    let dir = exe.parent().context("the bench binary has no directory")?.to_path_buf();
    if dir.file_name().is_none_or(|name| name != "release") {
        bail!("run the benchmark from a release build: `make bench` (found it in {})", dir.display());
    }
    Ok(dir)
}

/// Builds every function as `cargo lambda watch --release` will run it (`cargo run --release
/// --bin <function>`). Cargo unifies features over the packages it builds, so these binaries
/// differ from those of `cargo build --release --workspace --bins`; building them first keeps
/// the compile out of the measured requests, and both parts measure the same binaries.
/// One cargo invocation for every function: the shared crates are compiled once and the binaries
/// link side by side, instead of one `cargo build --bin` after another.
fn build_functions(workspace: &Path, template: &Template) -> Result<()> {
    let mut cargo = std::process::Command::new("cargo");
    cargo.args(["build", "--release", "--manifest-path", "Cargo.toml"]);
    for function in template.functions()? {
        cargo.args(["--bin", &function.binary]);
    }
    cargo.args(["--bin", "startup-breakdown"]);
    let status =
        cargo.current_dir(workspace).stdout(std::process::Stdio::null()).status().context("running cargo build")?;
    if !status.success() {
        bail!("building the functions failed ({status})");
    }
    Ok(())
}

/// The deployment build, run as `make build` (so the bench measures what is deployed and reuses
/// an earlier `make build`): every function for arm64, zipped under `<target>/lambda/<binary>/`.
/// With `clean`, into an empty target directory (removed afterwards), as a fresh clone builds.
/// Returns the build time and every function's zip size.
fn deployment_build(workspace: &Path, target_dir: &Path, clean: bool) -> Result<(Duration, BTreeMap<String, u64>)> {
    let clean_dir = workspace.join(".local/bench-clean-target");
    let target_dir = if clean {
        let _ = std::fs::remove_dir_all(&clean_dir);
        clean_dir.clone()
    } else {
        target_dir.to_path_buf()
    };
    let started = std::time::Instant::now();
    let status = std::process::Command::new("make")
        .args(["--no-print-directory", "-s", "build"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .current_dir(workspace)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running make build")?;
    let took = started.elapsed();
    if !status.success() {
        bail!("`make build` failed ({status})");
    }
    let mut zips = BTreeMap::new();
    for entry in std::fs::read_dir(target_dir.join("lambda")).context("reading the build's lambda directory")? {
        let entry = entry?;
        if let Ok(meta) = std::fs::metadata(entry.path().join("bootstrap.zip")) {
            zips.insert(entry.file_name().to_string_lossy().into_owned(), meta.len());
        }
    }
    if clean {
        let _ = std::fs::remove_dir_all(&clean_dir);
    }
    Ok((took, zips))
}

/// Step 0: the deployment build (from an empty target directory with `BENCH_CLEAN_BUILD=1`), then
/// every function for this host; prints both times and returns the arm64 zips' sizes.
fn release_builds(workspace: &Path, template: &Template, binaries: &Path) -> Result<BTreeMap<String, u64>> {
    let clean = std::env::var("BENCH_CLEAN_BUILD").is_ok_and(|v| v == "1");
    eprintln!(
        "bench: the deployment build, `make build`{}...",
        if clean { " from an empty target directory" } else { "" }
    );
    let target_dir = binaries.parent().context("the release directory has no parent")?;
    let (deploy_time, zips) = deployment_build(workspace, target_dir, clean)?;
    eprintln!("bench: building the functions for this host as `cargo lambda watch --release` runs them...");
    let build_started = std::time::Instant::now();
    build_functions(workspace, template)?;
    let host_time = build_started.elapsed();
    println!(
        "Release builds in this run (one cargo invocation each; near 0 when nothing changed):\n\n\
         - every function for arm64 Lambda, zipped (`make build`{}): {:.1} min\n\
         - every function for this host (what start-up and latency run): {:.1} min\n",
        if clean { ", from an empty target directory" } else { "" },
        deploy_time.as_secs_f64() / 60.0,
        host_time.as_secs_f64() / 60.0
    );
    Ok(zips)
}

fn header(requests: usize, startup_runs: usize) {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    println!("# Benchmark, {}", chrono::Local::now().format("%Y-%m-%d %H:%M:%S %:z"));
    println!();
    println!("- machine: {nproc} CPUs ({cpu}), {} {}", std::env::consts::OS, std::env::consts::ARCH);
    println!(
        "- sizes: the arm64 zips `make build` deploys, and the host binaries; start-up and latency: host release \
         binaries as `cargo lambda watch --release` builds them; local AWS endpoint (moto); API through \
         `cargo lambda watch`"
    );
    println!(
        "- {startup_runs} starts per function; {requests} measured requests per endpoint, sequential, after warm-up"
    );
    println!(
        "- figures come from a shared, noisy machine and a Python emulator: compare them as ratios within one run, \
         not across runs or with AWS"
    );
    println!();
}

/// Start-up of the binaries in `binaries` only (`BENCH_ONLY=startup`).
async fn startup_only(workspace: &Path, template: &Template, binaries: &Path, runs: usize) -> Result<()> {
    let emulator = Emulator::start(workspace, free_port()?, None)?;
    let sdk = shared::aws::local_sdk_config(&emulator.endpoint).await;
    let stack = provision(&sdk, template, "bench-").await?;
    let env = function_environment(template, &stack, &emulator.endpoint)?;
    eprintln!("bench: start-up times of {} ({runs} runs per function)...", binaries.display());
    let functions = startup::measure_all(template, binaries, &env, runs).await?;
    println!("{}", startup::table(&functions, &BTreeMap::new()));
    println!("{}", startup::summary(&functions, &BTreeMap::new()));
    Ok(())
}

/// The analytics query costs, on a local endpoint of their own (alone with `BENCH_ONLY=analytics`:
/// no build, no latency).
async fn analytics_costs(workspace: &Path, template: &Template, customers: usize) -> Result<()> {
    let emulator = Emulator::start(workspace, free_port()?, None)?;
    let sdk = shared::aws::local_sdk_config(&emulator.endpoint).await;
    let stack = provision(&sdk, template, "bench-").await?;
    println!("{}", analytics::costs(&sdk, stack.table("AnalyticsTable"), customers).await);
    Ok(())
}

/// Cargo commands this process starts must not see `cargo run`'s package variables (see
/// [`local_stack::dev::cargo_package_vars`]), or they rebuild the dependencies at every run.
fn forget_cargo_run_environment() {
    for name in local_stack::dev::cargo_package_vars() {
        // SAFETY: called first thing in `main`, before any other thread exists.
        unsafe { std::env::remove_var(name) };
    }
}

fn main() -> Result<()> {
    forget_cargo_run_environment();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> Result<()> {
    let requests = env_count("BENCH_REQUESTS", 200)?;
    let startup_runs = env_count("BENCH_STARTUP_RUNS", 15)?;
    let queued_orders = env_count("BENCH_ORDERS", 2000)?;
    let workspace = workspace_root()?;
    let state_dir = workspace.join(".local");
    std::fs::create_dir_all(&state_dir)?;
    let template = Template::load(&template::default_path(&workspace))?;

    let analytics_customers = env_count("BENCH_ANALYTICS_CUSTOMERS", 15)?;
    header(requests, startup_runs);
    if std::env::var("BENCH_ONLY").is_ok_and(|only| only == "analytics") {
        return analytics_costs(&workspace, &template, analytics_customers).await;
    }
    let binaries = release_dir()?;
    if std::env::var("BENCH_ONLY").is_ok_and(|only| only == "startup") {
        let binaries = std::env::var_os("BENCH_BINARIES").map_or(binaries, PathBuf::from);
        return startup_only(&workspace, &template, &binaries, startup_runs).await;
    }
    // `BENCH_ONLY=latency`: the release binaries already built, no build and no start-up.
    let latency_only = std::env::var("BENCH_ONLY").is_ok_and(|only| only == "latency");
    let zips = if latency_only { BTreeMap::new() } else { release_builds(&workspace, &template, &binaries)? };

    eprintln!("bench: starting the local AWS endpoint and provisioning the stack...");
    let emulator_log = state_dir.join("bench-emulator.log");
    let _ = std::fs::remove_file(&emulator_log);
    let emulator = Emulator::start(&workspace, free_port()?, Some(&emulator_log))?;
    let sdk = shared::aws::local_sdk_config(&emulator.endpoint).await;
    let stack = provision(&sdk, &template, "bench-").await?;
    let mut env = function_environment(&template, &stack, &emulator.endpoint)?;
    // The bench measures calls, not the per-caller quotas, which its hundreds of calls by one user
    // would spend (429 after 60 orders a minute); each quota's one write per call is still counted.
    for quota in [
        "ORDERS_QUOTA_PER_MINUTE",
        "BOOKING_RESERVE_QUOTA_PER_HOUR",
        "ALERTS_CREATE_QUOTA_PER_DAY",
        "ANALYTICS_INGEST_QUOTA_PER_MINUTE",
    ] {
        env.insert(quota.to_owned(), "1000000".to_owned());
    }
    let (pool, client) = stack.sign_in();
    let users = latency::Users { sdk: sdk.clone(), pool: pool.to_owned(), client: client.to_owned() };
    let token = users.sign_up("bench@example.com", &["admin"]).await?;

    if !latency_only {
        eprintln!("bench: start-up times ({startup_runs} runs per function)...");
        let functions = startup::measure_all(&template, &binaries, &env, startup_runs).await?;
        println!("{}", startup::table(&functions, &zips));
        println!("{}", startup::summary(&functions, &zips));
        println!("{}", startup::breakdown(&binaries, &env, startup_runs.max(20))?);
    }

    eprintln!("bench: starting `cargo lambda watch --release`...");
    let port = free_port()?;
    let watch_log = state_dir.join("bench-watch.log");
    let _ = std::fs::remove_file(&watch_log);
    let env_file = state_dir.join("bench.env");
    let mut watch = WatchProcess::spawn(
        &workspace,
        "127.0.0.1",
        port,
        &env,
        &env_file,
        Some(&watch_log),
        // Release binaries, as deployed; no reload when someone edits the code meanwhile.
        &["--release", "--ignore-changes"],
    )?;
    let outcome = async {
        watch.ready(port, Duration::from_secs(300)).await?;
        let mut bench =
            latency::Bench::new(format!("http://127.0.0.1:{port}"), &emulator.endpoint, requests, token, users)?;
        // One function per service; each adds its endpoints' measurements. A scenario that fails
        // is a row of the table (what failed, after how long), and the next one goes on.
        macro_rules! step {
            ($name:expr, $scenario:expr) => {{
                let started = std::time::Instant::now();
                if let Err(err) = $scenario.await {
                    if err.downcast_ref::<latency::Recorded>().is_none() {
                        bench.failed($name, &err, started.elapsed());
                    }
                }
            }};
        }
        step!("walk-in scenario", walkin::scenario(&mut bench));
        step!("booking scenario", booking::scenario(&mut bench));
        step!("orders scenario", orders::scenario(&mut bench));
        step!("analytics scenario", analytics::scenario(&mut bench));
        step!("alerts scenario", alerts::scenario(&mut bench));
        println!("{}", latency::table(bench.measurements()));
        let mut throughput = Vec::new();
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        for (function, count) in [("orders-processor", queued_orders), ("analytics-worker", queued_orders)] {
            let sources = local_stack::triggers::SqsSource::from_template(&template, &stack, &sdk)?;
            let Some(source) = sources.into_iter().find(|source| source.function == function) else {
                println!("- {function}: the template has no SQS event source for it\n");
                continue;
            };
            let started = std::time::Instant::now();
            let measured = if function == "orders-processor" {
                orders::throughput(&bench, source, sqs.clone(), port, count).await
            } else {
                analytics::throughput(&bench, source, sqs.clone(), port, count).await
            };
            match measured {
                Ok(t) => throughput.push(t),
                Err(err) => {
                    println!("- {function} throughput FAILED after {:.1} s: {err:#}\n", started.elapsed().as_secs_f64())
                }
            }
        }
        println!("{}", orders::table(&throughput));
        let started = std::time::Instant::now();
        match alerts::runs(&bench, &sdk, &stack, &template, &emulator.endpoint, port).await {
            Ok(runs) => println!("{}", alerts::table(&runs)),
            Err(err) => println!("- alert runs FAILED after {:.1} s: {err:#}\n", started.elapsed().as_secs_f64()),
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    watch.stop().await;
    drop(emulator);
    let _ = std::fs::remove_file(&env_file);
    let outcome =
        outcome.with_context(|| format!("measuring the endpoints (`cargo lambda watch` log: {})", watch_log.display()));

    eprintln!(
        "bench: analytics query costs over 30, 90 and 366 days, 1x and 10x events, on a local endpoint of their own..."
    );
    let started = std::time::Instant::now();
    if let Err(err) = analytics_costs(&workspace, &template, analytics_customers).await {
        println!("- analytics query costs FAILED after {:.1} s: {err:#}\n", started.elapsed().as_secs_f64());
    }
    outcome
}
