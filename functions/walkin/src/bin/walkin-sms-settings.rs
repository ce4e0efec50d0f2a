//! The template's `Custom::SnsSmsSettings`: the account's SMS settings, applied at deploy time.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let sdk: &'static aws_config::SdkConfig = Box::leak(Box::new(shared::aws::sdk_config().await));
    let sns: &'static aws_sdk_sns::Client = Box::leak(Box::new(aws_sdk_sns::Client::new(sdk)));
    shared::lambda::serve(sns, walkin::entrypoints::settings::handle).await
}
