//! The orders pipeline (`/orders/v1`): posting and reading orders, metrics, generation status;
//! then the processor's throughput through the local SQS trigger with the queue pre-filled.

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use aws_sdk_sqs::types::QueueAttributeName;
use local_stack::{invoke::WatchInvoker, triggers::SqsSource};
use serde_json::{Value, json};

use crate::{
    latency::{Bench, Call, short_operation},
    table::{Align, Table},
};

const WARM_UP: usize = 3;

fn order(i: usize) -> Call {
    Call::post("/orders/v1/orders", Some(json!({"quantity": i % 10 + 1})))
}

/// The API endpoints. Nothing consumes the queue meanwhile, so the posted orders stay queued
/// for [`throughput`].
pub async fn scenario(bench: &mut Bench) -> Result<()> {
    let n = bench.requests;
    let warm = bench.unmeasured((0..WARM_UP).map(order), 202).await?;
    let posted = bench.measure("POST /orders/v1/orders", 202, (0..n).map(order).collect()).await?;
    // The cost of an `Idempotency-Key`: a first request (claim, work, answer) and a repeat (the
    // stored answer). These orders stay queued too.
    let keyed = |i: usize| order(i).with_key(format!("bench-{i}"));
    bench.measure("POST /orders/v1/orders (Idempotency-Key, new)", 202, (0..n).map(keyed).collect()).await?;
    bench.measure("POST /orders/v1/orders (Idempotency-Key, repeat)", 202, (0..n).map(keyed).collect()).await?;
    let id = |b: &Value| b["order_id"].as_str().map(str::to_owned).with_context(|| format!("no order_id in {b}"));
    let get = |b: &Value| id(b).map(|id| Call::get(format!("/orders/v1/orders/{id}")));
    bench.unmeasured(warm.iter().map(get).collect::<Result<Vec<_>>>()?, 200).await?;
    bench.measure("GET /orders/v1/orders/{order_id}", 200, posted.iter().map(get).collect::<Result<Vec<_>>>()?).await?;
    for path in ["/orders/v1/metrics", "/orders/v1/generation"] {
        bench.unmeasured((0..WARM_UP).map(|_| Call::get(path)), 200).await?;
        bench.measure(&format!("GET {path}"), 200, (0..n).map(|_| Call::get(path)).collect()).await?;
    }
    Ok(())
}

/// A consumer's throughput: `orders` messages (orders, events) in `elapsed`.
pub struct Throughput {
    pub function: String,
    pub orders: usize,
    pub elapsed: Duration,
    pub operations: BTreeMap<String, u64>,
}

/// Tops the queue up to `orders` orders, then lets the template's SQS event source feed them to
/// the processor under `cargo lambda watch` and times it until the queue is empty.
pub async fn throughput(
    bench: &Bench,
    processor: SqsSource,
    sqs: aws_sdk_sqs::Client,
    api_port: u16,
    orders: usize,
) -> Result<Throughput> {
    let already = 2 * bench.requests + WARM_UP;
    eprintln!("bench: filling the orders queue to {orders} orders...");
    bench.unmeasured((already..orders.max(already)).map(order), 202).await?;
    let orders = orders.max(already);
    let queue = processor.queue.url.clone();
    let in_queue = || async {
        let names = [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            QueueAttributeName::ApproximateNumberOfMessagesDelayed,
        ];
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&queue)
            .set_attribute_names(Some(names.to_vec()))
            .send()
            .await
            .context("reading the queue's depth")?
            .attributes
            .unwrap_or_default();
        Ok::<u64, anyhow::Error>(names.iter().filter_map(|n| attributes.get(n)?.parse::<u64>().ok()).sum())
    };
    if in_queue().await? < orders as u64 {
        bail!("expected {orders} messages in the orders queue");
    }

    eprintln!("bench: processing {orders} orders through the local SQS trigger...");
    bench.reset_counters().await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let poller = tokio::spawn(processor.run(Arc::new(WatchInvoker::new(api_port)), stopped));
    let deadline = started + Duration::from_secs(30 * 60);
    while in_queue().await? > 0 {
        if Instant::now() > deadline {
            bail!("the processor did not empty the queue within 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(true);
    poller.await.context("the SQS trigger")?;
    // Our own polling of the queue's depth is not the processor's work.
    let operations =
        bench.counters().await?.into_iter().filter(|(op, _)| !op.ends_with(".GetQueueAttributes")).collect();

    let metrics = bench.unmeasured([Call::get("/orders/v1/metrics")], 200).await?;
    let processed = metrics[0]["total_orders_processed"].as_u64().unwrap_or_default();
    if processed != orders as u64 {
        bail!("the metrics count {processed} processed orders, expected {orders}");
    }
    Ok(Throughput { function: "orders-processor".into(), orders, elapsed, operations })
}

pub fn table(throughputs: &[Throughput]) -> Table {
    let mut table = Table::new(&[
        ("consumer (pre-filled queue, local SQS trigger, batches of 10)", Align::Left),
        ("messages", Align::Right),
        ("seconds", Align::Right),
        ("messages/s", Align::Right),
        ("DynamoDB req/message", Align::Right),
        ("AWS requests per message", Align::Left),
    ]);
    for t in throughputs {
        row(&mut table, t);
    }
    table
}

fn row(table: &mut Table, t: &Throughput) {
    let per_order = |n: u64| format!("{:.2}", n as f64 / t.orders as f64);
    let dynamodb: u64 = t.operations.iter().filter(|(op, _)| op.starts_with("DynamoDB")).map(|(_, n)| n).sum();
    table.row(vec![
        t.function.clone(),
        t.orders.to_string(),
        format!("{:.1}", t.elapsed.as_secs_f64()),
        format!("{:.1}", t.orders as f64 / t.elapsed.as_secs_f64()),
        per_order(dynamodb),
        t.operations
            .iter()
            .map(|(op, n)| format!("{} {}", short_operation(op), per_order(*n)))
            .collect::<Vec<_>>()
            .join(", "),
    ]);
}
