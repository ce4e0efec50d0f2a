//! Answers requests no alerts route matched: 405 for a known path, 404 otherwise.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::http::serve((), alerts::entrypoints::http::fallback).await
}
