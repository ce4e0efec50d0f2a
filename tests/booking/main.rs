//! Reservations against the local AWS endpoint: availability, listing, double booking under
//! concurrency, confirmation, cancellation, and holds that expire through the SQS queue.
//! Timings are configuration (a hold of a second or two), never long sleeps.

use std::time::Duration;

use aws_config::SdkConfig;
use booking::{
    App, Config,
    domain::{ExpiryStep, SlotId, SlotMinutes, Timings},
    expiry::ExpiryMessage,
    handlers, ops,
    store::{Refused, Reservation, Slot},
};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use futures::future::join_all;
use local_stack::{Stack, triggers::SqsSource};
use serde_json::{Value, json};
use system_tests::{
    InProcess, Reply, call, eventually, fresh_stack, inject_conflicts, request, sdk, template, with_path_params,
};

struct Booking {
    app: &'static App,
    stack: Stack,
    sdk: SdkConfig,
}

fn timings(hold_seconds: i64) -> Timings {
    Timings {
        hold: chrono::Duration::seconds(hold_seconds),
        min_lead: chrono::Duration::hours(24),
        default_slot_minutes: SlotMinutes::try_from(15).unwrap(),
    }
}

/// `hour:minute` UTC, `days` days from today.
fn at(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let day = Utc::now() + chrono::Duration::days(days);
    Utc.with_ymd_and_hms(day.year(), day.month(), day.day(), hour, minute, 0).unwrap()
}

fn text(ts: DateTime<Utc>) -> String {
    shared::time::format(ts)
}

impl Booking {
    async fn new(hold_seconds: i64) -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let config = Config {
            table: stack.table("BookingTable").to_owned(),
            expiry_queue_url: Some(stack.queue("BookingExpiryQueue").url.clone()),
            timings: timings(hold_seconds),
        };
        // The app lives as long as the test process, as it does in a Lambda process.
        let app: &'static App = Box::leak(Box::new(App::new(&sdk, &config)));
        Self { app, stack, sdk }
    }

    async fn post(&self, handler_path: &str, body: Value) -> Reply {
        let req = request("POST", handler_path, Some(body));
        match handler_path {
            "/booking/v1/providers" => call(self.app, handlers::create_provider, req).await,
            "/booking/v1/clients" => call(self.app, handlers::create_client, req).await,
            "/booking/v1/reservations" => call(self.app, handlers::reserve, req).await,
            other => panic!("no POST handler for {other}"),
        }
    }

    async fn provider(&self) -> String {
        let reply = self.post("/booking/v1/providers", json!({"first_name": "Pat", "last_name": "Provider"})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["provider_id"].as_str().unwrap().to_owned()
    }

    async fn client(&self) -> String {
        let reply = self.post("/booking/v1/clients", json!({"first_name": "Cam", "last_name": "Client"})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["client_id"].as_str().unwrap().to_owned()
    }

    async fn add_availability(&self, provider: &str, body: Value) -> Reply {
        let path = format!("/booking/v1/providers/{provider}/availability");
        let req = with_path_params(request("POST", &path, Some(body)), &[("provider_id", provider)]);
        call(self.app, handlers::add_availability, req).await
    }

    /// Posts a range and returns the created slot ids.
    async fn slots(&self, provider: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<String> {
        let reply = self.add_availability(provider, json!({"start_time": text(start), "end_time": text(end)})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        ids(&reply)
    }

    async fn list(&self, provider: &str, query: &str) -> Reply {
        let path = format!("/booking/v1/providers/{provider}/availability");
        let mut req = with_path_params(request("GET", &path, None), &[("provider_id", provider)]);
        if !query.is_empty() {
            req = lambda_http::RequestExt::with_query_string_parameters(req, parse_query(query));
        }
        call(self.app, handlers::list_availability, req).await
    }

    async fn listed(&self, provider: &str) -> Vec<String> {
        let reply = self.list(provider, "").await;
        assert_eq!(reply.status, 200, "{reply:?}");
        ids(&reply)
    }

    async fn reserve(&self, client: &str, slot: &str) -> Reply {
        self.post("/booking/v1/reservations", json!({"client_id": client, "slot_id": slot})).await
    }

    async fn hold(&self, client: &str, slot: &str) -> String {
        let reply = self.reserve(client, slot).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["reservation_id"].as_str().unwrap().to_owned()
    }

    async fn confirm(&self, reservation: &str, client: &str) -> Reply {
        let path = format!("/booking/v1/reservations/{reservation}/confirm");
        let req = with_path_params(
            request("POST", &path, Some(json!({"client_id": client}))),
            &[("reservation_id", reservation)],
        );
        call(self.app, handlers::confirm, req).await
    }

    async fn cancel(&self, reservation: &str, client: Option<&str>) -> Reply {
        let path = format!("/booking/v1/reservations/{reservation}");
        let mut req = with_path_params(request("DELETE", &path, None), &[("reservation_id", reservation)]);
        if let Some(client) = client {
            req =
                lambda_http::RequestExt::with_query_string_parameters(req, parse_query(&format!("client_id={client}")));
        }
        call(self.app, handlers::cancel, req).await
    }

    async fn get(&self, reservation: &str) -> Reply {
        let path = format!("/booking/v1/reservations/{reservation}");
        let req = with_path_params(request("GET", &path, None), &[("reservation_id", reservation)]);
        call(self.app, handlers::get_reservation, req).await
    }

    async fn delete_slot(&self, provider: &str, slot: &str) -> Reply {
        let path = format!("/booking/v1/providers/{provider}/slots/{slot}");
        let req = with_path_params(request("DELETE", &path, None), &[("provider_id", provider), ("slot_id", slot)]);
        call(self.app, handlers::delete_slot, req).await
    }

    async fn expire_now(&self) -> Reply {
        call(self.app, handlers::expire_now, request("POST", "/booking/v1/reservations/expire", None)).await
    }

    /// Waits (polling, with a deadline) until the hold of `reservation` has run out by the clock;
    /// nothing else happens to it meanwhile.
    async fn until_the_hold_runs_out(&self, reservation: &str) -> DateTime<Utc> {
        let expires_at = self.stored(reservation).await.expires_at;
        eventually("the hold runs out", Duration::from_secs(30), move || async move {
            (Utc::now() > expires_at).then_some(())
        })
        .await;
        expires_at
    }

    /// The reservation exactly as stored, without the read-time view of an overdue hold.
    async fn stored(&self, reservation: &str) -> Reservation {
        self.app.store.reservation(reservation).await.unwrap().expect("stored reservation")
    }

    /// The expiry queue's event source, as the template declares it.
    fn expiry_source(&self) -> SqsSource {
        SqsSource::from_template(template(), &self.stack, &self.sdk)
            .unwrap()
            .into_iter()
            .find(|s| s.function == "booking-expiry-worker")
            .expect("the template maps the expiry queue to booking-expiry-worker")
    }

    fn worker(&self) -> InProcess {
        let app = self.app;
        InProcess::default().on("booking-expiry-worker", move |event| handlers::expiry_worker(app, event))
    }

    fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk)
    }
}

/// The event the sweep's schedule sends now, as the local trigger makes it.
fn sweep_event() -> aws_lambda_events::cloudwatch_events::CloudWatchEvent {
    let source = local_stack::triggers::ScheduleSource {
        function: "booking-sweep".into(),
        rule: "Sweep".into(),
        every: Duration::from_secs(300),
    };
    serde_json::from_value(source.event(Utc::now())).unwrap()
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.body["slots"].as_array().unwrap().iter().map(|s| s["slot_id"].as_str().unwrap().to_owned()).collect()
}

fn parse_query(query: &str) -> std::collections::HashMap<String, String> {
    query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn starts(reply: &Reply) -> Vec<String> {
    reply.body["slots"].as_array().unwrap().iter().map(|s| s["start_time"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn availability_is_cut_into_aligned_slots_and_overlaps_create_only_what_is_missing() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    assert_eq!(b.slots(&p, at(3, 10, 0), at(3, 11, 0)).await.len(), 4);
    // 10:30-12:00 overlaps 10:30 and 10:45: only 11:00..11:45 are new.
    let again =
        b.add_availability(&p, json!({"start_time": text(at(3, 10, 30)), "end_time": text(at(3, 12, 0))})).await;
    assert_eq!(starts(&again), [at(3, 11, 0), at(3, 11, 15), at(3, 11, 30), at(3, 11, 45)].map(text));
    // 30-minute slots from 11:30: the first two overlap 15-minute slots; 12:00 and 12:30 are new.
    let longer = b
        .add_availability(
            &p,
            json!({"start_time": text(at(3, 11, 30)), "end_time": text(at(3, 13, 0)), "slot_minutes": 30}),
        )
        .await;
    assert_eq!(starts(&longer), [at(3, 12, 0), at(3, 12, 30)].map(text));
    assert_eq!(longer.body["slots"][1]["end_time"], text(at(3, 13, 0)));
    // The same range again creates nothing.
    let same = b.add_availability(&p, json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0))})).await;
    assert_eq!((same.status, ids(&same).len()), (201, 0));

    let listing = b.list(&p, "").await;
    let listed = starts(&listing);
    assert_eq!(listed.len(), 10);
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "by start time: {listed:?}");
    assert_eq!(listing.body["slots"][0]["provider_id"], p.as_str());
}

#[tokio::test]
async fn concurrent_postings_of_one_range_create_each_slot_once() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let body = json!({"start_time": text(at(4, 9, 0)), "end_time": text(at(4, 12, 0))});
    let replies = join_all((0..5).map(|_| b.add_availability(&p, body.clone()))).await;
    let created: usize = replies.iter().map(|r| ids(r).len()).sum();
    assert_eq!(created, 12, "{replies:?}");
    assert_eq!(b.listed(&p).await.len(), 12);
}

#[tokio::test]
async fn concurrent_postings_of_overlapping_ranges_of_different_lengths_never_overlap() {
    let b = Booking::new(1800).await;
    // 15-, 30- and 60-minute slots over ranges with staggered starts, each overlapping others.
    let postings = [
        (15, (9, 0), (12, 0)),
        (30, (9, 30), (12, 30)),
        (60, (10, 0), (13, 0)),
        (15, (10, 15), (11, 45)),
        (30, (11, 0), (14, 0)),
        (60, (9, 0), (11, 0)),
        (15, (12, 45), (14, 15)),
        (30, (8, 30), (10, 30)),
        (60, (12, 0), (15, 0)),
        (15, (8, 45), (9, 45)),
    ];
    for round in 0..3 {
        let p = b.provider().await;
        let replies = join_all(postings.iter().map(|&(minutes, (h1, m1), (h2, m2))| {
            let body = json!({
                "start_time": text(at(3, h1, m1)),
                "end_time": text(at(3, h2, m2)),
                "slot_minutes": minutes,
            });
            b.add_availability(&p, body)
        }))
        .await;
        let mut returned = Vec::new();
        for reply in &replies {
            assert_eq!(reply.status, 201, "round {round}: {reply:?}");
            returned.extend(ids(reply));
        }
        let mut stored = b.app.store.slots(&p, at(2, 0, 0), at(4, 0, 0)).await.unwrap();
        stored.sort_by_key(|slot| slot.start_time);
        for pair in stored.windows(2) {
            assert!(
                pair[0].end_time <= pair[1].start_time,
                "round {round}: {} overlaps {}",
                pair[0].slot_id,
                pair[1].slot_id
            );
        }
        // Every slot a request reported exists, and each exists because exactly one request made it.
        let mut stored_ids: Vec<String> = stored.into_iter().map(|slot| slot.slot_id).collect();
        stored_ids.sort();
        returned.sort();
        assert_eq!(returned, stored_ids, "round {round}");
        let mut listed = b.listed(&p).await;
        listed.sort();
        assert_eq!(listed, stored_ids, "round {round}: every slot is bookable");
    }
}

#[tokio::test]
async fn slot_creation_moves_the_providers_availability_version_chunk_by_chunk() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let store = &b.app.store;
    let slots = |from: DateTime<Utc>, count: i64| -> Vec<Slot> {
        let minutes: SlotMinutes = "15".parse().unwrap();
        (0..count)
            .map(|i| {
                Slot::new(&SlotId { provider_id: p.clone(), start: from + chrono::Duration::minutes(15 * i), minutes })
            })
            .collect()
    };
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(0));
    assert_eq!(store.availability_version("no-such-provider").await.unwrap(), None);
    // 150 slots: two transactions of at most 99 slots and the version each.
    let first = store.create_slots(&p, &slots(at(3, 0, 0), 150), 0).await.unwrap();
    assert!(first.complete);
    assert_eq!(first.created.len(), 150);
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(2));
    // Computed from a stale reading: refused whole, nothing created.
    let stale = store.create_slots(&p, &slots(at(6, 12, 0), 4), 1).await.unwrap();
    assert!(!stale.complete);
    assert!(stale.created.is_empty());
    assert!(store.slot(&stale_id(&p, at(6, 12, 0))).await.unwrap().is_none());
    // Refused in its second chunk (a slot there exists after all): the first chunk is kept and
    // reported, the version moved once.
    let mut partial = slots(at(5, 0, 0), 99);
    partial.push(first.created[0].clone());
    let second = store.create_slots(&p, &partial, 2).await.unwrap();
    assert!(!second.complete);
    assert_eq!(second.created.len(), 99);
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(3));
    // The longest range at the default length: 2976 slots, 31 transactions, one request.
    let month = b.add_availability(&p, json!({"start_time": text(at(10, 0, 0)), "end_time": text(at(41, 0, 0))})).await;
    assert_eq!((month.status, ids(&month).len()), (201, 2976));
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(3 + 31));
}

fn stale_id(provider: &str, start: DateTime<Utc>) -> SlotId {
    SlotId { provider_id: provider.to_owned(), start, minutes: "15".parse().unwrap() }
}

#[tokio::test]
async fn offsets_are_converted_to_utc() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let local = at(3, 10, 0).with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap());
    let reply =
        b.add_availability(&p, json!({"start_time": local.to_rfc3339(), "end_time": text(at(3, 10, 15))})).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["slots"][0]["start_time"], text(at(3, 10, 0)));
    assert!(reply.body["slots"][0]["start_time"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn bad_availability_requests_name_the_problem() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let cases = [
        (json!({"start_time": text(at(3, 10, 5)), "end_time": text(at(3, 11, 0))}), 400, "invalid_field", "start_time"),
        (json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 10, 50))}), 400, "invalid_field", "end_time"),
        (json!({"start_time": text(at(3, 11, 0)), "end_time": text(at(3, 10, 0))}), 400, "invalid_field", "end_time"),
        (json!({"start_time": text(at(-2, 10, 0)), "end_time": text(at(-2, 11, 0))}), 422, "range_in_past", "past"),
        (json!({"start_time": text(at(2, 0, 0)), "end_time": text(at(34, 0, 0))}), 422, "range_too_long", "31 days"),
        (
            json!({"start_time": text(at(2, 0, 0)), "end_time": text(at(33, 0, 0)), "slot_minutes": 1}),
            422,
            "too_many_slots",
            "at most 3000",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": 0}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": -15}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": 7}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": "15"}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (json!({"start_time": "tomorrow at ten", "end_time": text(at(3, 11, 0))}), 400, "invalid_field", "start_time"),
        (json!({"start_time": 1795341600, "end_time": text(at(3, 11, 0))}), 400, "invalid_field", "start_time"),
        // Strict RFC 3339: chrono alone would take these, and the five-digit year would reach
        // DynamoDB as an impossible key range.
        (
            json!({"start_time": at(3, 10, 0).format("%Y-%m-%d %H:%M:%S UTC").to_string(), "end_time": text(at(3, 11, 0))}),
            400,
            "invalid_field",
            "start_time",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": "+10000-01-01T00:00:00Z"}),
            400,
            "invalid_field",
            "end_time",
        ),
        (json!({"end_time": text(at(3, 11, 0))}), 400, "missing_field", "start_time"),
    ];
    for (body, status, code, mention) in cases {
        let reply = b.add_availability(&p, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, Some(code)), "{body}: {reply:?}");
        assert!(reply.message().contains(mention), "{body}: {}", reply.message());
    }
    let unknown = b
        .add_availability("no-such-provider", json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0))}))
        .await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("provider_not_found")));
    let names = b.post("/booking/v1/providers", json!({"first_name": " ", "last_name": "X"})).await;
    assert_eq!((names.status, names.code()), (400, Some("invalid_field")));
    assert!(names.message().contains("first_name"));
}

#[tokio::test]
async fn listing_shows_only_bookable_slots() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    // Inside the 24 h lead time: never listed (and not reservable).
    let in_two_hours = (Utc::now() + chrono::Duration::hours(2)).timestamp();
    let soon = DateTime::from_timestamp(in_two_hours - in_two_hours % 900 + 900, 0).unwrap();
    let near = b.slots(&p, soon, soon + chrono::Duration::minutes(15)).await;
    let far = b.slots(&p, at(3, 9, 0), at(3, 10, 0)).await;
    assert_eq!(b.listed(&p).await, far);
    let too_late = b.reserve(&c, &near[0]).await;
    assert_eq!((too_late.status, too_late.code()), (422, Some("too_late")));

    let held = b.hold(&c, &far[0]).await;
    let confirmed = b.hold(&c, &far[1]).await;
    assert_eq!(b.confirm(&confirmed, &c).await.status, 200);
    assert_eq!(b.listed(&p).await, far[2..]);
    // Cancelling makes the slot bookable again.
    assert_eq!(b.cancel(&held, Some(&c)).await.status, 200);
    assert_eq!(b.listed(&p).await, [&far[0], &far[2], &far[3]].map(String::clone));

    // from/to select by start time; to is exclusive.
    let window = b.list(&p, &format!("from={}&to={}", text(at(3, 9, 15)), text(at(3, 9, 45)))).await;
    assert_eq!(ids(&window), [far[2].clone()]);
    let bad = b.list(&p, "from=yesterday").await;
    assert_eq!((bad.status, bad.code()), (400, Some("invalid_field")));
    assert!(bad.message().contains("from"));
    let reversed = b.list(&p, &format!("from={}&to={}", text(at(3, 10, 0)), text(at(3, 9, 0)))).await;
    assert_eq!((reversed.status, reversed.code()), (400, Some("invalid_field")));
    // Bounds up to the end of year 9999 are fine, however little room they leave: 200, never 5xx.
    for query in [
        "from=9999-12-01T00:00:00Z",
        "from=9999-12-31T23:59:59Z",
        "from=9999-12-31T23:59:59.999Z",
        "to=9999-12-31T23:59:59.999Z",
        "from=9990-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
        "from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
    ] {
        let reply = b.list(&p, query).await;
        assert_eq!(reply.status, 200, "{query}: {reply:?}");
        if query.starts_with("from=9") {
            assert!(ids(&reply).is_empty(), "{query}: {reply:?}");
        }
    }
    let everything = b.list(&p, "from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z").await;
    assert_eq!(ids(&everything), [&far[0], &far[2], &far[3]].map(String::clone));
    let nobody = b.list("no-such-provider", "").await;
    assert_eq!((nobody.status, nobody.code()), (404, Some("provider_not_found")));
    let empty = b.provider().await;
    assert_eq!(b.listed(&empty).await, Vec::<String>::new());
}

#[tokio::test]
async fn fifty_concurrent_reservations_of_one_slot_make_one_hold() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let slot = b.slots(&p, at(5, 14, 0), at(5, 14, 15)).await.remove(0);
    let mut clients = Vec::new();
    for _ in 0..50 {
        clients.push(b.client().await);
    }
    let replies = join_all(clients.iter().map(|c| b.reserve(c, &slot))).await;
    let won: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(won.len(), 1, "exactly one hold: {replies:?}");
    for lost in replies.iter().filter(|r| r.status != 201) {
        assert_eq!((lost.status, lost.code()), (409, Some("slot_unavailable")), "{lost:?}");
    }
    assert_eq!(won[0].body["status"], "held");
    assert!(b.listed(&p).await.is_empty(), "the listing agrees: the slot is taken");
}

#[tokio::test]
async fn reservation_errors() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let unknown_client = b.reserve("no-such-client", &slot).await;
    assert_eq!((unknown_client.status, unknown_client.code()), (404, Some("client_not_found")));
    let absent = format!("{p}.{}.15", at(3, 9, 0).format("%Y%m%dT%H%MZ"));
    // A slot that does not exist is not found whatever its time, even inside the lead time.
    let absent_past = format!("{p}.{}.15", at(-2, 9, 0).format("%Y%m%dT%H%MZ"));
    let absent_soon = format!("{p}.{}.15", at(0, 23, 45).format("%Y%m%dT%H%MZ"));
    // The right start but another length: not this slot either.
    let other_length = format!("{p}.{}.30", at(3, 8, 0).format("%Y%m%dT%H%MZ"));
    for bad in [absent.as_str(), absent_past.as_str(), absent_soon.as_str(), other_length.as_str(), "garbage", ""] {
        let reply = b.reserve(&c, bad).await;
        assert_eq!((reply.status, reply.code()), (404, Some("slot_not_found")), "{bad:?}");
    }
    let missing = b.post("/booking/v1/reservations", json!({"client_id": c})).await;
    assert_eq!((missing.status, missing.code()), (400, Some("missing_field")));
    assert!(missing.message().contains("slot_id"));
    let wrong_type = b.post("/booking/v1/reservations", json!({"client_id": 42, "slot_id": slot})).await;
    assert_eq!((wrong_type.status, wrong_type.code()), (400, Some("invalid_field")));

    let reservation = b.reserve(&c, &slot).await;
    assert_eq!(reservation.status, 201);
    let r = &reservation.body;
    for field in
        ["reservation_id", "slot_id", "provider_id", "client_id", "start_time", "end_time", "created_at", "expires_at"]
    {
        assert!(r.get(field).is_some_and(|v| !v.is_null()), "{field} in {r}");
    }
    assert_eq!(
        (r["status"].as_str(), r["slot_id"].as_str(), r["start_time"].as_str()),
        (Some("held"), Some(slot.as_str()), Some(text(at(3, 8, 0)).as_str()))
    );
    let created: DateTime<Utc> = r["created_at"].as_str().unwrap().parse().unwrap();
    let expires: DateTime<Utc> = r["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires - created, chrono::Duration::seconds(1800));
    let taken = b.reserve(&b.client().await, &slot).await;
    assert_eq!((taken.status, taken.code()), (409, Some("slot_unavailable")));
}

#[tokio::test]
async fn confirmation_rules() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let mismatch = b.confirm(&r, &other).await;
    assert_eq!((mismatch.status, mismatch.code()), (403, Some("client_mismatch")));
    let ok = b.confirm(&r, &c).await;
    assert_eq!((ok.status, &ok.body["status"]), (200, &json!("confirmed")));
    let twice = b.confirm(&r, &c).await;
    assert_eq!((twice.status, twice.code()), (409, Some("already_confirmed")));
    assert_eq!(b.get(&r).await.body["status"], "confirmed");
    let unknown = b.confirm("no-such-reservation", &c).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("reservation_not_found")));
    // A confirmed slot cannot be removed by the provider.
    let removal = b.delete_slot(&p, &slot).await;
    assert_eq!((removal.status, removal.code()), (409, Some("slot_reserved")));
    // But the client may cancel it, which frees the slot.
    let cancelled = b.cancel(&r, Some(&c)).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")));
    assert_eq!(b.listed(&p).await, std::slice::from_ref(&slot));
    let after = b.confirm(&r, &c).await;
    assert_eq!((after.status, after.code()), (409, Some("reservation_cancelled")));
}

#[tokio::test]
async fn confirm_and_cancel_answer_at_once_when_the_slot_is_no_longer_theirs() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let r = b.hold(&c, &slots[0]).await;
    let held = b.stored(&r).await;
    // Another client takes the slot, deciding (as with a clock a little ahead) that the hold has
    // run out: the slot is someone else's while the first reservation still reads as held.
    let taken = ops::reserve(b.app, &other, &slots[0], held.expires_at + chrono::Duration::milliseconds(1))
        .await
        .unwrap()
        .reservation_id;
    assert_eq!(b.get(&r).await.body["status"], "held");
    // Refused by the slot's condition, which no retry would change: the hold is over (not a 503).
    let confirm = b.confirm(&r, &c).await;
    assert_eq!((confirm.status, confirm.code()), (410, Some("reservation_expired")), "{confirm:?}");
    let cancel = b.cancel(&r, Some(&c)).await;
    assert_eq!((cancel.status, cancel.code()), (410, Some("reservation_expired")), "{cancel:?}");
    // Neither touched the slot or the other hold.
    let slot = b.app.store.slot(&slots[0].parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(slot.reservation_id.as_deref(), Some(taken.as_str()));
    assert_eq!(b.confirm(&taken, &other).await.status, 200);

    // A confirmed reservation whose slot item went away behind the service's back: cancelling
    // still cancels it, with nothing to release.
    let r2 = b.hold(&c, &slots[1]).await;
    assert_eq!(b.confirm(&r2, &c).await.status, 200);
    aws_sdk_dynamodb::Client::new(&b.sdk)
        .delete_item()
        .table_name(b.stack.table("BookingTable"))
        .set_key(Some(booking::store::slot_key(&slots[1].parse().unwrap())))
        .send()
        .await
        .unwrap();
    let cancelled = b.cancel(&r2, Some(&c)).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")), "{cancelled:?}");
    assert_eq!(b.stored(&r2).await.status, booking::domain::Status::Cancelled);
}

#[tokio::test]
async fn cancellation_rules() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let no_client = b.cancel(&r, None).await;
    assert_eq!((no_client.status, no_client.code()), (400, Some("missing_field")));
    assert!(no_client.message().contains("client_id"));
    assert_eq!(b.cancel(&r, Some(&other)).await.code(), Some("client_mismatch"));
    assert_eq!(b.cancel(&r, Some(&c)).await.body["status"], "cancelled");
    // Twice is fine: it is cancelled.
    assert_eq!(b.cancel(&r, Some(&c)).await.status, 200);
    assert_eq!(b.cancel("no-such-reservation", Some(&c)).await.code(), Some("reservation_not_found"));
    // The slot is bookable again, by anyone.
    assert_eq!(b.reserve(&other, &slot).await.status, 201);
}

#[tokio::test]
async fn slots_can_be_removed_while_free() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let removed = b.delete_slot(&p, &slots[0]).await;
    assert_eq!(removed.status, 200, "{removed:?}");
    assert_eq!(b.listed(&p).await, [slots[1].clone()]);
    assert_eq!(b.delete_slot(&p, &slots[0]).await.code(), Some("slot_not_found"));
    b.hold(&c, &slots[1]).await;
    assert_eq!(b.delete_slot(&p, &slots[1]).await.code(), Some("slot_reserved"));
    let other = b.provider().await;
    assert_eq!(b.delete_slot(&other, &slots[1]).await.code(), Some("slot_not_found"), "another provider's slot");
    assert_eq!(b.reserve(&c, &slots[0]).await.code(), Some("slot_not_found"));
}

#[tokio::test]
async fn a_hold_expires_through_the_queue_without_any_request() {
    let b = Booking::new(2).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;

    // The expiry queue's event source runs as Lambda would run it, with the real worker.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let poller = tokio::spawn(b.expiry_source().run(std::sync::Arc::new(b.worker()), stopped));
    let (bref, rref) = (&b, &r);
    let stored = eventually("the worker records the expiry", Duration::from_secs(60), move || async move {
        let stored = bref.stored(rref).await;
        (stored.status == booking::domain::Status::Expired).then_some(stored)
    })
    .await;
    let _ = stop.send(true);
    poller.await.unwrap();

    assert!(stored.expired_at.is_some_and(|at| at >= stored.expires_at));
    assert_eq!(b.listed(&p).await, std::slice::from_ref(&slot), "the slot is listed again");
    let late = b.confirm(&r, &c).await;
    assert_eq!((late.status, late.code()), (410, Some("reservation_expired")));
    assert_eq!(b.get(&r).await.body["status"], "expired");
}

#[tokio::test]
async fn an_overdue_hold_is_free_at_once_before_any_worker_runs() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let (bref, rref) = (&b, &r);
    eventually("the hold runs out", Duration::from_secs(30), move || async move {
        (bref.get(rref).await.body["status"] == "expired").then_some(())
    })
    .await;
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Held, "no worker ran");
    assert_eq!(b.listed(&p).await, std::slice::from_ref(&slot));
    assert_eq!(b.confirm(&r, &c).await.code(), Some("reservation_expired"));
    assert_eq!(b.cancel(&r, Some(&c)).await.code(), Some("reservation_expired"));
    // Another client takes the slot; the late expiry of the first hold must not free it.
    let second = b.hold(&other, &slot).await;
    let expired = ops::expire_one(b.app, &r, Utc::now()).await.unwrap();
    assert!(expired.is_some(), "the first hold is recorded as expired");
    assert!(b.listed(&p).await.is_empty(), "the second hold keeps the slot");
    assert_eq!(b.confirm(&second, &other).await.status, 200);
}

#[tokio::test]
async fn confirm_racing_expiry_has_one_winner() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 10, 15)).await;
    let (mut confirms_won, mut expiries_won) = (0, 0);
    for (round, slot) in slots.iter().enumerate() {
        let r = b.hold(&c, slot).await;
        let held = b.stored(&r).await;
        // Both decide on the same snapshot at the edge of the hold: confirm a millisecond before
        // it ends (valid), expiry at the instant it ends (valid). Only one may commit.
        let confirm_at = held.expires_at - chrono::Duration::milliseconds(1);
        let confirmed = match round % 3 {
            // The operations, concurrently: whichever commits first wins.
            0 => {
                let (confirmed, expired) =
                    tokio::join!(b.app.store.confirm(&held, confirm_at), ops::expire_one(b.app, &r, held.expires_at),);
                let (confirmed, expired) = (confirmed.unwrap().is_ok(), expired.unwrap().is_some());
                assert!(confirmed ^ expired, "round {round}: exactly one wins: {confirmed} {expired}");
                confirmed
            }
            // The store's two transactions on the same snapshot, in each order: the first to
            // commit wins and the second is refused by the reservation's condition.
            1 => {
                assert_eq!(b.app.store.confirm(&held, confirm_at).await.unwrap(), Ok(()));
                assert_eq!(b.app.store.expire(&held, held.expires_at).await.unwrap(), Err(Refused::Reservation));
                true
            }
            _ => {
                assert_eq!(b.app.store.expire(&held, held.expires_at).await.unwrap(), Ok(()));
                assert_eq!(b.app.store.confirm(&held, confirm_at).await.unwrap(), Err(Refused::Reservation));
                false
            }
        };
        let stored = b.stored(&r).await;
        let slot_item = b.app.store.slot(&slot.parse().unwrap()).await.unwrap().unwrap();
        if confirmed {
            confirms_won += 1;
            assert_eq!(stored.status, booking::domain::Status::Confirmed, "round {round}");
            assert_eq!(slot_item.reservation_id.as_deref(), Some(r.as_str()));
            assert_eq!(slot_item.reservation_status, Some(booking::domain::Status::Confirmed));
        } else {
            expiries_won += 1;
            assert_eq!(stored.status, booking::domain::Status::Expired, "round {round}");
            assert!(slot_item.reservation_id.is_none(), "round {round}: an expired hold releases its slot");
        }
    }
    assert!(confirms_won >= 1 && expiries_won >= 1, "each side won: {confirms_won} {expiries_won}");
}

#[tokio::test]
async fn a_duplicate_expiry_delivery_changes_nothing() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let expires_at = b.until_the_hold_runs_out(&r).await;
    let message = ExpiryMessage { reservation_id: r.clone(), expires_at };
    let queue = &b.stack.queue("BookingExpiryQueue").url;
    for _ in 0..2 {
        b.sqs()
            .send_message()
            .queue_url(queue)
            .message_body(serde_json::to_string(&message).unwrap())
            .send()
            .await
            .unwrap();
    }
    let source = b.expiry_source();
    let worker = b.worker();
    let mut handled = 0;
    let mut first_expiry = None;
    // The original message plus the two duplicates: all succeed, one expiry is recorded.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while handled < 3 {
        assert!(std::time::Instant::now() < deadline, "three deliveries handled in time (got {handled})");
        let outcome = source.poll_once(&worker, 1).await.unwrap();
        assert_eq!(outcome.failed, 0, "a duplicate is not a failure");
        handled += outcome.deleted;
        let stored = b.stored(&r).await;
        if stored.status == booking::domain::Status::Expired {
            let at = *first_expiry.get_or_insert(stored.expired_at);
            assert_eq!(stored.expired_at, at, "a later delivery does not rewrite the expiry");
        }
    }
    assert_eq!(handled, 3);
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Expired);
    assert_eq!(b.listed(&p).await, [slot]);
}

/// The expiry worker, keeping every batch it was given and every answer it gave.
struct Recorded {
    worker: InProcess,
    calls: std::sync::Mutex<Vec<(Value, Result<Value, String>)>>,
}

impl local_stack::invoke::Invoker for Recorded {
    async fn invoke(&self, function: &str, payload: Value) -> Result<Value, String> {
        let outcome = self.worker.invoke(function, payload.clone()).await;
        self.calls.lock().unwrap().push((payload, outcome.clone()));
        outcome
    }
}

#[tokio::test]
async fn a_poison_message_goes_to_the_dead_letter_queue_without_blocking_its_batch() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let queue = b.stack.queue("BookingExpiryQueue").url.clone();
    let dlq = b.stack.queue("BookingExpiryDeadLetterQueue").url.clone();
    // A short visibility timeout so that retries come quickly (in AWS it is 90 s).
    b.sqs()
        .set_queue_attributes()
        .queue_url(&queue)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, "1")
        .send()
        .await
        .unwrap();
    let expires_at = b.until_the_hold_runs_out(&r).await;
    // A valid, undelayed expiry message and a poison one, visible together: one batch.
    let send = |body: String| {
        let (sqs, queue) = (b.sqs(), queue.clone());
        async move { sqs.send_message().queue_url(queue).message_body(body).send().await.unwrap().message_id.unwrap() }
    };
    let valid = send(serde_json::to_string(&ExpiryMessage { reservation_id: r.clone(), expires_at }).unwrap()).await;
    let poison = send("{not json".to_owned()).await;

    let source = b.expiry_source();
    let worker = Recorded { worker: b.worker(), calls: Default::default() };
    let first = source.poll_once(&worker, 1).await.unwrap();
    let (batch, answer) = worker.calls.lock().unwrap()[0].clone();
    let delivered: Vec<&str> =
        batch["Records"].as_array().unwrap().iter().map(|m| m["messageId"].as_str().unwrap()).collect();
    assert!(delivered.contains(&valid.as_str()) && delivered.contains(&poison.as_str()), "{delivered:?}");
    // Exactly one failure reported, the poison's; everything else in the batch was handled and
    // deleted (the hold's own delayed message may have been in it too).
    assert_eq!(answer.unwrap(), json!({"batchItemFailures": [{"itemIdentifier": poison}]}));
    assert_eq!((first.failed, first.deleted), (1, first.received - 1), "{first:?}");
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Expired);

    let mut poison_failures = first.failed;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        assert!(std::time::Instant::now() < deadline, "the poison message reaches the dead-letter queue in time");
        let dead = b.sqs().receive_message().queue_url(&dlq).send().await.unwrap().messages.unwrap_or_default();
        if dead.iter().any(|m| m.body.as_deref() == Some("{not json")) {
            break;
        }
        let outcome = source.poll_once(&worker, 1).await.unwrap();
        poison_failures += outcome.failed;
    }
    assert_eq!(poison_failures, 5, "retried up to maxReceiveCount");
    // The valid message was deleted: it never came back while the poison did.
    for (batch, _) in worker.calls.lock().unwrap().iter().skip(1) {
        for record in batch["Records"].as_array().unwrap() {
            assert_ne!(record["messageId"].as_str(), Some(valid.as_str()), "the handled message came back");
        }
    }
}

#[tokio::test]
async fn an_early_message_waits_for_the_stored_due_time() {
    let b = Booking::new(1800).await;
    let now = Utc::now();
    // Two hours ahead: SQS delays stop at 900 s, so it waits 900 s and is looked at again.
    let message = ExpiryMessage { reservation_id: "r-1".into(), expires_at: now + chrono::Duration::hours(2) };
    let step = ops::handle_expiry_message(b.app, &message, now).await.unwrap();
    assert_eq!(step, ExpiryStep::Requeue(900), "the delay is capped at SQS's 900 s");
    // Ten minutes ahead: it waits exactly that.
    let sooner = ExpiryMessage { reservation_id: "r-2".into(), expires_at: now + chrono::Duration::minutes(10) };
    assert_eq!(ops::handle_expiry_message(b.app, &sooner, now).await.unwrap(), ExpiryStep::Requeue(600));
    let queue = &b.stack.queue("BookingExpiryQueue").url;
    let attributes = b
        .sqs()
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .unwrap();
    let delayed = attributes.attributes.unwrap()
        [&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed]
        .clone();
    assert_eq!(delayed, "2", "re-enqueued with a delay, not handled early");
    let visible = b.sqs().receive_message().queue_url(queue).send().await.unwrap().messages.unwrap_or_default();
    assert!(visible.is_empty(), "{visible:?}");
}

#[tokio::test]
async fn the_sweep_expires_holds_the_queue_missed() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let r1 = b.hold(&c, &slots[0]).await;
    let r2 = b.hold(&c, &slots[1]).await;
    assert_eq!(b.confirm(&r2, &c).await.status, 200);
    b.until_the_hold_runs_out(&r1).await;
    // The index is eventually consistent; the sweep finds the hold within moments.
    let bref = &b;
    let swept = eventually("the sweep expires the hold", Duration::from_secs(30), move || async move {
        let reply = bref.expire_now().await;
        assert_eq!(reply.status, 200);
        let expired = reply.body["expired"].as_array().unwrap().clone();
        (!expired.is_empty()).then_some(expired)
    })
    .await;
    assert_eq!(swept.len(), 1, "only the overdue hold, not the confirmed one");
    assert_eq!(
        (swept[0]["reservation_id"].as_str(), swept[0]["status"].as_str()),
        (Some(r1.as_str()), Some("expired"))
    );
    assert_eq!(b.expire_now().await.body["expired"], json!([]), "nothing left to sweep");
    assert_eq!(b.stored(&r2).await.status, booking::domain::Status::Confirmed);
    // The scheduled function runs the same sweep.
    let event = sweep_event();
    assert_eq!(
        handlers::scheduled_sweep(b.app, event).await.unwrap(),
        json!({"expired": 0, "failed": 0, "finished": true})
    );
}

#[tokio::test]
async fn the_sweep_carries_on_past_a_hold_it_cannot_expire_and_stops_at_its_time_budget() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    // A held reservation whose slot id is garbage: expiring it fails every time. It is due
    // before the real one, so the sweep meets it first.
    let mut poison = b.stored(&r).await;
    poison.reservation_id = "poison".into();
    poison.slot_id = "garbage".into();
    poison.expires_at -= chrono::Duration::hours(1);
    let mut item =
        shared::dynamo::item_at(booking::store::reservation_key("poison"), &poison).expect("a reservation item");
    item.insert("hold_pk".into(), shared::dynamo::s("HELD"));
    item.insert("hold_expires_ms".into(), shared::dynamo::n(poison.expires_at.timestamp_millis()));
    aws_sdk_dynamodb::Client::new(&b.sdk)
        .put_item()
        .table_name(b.stack.table("BookingTable"))
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    b.until_the_hold_runs_out(&r).await;

    // Out of time before the first hold: it stops without touching anything, and that is no
    // failure.
    let stopped = ops::sweep(b.app, Utc::now(), Duration::ZERO).await.unwrap();
    assert!(stopped.expired.is_empty() && stopped.failed == 0, "{stopped:?}");
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Held);

    // The poison fails, is counted, and the sweep goes on to expire the real hold.
    let bref = &b;
    let swept = eventually("the sweep expires the hold", Duration::from_secs(30), move || async move {
        let sweep = ops::sweep(bref.app, Utc::now(), ops::SWEEP_BUDGET).await.unwrap();
        (!sweep.expired.is_empty()).then_some(sweep)
    })
    .await;
    assert_eq!(swept.expired.iter().map(|r| r.reservation_id.as_str()).collect::<Vec<_>>(), [r.as_str()]);
    assert_eq!((swept.failed, swept.finished), (1, true));
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Expired);
    // Only the poison is left: nothing could be done and something failed, which is an error
    // (on demand a 500; for the schedule a failed run, which it retries).
    assert_eq!(b.expire_now().await.status, 500);
    let event = sweep_event();
    assert!(handlers::scheduled_sweep(b.app, event).await.is_err());
    assert_eq!(b.stored("poison").await.status, booking::domain::Status::Held);
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let wrong = call((), handlers::fallback, request("GET", "/booking/v1/reservations", None)).await;
    assert_eq!((wrong.status, wrong.code()), (405, Some("method_not_allowed")));
    let unknown = call((), handlers::fallback, request("GET", "/booking/v1/nothing", None)).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("route_not_found")));
}

#[tokio::test]
async fn ids_that_cannot_be_ours_are_not_found_without_asking_the_database() {
    // Nothing listens on this port: any request that reached the database would be a 503.
    let port = local_stack::emulator::free_port().unwrap();
    let unreachable = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let config = Config { table: "unreachable".into(), expiry_queue_url: None, timings: timings(1800) };
    let real = Booking::new(1800).await;
    let b = Booking { app: Box::leak(Box::new(App::new(&unreachable, &config))), stack: real.stack, sdk: real.sdk };

    let long = "x".repeat(3000);
    let slot = format!("{}.{}.15", shared::ids::new_id(), at(3, 9, 0).format("%Y%m%dT%H%MZ"));
    let range = json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0))});
    let cases = [
        (b.add_availability(&long, range).await, "provider_not_found"),
        (b.list(&long, "").await, "provider_not_found"),
        (b.reserve("some-client", &format!("{long}.20261124T1015Z.15")).await, "slot_not_found"),
        (b.reserve(&long, &slot).await, "client_not_found"),
        (b.get(&long).await, "reservation_not_found"),
        (b.confirm(&long, "some-client").await, "reservation_not_found"),
        (b.cancel(&long, Some("some-client")).await, "reservation_not_found"),
        (b.delete_slot(&long, &long).await, "slot_not_found"),
    ];
    for (reply, code) in cases {
        assert_eq!((reply.status, reply.code()), (404, Some(code)), "{reply:?}");
    }
    // The control: a plausible id does ask, and gets the outage.
    let reply = b.get(&shared::ids::new_id()).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
}

#[tokio::test]
async fn transaction_conflicts_are_retried_a_bounded_number_of_times_then_503() {
    let b = Booking::new(1800).await;
    let table = b.stack.table("BookingTable").to_owned();
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;

    // A conflict or two: the client never sees them.
    inject_conflicts(&table, "TransactWriteItems", 2).await;
    let r = b.hold(&c, &slots[0]).await;
    inject_conflicts(&table, "TransactWriteItems", 2).await;
    assert_eq!(b.confirm(&r, &c).await.status, 200);

    // Conflicts that do not end: a 503 after the bounded retries, and nothing half-done.
    inject_conflicts(&table, "TransactWriteItems", 10_000).await;
    let reply = b.reserve(&c, &slots[1]).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    let reply = b.cancel(&r, Some(&c)).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    inject_conflicts(&table, "TransactWriteItems", 0).await;
    assert_eq!(b.listed(&p).await, [slots[1].clone()], "the refused reservation took nothing");
    assert_eq!(b.get(&r).await.body["status"], "confirmed", "the refused cancel changed nothing");
    assert_eq!(b.reserve(&c, &slots[1]).await.status, 201);
}
