//! A provider's availability: publishing slots, listing the bookable ones, removing one.

use serde::{Deserialize, Serialize};
use shared::{
    auth::Caller,
    http::{self, ApiError, Outcome, Request},
    time::{self, Timestamp},
};

use super::{WindowQuery, acts_for_provider, cursors, views::SlotView};
use crate::{App, domain::SlotMinutes, ops};

/// Slots, and where the next page starts when another follows (listings only).
#[derive(Serialize)]
struct Slots<'a> {
    slots: Vec<SlotView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
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

/// POST /booking/v1/providers/{provider_id}/availability: that provider's.
pub async fn add_availability(app: &App, caller: Caller, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    acts_for_provider(&caller, &provider_id)?;
    let body: AvailabilityBody = http::parse_json(&req)?;
    let created = ops::add_availability(
        &app.store,
        &app.timings,
        &provider_id,
        body.start_time,
        body.end_time,
        body.slot_minutes,
        time::now(),
    )
    .await?;
    http::created(&Slots { slots: created.iter().map(SlotView::from).collect(), next_cursor: None })
}

/// Where a page of availability ends: the last start time it listed (seconds since the epoch).
#[derive(Serialize, Deserialize)]
struct AvailabilityMark {
    #[serde(rename = "a")]
    after: i64,
}

/// GET /booking/v1/providers/{provider_id}/availability?from=&to=&limit=&cursor=: `limit`
/// (default 200, at most 1000) bookable slots by start time. A cursor belongs to one provider and
/// one `from`/`to`.
pub async fn list_availability(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    let query: WindowQuery = http::parse_query(&req)?;
    let limit = query.page.limit(200, 1000)?;
    let cursors = cursors(app)?;
    let listing = query.listing("availability", &provider_id);
    let after = cursors
        .start::<AvailabilityMark>(&listing, query.page.cursor.as_deref())?
        .map(|mark| {
            chrono::DateTime::from_timestamp(mark.after, 0)
                .ok_or_else(|| ApiError::invalid_field("cursor", "is not a cursor of this listing"))
        })
        .transpose()?;
    let page =
        ops::list_availability(&app.store, &app.timings, &provider_id, query.window(), after, limit, time::now())
            .await?;
    let next = page.next.map(|after| AvailabilityMark { after: after.timestamp() });
    http::ok(&Slots {
        slots: page.items.iter().map(SlotView::from).collect(),
        next_cursor: cursors.next(&listing, next.as_ref()),
    })
}

#[derive(Serialize)]
struct Deleted<'a> {
    deleted: SlotView<'a>,
}

/// DELETE /booking/v1/providers/{provider_id}/slots/{slot_id}: that provider's.
pub async fn delete_slot(app: &App, caller: Caller, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    acts_for_provider(&caller, &provider_id)?;
    let slot_id = http::path_param(&req, "slot_id")?;
    let slot = ops::delete_slot(&app.store, &provider_id, &slot_id, time::now()).await?;
    http::ok(&Deleted { deleted: SlotView::from(&slot) })
}
