//! The listings identity makes possible: the public directory of providers, a provider's
//! appointments, a client's own reservations. Each is paginated by a signed cursor carrying the
//! sort key the next page continues after.

use serde::{Deserialize, Serialize};
use shared::{
    auth::Caller,
    dynamo::Page,
    http::{self, Outcome, PageQuery, Request},
    time,
};

use super::{
    KeyMark, WindowQuery, acts_for_provider, cursors,
    views::{AppointmentView, DirectoryEntryView, ReservationView},
};
use crate::{App, domain::Status, ops};

/// Where the next page of a listing keyed by a string starts, as its cursor carries it.
fn next_mark(page: &Page<impl Sized>) -> Option<KeyMark> {
    page.next.clone().map(|key| KeyMark { key })
}

#[derive(Serialize)]
struct Providers<'a> {
    providers: Vec<DirectoryEntryView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// GET /booking/v1/providers?limit=&cursor=: the public directory, `limit` (default 50, at most
/// 200) providers a page, by provider id.
pub async fn list_providers(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let query: PageQuery = http::parse_query(&req)?;
    let limit = query.limit(50, 200)?;
    let cursors = cursors(app)?;
    let listing = "booking/providers";
    let after = cursors.start::<KeyMark>(listing, query.cursor.as_deref())?.map(|mark| mark.key);
    let page = ops::providers(&app.store, after.as_deref(), limit).await?;
    http::ok(&Providers {
        providers: page.items.iter().map(DirectoryEntryView::from).collect(),
        next_cursor: cursors.next(listing, next_mark(&page).as_ref()),
    })
}

/// A page of reservations, as their provider or their client lists them.
#[derive(Serialize)]
struct Reservations<V> {
    reservations: Vec<V>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// GET /booking/v1/providers/{provider_id}/reservations?from=&to=&limit=&cursor=: that
/// provider's held and confirmed reservations with their clients' names, by start time, from now
/// unless `from` says otherwise; `limit` (default 50, at most 200) a page. A cursor belongs to
/// one provider and one `from`/`to`.
pub async fn list_provider_reservations(app: &App, caller: Caller, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    acts_for_provider(&caller, &provider_id)?;
    let query: WindowQuery = http::parse_query(&req)?;
    let limit = query.page.limit(50, 200)?;
    let cursors = cursors(app)?;
    let listing = query.listing("provider-reservations", &provider_id);
    let after = cursors.start::<KeyMark>(&listing, query.page.cursor.as_deref())?.map(|mark| mark.key);
    let page =
        ops::provider_reservations(&app.store, &provider_id, query.window(), after.as_deref(), limit, time::now())
            .await?;
    http::ok(&Reservations {
        reservations: page.items.iter().map(AppointmentView::from).collect(),
        next_cursor: cursors.next(&listing, next_mark(&page).as_ref()),
    })
}

/// `?status=&limit=&cursor=` of the client's listing.
#[derive(Deserialize)]
struct MyReservationsQuery {
    #[serde(default)]
    status: Option<Status>,
    #[serde(flatten)]
    page: PageQuery,
}

/// GET /booking/v1/clients/me/reservations?status=&limit=&cursor=: the caller's reservations,
/// newest first, `limit` (default 50, at most 200) a page. A cursor belongs to one caller and one
/// `status`.
pub async fn list_my_reservations(app: &App, caller: Caller, req: Request) -> Outcome {
    let query: MyReservationsQuery = http::parse_query(&req)?;
    let limit = query.page.limit(50, 200)?;
    let cursors = cursors(app)?;
    let status = query.status.map(|status| status.to_string()).unwrap_or_default();
    let listing = format!("booking/client-reservations/{}/{status}", caller.sub);
    let before = cursors.start::<KeyMark>(&listing, query.page.cursor.as_deref())?.map(|mark| mark.key);
    let page =
        ops::client_reservations(&app.store, &caller.sub, query.status, before.as_deref(), limit, time::now()).await?;
    http::ok(&Reservations {
        reservations: page.items.iter().map(ReservationView::from).collect(),
        next_cursor: cursors.next(&listing, next_mark(&page).as_ref()),
    })
}
