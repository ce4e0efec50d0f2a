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

/// Every provider and client is their own user (a profile is keyed by its owner), and each
/// client holds one slot (the per-client hold limit is 3).
pub async fn scenario(bench: &mut Bench) -> Result<()> {
    let n = bench.requests;
    let total = n + WARM_UP;
    let provider_tokens = bench.sign_up("bench-provider", total, &["provider"]).await?;
    let client_tokens = bench.sign_up("bench-client", total, &[]).await?;
    let as_provider = |i: usize, call: Call| call.by(&provider_tokens[i]);
    let as_client = |i: usize, call: Call| call.by(&client_tokens[i]);
    // Warm-up first in every step: the first request to a function starts its process.
    let sign_up = |i: usize| as_provider(i, Call::post("/booking/v1/providers", Some(person(i))));
    let mut providers = ids(&bench.unmeasured((0..WARM_UP).map(sign_up), 201).await?, "provider_id")?;
    providers.extend(ids(
        &bench.measure("POST /booking/v1/providers", 201, (WARM_UP..total).map(sign_up).collect()).await?,
        "provider_id",
    )?);
    let become_client = |i: usize| as_client(i, Call::post("/booking/v1/clients", Some(person(i))));
    bench.unmeasured((0..WARM_UP).map(become_client), 201).await?;
    bench.measure("POST /booking/v1/clients", 201, (WARM_UP..total).map(become_client).collect()).await?;

    let publish = |i: usize| as_provider(i, availability(&providers[i]));
    bench.unmeasured((0..WARM_UP).map(publish), 201).await?;
    bench
        .measure("POST /booking/v1/providers/{provider_id}/availability", 201, (WARM_UP..total).map(publish).collect())
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

    let reserve = |i: usize| as_client(i, Call::post("/booking/v1/reservations", Some(json!({"slot_id": slots[i]}))));
    let mut reservations = ids(&bench.unmeasured((0..WARM_UP).map(reserve), 201).await?, "reservation_id")?;
    reservations.extend(ids(
        &bench.measure("POST /booking/v1/reservations", 201, (WARM_UP..total).map(reserve).collect()).await?,
        "reservation_id",
    )?);

    let confirm =
        |i: usize| as_client(i, Call::post(format!("/booking/v1/reservations/{}/confirm", reservations[i]), None));
    bench.unmeasured((0..WARM_UP).map(confirm), 200).await?;
    bench
        .measure("POST /booking/v1/reservations/{reservation_id}/confirm", 200, (WARM_UP..total).map(confirm).collect())
        .await?;

    let get = |i: usize| as_client(i, Call::get(format!("/booking/v1/reservations/{}", reservations[i])));
    bench.unmeasured((0..WARM_UP).map(get), 200).await?;
    bench.measure("GET /booking/v1/reservations/{reservation_id}", 200, (WARM_UP..total).map(get).collect()).await?;

    let cancel = |i: usize| as_client(i, Call::delete(format!("/booking/v1/reservations/{}", reservations[i])));
    bench.unmeasured((0..WARM_UP).map(cancel), 200).await?;
    bench
        .measure("DELETE /booking/v1/reservations/{reservation_id}", 200, (WARM_UP..total).map(cancel).collect())
        .await?;
    Ok(())
}
