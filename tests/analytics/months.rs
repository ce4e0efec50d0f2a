//! Ranges read from month rollups plus edge days: equal to a recomputation from the events for
//! ranges that start or end mid-month, a leap year's February, exactly one month, a month minus
//! its edges; a backfill into a past month keeps month and day rollups equal.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use shared::money::Micros;

use crate::helpers::Analytics;

fn micros(value: &Value) -> i128 {
    i128::from(Micros::parse(&value.to_string()).unwrap().0)
}

struct Sent {
    customer: String,
    province: &'static str,
    value: i128,
    day: String,
    items: Vec<(String, u64)>,
}

/// Events every day from `first` for `days` days, a few a day, over 7 customers, 3 provinces and
/// 5 line items (deterministic).
fn events(prefix: &str, first: chrono::NaiveDate, days: u64) -> (Vec<Value>, Vec<Sent>) {
    let mut json = Vec::new();
    let mut sent = Vec::new();
    for d in 0..days {
        let day = (first + chrono::Days::new(d)).format("%Y-%m-%d").to_string();
        for k in 0..(1 + d % 3) {
            let i = d * 3 + k;
            let s = Sent {
                customer: format!("c{}", i % 7),
                province: ["Idaho", "Ohio", "Utah"][(i % 3) as usize],
                value: i128::from(1_000_000 + i * 10_001),
                day: day.clone(),
                items: vec![(format!("item-{}", i % 5), 1 + i % 4), ("item-x".into(), 1)],
            };
            json.push(json!({"event_type": "order.created", "event_id": format!("{prefix}-{i}"),
                "lovevery_user_id": s.customer, "email": format!("{}@example.com", s.customer),
                "shipping_address": {"province": s.province, "country": "US"}, "currency": "USD",
                "order_value": format!("{}.{:06}", s.value / 1_000_000, s.value % 1_000_000),
                "buyer_accepts_marketing": true,
                "line_items": s.items.iter().map(|(id, q)| json!({"id": id, "quantity": q})).collect::<Vec<_>>(),
                "occurred_at": format!("{day}T{:02}:30:00Z", (i * 7) % 24)}));
            sent.push(s);
        }
    }
    (json, sent)
}

async fn post_all(a: &Analytics, events: &[Value]) {
    for chunk in events.chunks(100) {
        let reply = a.post(json!({"events": chunk})).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert!(reply.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "created"), "{reply:?}");
    }
}

/// A province's orders, value, quantity and quantity per line item.
type ProvinceSums = (u64, i128, u64, BTreeMap<String, u64>);

/// Every query over `start..=end` against the sums of `sent`.
async fn check(a: &Analytics, sent: &[Sent], start: &str, end: &str) {
    let range = [("start_date", start), ("end_date", end)];
    let within: Vec<&Sent> = sent.iter().filter(|s| s.day.as_str() >= start && s.day.as_str() <= end).collect();
    let what = format!("{start}..{end}");

    let total = a.query("/analytics/v1/orders/value", &[range[0], range[1], ("mode", "TOTAL")]).await;
    assert_eq!(total["order_count"].as_u64().unwrap(), within.len() as u64, "{what}");
    assert_eq!(micros(&total["order_value"]), within.iter().map(|s| s.value).sum::<i128>(), "{what}");
    let days = a.query("/analytics/v1/orders/value", &range).await;
    let by_day: i128 = days["days"].as_array().unwrap().iter().map(|d| micros(&d["order_value"])).sum();
    assert_eq!(by_day, micros(&total["order_value"]), "{what}: the days add up to the total");

    let mut customers: BTreeMap<&str, (u64, i128)> = BTreeMap::new();
    for s in &within {
        let c = customers.entry(&s.customer).or_default();
        c.0 += 1;
        c.1 += s.value;
    }
    let mut expected: Vec<(String, u64, i128)> =
        customers.into_iter().map(|(c, (n, v))| (c.to_owned(), n, v)).collect();
    expected.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let top = a.query("/analytics/v1/customers/top", &[range[0], range[1], ("count", "100")]).await;
    let got: Vec<(String, u64, i128)> = top["customers"]
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
    assert_eq!(got, expected, "{what}");

    let mut provinces: BTreeMap<&str, ProvinceSums> = BTreeMap::new();
    for s in &within {
        let p = provinces.entry(s.province).or_default();
        p.0 += 1;
        p.1 += s.value;
        for (id, q) in &s.items {
            p.2 += q;
            *p.3.entry(id.clone()).or_default() += q;
        }
    }
    let all = a.query("/analytics/v1/sales/province", &range).await;
    let got: BTreeMap<String, (u64, i128, u64)> = all["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let key = p["province"].as_str().unwrap().to_owned();
            (key, (p["order_count"].as_u64().unwrap(), micros(&p["order_value"]), p["quantity"].as_u64().unwrap()))
        })
        .collect();
    let want: BTreeMap<String, (u64, i128, u64)> =
        provinces.iter().map(|(k, v)| (k.to_string(), (v.0, v.1, v.2))).collect();
    assert_eq!(got, want, "{what}");
    for (province, (count, _, _, items)) in &provinces {
        let one = a.query("/analytics/v1/sales/province", &[range[0], range[1], ("province", province)]).await;
        assert_eq!(one["order_count"].as_u64().unwrap(), *count, "{what} {province}");
        let got: BTreeMap<String, u64> = one["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["item_id"].as_str().unwrap().to_owned(), i["quantity"].as_u64().unwrap()))
            .collect();
        assert_eq!(&got, items, "{what} {province}");
    }
}

#[tokio::test]
async fn ranges_across_month_boundaries_equal_a_recomputation() {
    let a = Analytics::new().await;
    let first = chrono::NaiveDate::from_ymd_opt(2020, 1, 20).unwrap();
    let (json, sent) = events("m", first, 80);
    post_all(&a, &json).await;
    for (start, end) in [
        ("2020-01-25", "2020-03-05"), // starts and ends mid-month, a whole February between
        ("2020-02-01", "2020-02-29"), // a leap year's February, exactly one month
        ("2020-03-01", "2020-03-31"), // exactly one month of 31 days
        ("2020-02-03", "2020-02-27"), // most of a month: the month minus its edges
        ("2020-01-31", "2020-02-01"), // two edge days across a boundary
        ("2020-02-28", "2020-03-01"), // through the leap day
        ("2020-01-01", "2020-04-15"), // days before the first event and after the last
        ("2019-12-31", "2020-12-31"), // the longest range, mostly empty months
    ] {
        check(&a, &sent, start, end).await;
    }
}

#[tokio::test]
async fn a_backfill_into_a_past_month_keeps_month_and_day_rollups_equal() {
    let a = Analytics::new().await;
    let (now, sent_now) = events("now", chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap(), 10);
    post_all(&a, &now).await;
    // Events of last November arrive late, one alone and the rest in a batch.
    let (late, sent_late) = events("late", chrono::NaiveDate::from_ymd_opt(2020, 11, 1).unwrap(), 30);
    assert_eq!(a.post(late[0].clone()).await.status, 201);
    post_all(&a, &late[1..]).await;
    let mut day_sum = (0, 0);
    for d in 1..=30 {
        let (count, value) = a.day(&format!("2020-11-{d:02}")).await;
        day_sum = (day_sum.0 + count, day_sum.1 + value);
    }
    let (month, customer, province) = a.month("2020-11", "c3", "Ohio", "item-x").await;
    assert_eq!(month, day_sum, "the month rollup is the sum of its days");
    assert_eq!(month.0, sent_late.len() as i128);
    let c3: Vec<&Sent> = sent_late.iter().filter(|s| s.customer == "c3").collect();
    assert_eq!(customer, (c3.len() as i128, c3.iter().map(|s| s.value).sum()));
    let ohio: Vec<&Sent> = sent_late.iter().filter(|s| s.province == "Ohio").collect();
    assert_eq!(province, (ohio.len() as i128, ohio.iter().map(|s| s.value).sum(), ohio.len() as i128));
    check(&a, &sent_late, "2020-11-01", "2020-11-30").await;
    check(&a, &sent_late, "2020-11-05", "2020-11-30").await;
    let all: Vec<Sent> = sent_late.into_iter().chain(sent_now).collect();
    check(&a, &all, "2020-10-15", "2021-03-04").await;
}
