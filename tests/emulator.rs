//! The local AWS endpoint behaves like DynamoDB where the services depend on it: a transaction
//! repeated with its `ClientRequestToken` (as the SDK does when it retries a timed-out attempt)
//! succeeds without applying twice, and a cancelled transaction leaves every item as it was.

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
