//! The walk-in service queue (`/walkin/v1`): register customers, check them in, look tickets up,
//! list a queue of all of them, serve them, then cancel fresh check-ins.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::latency::{Bench, Call};

/// Warm-up requests per endpoint: the first starts the function's process.
const WARM_UP: usize = 3;

/// A customer: the measured ones are `0..n`, the warm-up ones come after them. One in three is a
/// VIP, so that serving alternates between the tiers.
fn customer(i: usize) -> Value {
    json!({
        "first_name": format!("Bench{i}"),
        "last_name": "Customer",
        "phone_number": format!("+1555{i:07}"),
        "vip": i.is_multiple_of(3),
    })
}

fn check_in(i: usize) -> Call {
    let c = customer(i);
    let body = json!({"first_name": c["first_name"], "last_name": c["last_name"], "phone_number": c["phone_number"]});
    Call::post("/walkin/v1/appointment", Some(body))
}

fn service_ids(bodies: &[Value]) -> Result<Vec<u64>> {
    bodies.iter().map(|b| b["service_id"].as_u64().with_context(|| format!("no service_id in {b}"))).collect()
}

pub async fn scenario(bench: &mut Bench) -> Result<()> {
    let n = bench.requests;
    let measured = 0..n;
    let warm = n..n + WARM_UP;

    bench.unmeasured(warm.clone().map(|i| Call::post("/walkin/v1/customers", Some(customer(i)))), 201).await?;
    bench
        .measure(
            "POST /walkin/v1/customers",
            201,
            measured.clone().map(|i| Call::post("/walkin/v1/customers", Some(customer(i)))).collect(),
        )
        .await?;

    // The queue grows to n + WARM_UP while the check-ins are measured.
    let warm_tickets = service_ids(&bench.unmeasured(warm.clone().map(check_in), 201).await?)?;
    let tickets = service_ids(
        &bench.measure("POST /walkin/v1/appointment", 201, measured.clone().map(check_in).collect()).await?,
    )?;

    bench.unmeasured(warm_tickets.iter().map(|id| Call::get(format!("/walkin/v1/appointment/{id}"))), 200).await?;
    bench
        .measure(
            "GET /walkin/v1/appointment/{service_id}",
            200,
            tickets.iter().map(|id| Call::get(format!("/walkin/v1/appointment/{id}"))).collect(),
        )
        .await?;

    // One page of the largest size holds the whole queue (the listing is paginated, 100 by default).
    let queue = || Call::get("/walkin/v1/queue?limit=500");
    bench.unmeasured((0..WARM_UP).map(|_| queue()), 200).await?;
    let queues = bench.measure("GET /walkin/v1/queue?limit=500", 200, (0..n).map(|_| queue()).collect()).await?;
    let waiting = queues.last().and_then(|q| q["waiting"].as_array()).map_or(0, Vec::len);
    if waiting != n + WARM_UP {
        bail!("GET /walkin/v1/queue listed {waiting} waiting customers, expected {}", n + WARM_UP);
    }

    // Drains the queue: the warm-up serves WARM_UP of the n + WARM_UP waiting, the loop the rest.
    bench.unmeasured((0..WARM_UP).map(|_| Call::post("/walkin/v1/appointment/next", None)), 200).await?;
    bench
        .measure(
            "POST /walkin/v1/appointment/next",
            200,
            (0..n).map(|_| Call::post("/walkin/v1/appointment/next", None)).collect(),
        )
        .await?;
    bench.unmeasured([Call::post("/walkin/v1/appointment/next", None)], 404).await?;

    // Everyone has been served, so everyone can check in again: fresh tickets to cancel.
    let warm_tickets = service_ids(&bench.unmeasured(warm.map(check_in), 201).await?)?;
    let tickets = service_ids(&bench.unmeasured(measured.map(check_in), 201).await?)?;
    bench.unmeasured(warm_tickets.iter().map(|id| Call::delete(format!("/walkin/v1/appointment/{id}"))), 200).await?;
    bench
        .measure(
            "DELETE /walkin/v1/appointment/{service_id}",
            200,
            tickets.iter().map(|id| Call::delete(format!("/walkin/v1/appointment/{id}"))).collect(),
        )
        .await?;
    Ok(())
}
