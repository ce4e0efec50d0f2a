//! `make dev`: the whole system on this machine, from the template.
//!
//! 1. the local AWS endpoint on `LOCAL_AWS_PORT` (4566);
//! 2. the template's tables and queues on it;
//! 3. `cargo lambda watch` on `API_PORT` (9000), routing like API Gateway with the generated
//!    router, every function's environment resolved against the local resources;
//! 4. the SQS event sources and schedules, invoking functions through `cargo lambda watch`.
//!
//! Ctrl-C (or SIGTERM) stops all of it. Children run in their own process groups so that the
//! shutdown is ordered, and die with us if we are killed outright.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use tokio::{process::Command, signal::unix::SignalKind, sync::watch};

use crate::{
    cognito,
    emulator::{Emulator, port_in_use},
    invoke::WatchInvoker,
    provision::provision,
    template::{self, Template},
    triggers::{ScheduleSource, SqsSource},
};

pub struct DevOptions {
    pub workspace: PathBuf,
    pub aws_port: u16,
    pub api_port: u16,
    pub api_address: String,
}

/// Loopback unless asked otherwise: the local API and the function runtime have no sign-in of
/// their own to speak of and must not be reachable from the network by default. `API_ADDRESS=::`
/// (or `0.0.0.0`) opens them wider, e.g. for a phone on the same network.
const DEFAULT_API_ADDRESS: &str = "127.0.0.1";

impl DevOptions {
    pub fn from_env(workspace: PathBuf) -> Result<Self> {
        let port = |name: &str, default: u16| -> Result<u16> {
            std::env::var(name)
                .map_or(Ok(default), |v| v.parse().with_context(|| format!("{name}={v:?} is not a port")))
        };
        Ok(Self {
            workspace,
            aws_port: port("LOCAL_AWS_PORT", 4566)?,
            api_port: port("API_PORT", 9000)?,
            api_address: std::env::var("API_ADDRESS").unwrap_or_else(|_| DEFAULT_API_ADDRESS.to_owned()),
        })
    }
}

/// The environment every function gets locally: the template's variables resolved against the
/// local resources (business timings taken from our own environment when set), and the SDK
/// pointed at the local endpoint with dummy credentials.
pub fn function_environment(
    template: &Template,
    stack: &crate::Stack,
    endpoint: &str,
) -> Result<BTreeMap<String, String>> {
    let mut env = stack.environment(template, &|var| std::env::var(var).ok())?;
    for (name, value) in [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
    ] {
        env.insert(name.to_owned(), value.to_owned());
    }
    // The console signs in against the local Cognito, and links the local outbox.
    env.insert("COGNITO_PUBLIC_ENDPOINT".to_owned(), format!("{}/", endpoint.trim_end_matches('/')));
    env.insert("LOCAL_OUTBOX_URL".to_owned(), format!("{}/_local/outbox", endpoint.trim_end_matches('/')));
    // The stand-in marketplace the local endpoint serves, unless told otherwise.
    if env.contains_key("EBAY_API_BASE_URL") && std::env::var("EBAY_API_BASE_URL").is_err() {
        env.insert("EBAY_API_BASE_URL".to_owned(), crate::mail::marketplace_url(endpoint));
    }
    Ok(env)
}

fn write_env_file(path: &Path, env: &BTreeMap<String, String>) -> Result<()> {
    let text: String = env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Variables `cargo run` and `cargo test` set to describe the package they run
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, ...). A cargo command started from such a process
/// would hand them to build scripts that watch them (ring's does) and rebuild everything each
/// time; commands we start go without them.
pub fn cargo_package_vars() -> Vec<String> {
    std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| {
            name.starts_with("CARGO_PKG_")
                || name.starts_with("CARGO_MANIFEST_")
                || matches!(name.as_str(), "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE")
        })
        .collect()
}

/// `cargo lambda watch` serving every function on `port`, in its own process group, stopped
/// with its function processes when dropped (and signalled if we die first).
pub struct WatchProcess {
    child: tokio::process::Child,
    /// Where `cargo lambda watch` listens; the public port is the front's ([`crate::front`]).
    internal_port: u16,
    front: tokio::task::JoinHandle<()>,
}

impl WatchProcess {
    /// `log`: where its output goes (`None`: our own stdout and stderr); `extra_args`: more
    /// options for `cargo lambda watch`, e.g. `--release`.
    pub fn spawn(
        workspace: &Path,
        address: &str,
        port: u16,
        env: &BTreeMap<String, String>,
        env_file: &Path,
        log: Option<&Path>,
        extra_args: &[&str],
    ) -> Result<Self> {
        write_env_file(env_file, env)?;
        let internal_port = crate::emulator::free_port()?;
        let public: std::net::SocketAddr =
            format!("{}:{port}", if address.contains(':') { format!("[{address}]") } else { address.to_owned() })
                .parse()
                .with_context(|| format!("listen address {address}:{port}"))?;
        let mut command = Command::new("cargo");
        for name in cargo_package_vars() {
            command.env_remove(name);
        }
        command
            .args(["lambda", "watch", "--invoke-address", "127.0.0.1", "--invoke-port"])
            .arg(internal_port.to_string())
            .arg("--env-file")
            .arg(env_file)
            .args(extra_args)
            .envs(env)
            .current_dir(workspace)
            .process_group(0)
            .kill_on_drop(true);
        if let Some(log) = log {
            let file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
            command.stdout(file.try_clone()?).stderr(file);
        }
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to signal the child when
        // the thread that spawned it (our main thread) dies.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = command.spawn().context("starting `cargo lambda watch` (`make venv` installs cargo-lambda)")?;
        let front = crate::front::serve(public, internal_port)?;
        Ok(Self { child, internal_port, front })
    }

    /// Waits until the API accepts connections (`cargo lambda watch` behind the front on `_port`).
    pub async fn ready(&mut self, _port: u16, within: Duration) -> Result<()> {
        let port = self.internal_port;
        let deadline = Instant::now() + within;
        while !port_in_use(port) {
            if let Some(status) = self.child.try_wait()? {
                bail!("`cargo lambda watch` exited at start-up ({status})");
            }
            if Instant::now() > deadline {
                bail!("`cargo lambda watch` did not listen on port {port} within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    pub async fn exited(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.child.wait().await
    }

    /// SIGTERM to the whole group (watch and its function processes), then SIGKILL.
    pub async fn stop(&mut self) {
        self.front.abort();
        self.signal(libc::SIGTERM);
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await.is_err() {
            self.signal(libc::SIGKILL);
            let _ = self.child.wait().await;
        }
    }

    fn signal(&self, signal: i32) {
        if let Some(pid) = self.child.id() {
            // SAFETY: signalling the process group we created for the child.
            unsafe {
                libc::kill(-(pid as i32), signal);
            }
        }
    }
}

impl Drop for WatchProcess {
    fn drop(&mut self) {
        self.front.abort();
        self.signal(libc::SIGKILL);
    }
}

/// `.local/auth.json`: where a running `make dev` signs users in.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct AuthFile {
    pub region: String,
    pub endpoint: String,
    pub user_pool_id: String,
    pub client_id: String,
}

fn demo_password() -> String {
    std::env::var("LOCAL_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| cognito::DEFAULT_DEMO_PASSWORD.to_owned())
}

/// An ID token of a demo user (`staff`, or a whole email address) of the running `make dev`.
pub async fn token(workspace: &Path, user: &str) -> Result<String> {
    let path = workspace.join(".local/auth.json");
    let auth: AuthFile = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (is `make dev` running?)", path.display()))?,
    )?;
    let email = if user.contains('@') { user.to_owned() } else { format!("{user}@example.com") };
    let sdk = shared::aws::local_sdk_config(&auth.endpoint).await;
    let tokens = cognito::sign_in(&sdk, &auth.client_id, &email, &demo_password())
        .await
        .with_context(|| format!("signing in as {email} at {} (is `make dev` running?)", auth.endpoint))?;
    Ok(tokens.id_token)
}

/// Asks the running `make dev` for every user's insight email now: the insights dispatcher,
/// invoked through `cargo lambda watch` with an on-demand event (a period of its own, so it does
/// not wait for the next period and does not take the place of the period's own email).
pub async fn insights_now() -> Result<String> {
    use crate::invoke::Invoker;
    let port: u16 = std::env::var("API_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(9000);
    let event = serde_json::json!({
        "version": "0", "id": uuid::Uuid::new_v4().to_string(), "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": "us-east-1", "resources": [], "detail": {"on_demand": true},
    });
    let answer = crate::invoke::WatchInvoker::new(port)
        .invoke("alerts-insights-dispatcher", event)
        .await
        .map_err(|e| anyhow::anyhow!("{e} (is `make dev` running?)"))?;
    Ok(format!(
        "queued {} insight emails; they reach http://127.0.0.1:{}/_local/outbox in a few seconds \
         (users with an active alert and two days of history)",
        answer["users"],
        std::env::var("LOCAL_AWS_PORT").unwrap_or_else(|_| "4566".into())
    ))
}

/// `client@example.com`'s client profile, made as a user makes theirs: `POST /booking/v1/clients`
/// with their token, through the API (the first request builds and starts the function).
async fn demo_client_profile(
    sdk: &aws_config::SdkConfig,
    client_id: &str,
    api_port: u16,
    password: &str,
) -> Result<()> {
    let token = cognito::sign_in(sdk, client_id, "client@example.com", password).await?.id_token;
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()?
        .post(format!("http://127.0.0.1:{api_port}/booking/v1/clients"))
        .bearer_auth(token)
        .json(&serde_json::json!({"first_name": "Demo", "last_name": "Client"}))
        .send()
        .await
        .context("creating client@example.com's client profile")?;
    if !response.status().is_success() {
        bail!("creating client@example.com's client profile: {} {}", response.status(), response.text().await?);
    }
    Ok(())
}

pub async fn run(opts: DevOptions) -> Result<()> {
    for (port, var) in [(opts.aws_port, "LOCAL_AWS_PORT"), (opts.api_port, "API_PORT")] {
        if port_in_use(port) {
            bail!("port {port} is in use (another `make dev`?); stop it or set {var} to another port");
        }
    }
    let state_dir = opts.workspace.join(".local");
    std::fs::create_dir_all(&state_dir)?;
    let template = Template::load(&template::default_path(&opts.workspace))?;

    let emulator_log = state_dir.join("emulator.log");
    let emulator = Emulator::start(&opts.workspace, opts.aws_port, Some(&emulator_log))?;
    let sdk = shared::aws::local_sdk_config(&emulator.endpoint).await;
    let stack = provision(&sdk, &template, "").await?;

    let password = demo_password();
    let (pool, client) = stack.sign_in();
    for (email, groups) in cognito::DEMO_USERS {
        cognito::add_user(&sdk, pool, email, &password, groups).await?;
    }
    let auth = AuthFile {
        region: "us-east-1".into(),
        endpoint: emulator.endpoint.clone(),
        user_pool_id: pool.to_owned(),
        client_id: client.to_owned(),
    };
    std::fs::write(state_dir.join("auth.json"), serde_json::to_string_pretty(&auth)?)?;

    let mut env = function_environment(&template, &stack, &emulator.endpoint)?;
    // Links in emails (unsubscribe) point at the API this run serves.
    if env.contains_key("ALERTS_PUBLIC_BASE_URL") && std::env::var("ALERTS_PUBLIC_BASE_URL").is_err() {
        env.insert("ALERTS_PUBLIC_BASE_URL".into(), format!("http://127.0.0.1:{}", opts.api_port));
    }
    let mut watch_process = WatchProcess::spawn(
        &opts.workspace,
        &opts.api_address,
        opts.api_port,
        &env,
        &state_dir.join("functions.env"),
        None,
        &[],
    )?;
    watch_process.ready(opts.api_port, Duration::from_secs(300)).await?;
    demo_client_profile(&sdk, client, opts.api_port, &password).await?;

    let invoker = Arc::new(WatchInvoker::new(opts.api_port));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let sqs_sources = SqsSource::from_template(&template, &stack, &sdk)?;
    let schedules = ScheduleSource::from_template(&template)?;

    println!("\nLocal stack is up (Ctrl-C stops everything):");
    println!(
        "  HTTP API       http://127.0.0.1:{}   e.g. curl http://127.0.0.1:{}/walkin/v1/queue",
        opts.api_port, opts.api_port
    );
    println!("  AWS endpoint   {}   (emulator log: {})", emulator.endpoint, emulator_log.display());
    println!("  sign-in        user pool {pool}, app client {client} (.local/auth.json)");
    println!(
        "  demo users     {} (password $LOCAL_DEMO_PASSWORD, default {})",
        cognito::DEMO_USERS.iter().map(|(email, _)| *email).collect::<Vec<_>>().join(", "),
        cognito::DEFAULT_DEMO_PASSWORD
    );
    println!("  a token        TOKEN=$(make -s token USER=staff); curl -H \"Authorization: Bearer $TOKEN\" ...");
    println!(
        "  outbox         {}/_local/outbox   every email sent, newest first (.json for scripts)",
        emulator.endpoint
    );
    if let Some(client_id) = &stack.marketplace_client_id {
        println!(
            "  marketplace    {}   (stand-in for eBay's Browse API; client {client_id}, calls: {}/_local/marketplace/stats)",
            crate::mail::marketplace_url(&emulator.endpoint),
            emulator.endpoint
        );
    }
    for (id, table) in &stack.tables {
        println!("  table          {id} = {}", table.name);
    }
    for (id, queue) in &stack.queues {
        println!("  queue          {id} = {}", queue.url);
    }
    for source in &sqs_sources {
        println!("  SQS trigger    {} -> {}", source.queue.name, source.function);
    }
    for schedule in &schedules {
        println!("  schedule       every {:?} -> {}", schedule.every, schedule.function);
    }
    println!();

    for source in sqs_sources {
        tasks.push(tokio::spawn(source.run(invoker.clone(), stop_rx.clone())));
    }
    for schedule in schedules {
        tasks.push(tokio::spawn(schedule.run(invoker.clone(), stop_rx.clone())));
    }

    let mut terminate = tokio::signal::unix::signal(SignalKind::terminate())?;
    let outcome = tokio::select! {
        _ = tokio::signal::ctrl_c() => Ok(()),
        _ = terminate.recv() => Ok(()),
        status = watch_process.exited() => Err(anyhow::anyhow!("`cargo lambda watch` exited ({status:?})")),
    };
    println!("\nstopping the local stack...");
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    watch_process.stop().await;
    drop(emulator);
    println!("stopped.");
    outcome
}
