//! A client's reservations: holding a slot, looking a reservation up, confirming, cancelling;
//! and the sweep on demand.

use serde::{Deserialize, Serialize};
use shared::{
    auth::Caller,
    http::{self, Outcome, Request},
    time,
};

use super::{same_client, views::ReservationView};
use crate::{
    App,
    domain::{CancelReason, Notice, Status},
    ops,
};

#[derive(Deserialize)]
struct ReserveBody {
    /// The caller, if given at all.
    #[serde(default)]
    client_id: Option<String>,
    slot_id: String,
}

/// POST /booking/v1/reservations: the caller holds a slot. With an `Idempotency-Key` (the
/// caller's own: two callers' keys never meet), a repeat gets the first answer instead of
/// `409 slot_unavailable` for the client's own hold.
pub async fn reserve(app: &App, caller: Caller, req: Request) -> Outcome {
    let scope = format!("booking.reserve.{}", caller.sub);
    app.idempotency.run(&scope, req, time::now(), |req| reserve_once(app, caller, req)).await
}

async fn reserve_once(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: ReserveBody = http::parse_json(&req)?;
    same_client(&caller, body.client_id.as_deref())?;
    let expiry = app.expiry_queue()?;
    let rules = ops::HoldRules {
        expiry,
        timings: &app.timings,
        max_holds: app.max_holds_per_client,
        quota: &app.reserve_quota,
    };
    let reservation = ops::reserve(&app.store, &rules, &caller.sub, &body.slot_id, time::now()).await?;
    http::created(&ReservationView::from(&reservation))
}

/// A body or query that may name the client, who must be the caller.
#[derive(Default, Deserialize)]
struct ClientParam {
    #[serde(default)]
    client_id: Option<String>,
}

/// POST /booking/v1/reservations/{reservation_id}/confirm: by its client. The body may be
/// empty; a `client_id` in it must be the caller.
pub async fn confirm(app: &App, caller: Caller, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let body: ClientParam = if bodiless(&req) { ClientParam::default() } else { http::parse_json(&req)? };
    same_client(&caller, body.client_id.as_deref())?;
    let notices = app.notices()?;
    let reservation = ops::confirm(&app.store, &reservation_id, &caller.sub).await?;
    notices.announce(&app.store, Notice::Confirmed, Status::Held, &reservation, time::now()).await;
    http::ok(&ReservationView::from(&reservation))
}

/// An optional body: `{"reason"}` of a cancellation.
#[derive(Default, Deserialize)]
struct CancelBody {
    #[serde(default)]
    reason: Option<CancelReason>,
}

/// Whether a request has no body to read (none, or only whitespace).
fn bodiless(req: &Request) -> bool {
    req.body().as_ref().iter().all(u8::is_ascii_whitespace)
}

/// DELETE /booking/v1/reservations/{reservation_id}: by its client (`?client_id=`, which older
/// clients send, must be the caller) or its provider, with an optional body `{"reason"}`.
pub async fn cancel(app: &App, caller: Caller, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let query: ClientParam = http::parse_query(&req)?;
    same_client(&caller, query.client_id.as_deref())?;
    let body: CancelBody = if bodiless(&req) { CancelBody::default() } else { http::parse_json(&req)? };
    let notices = app.notices()?;
    let reservation = ops::cancel(&app.store, &reservation_id, &caller.sub, body.reason).await?;
    let before = ops::erase::before(&reservation);
    notices.announce(&app.store, Notice::Cancelled, before, &reservation, time::now()).await;
    http::ok(&ReservationView::from(&reservation))
}

#[derive(Deserialize)]
struct RescheduleBody {
    slot_id: String,
}

/// POST /booking/v1/reservations/{reservation_id}/reschedule: by its client; *idempotent*.
pub async fn reschedule(app: &App, caller: Caller, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let scope = format!("booking.reschedule.{}.{reservation_id}", caller.sub);
    app.idempotency
        .run(&scope, req, time::now(), |req| async move {
            let body: RescheduleBody = http::parse_json(&req)?;
            let notices = app.notices()?;
            let (reservation, moved) =
                ops::reschedule(&app.store, &app.timings, &reservation_id, &caller.sub, &body.slot_id).await?;
            if moved {
                notices.announce(&app.store, Notice::Rescheduled, reservation.status, &reservation, time::now()).await;
            }
            http::ok(&ReservationView::from(&reservation))
        })
        .await
}

/// GET /booking/v1/reservations/{reservation_id}: by its client or its provider.
pub async fn get_reservation(app: &App, caller: Caller, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let reservation = ops::get(&app.store, &reservation_id, &caller.sub, time::now()).await?;
    http::ok(&ReservationView::from(&reservation))
}

#[derive(Serialize)]
struct Expired<'a> {
    expired: Vec<ReservationView<'a>>,
}

/// POST /booking/v1/reservations/expire: the sweep, on demand (admins).
pub async fn expire_now(app: &App, _admin: Caller, _: Request) -> Outcome {
    let sweep = ops::sweep(&app.store, time::now(), ops::SWEEP_BUDGET).await?;
    http::ok(&Expired { expired: sweep.expired.iter().map(ReservationView::from).collect() })
}
