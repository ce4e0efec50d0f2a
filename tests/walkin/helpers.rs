//! This service's fixtures: a walk-in app on a fresh copy of the stack (its own user pool), a
//! few signed-in users, and one method per endpoint that calls its handler in-process, as the
//! caller the route expects: staff at the desk, nobody at the kiosk and the public board.

use lambda_http::RequestExt;
use local_stack::Stack;
use serde_json::{Value, json};
use shared::cursor::Cursors;
use system_tests::{Reply, User, as_user, auth_config, call, fresh_stack, request, sdk, user, with_header};
use walkin::{App, Config, entrypoints::http};

/// The test key of the queue's cursors (any 32 characters do).
pub const CURSOR_KEY: &str = "walkin-tests-cursor-signing-key-0001";

/// The walk-in configuration on `stack`: its table, its user pool.
pub fn config(stack: &Stack) -> Config {
    Config {
        table: stack.table("WalkinTable").to_owned(),
        cursors: Some(Cursors::new(CURSOR_KEY)),
        auth: auth_config(stack),
    }
}

/// The people of a test: the desk, an admin, and a signed-in user in no group.
#[derive(Debug, Clone)]
pub struct People {
    pub staff: User,
    pub admin: User,
    pub someone: User,
}

impl People {
    pub async fn of(stack: &Stack) -> Self {
        let (staff, admin, someone) = tokio::join!(
            user(stack, "staff@example.com", &["staff"]),
            user(stack, "admin@example.com", &["admin"]),
            user(stack, "someone@example.com", &[]),
        );
        Self { staff, admin, someone }
    }
}

pub struct Walkin {
    pub app: App,
    pub table: String,
    pub staff: User,
    pub admin: User,
    pub someone: User,
}

/// `req` sent by `who`, or anonymously.
pub fn by(req: lambda_http::Request, who: Option<&User>) -> lambda_http::Request {
    match who {
        Some(user) => as_user(req, user),
        None => req,
    }
}

impl Walkin {
    pub async fn new() -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let people = People::of(&stack).await;
        Self::on(App::new(&sdk, &config(&stack)), &stack, people)
    }

    /// A walk-in app on `stack`, used by `people`.
    pub fn on(app: App, stack: &Stack, people: People) -> Self {
        let People { staff, admin, someone } = people;
        Self { app, table: stack.table("WalkinTable").to_owned(), staff, admin, someone }
    }

    /// Registers a customer at the desk (staff).
    pub async fn register(&self, first: &str, phone: &str, vip: bool) -> Reply {
        self.register_as(Some(&self.staff), first, phone, vip).await
    }

    pub async fn register_as(&self, who: Option<&User>, first: &str, phone: &str, vip: bool) -> Reply {
        let body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone, "vip": vip});
        call(&self.app, http::register_customer, by(request("POST", "/walkin/v1/customers", Some(body)), who)).await
    }

    /// Checks in at the kiosk (anonymously).
    pub async fn check_in(&self, first: &str, phone: &str) -> Reply {
        let body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone});
        self.check_in_raw(body).await
    }

    pub async fn check_in_raw(&self, body: Value) -> Reply {
        call(&self.app, http::check_in, request("POST", "/walkin/v1/appointment", Some(body))).await
    }

    /// Registers and checks in; returns the ticket number.
    pub async fn arrive(&self, first: &str, phone: &str, vip: bool) -> u64 {
        self.arrive_with_token(first, phone, vip).await.0
    }

    /// Registers and checks in; returns the ticket number and its cancel token.
    pub async fn arrive_with_token(&self, first: &str, phone: &str, vip: bool) -> (u64, String) {
        assert_eq!(self.register(first, phone, vip).await.status, 201);
        let reply = self.check_in(first, phone).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        let token = reply.body["cancel_token"].as_str().expect("a cancel token").to_owned();
        (reply.body["service_id"].as_u64().unwrap(), token)
    }

    /// Calls the next customer, at the desk (staff).
    pub async fn next(&self) -> Reply {
        self.next_as(Some(&self.staff)).await
    }

    pub async fn next_as(&self, who: Option<&User>) -> Reply {
        call(&self.app, http::next, by(request("POST", "/walkin/v1/appointment/next", None), who)).await
    }

    /// A ticket's status, as anyone sees it.
    pub async fn status(&self, id: &str) -> Reply {
        call(&self.app, http::get_appointment, request("GET", &format!("/walkin/v1/appointment/{id}"), None)).await
    }

    /// Cancels a ticket at the desk (staff).
    pub async fn cancel(&self, id: &str) -> Reply {
        self.cancel_as(id, Some(&self.staff), None).await
    }

    /// Cancels a ticket as `who`, sending `token` as `X-Cancel-Token` if given.
    pub async fn cancel_as(&self, id: &str, who: Option<&User>, token: Option<&str>) -> Reply {
        let mut req = request("DELETE", &format!("/walkin/v1/appointment/{id}"), None);
        if let Some(token) = token {
            req = with_header(req, "x-cancel-token", token);
        }
        call(&self.app, http::cancel_appointment, by(req, who)).await
    }

    /// The queue as the desk sees it (with names).
    pub async fn queue(&self) -> Reply {
        self.queue_as(Some(&self.staff)).await
    }

    pub async fn queue_as(&self, who: Option<&User>) -> Reply {
        call(&self.app, http::queue, by(request("GET", "/walkin/v1/queue", None), who)).await
    }

    /// One page of the public board: `query` is the query string (`limit=10&cursor=...`).
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
