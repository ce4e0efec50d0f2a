//! This service's fixtures: a booking app on a fresh copy of the stack (its user pool included),
//! users signed in through that pool, one method per endpoint that calls its handler in-process
//! as a given user (or anonymously), and the helpers the tests share.

use std::{
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use aws_config::SdkConfig;
use booking::{
    App, Config,
    domain::{Reservation, SlotMinutes, Timings},
    entrypoints::{http, sqs},
};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use futures::future::join_all;
use local_stack::{Stack, triggers::SqsSource};
use serde_json::{Value, json};
use shared::auth::PROVIDER;
use system_tests::{
    InProcess, Reply, User, auth_config, call, eventually, fresh_stack, request, sdk, template, user, with_header,
};

pub struct Booking {
    pub app: &'static App,
    pub stack: Stack,
    pub sdk: SdkConfig,
    /// A member of `admin`, for the routes only admins call.
    pub admin: User,
}

pub fn timings(hold_seconds: i64) -> Timings {
    Timings {
        hold: chrono::Duration::seconds(hold_seconds),
        min_lead: chrono::Duration::hours(24),
        default_slot_minutes: SlotMinutes::try_from(15).unwrap(),
        retention: chrono::Duration::days(730),
    }
}

/// `hour:minute` UTC, `days` days from today.
pub fn at(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let day = Utc::now() + chrono::Duration::days(days);
    Utc.with_ymd_and_hms(day.year(), day.month(), day.day(), hour, minute, 0).unwrap()
}

pub fn text(ts: DateTime<Utc>) -> String {
    shared::time::format(ts)
}

/// The test key of the listings' cursors (any 32 characters do).
pub const CURSOR_KEY: &str = "booking-tests-cursor-signing-key-01";

/// The contract's default hold limit.
pub const MAX_HOLDS: u32 = 3;

/// The configuration of a test stack's functions.
pub fn config(stack: &Stack, hold_seconds: i64, max_holds: u32) -> Config {
    Config {
        table: stack.table("BookingTable").to_owned(),
        expiry_queue_url: Some(stack.queue("BookingExpiryQueue").url.clone()),
        timings: timings(hold_seconds),
        cursors: Some(shared::cursor::Cursors::new(CURSOR_KEY)),
        max_holds_per_client: max_holds,
        reserve_quota: shared::quota::Limit {
            name: booking::RESERVE_QUOTA,
            limit: 1000,
            window: shared::quota::Window::Hour,
        },
        auth: auth_config(stack),
        notice_queue_url: Some(stack.queue("BookingNoticeQueue").url.clone()),
        from_email: Some(FROM.to_owned()),
        reminder: chrono::Duration::hours(24),
    }
}

/// The sender of the test stacks' booking emails (the template's default, verified locally).
pub const FROM: &str = "bookings@example.com";

impl Booking {
    pub async fn new(hold_seconds: i64) -> Self {
        Self::with_max_holds(hold_seconds, MAX_HOLDS).await
    }

    pub async fn with_max_holds(hold_seconds: i64, max_holds: u32) -> Self {
        Self::with(hold_seconds, max_holds, |_| ()).await
    }

    /// A booking app whose configuration `change` adjusts further (a quota, ...).
    pub async fn with(hold_seconds: i64, max_holds: u32, change: impl FnOnce(&mut Config)) -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let mut config = config(&stack, hold_seconds, max_holds);
        change(&mut config);
        // The app lives as long as the test process, as it does in a Lambda process.
        let app = shared::app::for_process(App::new(&sdk, &config));
        let admin = user(&stack, "admin@example.com", &["admin"]).await;
        Self { app, stack, sdk, admin }
    }

    /// A new user of the stack's pool in `groups`, signed in.
    pub async fn user(&self, groups: &[&str]) -> User {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        // Unique across test processes too: the emulator's outbox is shared.
        let email =
            format!("user{}.{}@example.com", COUNTER.fetch_add(1, Ordering::Relaxed), &shared::ids::new_id()[..8]);
        user(&self.stack, &email, groups).await
    }

    /// A new provider with a profile.
    pub async fn provider(&self) -> User {
        let provider = self.user(&[PROVIDER]).await;
        let reply =
            self.post(&provider, "/booking/v1/providers", json!({"first_name": "Pat", "last_name": "Provider"})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        assert_eq!(reply.body["provider_id"], provider.sub.as_str());
        provider
    }

    /// A new signed-in user with a client profile.
    pub async fn client(&self) -> User {
        let client = self.user(&[]).await;
        let reply =
            self.post(&client, "/booking/v1/clients", json!({"first_name": "Cam", "last_name": "Client"})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        assert_eq!(reply.body["client_id"], client.sub.as_str());
        client
    }

    /// `n` new clients, made concurrently.
    pub async fn clients(&self, n: usize) -> Vec<User> {
        join_all((0..n).map(|_| self.client())).await
    }

    /// Any route of the service, by its method and path as the route table writes them
    /// (`/booking/v1/reservations/{reservation_id}`), with the path parameters, query (`a=1&b=2`)
    /// and body given, as `caller` sends it (anonymously without one), through the handler the
    /// template routes it to.
    pub async fn route(
        &self,
        method: &str,
        template: &str,
        params: &[(&str, &str)],
        query: &str,
        body: Option<Value>,
        caller: Option<&User>,
    ) -> Reply {
        let authorization = caller.map(|caller| format!("Bearer {}", caller.token));
        self.route_with(method, template, params, query, body, authorization.as_deref()).await
    }

    /// [`Booking::route`] with any `Authorization` header (or none).
    pub async fn route_with(
        &self,
        method: &str,
        template: &str,
        params: &[(&str, &str)],
        query: &str,
        body: Option<Value>,
        authorization: Option<&str>,
    ) -> Reply {
        let path =
            params.iter().fold(template.to_owned(), |path, (name, value)| path.replace(&format!("{{{name}}}"), value));
        let mut req = request(method, &path, body);
        if !query.is_empty() {
            req = lambda_http::RequestExt::with_query_string_parameters(req, parse_query(query));
        }
        if let Some(authorization) = authorization {
            req = with_header(req, "authorization", authorization);
        }
        let app = self.app;
        // Each handler's future on the heap: the largest of them, inlined into every test's
        // future, would overflow a test thread's stack in debug builds.
        match (method, template) {
            ("POST", "/booking/v1/providers") => Box::pin(call(app, http::create_provider, req)).await,
            ("GET", "/booking/v1/providers") => Box::pin(call(app, http::list_providers, req)).await,
            ("POST", "/booking/v1/clients") => Box::pin(call(app, http::create_client, req)).await,
            ("POST", "/booking/v1/providers/{provider_id}/availability") => {
                Box::pin(call(app, http::add_availability, req)).await
            }
            ("GET", "/booking/v1/providers/{provider_id}/availability") => {
                Box::pin(call(app, http::list_availability, req)).await
            }
            ("GET", "/booking/v1/providers/{provider_id}/reservations") => {
                Box::pin(call(app, http::list_provider_reservations, req)).await
            }
            ("DELETE", "/booking/v1/providers/{provider_id}/slots/{slot_id}") => {
                Box::pin(call(app, http::delete_slot, req)).await
            }
            ("POST", "/booking/v1/reservations") => Box::pin(call(app, http::reserve, req)).await,
            ("GET", "/booking/v1/clients/me/reservations") => {
                Box::pin(call(app, http::list_my_reservations, req)).await
            }
            ("POST", "/booking/v1/reservations/expire") => Box::pin(call(app, http::expire_now, req)).await,
            ("GET", "/booking/v1/reservations/{reservation_id}") => {
                Box::pin(call(app, http::get_reservation, req)).await
            }
            ("DELETE", "/booking/v1/reservations/{reservation_id}") => Box::pin(call(app, http::cancel, req)).await,
            ("POST", "/booking/v1/reservations/{reservation_id}/confirm") => {
                Box::pin(call(app, http::confirm, req)).await
            }
            ("POST", "/booking/v1/reservations/{reservation_id}/reschedule") => {
                Box::pin(call(app, http::reschedule, req)).await
            }
            ("PATCH", "/booking/v1/providers/me") => Box::pin(call(app, http::update_provider, req)).await,
            ("DELETE", "/booking/v1/providers/me") => Box::pin(call(app, http::delete_provider, req)).await,
            ("PATCH", "/booking/v1/clients/me") => Box::pin(call(app, http::update_client, req)).await,
            ("DELETE", "/booking/v1/clients/me") => Box::pin(call(app, http::delete_client, req)).await,
            other => panic!("no handler for {other:?}: add it to Booking::route"),
        }
    }

    /// A POST without path parameters (profiles, reservations) as `caller`.
    pub async fn post(&self, caller: &User, path: &str, body: Value) -> Reply {
        self.route("POST", path, &[], "", Some(body), Some(caller)).await
    }

    /// Availability of `provider_id` posted by `caller`.
    pub async fn add_availability_as(&self, caller: Option<&User>, provider_id: &str, body: Value) -> Reply {
        let params = [("provider_id", provider_id)];
        self.route("POST", "/booking/v1/providers/{provider_id}/availability", &params, "", Some(body), caller).await
    }

    /// The provider's own availability.
    pub async fn add_availability(&self, provider: &User, body: Value) -> Reply {
        self.add_availability_as(Some(provider), &provider.sub, body).await
    }

    /// Posts a range of the provider's and returns the created slot ids.
    pub async fn slots(&self, provider: &User, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<String> {
        let reply = self.add_availability(provider, json!({"start_time": text(start), "end_time": text(end)})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        ids(&reply)
    }

    /// A provider's bookable slots, as anyone sees them.
    pub async fn list(&self, provider_id: &str, query: &str) -> Reply {
        let params = [("provider_id", provider_id)];
        self.route("GET", "/booking/v1/providers/{provider_id}/availability", &params, query, None, None).await
    }

    pub async fn listed(&self, provider_id: &str) -> Vec<String> {
        let reply = self.list(provider_id, "").await;
        assert_eq!(reply.status, 200, "{reply:?}");
        ids(&reply)
    }

    /// The client holds a slot.
    pub async fn reserve(&self, client: &User, slot: &str) -> Reply {
        self.post(client, "/booking/v1/reservations", json!({"slot_id": slot})).await
    }

    pub async fn hold(&self, client: &User, slot: &str) -> String {
        let reply = self.reserve(client, slot).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["reservation_id"].as_str().unwrap().to_owned()
    }

    pub async fn confirm_as(&self, caller: Option<&User>, reservation: &str, body: Option<Value>) -> Reply {
        let params = [("reservation_id", reservation)];
        self.route("POST", "/booking/v1/reservations/{reservation_id}/confirm", &params, "", body, caller).await
    }

    /// The client confirms (no body: the caller is the client).
    pub async fn confirm(&self, client: &User, reservation: &str) -> Reply {
        self.confirm_as(Some(client), reservation, None).await
    }

    pub async fn cancel_as(&self, caller: Option<&User>, reservation: &str, query: &str) -> Reply {
        let params = [("reservation_id", reservation)];
        self.route("DELETE", "/booking/v1/reservations/{reservation_id}", &params, query, None, caller).await
    }

    pub async fn cancel(&self, client: &User, reservation: &str) -> Reply {
        self.cancel_as(Some(client), reservation, "").await
    }

    /// `caller` cancels with a body (a provider's reason).
    pub async fn cancel_with(&self, caller: &User, reservation: &str, body: Value) -> Reply {
        let params = [("reservation_id", reservation)];
        self.route("DELETE", "/booking/v1/reservations/{reservation_id}", &params, "", Some(body), Some(caller)).await
    }

    /// The client moves their reservation to `slot`.
    pub async fn reschedule(&self, client: &User, reservation: &str, slot: &str) -> Reply {
        let params = [("reservation_id", reservation)];
        let body = Some(json!({"slot_id": slot}));
        self.route("POST", "/booking/v1/reservations/{reservation_id}/reschedule", &params, "", body, Some(client))
            .await
    }

    pub async fn get(&self, caller: &User, reservation: &str) -> Reply {
        let params = [("reservation_id", reservation)];
        self.route("GET", "/booking/v1/reservations/{reservation_id}", &params, "", None, Some(caller)).await
    }

    pub async fn delete_slot_as(&self, caller: Option<&User>, provider_id: &str, slot: &str) -> Reply {
        let params = [("provider_id", provider_id), ("slot_id", slot)];
        self.route("DELETE", "/booking/v1/providers/{provider_id}/slots/{slot_id}", &params, "", None, caller).await
    }

    /// The provider removes a slot of theirs.
    pub async fn delete_slot(&self, provider: &User, slot: &str) -> Reply {
        self.delete_slot_as(Some(provider), &provider.sub, slot).await
    }

    /// The sweep on demand, as an admin.
    pub async fn expire_now(&self) -> Reply {
        self.route("POST", "/booking/v1/reservations/expire", &[], "", None, Some(&self.admin)).await
    }

    /// The public directory.
    pub async fn providers(&self, query: &str) -> Reply {
        self.route("GET", "/booking/v1/providers", &[], query, None, None).await
    }

    pub async fn provider_reservations_as(&self, caller: &User, provider_id: &str, query: &str) -> Reply {
        let params = [("provider_id", provider_id)];
        self.route("GET", "/booking/v1/providers/{provider_id}/reservations", &params, query, None, Some(caller)).await
    }

    /// The provider's own appointments.
    pub async fn provider_reservations(&self, provider: &User, query: &str) -> Reply {
        self.provider_reservations_as(provider, &provider.sub, query).await
    }

    /// The client's own reservations.
    pub async fn my_reservations(&self, client: &User, query: &str) -> Reply {
        self.route("GET", "/booking/v1/clients/me/reservations", &[], query, None, Some(client)).await
    }

    /// The client's unconfirmed holds, as their profile counts them.
    pub async fn held_by(&self, client: &User) -> Vec<String> {
        let mut held = self.app.store.held_by(&client.sub).await.unwrap().expect("a client profile");
        held.sort();
        held
    }

    /// Waits (polling, with a deadline) until the hold of `reservation` has run out by the clock;
    /// nothing else happens to it meanwhile.
    pub async fn until_the_hold_runs_out(&self, reservation: &str) -> DateTime<Utc> {
        let expires_at = self.stored(reservation).await.expires_at;
        eventually("the hold runs out", Duration::from_secs(30), move || async move {
            (Utc::now() > expires_at).then_some(())
        })
        .await;
        expires_at
    }

    /// The reservation exactly as stored, without the read-time view of an overdue hold.
    pub async fn stored(&self, reservation: &str) -> Reservation {
        self.app.store.reservation(reservation).await.unwrap().expect("stored reservation")
    }

    /// The expiry queue's event source, as the template declares it.
    pub fn expiry_source(&self) -> SqsSource {
        SqsSource::from_template(template(), &self.stack, &self.sdk)
            .unwrap()
            .into_iter()
            .find(|s| s.function == "booking-expiry-worker")
            .expect("the template maps the expiry queue to booking-expiry-worker")
    }

    pub fn worker(&self) -> InProcess {
        let app = self.app;
        InProcess::default().on("booking-expiry-worker", move |event| sqs::expiry_worker(app, event))
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk)
    }
}

/// The event the sweep's schedule sends now, as the local trigger makes it.
pub fn sweep_event() -> aws_lambda_events::cloudwatch_events::CloudWatchEvent {
    let source = local_stack::triggers::ScheduleSource {
        function: "booking-sweep".into(),
        rule: "Sweep".into(),
        every: Duration::from_secs(300),
    };
    serde_json::from_value(source.event(Utc::now())).unwrap()
}

pub fn ids(reply: &Reply) -> Vec<String> {
    reply.body["slots"].as_array().unwrap().iter().map(|s| s["slot_id"].as_str().unwrap().to_owned()).collect()
}

fn parse_query(query: &str) -> std::collections::HashMap<String, String> {
    query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

pub fn starts(reply: &Reply) -> Vec<String> {
    reply.body["slots"].as_array().unwrap().iter().map(|s| s["start_time"].as_str().unwrap().to_owned()).collect()
}

/// The reservation ids of a listing of reservations, in its order.
pub fn reservation_ids(reply: &Reply) -> Vec<String> {
    reply.body["reservations"]
        .as_array()
        .unwrap_or_else(|| panic!("a listing of reservations: {reply:?}"))
        .iter()
        .map(|r| r["reservation_id"].as_str().unwrap().to_owned())
        .collect()
}
