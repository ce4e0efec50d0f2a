//! GET /openapi.json, /docs/..., /console/...: one function for what the origin serves besides
//! the services (the routes are told apart by their path).
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    site::init_console()?;
    shared::http::serve((), site::route).await
}
