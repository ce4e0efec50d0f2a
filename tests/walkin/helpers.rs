//! This service's fixtures: a walk-in app on a fresh copy of the stack (its own user pool), a
//! few signed-in users, and one method per endpoint that calls its handler in-process, as the
//! caller the route expects: staff at the desk, nobody at the kiosk and the public board.

use std::sync::atomic::{AtomicU32, Ordering};

use aws_config::SdkConfig;
use lambda_http::RequestExt;
use local_stack::Stack;
use serde_json::{Value, json};
use shared::cursor::Cursors;
use system_tests::{Reply, User, as_user, auth_config, call, fresh_stack, request, sdk, user, with_header};
use walkin::{
    App, Config,
    entrypoints::http,
    ops::notify::{self, Report},
    queue::NoticeMessage,
};

/// The test key of the queue's cursors (any 32 characters do).
pub const CURSOR_KEY: &str = "walkin-tests-cursor-signing-key-0001";

/// The walk-in configuration on `stack`: its table, its user pool.
/// The sender of email notices (the template's identity, verified on the stack).
pub const FROM: &str = "walkin@example.com";

pub fn config(stack: &Stack) -> Config {
    Config {
        cursors: Some(Cursors::new(CURSOR_KEY)),
        notices_queue_url: Some(stack.queue("WalkinNoticesQueue").url.clone()),
        from_email: Some(FROM.to_owned()),
        ..Config::new(stack.table("WalkinTable"), auth_config(stack))
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
    pub sdk: SdkConfig,
    pub notices_url: String,
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
        Self::on(App::new(&sdk, &config(&stack)), &stack, people).await
    }

    /// A walk-in app on `stack`, used by `people`.
    pub async fn on(app: App, stack: &Stack, people: People) -> Self {
        let People { staff, admin, someone } = people;
        Self {
            app,
            sdk: sdk().await,
            notices_url: stack.queue("WalkinNoticesQueue").url.clone(),
            table: stack.table("WalkinTable").to_owned(),
            staff,
            admin,
            someone,
        }
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

    /// Calls the next customer to `desk` (staff).
    pub async fn next_at(&self, desk: &str) -> Reply {
        let req = request("POST", "/walkin/v1/appointment/next", Some(json!({"desk": desk})));
        call(&self.app, http::next, as_user(req, &self.staff)).await
    }

    /// Marks ticket `id` served (staff).
    pub async fn served(&self, id: u64) -> Reply {
        let req = request("POST", &format!("/walkin/v1/appointment/{id}/served"), None);
        call(&self.app, http::served, as_user(req, &self.staff)).await
    }

    /// Marks ticket `id` no-show (staff).
    pub async fn no_show(&self, id: u64) -> Reply {
        let req = request("POST", &format!("/walkin/v1/appointment/{id}/no_show"), None);
        call(&self.app, http::no_show, as_user(req, &self.staff)).await
    }

    /// Calls ticket `id` again (staff).
    pub async fn recall(&self, id: u64) -> Reply {
        let req = request("POST", &format!("/walkin/v1/appointment/{id}/recall"), None);
        call(&self.app, http::recall, as_user(req, &self.staff)).await
    }

    /// Registers a customer with `extra` fields (`notify`, `email`) at the desk.
    pub async fn register_with(&self, first: &str, phone: &str, extra: Value) -> Reply {
        let mut body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone});
        body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        call(
            &self.app,
            http::register_customer,
            as_user(request("POST", "/walkin/v1/customers", Some(body)), &self.staff),
        )
        .await
    }

    /// Every message on the notices queue, deleted.
    pub async fn notices(&self) -> Vec<NoticeMessage> {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        let mut messages = Vec::new();
        loop {
            let out =
                sqs.receive_message().queue_url(&self.notices_url).max_number_of_messages(10).send().await.unwrap();
            let batch = out.messages.unwrap_or_default();
            if batch.is_empty() {
                return messages;
            }
            for m in batch {
                messages.push(serde_json::from_str(m.body().unwrap()).expect("a notice message"));
                let receipt = m.receipt_handle().unwrap();
                sqs.delete_message().queue_url(&self.notices_url).receipt_handle(receipt).send().await.unwrap();
            }
        }
    }

    /// The notifier's handling of `message`.
    pub async fn deliver(&self, message: &NoticeMessage) -> Report {
        notify::deliver(&self.app.notifier(), message).await.expect("notices delivered")
    }

    /// Takes every queued notice message and delivers each once; the reports.
    pub async fn deliver_all(&self) -> Vec<Report> {
        let mut reports = Vec::new();
        for message in self.notices().await {
            reports.push(self.deliver(&message).await);
        }
        reports
    }

    pub async fn next_as(&self, who: Option<&User>) -> Reply {
        call(&self.app, http::next, by(request("POST", "/walkin/v1/appointment/next", None), who)).await
    }

    /// A ticket's status, as anyone sees it.
    pub async fn status(&self, id: &str) -> Reply {
        call(&self.app, http::get_appointment, request("GET", &format!("/walkin/v1/appointment/{id}"), None)).await
    }

    /// A ticket's status word.
    pub async fn status_of(&self, id: u64) -> String {
        self.status(&id.to_string()).await.body["status"].as_str().unwrap_or_default().to_owned()
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

/// A phone number (E.164) no other test of this run uses: the outbox is shared by every test of
/// the endpoint.
pub fn unique_phone() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("+1555{:05}{:04}", std::process::id() % 100_000, N.fetch_add(1, Ordering::Relaxed))
}

/// The SMS the outbox holds for `phone`, oldest first.
pub async fn sms_to(phone: &str) -> Vec<String> {
    let mut texts: Vec<String> = system_tests::outbox()
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms" && m["to"].as_array().is_some_and(|to| to.iter().any(|t| t == phone)))
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    texts.reverse();
    texts
}
