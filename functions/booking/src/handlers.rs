//! One handler per function: HTTP endpoints, the expiry queue's consumer, the sweep schedule.

use aws_lambda_events::{
    cloudwatch_events::CloudWatchEvent,
    sqs::{SqsBatchResponse, SqsEvent},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{
    http::{self, ApiError, Request, Response},
    time::{self, Timestamp},
};

use crate::{
    App,
    domain::{PersonName, SlotMinutes},
    expiry::ExpiryMessage,
    ops, routes,
    store::{Reservation, Slot},
};

type Outcome = Result<Response<lambda_http::Body>, ApiError>;

#[derive(Deserialize)]
struct NameBody {
    first_name: PersonName,
    last_name: PersonName,
}

/// POST /booking/v1/providers
pub async fn create_provider(app: &App, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    http::created(&ops::create_provider(app, body.first_name, body.last_name).await?)
}

/// POST /booking/v1/clients
pub async fn create_client(app: &App, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    http::created(&ops::create_client(app, body.first_name, body.last_name).await?)
}

#[derive(Serialize)]
struct SlotView<'a> {
    slot_id: &'a str,
    provider_id: &'a str,
    start_time: Timestamp,
    end_time: Timestamp,
}

#[derive(Serialize)]
struct Slots<'a> {
    slots: Vec<SlotView<'a>>,
}

fn slots(list: &[Slot]) -> Slots<'_> {
    Slots {
        slots: list
            .iter()
            .map(|s| SlotView {
                slot_id: &s.slot_id,
                provider_id: &s.provider_id,
                start_time: s.start_time,
                end_time: s.end_time,
            })
            .collect(),
    }
}

/// Timestamps in any RFC 3339 offset; converted to UTC.
#[derive(Deserialize)]
struct AvailabilityBody {
    #[serde(deserialize_with = "time::deserialize")]
    start_time: Timestamp,
    #[serde(deserialize_with = "time::deserialize")]
    end_time: Timestamp,
    #[serde(default)]
    slot_minutes: Option<SlotMinutes>,
}

/// POST /booking/v1/providers/{provider_id}/availability
pub async fn add_availability(app: &App, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    let body: AvailabilityBody = http::parse_json(&req)?;
    let created =
        ops::add_availability(app, &provider_id, body.start_time, body.end_time, body.slot_minutes, time::now())
            .await?;
    http::created(&slots(&created))
}

fn query_time(req: &Request, name: &str) -> Result<Option<Timestamp>, ApiError> {
    http::query_param(req, name).map(|v| time::parse(&v).map_err(|e| ApiError::invalid_field(name, e))).transpose()
}

/// GET /booking/v1/providers/{provider_id}/availability?from=&to=
pub async fn list_availability(app: &App, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    let (from, to) = (query_time(&req, "from")?, query_time(&req, "to")?);
    let bookable = ops::list_availability(app, &provider_id, from, to, time::now()).await?;
    http::ok(&slots(&bookable))
}

/// DELETE /booking/v1/providers/{provider_id}/slots/{slot_id}
pub async fn delete_slot(app: &App, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    let slot_id = http::path_param(&req, "slot_id")?;
    let slot = ops::delete_slot(app, &provider_id, &slot_id, time::now()).await?;
    http::ok(&json!({"deleted": slots(std::slice::from_ref(&slot)).slots[0]}))
}

#[derive(Deserialize)]
struct ReserveBody {
    client_id: String,
    slot_id: String,
}

/// POST /booking/v1/reservations
pub async fn reserve(app: &App, req: Request) -> Outcome {
    let body: ReserveBody = http::parse_json(&req)?;
    http::created(&ops::reserve(app, &body.client_id, &body.slot_id, time::now()).await?)
}

#[derive(Deserialize)]
struct ClientBody {
    client_id: String,
}

/// POST /booking/v1/reservations/{reservation_id}/confirm
pub async fn confirm(app: &App, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let body: ClientBody = http::parse_json(&req)?;
    http::ok(&ops::confirm(app, &reservation_id, &body.client_id).await?)
}

/// DELETE /booking/v1/reservations/{reservation_id}?client_id=
pub async fn cancel(app: &App, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let client_id = http::query_param(&req, "client_id")
        .ok_or_else(|| ApiError::missing_field("client_id").with_message("missing query parameter `client_id`"))?;
    http::ok(&ops::cancel(app, &reservation_id, &client_id).await?)
}

/// GET /booking/v1/reservations/{reservation_id}
pub async fn get_reservation(app: &App, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    http::ok(&ops::get(app, &reservation_id, time::now()).await?)
}

#[derive(Serialize)]
struct Expired {
    expired: Vec<Reservation>,
}

/// POST /booking/v1/reservations/expire: the sweep, on demand.
pub async fn expire_now(app: &App, _req: Request) -> Outcome {
    http::ok(&Expired { expired: ops::sweep(app, time::now(), ops::SWEEP_BUDGET).await?.expired })
}

/// ANY /booking/{proxy+}: whatever no other route matched; 405 for a known path, else 404.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(routes::ROUTES, &req))
}

/// The expiry queue's consumer: each message either waits another step or expires its hold.
/// Malformed messages and failures are reported individually, so they are retried (and end in
/// the dead-letter queue) without holding up the rest of the batch.
pub async fn expiry_worker(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    Ok(shared::lambda::each_record(event, 10, |record| async move {
        let message: ExpiryMessage = shared::lambda::body(&record)?;
        ops::handle_expiry_message(app, &message, time::now()).await.map(|_| ())
    })
    .await)
}

/// The schedule's sweep: holds whose message was lost or delayed are expired within minutes.
pub async fn scheduled_sweep(app: &App, _event: CloudWatchEvent) -> Result<serde_json::Value, shared::lambda::Error> {
    let sweep = ops::sweep(app, time::now(), ops::SWEEP_BUDGET).await.map_err(|e| e.message)?;
    if !sweep.expired.is_empty() {
        tracing::info!(count = sweep.expired.len(), "sweep expired holds the queue had not");
    }
    Ok(json!({"expired": sweep.expired.len(), "failed": sweep.failed, "finished": sweep.finished}))
}
