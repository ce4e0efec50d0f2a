//! The Lambda entry point of every HTTP function: the caller resolved from the route table before
//! the handler runs, the handler run inside the invocation's deadline, and whatever it ends with
//! turned into the contract's JSON answer.
//!
//! A handler names what it needs in its signature, like an extractor in axum or realworld's
//! `AuthUser`/`MaybeAuthUser`: `(app, Caller, req)` on a route for signed-in callers,
//! `(app, Option<Caller>, req)` on a public one. The wrapper verifies the token and applies the
//! route's rule ([`crate::auth::Verifier::caller`]) first, so no handler can forget it; only the
//! catch-all fallback, which has no state and no route, takes `((), req)`.

use std::{future::Future, panic::AssertUnwindSafe};

use futures::FutureExt;
use lambda_http::{Body, RequestExt, http::StatusCode};

use super::{ApiError, Request, Response};
use crate::{
    auth::{Caller, Verifier},
    deadline,
    routes::Routes,
};

/// What a handler answers: a response, or the contract's error.
pub type Outcome = Result<Response<Body>, ApiError>;

/// The state of a service's HTTP functions: its route table and its token verifier.
pub trait Api: Send + Sync + 'static {
    /// The service's routes and who may call each (`routes::ROUTES`).
    fn routes(&self) -> &'static Routes;
    /// Verifies the tokens of the stack's user pool.
    fn verifier(&self) -> &Verifier;
}

/// What a handler receives as its caller: the route's rule has been applied already.
pub trait FromCaller: Sized + Send {
    fn from_caller(caller: Option<Caller>) -> Result<Self, ApiError>;
}

/// A route for signed-in callers: the rule refused anyone else, so an absent caller means the
/// route table calls a route public that the handler does not treat as public: a bug of ours,
/// refused rather than let through.
impl FromCaller for Caller {
    fn from_caller(caller: Option<Caller>) -> Result<Self, ApiError> {
        caller.ok_or_else(|| {
            tracing::error!("a handler for signed-in callers serves a public route; check routes.rs");
            ApiError::internal()
        })
    }
}

/// A public route: anyone, and a token, if sent, was valid.
impl FromCaller for Option<Caller> {
    fn from_caller(caller: Option<Caller>) -> Result<Self, ApiError> {
        Ok(caller)
    }
}

/// Marks handlers of the form `(state, caller, req)`.
pub struct WithCaller<C>(std::marker::PhantomData<C>);
/// Marks the state-less fallback, `((), req)`.
pub struct Stateless;

/// A handler the serve wrapper can run with state `S`; `M` tells the two forms apart.
pub trait Endpoint<S, M>: Send + Sync {
    fn run(&self, state: S, req: Request) -> impl Future<Output = Outcome> + Send;
}

impl<'a, A, C, F, Fut> Endpoint<&'a A, WithCaller<C>> for F
where
    A: Api,
    C: FromCaller,
    F: Fn(&'a A, C, Request) -> Fut + Send + Sync,
    Fut: Future<Output = Outcome> + Send,
{
    async fn run(&self, app: &'a A, req: Request) -> Outcome {
        let caller = C::from_caller(app.verifier().caller(app.routes(), &req).await?)?;
        self(app, caller, req).await
    }
}

impl<F, Fut> Endpoint<(), Stateless> for F
where
    F: Fn((), Request) -> Fut + Send + Sync,
    Fut: Future<Output = Outcome> + Send,
{
    fn run(&self, state: (), req: Request) -> impl Future<Output = Outcome> + Send {
        self(state, req)
    }
}

/// Runs an HTTP handler as a Lambda function. `state` is built once before the loop.
pub async fn serve<S, M, E>(state: S, handler: E) -> Result<(), lambda_http::Error>
where
    S: Copy + Send + Sync + 'static,
    E: Endpoint<S, M> + 'static,
{
    let handler = &handler;
    lambda_http::run(lambda_http::service_fn(move |req: Request| async move {
        Ok::<_, std::convert::Infallible>(handle(state, handler, req).await)
    }))
    .await
}

/// As [`serve`], with the state built at the first invocation ([`crate::app::Deferred`]).
pub async fn serve_deferred<S, M, E>(
    state: &'static crate::app::Deferred<S>,
    handler: E,
) -> Result<(), lambda_http::Error>
where
    S: Send + Sync + 'static,
    E: Endpoint<&'static S, M> + 'static,
{
    let handler = &handler;
    lambda_http::run(lambda_http::service_fn(move |req: Request| async move {
        Ok::<_, std::convert::Infallible>(match state.get().await {
            Ok(state) => handle(state, handler, req).await,
            Err(err) => {
                tracing::error!(error = %err, "the function's state could not be built");
                ApiError::unavailable("the service is starting; try again").to_response()
            }
        })
    }))
    .await
}

/// One invocation: the handler runs within the invocation's deadline (from the Lambda context
/// the request carries) and whatever it ends with becomes the response; work that would outlast
/// the deadline is cut off and answered `503`. A handler that panics (a bug) is answered with the
/// contract's 500, logged, rather than the runtime's own error body (where panics unwind: a
/// release build aborts instead, and Lambda reports the crash).
pub async fn handle<S, M, E: Endpoint<S, M>>(state: S, handler: &E, req: Request) -> Response<Body> {
    let deadline = req
        .lambda_context_ref()
        .map_or_else(|| deadline::from_epoch_millis(0), |context| deadline::from_epoch_millis(context.deadline));
    let work = AssertUnwindSafe(handler.run(state, req)).catch_unwind();
    let outcome = match deadline::scope(deadline, work).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(panic)) => {
            let what =
                panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str));
            tracing::error!(panic = what.unwrap_or("(not a message)"), "the handler panicked");
            Err(ApiError::internal())
        }
        Err(deadline::OutOfTime) => {
            Err(ApiError::unavailable("the request ran out of time waiting for the database; try again"))
        }
    };
    respond(outcome)
}

/// The response for a handler's outcome; server-side failures are logged here, once.
pub fn respond(outcome: Outcome) -> Response<Body> {
    match outcome {
        Ok(response) => response,
        Err(err) => {
            if err.status.is_server_error() {
                tracing::error!(code = %err.code, message = %err.message, "request failed");
            }
            err.to_response()
        }
    }
}

/// The error for a request no route matched (the per-service `ANY /<prefix>/{proxy+}` route):
/// 405 naming the allowed methods when the path exists, 404 otherwise.
pub fn unmatched(routes: &Routes, req: &Request) -> ApiError {
    let method = req.method().as_str();
    let path = req.raw_http_path();
    let allowed = routes.allowed(path);
    if allowed.is_empty() {
        return ApiError::not_found("route_not_found", format!("no route for {method} {}", bounded(path)));
    }
    let allowed = allowed.join(", ");
    let mut err = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}; allowed: {allowed}", bounded(path)),
    );
    err.allow = Some(allowed);
    err
}

/// A client's path as a message shows it: whole up to 200 characters, then cut.
fn bounded(path: &str) -> String {
    match path.char_indices().nth(200) {
        Some((at, _)) => format!("{}...", &path[..at]),
        None => path.to_owned(),
    }
}
