use alerts::{App, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = App::deferred_requiring(&[Needs::UnsubscribeKey])?;
    shared::http::serve_deferred(app, alerts::entrypoints::http::unsubscribe_page).await
}
