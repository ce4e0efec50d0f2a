//! Registering customers.

use crate::helpers::Walkin;

#[tokio::test]
async fn a_phone_number_registers_once() {
    let w = Walkin::new().await;
    assert_eq!(w.register("A", "555 123 4567", false).await.status, 201);
    let again = w.register("B", "555-123-4567", true).await;
    assert_eq!((again.status, again.code()), (409, Some("customer_exists")));
}

/// The `ttl` of the item at `pk`/`sk`, in epoch seconds.
async fn ttl_of(w: &Walkin, pk: &str, sk: &str) -> i64 {
    use aws_sdk_dynamodb::types::AttributeValue;
    let item = aws_sdk_dynamodb::Client::new(&w.sdk)
        .get_item()
        .table_name(&w.table)
        .key("pk", AttributeValue::S(pk.to_owned()))
        .key("sk", AttributeValue::S(sk.to_owned()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap_or_else(|| panic!("no item {pk}/{sk}"));
    item.get("ttl").and_then(|v| v.as_n().ok()).unwrap_or_else(|| panic!("{pk}/{sk} has no ttl")).parse().unwrap()
}

#[tokio::test]
async fn customers_and_tickets_expire_a_retention_period_after_they_were_stored() {
    let w = Walkin::new().await;
    let before = chrono::Utc::now().timestamp();
    let id = w.arrive("Ttl", &crate::helpers::phone(1), false).await;
    w.next().await;
    let after = chrono::Utc::now().timestamp();
    let year = 365 * 86_400;
    for (pk, sk) in [
        ("CUSTOMER#+442070000001".to_owned(), "CUSTOMER".to_owned()),
        (format!("TICKET#{id}"), "TICKET".to_owned()),
        ("CALLED".to_owned(), format!("{id:020}")),
    ] {
        let ttl = ttl_of(&w, &pk, &sk).await;
        assert!((before + year..=after + year).contains(&ttl), "{pk}/{sk}: ttl {ttl} not 365 days from storage");
    }
}
