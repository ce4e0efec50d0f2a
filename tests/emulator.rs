//! The local AWS endpoint behaves like DynamoDB where the services depend on it: a transaction
//! repeated with its `ClientRequestToken` (as the SDK does when it retries a timed-out attempt)
//! succeeds without applying twice, and a cancelled transaction leaves every item as it was. A
//! `Query` of a table (which the emulator answers from the one partition) pages through exactly
//! that partition's items in either order. SMS
//! published to phone numbers land in the outbox beside the emails, and fail on demand.

use aws_sdk_dynamodb::{
    Client,
    operation::transact_write_items::TransactWriteItemsError,
    types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update},
};
use system_tests::{fresh_stack, sdk};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

struct Table {
    client: Client,
    name: String,
}

impl Table {
    async fn new() -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        Self { client: Client::new(&sdk), name: stack.table("OrdersTable").to_owned() }
    }

    fn put_new(&self, pk: &str) -> TransactWriteItem {
        let put = Put::builder()
            .table_name(&self.name)
            .item("pk", s(pk))
            .item("sk", s("item"))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .unwrap();
        TransactWriteItem::builder().put(put).build()
    }

    fn add_one(&self, pk: &str) -> TransactWriteItem {
        let update = Update::builder()
            .table_name(&self.name)
            .key("pk", s(pk))
            .key("sk", s("item"))
            .update_expression("ADD n :one")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .build()
            .unwrap();
        TransactWriteItem::builder().update(update).build()
    }

    fn exists(&self, pk: &str) -> TransactWriteItem {
        let check = ConditionCheck::builder()
            .table_name(&self.name)
            .key("pk", s(pk))
            .key("sk", s("item"))
            .condition_expression("attribute_exists(pk)")
            .build()
            .unwrap();
        TransactWriteItem::builder().condition_check(check).build()
    }

    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
        token: Option<&str>,
    ) -> Result<(), aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError>> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .set_client_request_token(token.map(str::to_owned))
            .send()
            .await
            .map(|_| ())
    }

    /// The item's counter, or None if there is no item.
    async fn counter(&self, pk: &str) -> Option<Option<String>> {
        let item = self
            .client
            .get_item()
            .table_name(&self.name)
            .key("pk", s(pk))
            .key("sk", s("item"))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item?;
        Some(item.get("n").map(|n| n.as_n().unwrap().clone()))
    }
}

#[tokio::test]
async fn a_transaction_repeated_with_its_token_applies_once() {
    let table = Table::new().await;
    let items = || vec![table.put_new("a"), table.add_one("b")];
    table.transact(items(), Some("token-1")).await.expect("first attempt");
    // The retry of an attempt whose response was lost: same token, same request.
    table.transact(items(), Some("token-1")).await.expect("the repeat succeeds");
    assert_eq!(table.counter("a").await, Some(None));
    assert_eq!(table.counter("b").await, Some(Some("1".into())), "applied once");

    // A new token is a new transaction: its condition now fails.
    let again = table.transact(items(), Some("token-2")).await.unwrap_err();
    assert!(matches!(again.as_service_error(), Some(TransactWriteItemsError::TransactionCanceledException(_))));
    assert_eq!(table.counter("b").await, Some(Some("1".into())));
}

#[tokio::test]
async fn a_token_reused_for_another_request_is_refused() {
    let table = Table::new().await;
    table.transact(vec![table.add_one("a")], Some("token")).await.unwrap();
    let err = table.transact(vec![table.add_one("b")], Some("token")).await.unwrap_err();
    assert!(
        matches!(err.as_service_error(), Some(TransactWriteItemsError::IdempotentParameterMismatchException(_))),
        "{err:?}"
    );
    assert_eq!(table.counter("b").await, None);
}

#[tokio::test]
async fn a_cancelled_transaction_leaves_every_item_as_it_was() {
    let table = Table::new().await;
    table.transact(vec![table.add_one("counted")], None).await.unwrap();
    table.transact(vec![table.add_one("bystander")], None).await.unwrap();

    // The update and the put come before the failing check, so they have to be undone.
    let err = table
        .transact(vec![table.add_one("counted"), table.put_new("created"), table.exists("missing")], None)
        .await
        .unwrap_err();
    assert!(matches!(err.as_service_error(), Some(TransactWriteItemsError::TransactionCanceledException(_))));
    assert_eq!(table.counter("counted").await, Some(Some("1".into())));
    assert_eq!(table.counter("created").await, None);
    assert_eq!(table.counter("bystander").await, Some(Some("1".into())));

    // And a failed transaction's token does not make its repeat a no-op.
    let items = || vec![table.add_one("counted"), table.exists("missing")];
    assert!(table.transact(items(), Some("failed")).await.is_err());
    assert!(table.transact(items(), Some("failed")).await.is_err());
    assert_eq!(table.counter("counted").await, Some(Some("1".into())));
}

/// A phone number no other test of this run sends to (the outbox is shared).
#[tokio::test]
async fn a_query_pages_through_its_partition_only_in_either_order() {
    let table = Table::new().await;
    for (pk, sks) in [("a", 0..7), ("b", 0..3), ("c", 0..5)] {
        for sk in sks {
            let put =
                table.client.put_item().table_name(&table.name).item("pk", s(pk)).item("sk", s(&format!("{sk:02}")));
            put.send().await.unwrap();
        }
    }
    for forward in [true, false] {
        let (mut seen, mut start, mut pages) = (Vec::new(), None, 0);
        loop {
            let page = table
                .client
                .query()
                .table_name(&table.name)
                .key_condition_expression("pk = :pk AND sk >= :from")
                .expression_attribute_values(":pk", s("a"))
                .expression_attribute_values(":from", s("01"))
                .scan_index_forward(forward)
                .limit(2)
                .set_exclusive_start_key(start)
                .send()
                .await
                .unwrap();
            pages += 1;
            assert!(page.scanned_count <= 2, "a page reads at most its limit: {page:?}");
            seen.extend(page.items().iter().map(|item| item["sk"].as_s().unwrap().clone()));
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        let mut expected: Vec<String> = (1..7).map(|sk| format!("{sk:02}")).collect();
        if !forward {
            expected.reverse();
        }
        assert_eq!(seen, expected, "forward: {forward}");
        assert!(pages >= 3, "six items in pages of two: {pages} pages");
    }
    let none = table.client.query().table_name(&table.name).key_condition_expression("pk = :pk");
    let none = none.expression_attribute_values(":pk", s("nobody")).send().await.unwrap();
    assert_eq!((none.count, none.scanned_count, none.items().len()), (0, 0, 0));
}

fn unique_number() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("+1556{:05}{:04}", std::process::id() % 100_000, N.fetch_add(1, Ordering::Relaxed))
}

#[tokio::test]
async fn sms_land_in_the_outbox_beside_the_emails() {
    let sns = aws_sdk_sns::Client::new(&sdk().await);
    let number = unique_number();
    let sent = sns.publish().phone_number(&number).message("Ticket 17: please go to desk 3.").send().await.unwrap();
    let id = sent.message_id.unwrap();
    let outbox = system_tests::outbox().await;
    let sms = outbox.iter().find(|m| m["id"] == id.as_str()).expect("the SMS in outbox.json");
    assert_eq!(sms["channel"], "sms");
    assert_eq!(sms["to"], serde_json::json!([number]));
    assert_eq!(sms["body"], "Ticket 17: please go to desk 3.");
    assert!(sms["sent_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(outbox.iter().filter(|m| m["channel"] != "sms").all(|m| m["channel"] == "email"));
    // The page has a tab for them.
    let page = reqwest::get(format!("{}/_local/outbox?tab=sms", system_tests::endpoint())).await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Ticket 17: please go to desk 3.") && page.contains(&number));
    assert!(page.contains(r#"href="/_local/outbox?tab=sms" aria-current="page""#), "{page}");

    // Failures on demand, for one number; a number that is not E.164 is refused.
    system_tests::inject_sms_failures(&number, 1).await;
    let failing = sns.publish().phone_number(&number).message("again").send().await;
    assert!(failing.is_ok(), "the SDK retries a 500 by itself: {failing:?}");
    system_tests::inject_sms_failures(&number, 100).await;
    let down = sns.publish().phone_number(&number).message("lost").send().await;
    assert!(down.is_err(), "{down:?}");
    system_tests::inject_sms_failures(&number, 0).await;
    let refused = sns.publish().phone_number("5550421234").message("no country code").send().await;
    let err = refused.unwrap_err();
    assert_eq!(aws_sdk_sns::error::ProvideErrorMetadata::code(&err), Some("InvalidParameter"));
    let texts: Vec<String> = system_tests::outbox()
        .await
        .into_iter()
        .filter(|m| m["to"][0] == number.as_str())
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["again", "Ticket 17: please go to desk 3."]);
}
