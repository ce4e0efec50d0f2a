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

#[tokio::test]
async fn staff_delete_a_customer_with_their_waiting_and_closed_tickets_and_the_customer_is_gone() {
    use lambda_http::http::StatusCode;
    use system_tests::{call, request};
    use walkin::entrypoints::http;

    let w = Walkin::new().await;
    let registered = w.register("Del", &crate::helpers::phone(7), false).await;
    let customer_id = registered.body["customer_id"].as_str().unwrap().to_owned();
    // A served visit, then a ticket waiting now.
    let first = w.check_in("Del", &crate::helpers::phone(7)).await.body["service_id"].as_u64().unwrap();
    assert_eq!(w.next().await.status, 200);
    assert_eq!(w.served(first).await.status, 200);
    let waiting = w.check_in("Del", &crate::helpers::phone(7)).await.body["service_id"].as_u64().unwrap();

    let delete = |who: Option<&system_tests::User>| {
        let req = crate::helpers::by(request("DELETE", &format!("/walkin/v1/customers/{customer_id}"), None), who);
        call(&w.app, http::delete_customer, req)
    };
    assert_eq!(delete(None).await.status, StatusCode::UNAUTHORIZED.as_u16());
    assert_eq!(delete(Some(&w.someone)).await.status, StatusCode::FORBIDDEN.as_u16());
    let deleted = delete(Some(&w.staff)).await;
    assert_eq!((deleted.status, &deleted.body), (200, &serde_json::json!({"deleted": true})), "{deleted:?}");

    // The waiting ticket was cancelled (it left the queue) and, closed, went with the served one.
    assert_eq!(w.queue().await.body["regular_waiting"], 0);
    for id in [first, waiting] {
        assert_eq!(w.status(&id.to_string()).await.code(), Some("appointment_not_found"), "ticket {id}");
    }
    let again = w.check_in("Del", &crate::helpers::phone(7)).await;
    assert_eq!((again.status, again.code()), (404, Some("customer_not_found")));
    let twice = delete(Some(&w.staff)).await;
    assert_eq!((twice.status, twice.code()), (404, Some("customer_not_found")));
    // Registering the number again is a new customer.
    assert_eq!(w.register("Del", &crate::helpers::phone(7), false).await.status, 201);
}

#[tokio::test]
async fn a_ticket_at_a_desk_stays_until_the_desk_closes_it_when_its_customer_is_deleted() {
    use system_tests::{call, request};
    use walkin::entrypoints::http;

    let w = Walkin::new().await;
    let registered = w.register("Desk", &crate::helpers::phone(8), false).await;
    let customer_id = registered.body["customer_id"].as_str().unwrap().to_owned();
    let id = w.check_in("Desk", &crate::helpers::phone(8)).await.body["service_id"].as_u64().unwrap();
    assert_eq!(w.next().await.status, 200);
    let req =
        crate::helpers::by(request("DELETE", &format!("/walkin/v1/customers/{customer_id}"), None), Some(&w.staff));
    assert_eq!(call(&w.app, http::delete_customer, req).await.status, 200);
    assert_eq!(w.status_of(id).await, "called");
    assert_eq!(w.served(id).await.status, 200, "the desk still closes it");
}
