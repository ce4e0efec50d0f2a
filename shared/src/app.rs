//! The lifetime of a function's state.

use aws_config::SdkConfig;
use tokio::sync::OnceCell;

/// A function's state (configuration and clients) is built once per cold start and is used by
/// every invocation until the process ends, so it is never dropped. Leaking it here, once, gives
/// every handler a plain `&'static` borrow: no `Arc` clone per invocation and no `static` per
/// service. Tests use the same call for the apps they build.
pub fn for_process<T: Send + Sync + 'static>(state: T) -> &'static T {
    Box::leak(Box::new(state))
}

/// A function's state, built at its first invocation instead of at start-up.
///
/// Building the SDK configuration and clients was most of a function's start-up, when the HTTPS
/// client read and parsed the system's certificate store (every file of `/etc/ssl/certs` here, the
/// CA bundle on Lambda); its roots are compiled in now ([`crate::tls`]) and its connector is built
/// at the first AWS request, but the clients and whatever a service's state builds still cost
/// something. Done before the first request to the Runtime API, that is paid by every cold start
/// before Lambda even hands over the event; done here, on the first invocation, the process is
/// ready at once and that invocation pays it instead (`make bench` prints both). The
/// configuration is read from the environment eagerly, so a malformed variable still stops the
/// function at start-up.
pub struct Deferred<S: 'static> {
    cell: OnceCell<&'static S>,
    build: Box<dyn Fn(&SdkConfig) -> S + Send + Sync>,
}

impl<S: Send + Sync + 'static> Deferred<S> {
    /// `build` makes the state from the process's `SdkConfig`, once.
    pub fn new(build: impl Fn(&SdkConfig) -> S + Send + Sync + 'static) -> &'static Self {
        for_process(Self { cell: OnceCell::new(), build: Box::new(build) })
    }

    /// The state, built by the first caller (concurrent first callers wait for that one), after
    /// the secrets start-up registered are fetched; if that fails, the next caller tries again.
    pub async fn get(&'static self) -> Result<&'static S, crate::secrets::FetchError> {
        self.cell
            .get_or_try_init(|| async {
                let sdk = crate::aws::sdk_config().await;
                crate::secrets::fetch_all(&sdk).await?;
                Ok(for_process((self.build)(&sdk)))
            })
            .await
            .copied()
    }
}
