//! This service's fixtures: a walk-in app on a fresh copy of the stack, and one method per
//! endpoint that calls its handler in-process.

use lambda_http::RequestExt;
use serde_json::{Value, json};
use shared::cursor::Cursors;
use system_tests::{Reply, call, fresh_stack, request, sdk, with_path_params};
use walkin::{App, Config, entrypoints::http};

/// The test key of the queue's cursors (any 32 characters do).
pub const CURSOR_KEY: &str = "walkin-tests-cursor-signing-key-0001";

pub fn config(table: &str) -> Config {
    Config { table: table.to_owned(), cursors: Some(Cursors::new(CURSOR_KEY)) }
}

pub struct Walkin {
    pub app: App,
    pub table: String,
}

impl Walkin {
    pub async fn new() -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let table = stack.table("WalkinTable").to_owned();
        Self { app: App::new(&sdk, &config(&table)), table }
    }

    pub async fn register(&self, first: &str, phone: &str, vip: bool) -> Reply {
        let body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone, "vip": vip});
        call(&self.app, http::register_customer, request("POST", "/walkin/v1/customers", Some(body))).await
    }

    pub async fn check_in(&self, first: &str, phone: &str) -> Reply {
        let body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone});
        self.check_in_raw(body).await
    }

    pub async fn check_in_raw(&self, body: Value) -> Reply {
        call(&self.app, http::check_in, request("POST", "/walkin/v1/appointment", Some(body))).await
    }

    /// Registers and checks in; returns the ticket number.
    pub async fn arrive(&self, first: &str, phone: &str, vip: bool) -> u64 {
        assert_eq!(self.register(first, phone, vip).await.status, 201);
        let reply = self.check_in(first, phone).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["service_id"].as_u64().unwrap()
    }

    pub async fn next(&self) -> Reply {
        call(&self.app, http::next, request("POST", "/walkin/v1/appointment/next", None)).await
    }

    pub async fn status(&self, id: &str) -> Reply {
        let req =
            with_path_params(request("GET", &format!("/walkin/v1/appointment/{id}"), None), &[("service_id", id)]);
        call(&self.app, http::get_appointment, req).await
    }

    pub async fn cancel(&self, id: &str) -> Reply {
        let req =
            with_path_params(request("DELETE", &format!("/walkin/v1/appointment/{id}"), None), &[("service_id", id)]);
        call(&self.app, http::cancel_appointment, req).await
    }

    pub async fn queue(&self) -> Reply {
        call(&self.app, http::queue, request("GET", "/walkin/v1/queue", None)).await
    }

    /// One page of the queue: `query` is the query string (`limit=10&cursor=...`).
    pub async fn queue_page(&self, query: &str) -> Reply {
        let params: std::collections::HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let req = request("GET", "/walkin/v1/queue", None).with_query_string_parameters(params);
        call(&self.app, http::queue, req).await
    }

    /// Calls `next` until the queue is empty; the first names in serving order.
    pub async fn serve_all(&self) -> Vec<String> {
        let mut served = Vec::new();
        loop {
            let reply = self.next().await;
            if reply.status == 404 {
                assert_eq!(reply.code(), Some("queue_empty"));
                return served;
            }
            assert_eq!(reply.status, 200, "{reply:?}");
            served.push(reply.body["first_name"].as_str().unwrap().to_owned());
        }
    }
}

pub fn phone(n: usize) -> String {
    format!("+4420700{n:05}")
}
