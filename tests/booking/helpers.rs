//! This service's fixtures: a booking app on a fresh copy of the stack, one method per endpoint
//! that calls its handler in-process, and the helpers the tests share.

use std::time::Duration;

use aws_config::SdkConfig;
use booking::{
    App, Config,
    domain::{Reservation, SlotMinutes, Timings},
    entrypoints::{http, sqs},
};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use local_stack::{Stack, triggers::SqsSource};
use serde_json::{Value, json};
use system_tests::{InProcess, Reply, call, eventually, fresh_stack, request, sdk, template, with_path_params};

pub struct Booking {
    pub app: &'static App,
    pub stack: Stack,
    pub sdk: SdkConfig,
}

pub fn timings(hold_seconds: i64) -> Timings {
    Timings {
        hold: chrono::Duration::seconds(hold_seconds),
        min_lead: chrono::Duration::hours(24),
        default_slot_minutes: SlotMinutes::try_from(15).unwrap(),
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

/// The test key of the availability listing's cursors (any 32 characters do).
pub const CURSOR_KEY: &str = "booking-tests-cursor-signing-key-01";

impl Booking {
    pub async fn new(hold_seconds: i64) -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let config = Config {
            table: stack.table("BookingTable").to_owned(),
            expiry_queue_url: Some(stack.queue("BookingExpiryQueue").url.clone()),
            timings: timings(hold_seconds),
            cursors: Some(shared::cursor::Cursors::new(CURSOR_KEY)),
        };
        // The app lives as long as the test process, as it does in a Lambda process.
        let app = shared::app::for_process(App::new(&sdk, &config));
        Self { app, stack, sdk }
    }

    pub async fn post(&self, handler_path: &str, body: Value) -> Reply {
        let req = request("POST", handler_path, Some(body));
        match handler_path {
            "/booking/v1/providers" => call(self.app, http::create_provider, req).await,
            "/booking/v1/clients" => call(self.app, http::create_client, req).await,
            "/booking/v1/reservations" => call(self.app, http::reserve, req).await,
            other => panic!("no POST handler for {other}"),
        }
    }

    pub async fn provider(&self) -> String {
        let reply = self.post("/booking/v1/providers", json!({"first_name": "Pat", "last_name": "Provider"})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["provider_id"].as_str().unwrap().to_owned()
    }

    pub async fn client(&self) -> String {
        let reply = self.post("/booking/v1/clients", json!({"first_name": "Cam", "last_name": "Client"})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["client_id"].as_str().unwrap().to_owned()
    }

    pub async fn add_availability(&self, provider: &str, body: Value) -> Reply {
        let path = format!("/booking/v1/providers/{provider}/availability");
        let req = with_path_params(request("POST", &path, Some(body)), &[("provider_id", provider)]);
        call(self.app, http::add_availability, req).await
    }

    /// Posts a range and returns the created slot ids.
    pub async fn slots(&self, provider: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<String> {
        let reply = self.add_availability(provider, json!({"start_time": text(start), "end_time": text(end)})).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        ids(&reply)
    }

    pub async fn list(&self, provider: &str, query: &str) -> Reply {
        let path = format!("/booking/v1/providers/{provider}/availability");
        let mut req = with_path_params(request("GET", &path, None), &[("provider_id", provider)]);
        if !query.is_empty() {
            req = lambda_http::RequestExt::with_query_string_parameters(req, parse_query(query));
        }
        call(self.app, http::list_availability, req).await
    }

    pub async fn listed(&self, provider: &str) -> Vec<String> {
        let reply = self.list(provider, "").await;
        assert_eq!(reply.status, 200, "{reply:?}");
        ids(&reply)
    }

    pub async fn reserve(&self, client: &str, slot: &str) -> Reply {
        self.post("/booking/v1/reservations", json!({"client_id": client, "slot_id": slot})).await
    }

    pub async fn hold(&self, client: &str, slot: &str) -> String {
        let reply = self.reserve(client, slot).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["reservation_id"].as_str().unwrap().to_owned()
    }

    pub async fn confirm(&self, reservation: &str, client: &str) -> Reply {
        let path = format!("/booking/v1/reservations/{reservation}/confirm");
        let req = with_path_params(
            request("POST", &path, Some(json!({"client_id": client}))),
            &[("reservation_id", reservation)],
        );
        call(self.app, http::confirm, req).await
    }

    pub async fn cancel(&self, reservation: &str, client: Option<&str>) -> Reply {
        let path = format!("/booking/v1/reservations/{reservation}");
        let mut req = with_path_params(request("DELETE", &path, None), &[("reservation_id", reservation)]);
        if let Some(client) = client {
            req =
                lambda_http::RequestExt::with_query_string_parameters(req, parse_query(&format!("client_id={client}")));
        }
        call(self.app, http::cancel, req).await
    }

    pub async fn get(&self, reservation: &str) -> Reply {
        let path = format!("/booking/v1/reservations/{reservation}");
        let req = with_path_params(request("GET", &path, None), &[("reservation_id", reservation)]);
        call(self.app, http::get_reservation, req).await
    }

    pub async fn delete_slot(&self, provider: &str, slot: &str) -> Reply {
        let path = format!("/booking/v1/providers/{provider}/slots/{slot}");
        let req = with_path_params(request("DELETE", &path, None), &[("provider_id", provider), ("slot_id", slot)]);
        call(self.app, http::delete_slot, req).await
    }

    pub async fn expire_now(&self) -> Reply {
        call(self.app, http::expire_now, request("POST", "/booking/v1/reservations/expire", None)).await
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
