//! The views identity makes possible, each read by key and paginated: the public directory of
//! providers, a provider's appointments (held and confirmed, with their clients' names, by start
//! time), a client's own reservations (newest first); and a booking walked from a provider's
//! availability to a confirmed reservation in both lists.

use serde_json::{Value, json};
use system_tests::{Reply, User};

use crate::helpers::{Booking, at, reservation_ids, text};

/// Every page of a listing, `query` added to each request; the items of each page.
async fn pages(query: &str, field: &str, mut get: impl AsyncFnMut(String) -> Reply) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) if query.is_empty() => format!("cursor={c}"),
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_owned(),
        };
        let reply = get(q).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        pages.push(reply.body[field].as_array().unwrap().clone());
        match reply.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return pages,
        }
        assert!(pages.len() < 50, "the listing ends");
    }
}

fn field(items: &[Value], name: &str) -> Vec<String> {
    items.iter().map(|item| item[name].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_directory_lists_every_provider_once_in_pages() {
    let b = Booking::new(1800).await;
    let mut providers = Vec::new();
    for _ in 0..5 {
        providers.push(b.provider().await.sub);
    }
    // Members of the group without a profile are not in the directory.
    b.user(&["provider"]).await;
    providers.sort();

    let all = b.providers("").await;
    assert_eq!(all.status, 200, "{all:?}");
    assert!(all.body.get("next_cursor").is_none(), "one page of the default 50");
    assert_eq!(field(all.body["providers"].as_array().unwrap(), "provider_id"), providers);
    assert_eq!(
        all.body["providers"][0],
        json!({"provider_id": providers[0], "first_name": "Pat", "last_name": "Provider"}),
        "nothing but the public fields"
    );
    let paged = pages("limit=2", "providers", async |q| b.providers(&q).await).await;
    assert_eq!(paged.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(field(&paged.concat(), "provider_id"), providers);

    for bad in ["limit=0", "limit=201", "cursor=forged.cursor", "limit=2&cursor=abc"] {
        let reply = b.providers(bad).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{bad}: {reply:?}");
    }
    // A cursor of another listing is not one of the directory's.
    let p = b.provider().await;
    b.slots(&p, at(3, 8, 0), at(3, 9, 0)).await;
    let availability = b.list(&p.sub, "limit=1").await;
    let foreign = availability.body["next_cursor"].as_str().unwrap();
    assert_eq!(b.providers(&format!("cursor={foreign}")).await.code(), Some("invalid_field"));
}

/// A client named `first last`.
async fn client_named(b: &Booking, first: &str, last: &str) -> User {
    let client = b.user(&[]).await;
    let reply = b.post(&client, "/booking/v1/clients", json!({"first_name": first, "last_name": last})).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    client
}

#[tokio::test]
async fn a_provider_lists_their_held_and_confirmed_appointments_by_start_time() {
    let b = Booking::new(1800).await;
    let (p, other) = (b.provider().await, b.provider().await);
    let ada = client_named(&b, "Ada", "Lovelace").await;
    let alan = client_named(&b, "Alan", "Turing").await;
    let day3 = b.slots(&p, at(3, 8, 0), at(3, 9, 0)).await;
    let day4 = b.slots(&p, at(4, 8, 0), at(4, 8, 15)).await;
    let elsewhere = b.slots(&other, at(3, 8, 0), at(3, 8, 15)).await;

    // Made out of order; listed by start time.
    let late = b.hold(&ada, &day4[0]).await;
    let half_past = b.hold(&ada, &day3[2]).await;
    let eight = b.hold(&alan, &day3[0]).await;
    assert_eq!(b.confirm(&alan, &eight).await.status, 200);
    let cancelled = b.hold(&alan, &day3[3]).await;
    assert_eq!(b.cancel(&alan, &cancelled).await.status, 200);
    let not_theirs = b.hold(&alan, &elsewhere[0]).await;

    let listing = b.provider_reservations(&p, "").await;
    assert_eq!(listing.status, 200, "{listing:?}");
    assert_eq!(reservation_ids(&listing), [eight.clone(), half_past.clone(), late.clone()]);
    let first = &listing.body["reservations"][0];
    assert_eq!(
        (first["status"].as_str(), first["client_first_name"].as_str(), first["client_last_name"].as_str()),
        (Some("confirmed"), Some("Alan"), Some("Turing"))
    );
    assert_eq!(first["start_time"], text(at(3, 8, 0)));
    assert_eq!(first["client_id"], alan.sub.as_str());
    let second = &listing.body["reservations"][1];
    assert_eq!((second["status"].as_str(), second["client_first_name"].as_str()), (Some("held"), Some("Ada")));
    assert!(listing.body.get("next_cursor").is_none());

    let paged = pages("limit=2", "reservations", async |q| b.provider_reservations(&p, &q).await).await;
    assert_eq!(paged.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(field(&paged.concat(), "reservation_id"), [eight.clone(), half_past.clone(), late.clone()]);
    let window = format!("from={}&to={}", text(at(3, 8, 15)), text(at(3, 9, 0)));
    assert_eq!(reservation_ids(&b.provider_reservations(&p, &window).await), std::slice::from_ref(&half_past));
    let until = format!("to={}", text(at(4, 8, 0)));
    assert_eq!(reservation_ids(&b.provider_reservations(&p, &until).await), [eight, half_past]);
    let past = format!("from={}&to={}", text(at(-5, 0, 0)), text(at(-4, 0, 0)));
    assert!(reservation_ids(&b.provider_reservations(&p, &past).await).is_empty());
    assert_eq!(reservation_ids(&b.provider_reservations(&other, "").await), [not_theirs]);

    let cursor = b.provider_reservations(&p, "limit=1").await.body["next_cursor"].as_str().unwrap().to_owned();
    for (who, query) in [
        (&p, format!("from={}&to={}", text(at(3, 9, 0)), text(at(3, 8, 0)))),
        (&p, "from=tomorrow".to_owned()),
        (&p, "limit=201".to_owned()),
        // A cursor belongs to one provider and one window.
        (&other, format!("cursor={cursor}")),
        (&p, format!("from={}&cursor={cursor}", text(at(3, 0, 0)))),
    ] {
        let reply = b.provider_reservations(who, &query).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{query}: {reply:?}");
    }
}

#[tokio::test]
async fn a_client_lists_their_own_reservations_newest_first() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slots = b.slots(&p, at(3, 8, 0), at(3, 9, 15)).await;
    let confirmed = b.hold(&c, &slots[0]).await;
    assert_eq!(b.confirm(&c, &confirmed).await.status, 200);
    let cancelled = b.hold(&c, &slots[1]).await;
    assert_eq!(b.cancel(&c, &cancelled).await.status, 200);
    let held = b.hold(&c, &slots[2]).await;
    let newest = b.hold(&c, &slots[3]).await;
    let theirs = b.hold(&other, &slots[4]).await;

    let mine = b.my_reservations(&c, "").await;
    assert_eq!(mine.status, 200, "{mine:?}");
    let all = [newest.clone(), held.clone(), cancelled.clone(), confirmed.clone()];
    assert_eq!(reservation_ids(&mine), all);
    assert!(mine.body["reservations"].as_array().unwrap().iter().all(|r| r["client_id"] == c.sub.as_str()));
    assert_eq!(reservation_ids(&b.my_reservations(&other, "").await), [theirs]);
    for (status, expected) in [
        ("held", vec![newest.clone(), held.clone()]),
        ("confirmed", vec![confirmed.clone()]),
        ("cancelled", vec![cancelled.clone()]),
        ("expired", vec![]),
    ] {
        let reply = b.my_reservations(&c, &format!("status={status}")).await;
        assert_eq!(reservation_ids(&reply), expected, "{status}: {reply:?}");
    }
    let paged = pages("limit=3", "reservations", async |q| b.my_reservations(&c, &q).await).await;
    assert_eq!(paged.iter().map(Vec::len).collect::<Vec<_>>(), [3, 1]);
    assert_eq!(field(&paged.concat(), "reservation_id"), all);
    let held_pages = pages("status=held&limit=1", "reservations", async |q| b.my_reservations(&c, &q).await).await;
    assert_eq!(field(&held_pages.concat(), "reservation_id"), [newest, held]);

    let cursor = b.my_reservations(&c, "limit=1").await.body["next_cursor"].as_str().unwrap().to_owned();
    for (who, query) in [
        (&c, "status=lost".to_owned()),
        (&c, "limit=0".to_owned()),
        // A cursor belongs to one client and one status.
        (&other, format!("cursor={cursor}")),
        (&c, format!("status=held&cursor={cursor}")),
    ] {
        let reply = b.my_reservations(who, &query).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{query}: {reply:?}");
    }
}

#[tokio::test]
async fn a_booking_from_availability_to_a_confirmed_reservation_in_both_lists() {
    let b = Booking::new(1800).await;
    let provider = b.user(&["provider"]).await;
    let made = b.post(&provider, "/booking/v1/providers", json!({"first_name": "Grace", "last_name": "Hopper"})).await;
    assert_eq!(made.status, 201, "{made:?}");
    let range = json!({"start_time": text(at(3, 14, 0)), "end_time": text(at(3, 15, 0)), "slot_minutes": 30});
    let published = b.add_availability(&provider, range).await;
    assert_eq!(published.status, 201, "{published:?}");
    assert_eq!(published.body["slots"][0]["provider_name"], "Grace Hopper");

    let client = client_named(&b, "Ada", "Lovelace").await;
    let directory = b.providers("").await;
    let found = directory.body["providers"].as_array().unwrap().iter().find(|p| p["last_name"] == "Hopper").unwrap();
    let provider_id = found["provider_id"].as_str().unwrap();
    let availability = b.list(provider_id, "").await;
    let slot = &availability.body["slots"][0];
    assert_eq!(
        (slot["provider_name"].as_str(), slot["start_time"].as_str()),
        (Some("Grace Hopper"), Some(text(at(3, 14, 0)).as_str()))
    );
    let reservation = b.hold(&client, slot["slot_id"].as_str().unwrap()).await;
    let confirmed = b.confirm(&client, &reservation).await;
    assert_eq!((confirmed.status, &confirmed.body["status"]), (200, &json!("confirmed")));

    assert_eq!(b.get(&provider, &reservation).await.body["status"], "confirmed");
    let appointments = b.provider_reservations(&provider, "").await;
    assert_eq!(reservation_ids(&appointments), std::slice::from_ref(&reservation));
    assert_eq!(appointments.body["reservations"][0]["client_first_name"], "Ada");
    let mine = b.my_reservations(&client, "").await;
    assert_eq!(reservation_ids(&mine), [reservation]);
    assert_eq!(mine.body["reservations"][0]["status"], "confirmed");
    assert!(mine.body["reservations"][0].get("client_first_name").is_none(), "{mine:?}");
}

#[tokio::test]
async fn an_implausible_provider_id_has_no_reservations_and_never_reaches_the_database() {
    let b = Booking::new(60).await;
    let admin = b.user(&["admin"]).await;
    for id in ["x".repeat(3000), "x:".repeat(100)] {
        let reply = b.provider_reservations_as(&admin, &id, "").await;
        assert_eq!((reply.status, &reply.body["reservations"]), (200, &serde_json::json!([])), "{:?}", reply.body);
    }
}
