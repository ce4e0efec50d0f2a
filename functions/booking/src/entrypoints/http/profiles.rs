//! Signing up: the caller's provider and client profiles.

use serde::{Deserialize, Serialize};
use shared::{
    auth::Caller,
    http::{self, Outcome, Request},
};

use super::views::{ClientView, ProviderView};
use crate::{
    App,
    domain::PersonName,
    ops::{self, SignUp},
};

#[derive(Deserialize)]
struct NameBody {
    first_name: PersonName,
    last_name: PersonName,
}

/// 201 for a profile made now, 200 for the one that existed.
fn signed_up<'a, T, V: Serialize>(sign_up: &'a SignUp<T>, view: impl Fn(&'a T) -> V) -> Outcome {
    match sign_up {
        SignUp::Created(profile) => http::created(&view(profile)),
        SignUp::Existing(profile) => http::ok(&view(profile)),
    }
}

/// POST /booking/v1/providers: the caller's provider profile.
pub async fn create_provider(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    let sign_up = ops::create_provider(&app.store, &caller.sub, body.first_name, body.last_name).await?;
    signed_up(&sign_up, ProviderView::from)
}

/// POST /booking/v1/clients: the caller's client profile.
pub async fn create_client(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    let sign_up = ops::create_client(&app.store, &caller.sub, body.first_name, body.last_name).await?;
    signed_up(&sign_up, ClientView::from)
}
