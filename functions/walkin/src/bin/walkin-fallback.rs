//! Answers requests no walk-in route matched: 405 for a known path, 404 otherwise.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::http::serve((), walkin::entrypoints::http::fallback).await
}
