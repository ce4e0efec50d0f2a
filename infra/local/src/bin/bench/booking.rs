//! Reservations (`/booking/v1`): providers and clients, one hour of availability per provider,
//! listings, then a hold, a confirmation, a read and a cancellation per provider's first slot.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::latency::{Bench, Call};

const WARM_UP: usize = 3;

fn ids(bodies: &[Value], field: &str) -> Result<Vec<String>> {
    bodies.iter().map(|b| b[field].as_str().map(str::to_owned).with_context(|| format!("no {field} in {b}"))).collect()
}

/// An hour of availability three days ahead (four 15-minute slots), outside the 24 h lead time.
fn availability(provider: &str) -> Call {
    let day = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%d");
    let body = json!({"start_time": format!("{day}T09:00:00Z"), "end_time": format!("{day}T10:00:00Z")});
    Call::post(format!("/booking/v1/providers/{provider}/availability"), Some(body))
}

fn person(i: usize) -> Value {
    json!({"first_name": format!("Bench{i}"), "last_name": "Person"})
}

pub async fn scenario(bench: &mut Bench) -> Result<()> {
    let n = bench.requests;
    let total = n + WARM_UP;
    // Warm-up first in every step: the first request to a function starts its process.
    let mut providers = ids(
        &bench.unmeasured((0..WARM_UP).map(|i| Call::post("/booking/v1/providers", Some(person(i)))), 201).await?,
        "provider_id",
    )?;
    providers.extend(ids(
        &bench
            .measure(
                "POST /booking/v1/providers",
                201,
                (0..n).map(|i| Call::post("/booking/v1/providers", Some(person(i)))).collect(),
            )
            .await?,
        "provider_id",
    )?);
    let mut clients = ids(
        &bench.unmeasured((0..WARM_UP).map(|i| Call::post("/booking/v1/clients", Some(person(i)))), 201).await?,
        "client_id",
    )?;
    clients.extend(ids(
        &bench
            .measure(
                "POST /booking/v1/clients",
                201,
                (0..n).map(|i| Call::post("/booking/v1/clients", Some(person(i)))).collect(),
            )
            .await?,
        "client_id",
    )?);

    bench.unmeasured(providers[..WARM_UP].iter().map(|p| availability(p)), 201).await?;
    bench
        .measure(
            "POST /booking/v1/providers/{provider_id}/availability",
            201,
            providers[WARM_UP..].iter().map(|p| availability(p)).collect(),
        )
        .await?;

    let listing = |p: &String| Call::get(format!("/booking/v1/providers/{p}/availability"));
    let mut slots = ids(
        &bench
            .unmeasured(providers[..WARM_UP].iter().map(listing), 200)
            .await?
            .iter()
            .map(|b| b["slots"][0].clone())
            .collect::<Vec<_>>(),
        "slot_id",
    )?;
    let listed = bench
        .measure(
            "GET /booking/v1/providers/{provider_id}/availability",
            200,
            providers[WARM_UP..].iter().map(listing).collect(),
        )
        .await?;
    slots.extend(ids(&listed.iter().map(|b| b["slots"][0].clone()).collect::<Vec<_>>(), "slot_id")?);

    let reserve =
        |i: usize| Call::post("/booking/v1/reservations", Some(json!({"client_id": clients[i], "slot_id": slots[i]})));
    let mut reservations = ids(&bench.unmeasured((0..WARM_UP).map(reserve), 201).await?, "reservation_id")?;
    reservations.extend(ids(
        &bench.measure("POST /booking/v1/reservations", 201, (WARM_UP..total).map(reserve).collect()).await?,
        "reservation_id",
    )?);

    let confirm = |i: usize| {
        Call::post(
            format!("/booking/v1/reservations/{}/confirm", reservations[i]),
            Some(json!({"client_id": clients[i]})),
        )
    };
    bench.unmeasured((0..WARM_UP).map(confirm), 200).await?;
    bench
        .measure("POST /booking/v1/reservations/{reservation_id}/confirm", 200, (WARM_UP..total).map(confirm).collect())
        .await?;

    let get = |i: usize| Call::get(format!("/booking/v1/reservations/{}", reservations[i]));
    bench.unmeasured((0..WARM_UP).map(get), 200).await?;
    bench.measure("GET /booking/v1/reservations/{reservation_id}", 200, (WARM_UP..total).map(get).collect()).await?;

    let cancel =
        |i: usize| Call::delete(format!("/booking/v1/reservations/{}?client_id={}", reservations[i], clients[i]));
    bench.unmeasured((0..WARM_UP).map(cancel), 200).await?;
    bench
        .measure("DELETE /booking/v1/reservations/{reservation_id}", 200, (WARM_UP..total).map(cancel).collect())
        .await?;
    Ok(())
}
