//! The lifetime of a function's state.

/// A function's state (configuration and clients) is built once per cold start and is used by
/// every invocation until the process ends, so it is never dropped. Leaking it here, once, gives
/// every handler a plain `&'static` borrow: no `Arc` clone per invocation and no `static` per
/// service. Tests use the same call for the apps they build.
pub fn for_process<T: Send + Sync + 'static>(state: T) -> &'static T {
    Box::leak(Box::new(state))
}
