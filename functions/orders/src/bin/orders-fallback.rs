//! Answers requests no orders route matched: 405 for a known path, 404 otherwise.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::http::serve((), orders::entrypoints::http::fallback).await
}
