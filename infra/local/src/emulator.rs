//! Starts and stops the local AWS endpoint (`infra/local/emulator.py`, moto's server) from the
//! project's Python venv.

use std::{
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

pub struct Emulator {
    pub endpoint: String,
    pub port: u16,
    child: Child,
    // Held open for the emulator's lifetime: it exits when this pipe closes, which also happens
    // when our process dies without running any destructor.
    _stdin: ChildStdin,
}

/// The workspace root: the nearest ancestor of the current directory whose Cargo.toml declares
/// `[workspace]`.
pub fn workspace_root() -> Result<PathBuf> {
    let mut dir = std::env::current_dir()?;
    loop {
        let manifest = dir.join("Cargo.toml");
        if manifest.is_file() && std::fs::read_to_string(&manifest)?.contains("[workspace]") {
            return Ok(dir);
        }
        if !dir.pop() {
            bail!("not inside the project: no Cargo.toml with [workspace] above the current directory");
        }
    }
}

/// The venv's Python, or `LOCAL_AWS_PYTHON` if set.
pub fn python(workspace: &Path) -> Result<PathBuf> {
    let python = std::env::var_os("LOCAL_AWS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join(".venv").join("bin").join("python"));
    if !python.exists() {
        bail!("{} not found: run `make venv` (make dev and make test do it for you)", python.display());
    }
    Ok(python)
}

/// A TCP port that was free a moment ago.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub fn port_in_use(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

impl Emulator {
    /// Starts the endpoint on `port` and waits until it accepts connections. `log` receives its
    /// output; `None` discards it.
    pub fn start(workspace: &Path, port: u16, log: Option<&Path>) -> Result<Self> {
        if port_in_use(port) {
            bail!("port {port} is already in use; set LOCAL_AWS_PORT to another port");
        }
        let output = || -> Result<Stdio> {
            Ok(match log {
                Some(path) => std::fs::OpenOptions::new().create(true).append(true).open(path)?.into(),
                None => Stdio::null(),
            })
        };
        let mut child = Command::new(python(workspace)?)
            .arg(workspace.join("infra").join("local").join("emulator.py"))
            .args(["--port", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(output()?)
            .stderr(output()?)
            .spawn()
            .context("starting the local AWS endpoint")?;
        let stdin = child.stdin.take().context("emulator stdin")?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while !port_in_use(port) {
            if let Some(status) = child.try_wait()? {
                bail!("the local AWS endpoint exited at start-up ({status}); see its log");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("the local AWS endpoint did not start listening on port {port} within 60 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { endpoint: format!("http://127.0.0.1:{port}"), port, child, _stdin: stdin })
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}
