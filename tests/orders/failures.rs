//! What the processor does with what it cannot process: poison records, an outage half-way.

use std::time::{Duration, Instant};

use aws_lambda_events::sqs::SqsEvent;
use local_stack::triggers::BatchOutcome;
use orders::{App, entrypoints::sqs};
use serde_json::{Value, json};
use system_tests::{inject_delay, template};

use crate::helpers::{Orders, config};

#[tokio::test]
async fn a_batch_reports_exactly_its_poison_records_as_failures() {
    let o = Orders::new(30).await;
    let mut good = Vec::new();
    for quantity in 1..=3 {
        good.push(o.post(json!({"quantity": quantity})).await.body["order_id"].as_str().unwrap().to_owned());
    }
    let bodies = [
        json!({"order_id": good[0]}).to_string(),
        json!({"order_id": "no-such-order"}).to_string(),
        json!({"order_id": good[1]}).to_string(),
        "not json at all".to_owned(),
        json!({"order_id": good[2]}).to_string(),
        json!({"order_id": "x".repeat(3000)}).to_string(),
        json!({"order_id": good[0]}).to_string(),
    ];
    let records: Vec<Value> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| json!({"messageId": format!("m{i}"), "body": body, "eventSource": "aws:sqs"}))
        .collect();
    let event: SqsEvent = serde_json::from_value(json!({"Records": records})).unwrap();
    let response = sqs::processor(o.app, event).await.unwrap();
    let mut failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    failed.sort();
    assert_eq!(failed, ["m1", "m3", "m5"], "exactly the poison records, and a duplicate is no failure");
    for id in &good {
        assert_eq!(o.order(id).await.body["status"], "processed", "{id}");
    }
    assert_eq!(Orders::processed_count(&o.metrics().await), 3);
}

#[tokio::test]
async fn poison_messages_go_to_the_dead_letter_queue_and_the_rest_of_the_batch_succeeds() {
    let o = Orders::new(30).await;
    o.set_visibility_timeout(1).await;
    let queue = o.stack.queue("OrdersQueue").url.clone();
    let dlq = o.stack.queue("OrdersDeadLetterQueue").url.clone();
    let poison = [json!({"order_id": "no-such-order"}).to_string(), "not json at all".to_owned()];
    for body in &poison {
        o.sqs().send_message().queue_url(&queue).message_body(body).send().await.unwrap();
    }
    for quantity in 1..=3 {
        assert_eq!(o.post(json!({"quantity": quantity})).await.status, 202);
    }
    let mut dead: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    let source = o.source();
    let processor = Orders::processor(o.app);
    let mut batches = Vec::new();
    while dead.len() < 2 {
        assert!(Instant::now() < deadline, "poison messages dead-lettered in time: {dead:?}");
        let outcome = source.poll_once(&processor, 1).await.unwrap();
        if outcome.received > 0 {
            batches.push(outcome);
        }
        let received = o.sqs().receive_message().queue_url(&dlq).max_number_of_messages(10).send().await.unwrap();
        dead.extend(received.messages.unwrap_or_default().into_iter().filter_map(|m| m.body));
    }
    dead.sort();
    let mut expected = poison.to_vec();
    expected.sort();
    assert_eq!(dead, expected);
    // All five were queued before the first poll: the first batch mixes the good and the poison.
    assert_eq!(batches[0], BatchOutcome { received: 5, deleted: 3, failed: 2 }, "{batches:?}");
    assert!(batches[1..].iter().all(|b| b.deleted == 0), "only the poison came back: {batches:?}");
    let queues = template().queues().unwrap();
    let (_, max_receives) = queues.iter().find(|q| q.logical_id == "OrdersQueue").unwrap().redrive.clone().unwrap();
    let failures: usize = batches.iter().map(|b| b.failed).sum();
    assert_eq!(failures, 2 * max_receives as usize, "each poison message received maxReceiveCount times");
    assert_eq!(Orders::processed_count(&o.metrics().await), 3);
}

#[tokio::test]
async fn a_processor_failing_half_way_loses_nothing_and_counts_nothing_twice() {
    let o = Orders::new(30).await;
    for quantity in 1..=6 {
        assert_eq!(o.post(json!({"quantity": quantity})).await.status, 202);
    }
    o.set_visibility_timeout(1).await;
    // A processor whose database is unreachable: every record fails, nothing is deleted.
    let port = local_stack::emulator::free_port().unwrap();
    let dead_sdk = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let broken: &'static App = shared::app::for_process(App::new(&dead_sdk, &config(&o.stack, 30)));
    let outcome = o.source().poll_once(&Orders::processor(broken), 1).await.unwrap();
    assert!(outcome.received > 0);
    assert_eq!((outcome.deleted, outcome.failed), (0, outcome.received));
    // Once the database is back, the same messages come round again and are processed once.
    o.drain_until("six orders processed", |t| t.deleted >= 6).await;
    assert_eq!(Orders::processed_count(&o.metrics().await), 6);
}

#[tokio::test]
async fn a_batch_against_a_slow_database_reports_only_what_it_did_not_finish_before_the_deadline() {
    let o = Orders::new(30).await;
    let table = o.stack.table("OrdersTable").to_owned();
    let mut ids = Vec::new();
    for quantity in 1..=3 {
        ids.push(o.post(json!({"quantity": quantity})).await.body["order_id"].as_str().unwrap().to_owned());
    }
    let records: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"messageId": format!("m{i}"), "body": json!({"order_id": id}).to_string(), "eventSource": "aws:sqs"}))
        .collect();
    let event: SqsEvent = serde_json::from_value(json!({"Records": records})).unwrap();

    // Every read of an order takes 1.5 s; the invocation has 3.5 s, of which the last 0.75 s are
    // kept to answer. The processor takes one record at a time: the first is done after about
    // 1.6 s, the second cannot finish before the cut-off, the third is never started.
    inject_delay(&table, "GetItem", 3, Duration::from_millis(1500)).await;
    let deadline = Instant::now() + Duration::from_millis(3500);
    let response = shared::deadline::scope(deadline, sqs::processor(o.app, event))
        .await
        .expect("the batch is answered before the cut-off, not cut off whole")
        .unwrap();
    assert!(Instant::now() < deadline, "answered before the deadline");
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["m1", "m2"], "exactly the records it did not finish");
    inject_delay(&table, "GetItem", 0, Duration::from_millis(1)).await;
    assert_eq!(o.order(&ids[0]).await.body["status"], "processed");
    assert_eq!(o.order(&ids[1]).await.body["status"], "queued");
    assert_eq!(Orders::processed_count(&o.metrics().await), 1);
}
