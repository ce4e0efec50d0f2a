//! The caller's provider and client profiles: signing up, changing them (names, time zone; the
//! email always the token's verified one), and deleting them with the caller's data.

use serde::{Deserialize, Serialize};
use shared::{
    auth::Caller,
    http::{self, Outcome, Request},
};

use super::views::{ClientView, ProviderView};
use crate::{
    App,
    domain::{PersonName, TimeZone},
    ops::{self, ProfileChange, SignUp},
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
    let email = caller.verified_email();
    let sign_up = ops::create_provider(&app.store, &caller.sub, email, body.first_name, body.last_name).await?;
    signed_up(&sign_up, ProviderView::from)
}

/// POST /booking/v1/clients: the caller's client profile.
pub async fn create_client(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    let email = caller.verified_email();
    let sign_up = ops::create_client(&app.store, &caller.sub, email, body.first_name, body.last_name).await?;
    signed_up(&sign_up, ClientView::from)
}

/// A profile change: each field optional (unknown fields ignored, as everywhere).
#[derive(Deserialize)]
struct ChangeBody {
    #[serde(default)]
    first_name: Option<PersonName>,
    #[serde(default)]
    last_name: Option<PersonName>,
    #[serde(default)]
    time_zone: Option<TimeZone>,
}

impl From<ChangeBody> for ProfileChange {
    fn from(body: ChangeBody) -> Self {
        Self { first_name: body.first_name, last_name: body.last_name, time_zone: body.time_zone }
    }
}

/// PATCH /booking/v1/providers/me: the caller's provider profile, changed.
pub async fn update_provider(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: ChangeBody = http::parse_json(&req)?;
    let provider = ops::update_provider(&app.store, &caller.sub, caller.verified_email(), body.into()).await?;
    http::ok(&ProviderView::from(&provider))
}

/// PATCH /booking/v1/clients/me: the caller's client profile, changed.
pub async fn update_client(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: ChangeBody = http::parse_json(&req)?;
    let client = ops::update_client(&app.store, &caller.sub, caller.verified_email(), body.into()).await?;
    http::ok(&ClientView::from(&client))
}

#[derive(Serialize)]
struct Deleted {
    deleted: bool,
}

/// DELETE /booking/v1/clients/me: the caller's live reservations cancelled (their providers
/// told), then their reservations and client profile deleted.
pub async fn delete_client(app: &App, caller: Caller, _: Request) -> Outcome {
    ops::erase_client(&app.store, &app.notices()?, &caller.sub).await?;
    http::ok(&Deleted { deleted: true })
}

/// DELETE /booking/v1/providers/me: the caller's live appointments cancelled (their clients
/// told), then their slots, directory entry and provider profile deleted.
pub async fn delete_provider(app: &App, caller: Caller, _: Request) -> Outcome {
    ops::erase_provider(&app.store, &app.notices()?, &caller.sub).await?;
    http::ok(&Deleted { deleted: true })
}
