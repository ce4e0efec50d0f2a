//! The queries: equal to a recomputation from the stored events over a few hundred generated
//! ones, the old system's answers for its sample events, and bad parameters named.

use std::collections::BTreeMap;

use analytics::domain::event::province_key;
use serde_json::{Value, json};
use shared::money::Micros;

use crate::helpers::{Analytics, samples};

/// A JSON money figure in micros, exactly as its text says.
fn micros(value: &Value) -> i128 {
    i128::from(Micros::parse(&value.to_string()).unwrap_or_else(|e| panic!("{value}: {e}")).0)
}

/// A small deterministic generator (no seed to manage, same events every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

struct Generated {
    id: String,
    customer: String,
    currency: &'static str,
    province: &'static str,
    value: i128,
    consent: bool,
    day: String,
    at: String,
    items: Vec<(String, u64)>,
}

fn generate(count: usize) -> Vec<Generated> {
    let mut rng = Lcg(42);
    let provinces = ["Maryland", " maryland ", "Idaho", "New York", "Ontario", "IDAHO"];
    (0..count)
        .map(|i| {
            let day = format!("2020-09-0{}", 1 + rng.next(5));
            let items = (0..1 + rng.next(3)).map(|_| (format!("item-{}", rng.next(8)), 1 + rng.next(4))).collect();
            Generated {
                id: format!("gen-{i:04}"),
                customer: format!("cust-{:02}", rng.next(25)),
                currency: ["USD", "USD", "EUR", "CAD"][rng.next(4) as usize],
                province: provinces[rng.next(6) as usize],
                value: i128::from(rng.next(500_000_000)),
                consent: rng.next(3) > 0,
                at: format!("{day}T{:02}:{:02}:{:02}.{:03}Z", rng.next(24), rng.next(60), rng.next(60), rng.next(1000)),
                day,
                items,
            }
        })
        .collect()
}

fn as_json(g: &Generated) -> Value {
    let whole = g.value / 1_000_000;
    let fraction = g.value % 1_000_000;
    json!({"event_type": "order.created", "event_id": g.id, "lovevery_user_id": g.customer,
        "email": format!("{}@example.com", g.customer), "first_name": g.customer, "last_name": "gen",
        "shipping_address": {"province": g.province, "country": "Somewhere"},
        "currency": g.currency, "order_value": format!("{whole}.{fraction:06}"),
        "buyer_accepts_marketing": g.consent,
        "line_items": g.items.iter().map(|(id, q)| json!({"id": id, "quantity": q.to_string()})).collect::<Vec<_>>(),
        "occurred_at": g.at})
}

#[tokio::test]
async fn the_queries_equal_a_recomputation_from_the_events() {
    let a = Analytics::new().await;
    let events = generate(300);
    for chunk in events.chunks(100) {
        let reply = a.post(json!({"events": chunk.iter().map(as_json).collect::<Vec<_>>()})).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert!(reply.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "created"));
    }
    let range = [("start_date", "2020-08-31"), ("end_date", "2020-09-06")];
    for currency in ["USD", "EUR", "CAD"] {
        let of = || events.iter().filter(move |g| g.currency == currency);
        // Order value by day, every day of the range.
        let body = a.query("/analytics/v1/orders/value", &[range[0], range[1], ("currency", currency)]).await;
        let days: Vec<(String, u64, i128)> = body["days"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (d["date"].as_str().unwrap().to_owned(), d["order_count"].as_u64().unwrap(), micros(&d["order_value"]))
            })
            .collect();
        let expected: Vec<(String, u64, i128)> =
            ["2020-08-31", "2020-09-01", "2020-09-02", "2020-09-03", "2020-09-04", "2020-09-05", "2020-09-06"]
                .iter()
                .map(|d| {
                    let on = of().filter(|g| g.day == *d);
                    (d.to_string(), on.clone().count() as u64, on.map(|g| g.value).sum())
                })
                .collect();
        assert_eq!(days, expected, "{currency}");
        let total = a
            .query("/analytics/v1/orders/value", &[range[0], range[1], ("currency", currency), ("mode", "TOTAL")])
            .await;
        assert_eq!(total["order_count"].as_u64().unwrap(), of().count() as u64);
        assert_eq!(micros(&total["order_value"]), of().map(|g| g.value).sum::<i128>());

        // Top customers, for each consent filter, over two days of the range.
        for (filter, keep) in [("true", Some(true)), ("false", Some(false)), ("any", None)] {
            let body = a
                .query(
                    "/analytics/v1/customers/top",
                    &[
                        ("start_date", "2020-09-02"),
                        ("end_date", "2020-09-03"),
                        ("currency", currency),
                        ("count", "100"),
                        ("accepts_marketing", filter),
                    ],
                )
                .await;
            let got: Vec<(String, u64, i128)> = body["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["customer_id"].as_str().unwrap().to_owned(),
                        c["order_count"].as_u64().unwrap(),
                        micros(&c["order_value"]),
                    )
                })
                .collect();
            let mut sums: BTreeMap<String, (u64, i128)> = BTreeMap::new();
            for g in
                of().filter(|g| (g.day == "2020-09-02" || g.day == "2020-09-03") && keep.is_none_or(|k| g.consent == k))
            {
                let entry = sums.entry(g.customer.clone()).or_default();
                entry.0 += 1;
                entry.1 += g.value;
            }
            let mut expected: Vec<(String, u64, i128)> = sums.into_iter().map(|(c, (n, v))| (c, n, v)).collect();
            expected.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
            assert_eq!(got, expected, "{currency} accepts_marketing={filter}");
            let top3 = a
                .query(
                    "/analytics/v1/customers/top",
                    &[range[0], range[1], ("currency", currency), ("count", "3"), ("accepts_marketing", filter)],
                )
                .await;
            assert!(top3["customers"].as_array().unwrap().len() <= 3);
        }

        // Sales by province: all of them, and each one with its items.
        let body = a.query("/analytics/v1/sales/province", &[range[0], range[1], ("currency", currency)]).await;
        let mut expected: BTreeMap<String, (u64, i128, u64, BTreeMap<String, u64>)> = BTreeMap::new();
        for g in of() {
            let entry = expected.entry(province_key(g.province)).or_default();
            entry.0 += 1;
            entry.1 += g.value;
            for (id, q) in &g.items {
                entry.2 += q;
                *entry.3.entry(id.clone()).or_default() += q;
            }
        }
        let got: BTreeMap<String, (u64, i128, u64)> = body["provinces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    province_key(p["province"].as_str().unwrap()),
                    (p["order_count"].as_u64().unwrap(), micros(&p["order_value"]), p["quantity"].as_u64().unwrap()),
                )
            })
            .collect();
        assert_eq!(got, expected.iter().map(|(k, v)| (k.clone(), (v.0, v.1, v.2))).collect(), "{currency}");
        let values: Vec<i128> =
            body["provinces"].as_array().unwrap().iter().map(|p| micros(&p["order_value"])).collect();
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "largest value first: {values:?}");
        for (key, (count, value, _, items)) in &expected {
            let asked = format!("  {}  ", key.to_uppercase());
            let body = a
                .query(
                    "/analytics/v1/sales/province",
                    &[range[0], range[1], ("currency", currency), ("province", &asked)],
                )
                .await;
            assert_eq!(body["order_count"].as_u64().unwrap(), *count);
            assert_eq!(micros(&body["order_value"]), *value);
            let got: BTreeMap<String, u64> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| (i["item_id"].as_str().unwrap().to_owned(), i["quantity"].as_u64().unwrap()))
                .collect();
            assert_eq!(&got, items, "{currency} {key}");
        }
    }

    // The listing: every event of the range by occurred_at, whatever the currency, page by page.
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("start_date", "2020-09-02"), ("end_date", "2020-09-04"), ("limit", "37")];
        if let Some(c) = &cursor {
            query.push(("cursor", c.as_str()));
        }
        let body = a.query("/analytics/v1/events", &query).await;
        for e in body["events"].as_array().unwrap() {
            listed.push((e["occurred_at"].as_str().unwrap().to_owned(), e["event_id"].as_str().unwrap().to_owned()));
        }
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut expected: Vec<(String, String)> = events
        .iter()
        .filter(|g| ("2020-09-02".."2020-09-05").contains(&g.day.as_str()))
        .map(|g| (g.at.clone(), g.id.clone()))
        .collect();
    expected.sort();
    let listed_sorted = {
        let mut l = listed.clone();
        l.sort();
        l
    };
    assert_eq!(listed.len(), expected.len());
    assert_eq!(listed_sorted, listed, "by occurred_at");
    let ids = |v: &[(String, String)]| v.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>();
    let mut a_ids = ids(&listed);
    let mut e_ids = ids(&expected);
    a_ids.sort();
    e_ids.sort();
    assert_eq!(a_ids, e_ids);
}

#[tokio::test]
async fn the_old_systems_sample_events_answer_its_four_questions() {
    let a = Analytics::new().await;
    assert_eq!(a.post(json!({"events": samples()})).await.status, 200);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let range = [("start_date", today.as_str()), ("end_date", today.as_str())];
    let total = a.query("/analytics/v1/orders/value", &[range[0], range[1], ("mode", "TOTAL")]).await;
    assert_eq!(total, json!({"currency": "USD", "order_count": 10, "order_value": 272}));
    let top = a.query("/analytics/v1/customers/top", &range).await;
    let top: Vec<(String, u64, i128)> = top["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["customer_id"].as_str().unwrap().to_owned(),
                c["order_count"].as_u64().unwrap(),
                micros(&c["order_value"]),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("66f6".to_owned(), 6, 187_000_000),
            ("rrrrr".to_owned(), 1, 45_000_000),
            ("ffff".to_owned(), 1, 25_000_000),
            ("444".to_owned(), 1, 10_000_000),
            ("44444".to_owned(), 1, 5_000_000)
        ]
    );
    let provinces = a.query("/analytics/v1/sales/province", &range).await;
    let provinces: Vec<(String, u64, i128)> = provinces["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["province"].as_str().unwrap().to_owned(), p["order_count"].as_u64().unwrap(), micros(&p["order_value"]))
        })
        .collect();
    assert_eq!(
        provinces,
        [
            ("Maryland".to_owned(), 7, 252_000_000),
            ("New York".to_owned(), 2, 15_000_000),
            ("Idaho".to_owned(), 1, 5_000_000)
        ]
    );
    let maryland = a.query("/analytics/v1/sales/province", &[range[0], range[1], ("province", "maryland")]).await;
    assert_eq!(maryland["order_count"], 7);
    let items = maryland["items"].as_array().unwrap();
    assert_eq!(items[0], json!({"item_id": "2f31244085395571", "quantity": 6}));
    assert_eq!(items.len(), 5);
    assert!(items[1..].iter().all(|i| i["quantity"] == 2));
    let listed = a.query("/analytics/v1/events", &range).await;
    assert_eq!(listed["events"].as_array().unwrap().len(), 10);
    assert!(listed.get("next_cursor").is_none());
}

#[tokio::test]
async fn bad_query_parameters_are_named() {
    let a = Analytics::new().await;
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        ("/analytics/v1/orders/value", vec![("end_date", "2020-09-01")], 400, "invalid_field", "start_date"),
        ("/analytics/v1/orders/value", vec![("start_date", "2020-09-01")], 400, "invalid_field", "end_date"),
        (
            "/analytics/v1/orders/value",
            vec![("start_date", "2020-9-1"), ("end_date", "2020-09-01")],
            400,
            "invalid_field",
            "start_date",
        ),
        (
            "/analytics/v1/orders/value",
            vec![("start_date", "2020-09-01"), ("end_date", "soon")],
            400,
            "invalid_field",
            "end_date",
        ),
        (
            "/analytics/v1/orders/value",
            vec![("start_date", "2020-09-02"), ("end_date", "2020-09-01")],
            400,
            "invalid_field",
            "start_date",
        ),
        (
            "/analytics/v1/orders/value",
            vec![("start_date", "2020-01-01"), ("end_date", "2021-01-02")],
            422,
            "range_too_long",
            "366",
        ),
        (
            "/analytics/v1/orders/value",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("mode", "WEEK")],
            400,
            "invalid_field",
            "mode",
        ),
        (
            "/analytics/v1/orders/value",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("currency", "usd")],
            400,
            "invalid_field",
            "currency",
        ),
        (
            "/analytics/v1/customers/top",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("count", "0")],
            400,
            "invalid_field",
            "count",
        ),
        (
            "/analytics/v1/customers/top",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("count", "101")],
            400,
            "invalid_field",
            "count",
        ),
        (
            "/analytics/v1/customers/top",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("accepts_marketing", "maybe")],
            400,
            "invalid_field",
            "accepts_marketing",
        ),
        (
            "/analytics/v1/sales/province",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("currency", "EURO")],
            400,
            "invalid_field",
            "currency",
        ),
        (
            "/analytics/v1/events",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("limit", "501")],
            400,
            "invalid_field",
            "limit",
        ),
        (
            "/analytics/v1/events",
            vec![("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("cursor", "forged.cursor")],
            400,
            "invalid_field",
            "cursor",
        ),
    ];
    for (path, query, status, code, field) in cases {
        let reply = a.query_as(Some(&a.analyst), path, &query).await;
        assert_eq!((reply.status, reply.code()), (status, Some(code)), "{path} {query:?}: {reply:?}");
        assert!(reply.message().contains(field), "{path} {query:?}: {}", reply.message());
    }
    // Empty days answer zeros; a province without sales answers zeros too.
    let body = a.query("/analytics/v1/orders/value", &[("start_date", "2020-02-28"), ("end_date", "2020-03-01")]).await;
    assert_eq!(body["days"].as_array().unwrap().len(), 3);
    assert_eq!(body["days"][1], json!({"date": "2020-02-29", "order_count": 0, "order_value": 0}));
    let body = a
        .query(
            "/analytics/v1/sales/province",
            &[("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("province", " Nowhere ")],
        )
        .await;
    assert_eq!(
        body,
        json!({"province": "Nowhere", "currency": "USD", "order_count": 0, "order_value": 0, "items": []})
    );
    // Queries are for analysts (and admins).
    for path in [
        "/analytics/v1/orders/value",
        "/analytics/v1/customers/top",
        "/analytics/v1/sales/province",
        "/analytics/v1/events",
    ] {
        let range = [("start_date", "2020-09-01"), ("end_date", "2020-09-01")];
        assert_eq!(a.query_as(None, path, &range).await.status, 401, "{path}");
        assert_eq!(a.query_as(Some(&a.ingest), path, &range).await.status, 403, "{path}");
    }
}

#[tokio::test]
async fn day_boundaries_split_the_queries_by_utc_day() {
    let a = Analytics::new().await;
    for (id, at) in [("late", "2020-09-01T23:59:59.999Z"), ("early", "2020-09-02T00:00:00Z")] {
        assert_eq!(a.post(crate::helpers::event(id, "c", "Ohio", "1", at)).await.status, 201);
    }
    let first = [("start_date", "2020-09-01"), ("end_date", "2020-09-01")];
    let total = a.query("/analytics/v1/orders/value", &[first[0], first[1], ("mode", "TOTAL")]).await;
    assert_eq!(total["order_count"], 1, "the last millisecond of the end date is in the range");
    let listed = a.query("/analytics/v1/events", &first).await;
    assert_eq!(listed["events"][0]["event_id"], "late");
    let both = a.query("/analytics/v1/orders/value", &[("start_date", "2020-09-01"), ("end_date", "2020-09-02")]).await;
    let counts: Vec<u64> =
        both["days"].as_array().unwrap().iter().map(|d| d["order_count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [1, 1]);
}

#[tokio::test]
async fn admins_ingest_and_ask_and_other_paths_are_404_or_405() {
    let a = Analytics::new().await;
    let admin = system_tests::user(&a.stack, "admin@example.com", &[shared::auth::ADMIN]).await;
    assert_eq!(
        a.post_as(&admin, crate::helpers::event("adm-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z")).await.status,
        201
    );
    let range = [("start_date", "2020-09-01"), ("end_date", "2020-09-01")];
    assert_eq!(a.query_as(Some(&admin), "/analytics/v1/customers/top", &range).await.status, 200);
    assert_eq!(a.event_as(&admin, "adm-1").await.status, 200);
    let fallback = |method: &str, path: &str| {
        system_tests::call((), analytics::entrypoints::http::fallback, system_tests::request(method, path, None))
    };
    let wrong_method = fallback("DELETE", "/analytics/v1/events").await;
    assert_eq!((wrong_method.status, wrong_method.code()), (405, Some("method_not_allowed")));
    assert!(wrong_method.header("allow").is_some_and(|allow| allow.contains("POST") && allow.contains("GET")));
    assert_eq!(fallback("GET", "/analytics/v1/nowhere").await.status, 404);
}

#[tokio::test]
async fn the_listing_pages_across_days_and_its_cursors_keep_to_their_range() {
    let a = Analytics::new().await;
    for (id, at) in [
        ("d1-a", "2020-09-01T10:00:00Z"),
        ("d1-b", "2020-09-01T11:00:00Z"),
        ("d3-a", "2020-09-03T10:00:00Z"),
        ("d3-b", "2020-09-03T11:00:00Z"),
    ] {
        assert_eq!(a.post(crate::helpers::event(id, "c", "Ohio", "1", at)).await.status, 201);
    }
    let range = [("start_date", "2020-09-01"), ("end_date", "2020-09-04")];
    let ids = |body: &Value| -> Vec<String> {
        body["events"].as_array().unwrap().iter().map(|e| e["event_id"].as_str().unwrap().to_owned()).collect()
    };
    // The first page ends with its day; the next starts at the next day that has events.
    let first = a.query("/analytics/v1/events", &[range[0], range[1], ("limit", "2")]).await;
    assert_eq!(ids(&first), ["d1-a", "d1-b"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = a.query("/analytics/v1/events", &[range[0], range[1], ("limit", "2"), ("cursor", cursor)]).await;
    assert_eq!(ids(&second), ["d3-a", "d3-b"]);
    assert!(second.get("next_cursor").is_none(), "{second}");
    // A cursor continues only the listing of its own range.
    let other = [("start_date", "2020-09-01"), ("end_date", "2020-09-05"), ("limit", "2"), ("cursor", cursor)];
    let reply = a.query_as(Some(&a.analyst), "/analytics/v1/events", &other).await;
    assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{reply:?}");
    assert!(reply.message().contains("cursor"), "{}", reply.message());
}
