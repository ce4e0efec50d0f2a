//! Order-event analytics (`/analytics/v1`): ingestion over HTTP in batches of 100 and through the
//! queue, DynamoDB requests per event, and what the queries cost over 30 days with 1× and 10× the
//! events (order value by day must not grow with the number of events).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use local_stack::{invoke::WatchInvoker, triggers::SqsSource};
use serde_json::{Value, json};

use crate::{
    latency::{Bench, Call},
    orders::Throughput,
};

const BATCH: usize = 100;
const DAYS: usize = 30;
const PROVINCES: [&str; 10] =
    ["Maryland", "Idaho", "New York", "Ohio", "Texas", "Utah", "Maine", "Iowa", "Oregon", "Vermont"];

/// Event `i` of a run: spread over 30 days of 2026's `month`, 10 provinces and `customers` customers.
fn event(run: &str, i: usize, customers: usize, month: u32) -> Value {
    json!({
        "event_type": "order.created",
        "event_id": format!("bench-{run}-{i}"),
        "lovevery_user_id": format!("customer-{}", i % customers),
        "email": "bench@example.com",
        "currency": "USD",
        "order_value": format!("{}.{:02}", 5 + i % 50, i % 100),
        "buyer_accepts_marketing": i.is_multiple_of(2),
        "shipping_address": {"province": PROVINCES[i % PROVINCES.len()], "country": "United States"},
        "line_items": [{"quantity": "2", "id": format!("item-{}", i % 7)}, {"quantity": 1, "id": "item-x"}],
        "occurred_at": format!("2026-{month:02}-{:02}T12:00:00Z", 1 + i % DAYS),
    })
}

fn batches(run: &str, events: usize, customers: usize, month: u32) -> Vec<Call> {
    (0..events.div_ceil(BATCH))
        .map(|b| {
            let events: Vec<Value> =
                (b * BATCH..((b + 1) * BATCH).min(events)).map(|i| event(run, i, customers, month)).collect();
            Call::post("/analytics/v1/events", Some(json!({"events": events})))
        })
        .collect()
}

fn range(month: u32) -> String {
    format!("start_date=2026-{month:02}-01&end_date=2026-{month:02}-30")
}

/// The rollup queries over the 30 days of `month`, `n` of each, measured as `label` says.
async fn queries(bench: &mut Bench, label: &str, month: u32, which: &[&str], n: usize) -> Result<()> {
    let range = range(month);
    for (name, path) in [
        ("orders/value DAY", format!("/analytics/v1/orders/value?{range}&mode=DAY")),
        ("orders/value TOTAL", format!("/analytics/v1/orders/value?{range}&mode=TOTAL")),
        ("customers/top", format!("/analytics/v1/customers/top?{range}&count=10&accepts_marketing=any")),
        ("sales/province (all)", format!("/analytics/v1/sales/province?{range}")),
    ] {
        if !which.contains(&name) {
            continue;
        }
        bench.unmeasured([Call::get(path.clone())], 200).await?;
        bench
            .measure(&format!("GET {name}, 30 days, {label}"), 200, (0..n).map(|_| Call::get(path.clone())).collect())
            .await?;
    }
    Ok(())
}

const ALL: [&str; 4] = ["orders/value DAY", "orders/value TOTAL", "customers/top", "sales/province (all)"];

/// Ingestion over HTTP (batches of 100), then the queries with 1× and 10× the events (January);
/// then top customers and provinces over the same number of events spread over 50, 500 and 5,000
/// customers (March, May, July), since those two read one rollup item per customer or
/// province and day.
pub async fn scenario(bench: &mut Bench) -> Result<()> {
    let events = (bench.requests * 5).max(BATCH);
    let customers = 50;
    bench.unmeasured(batches("warm", BATCH, customers, 1), 200).await?;
    bench.measure("POST /analytics/v1/events (a batch of 100)", 200, batches("1x", events, customers, 1)).await?;
    queries(bench, "1x events", 1, &ALL, bench.requests.min(50)).await?;
    eprintln!("bench: ingesting 9x more events...");
    bench.unmeasured(batches("10x", 9 * events, customers, 1), 200).await?;
    queries(bench, "10x events", 1, &ALL, bench.requests.min(50)).await?;
    let events = 5_000;
    // Months of 31 days: the range is each month's 1st to 30th.
    for (month, customers) in [(3, 50), (5, 500), (7, 5_000)] {
        eprintln!("bench: ingesting {events} events of {customers} customers...");
        bench.unmeasured(batches(&format!("c{customers}"), events, customers, month), 200).await?;
        let label = format!("{events} events, {customers} customers");
        // Each call reads every customer's day items: seconds against the emulator at 5,000
        // customers, so ten calls each (their DynamoDB requests and items read do not vary).
        queries(bench, &label, month, &["customers/top", "sales/province (all)"], bench.requests.min(10)).await?;
    }
    Ok(())
}

/// Sends `events` events to `AnalyticsEventsQueue`, then lets the template's SQS event source
/// feed them to the worker under `cargo lambda watch` until the rollups count them all.
pub async fn throughput(
    bench: &Bench,
    worker: SqsSource,
    sqs: aws_sdk_sqs::Client,
    api_port: u16,
    events: usize,
) -> Result<Throughput> {
    let total = |b: &Value| b["order_count"].as_u64().unwrap_or_default();
    let query = || Call::get("/analytics/v1/orders/value?start_date=2026-01-01&end_date=2026-01-30&mode=TOTAL");
    let before = total(&bench.unmeasured([query()], 200).await?[0]);
    eprintln!("bench: filling the analytics queue with {events} events...");
    for chunk in (0..events).collect::<Vec<_>>().chunks(10) {
        let entries = chunk
            .iter()
            .map(|i| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(event("sqs", *i, 50, 1).to_string())
                    .build()
                    .context("a batch entry")
            })
            .collect::<Result<Vec<_>>>()?;
        sqs.send_message_batch().queue_url(&worker.queue.url).set_entries(Some(entries)).send().await?;
    }
    eprintln!("bench: ingesting {events} events through the local SQS trigger...");
    bench.reset_counters().await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let poller = tokio::spawn(worker.run(Arc::new(WatchInvoker::new(api_port)), stopped));
    let deadline = started + Duration::from_secs(30 * 60);
    loop {
        let counted = total(&bench.unmeasured([query()], 200).await?[0]);
        if counted >= before + events as u64 {
            break;
        }
        if Instant::now() > deadline {
            bail!("the worker ingested {} of {events} events in 30 minutes", counted - before);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(true);
    poller.await.context("the SQS trigger")?;
    // Our own polling of the total is not the worker's work.
    let operations = bench.counters().await?.into_iter().filter(|(op, _)| !op.ends_with(".Query")).collect();
    Ok(Throughput { function: "analytics-worker".into(), orders: events, elapsed, operations })
}

/// One query's cost over one range: `Query` requests (pages) and items read, or what failed.
struct Cost {
    reads: std::result::Result<analytics::store::Reads, String>,
}

/// The range of `days` days ending on [`COST_END`].
fn cost_range(days: u64) -> analytics::domain::DateRange {
    let end = chrono::NaiveDate::parse_from_str(COST_END, "%Y-%m-%d").expect("a date");
    analytics::domain::DateRange { start: end - chrono::Days::new(days - 1), end }
}

/// The last day of the cost ranges: mid-month, so that every range has edge days at both ends.
const COST_END: &str = "2026-06-14";
/// The first day of the cost events: before the longest range starts.
const COST_START: &str = "2025-05-01";

/// Customer `c` orders on the days `d` (from [`COST_START`]) with `(d + c) % 7 == 0`: weekly.
fn cost_events(currency: &str, customers: usize, per_order: usize) -> Vec<Value> {
    let start = chrono::NaiveDate::parse_from_str(COST_START, "%Y-%m-%d").expect("a date");
    let end = chrono::NaiveDate::parse_from_str(COST_END, "%Y-%m-%d").expect("a date");
    let days = (end - start).num_days() as usize + 1;
    let mut events = Vec::new();
    for d in 0..days {
        let date = (start + chrono::Days::new(d as u64)).format("%Y-%m-%d").to_string();
        for c in (0..customers).filter(|c| (d + c).is_multiple_of(7)) {
            for k in 0..per_order {
                events.push(json!({
                    "event_type": "order.created", "event_id": format!("cost-{currency}-{d}-{c}-{k}"),
                    "lovevery_user_id": format!("customer-{c}"), "currency": currency,
                    "order_value": format!("{}.{:02}", 5 + (c + k) % 50, d % 100), "buyer_accepts_marketing": true,
                    "shipping_address": {"province": PROVINCES[c % PROVINCES.len()], "country": "United States"},
                    "line_items": [{"quantity": 1, "id": format!("item-{}", (c + k) % 20)}, {"quantity": 2, "id": "item-x"}],
                    "occurred_at": format!("{date}T{:02}:00:00Z", (c + k) % 24),
                }));
            }
        }
    }
    events
}

/// Ingests `events` in-process through the same op as both doors, a few at a time.
async fn ingest_all(store: &analytics::store::Store, events: Vec<Value>) -> Result<()> {
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(events)
        .map(|value| async move {
            let event = analytics::domain::Event::from_json(&value).map_err(|e| anyhow::anyhow!("{e}"))?;
            analytics::ops::ingest_now(store, &event).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok::<_, anyhow::Error>(())
        })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

const COST_QUERIES: [&str; 5] =
    ["customers/top", "sales/province (all)", "sales/province (one)", "orders/value TOTAL", "orders/value DAY"];

async fn cost_of(store: &analytics::store::Store, currency: &str, query: &str, days: u64) -> Cost {
    use analytics::{domain::Consent, ops};
    let currency = analytics::domain::Currency::try_from(currency.to_owned()).expect("a currency");
    let range = cost_range(days);
    let reads = match query {
        "customers/top" => ops::top_customers(store, &currency, &range, 10, Consent::Any).await.map(|r| r.1),
        "sales/province (all)" => ops::province_sales(store, &currency, &range, None).await.map(|r| r.1),
        "sales/province (one)" => ops::province_sales(store, &currency, &range, Some("idaho")).await.map(|r| r.1),
        "orders/value TOTAL" => ops::order_value_total(store, &currency, &range).await.map(|r| r.1),
        _ => ops::order_value_by_day(store, &currency, &range).await.map(|r| r.1),
    };
    Cost { reads: reads.map_err(|e| e.to_string()) }
}

/// The target bound on items read: active customers (or provinces) × 13 + edge days.
fn bound(query: &str, customers: usize, days: u64) -> usize {
    let plan = analytics::domain::Plan::of(&cost_range(days));
    let edge_days: usize = plan
        .add
        .iter()
        .filter_map(|p| match p {
            analytics::domain::Piece::Days(d) => Some(d),
            analytics::domain::Piece::Month(_) => None,
        })
        .chain(&plan.subtract)
        .map(|d| {
            let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date");
            (day(&d.to) - day(&d.from)).num_days() as usize + 1
        })
        .sum();
    let keys = match query {
        "customers/top" => customers,
        "sales/province (all)" => PROVINCES.len().min(customers),
        _ => 1,
    };
    keys * 13 + edge_days
}

/// What the queries cost over 30, 90 and 366 days with 1× and 10× the events (weekly orders of
/// `customers` customers over 410 days; 10× is ten orders where 1× has one), measured in-process
/// through the analytics ops against the local endpoint: `Query` requests and items read, as
/// DynamoDB counts them. Each failure is a row; the table is printed as soon as it is complete.
pub async fn costs(sdk: &aws_config::SdkConfig, table: &str, customers: usize) -> crate::table::Table {
    use crate::table::{Align, Table};
    let store = analytics::store::Store::new(aws_sdk_dynamodb::Client::new(sdk), table);
    let mut ingested = Vec::new();
    for (currency, per_order) in [("USD", 1), ("EUR", 10)] {
        let events = cost_events(currency, customers, per_order);
        eprintln!("bench: ingesting {} analytics events ({per_order}x) for the query costs...", events.len());
        let started = Instant::now();
        let outcome = ingest_all(&store, events).await;
        ingested.push(
            outcome.map_err(|e| format!("ingesting failed after {:.1} s: {e:#}", started.elapsed().as_secs_f64())),
        );
    }
    let mut t = Table::new(&[
        ("analytics query (in-process, local endpoint)", Align::Left),
        ("days", Align::Right),
        ("1x Query requests", Align::Right),
        ("1x items read", Align::Right),
        ("10x Query requests", Align::Right),
        ("10x items read", Align::Right),
        ("target: requests ≤ 40, items ≤", Align::Right),
    ]);
    for query in COST_QUERIES {
        for days in [30, 90, 366] {
            let mut cells = vec![query.to_owned(), days.to_string()];
            for (currency, outcome) in ["USD", "EUR"].iter().zip(&ingested) {
                let started = Instant::now();
                let cost = match outcome {
                    Err(failed) => Cost { reads: Err(failed.clone()) },
                    Ok(()) => cost_of(&store, currency, query, days).await,
                };
                match cost.reads {
                    Ok(reads) => cells.extend([reads.pages.to_string(), reads.items.to_string()]),
                    Err(failed) => cells.extend([
                        format!("FAILED after {:.1} s", started.elapsed().as_secs_f64()),
                        failed.chars().take(120).collect(),
                    ]),
                }
            }
            cells.push(match query {
                // Every day of the range is the answer; one `Query` whatever the events.
                "orders/value DAY" => format!("{} (every day)", cost_range(days).days().count()),
                // Grows with the distinct line items of the province's months and edge days.
                "sales/province (one)" => "- (line items)".to_owned(),
                _ => bound(query, customers, days).to_string(),
            });
            t.row(cells);
        }
    }
    t
}
