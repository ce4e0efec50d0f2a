//! Registering customers.

use crate::helpers::Walkin;

#[tokio::test]
async fn a_phone_number_registers_once() {
    let w = Walkin::new().await;
    assert_eq!(w.register("A", "555 123 4567", false).await.status, 201);
    let again = w.register("B", "555-123-4567", true).await;
    assert_eq!((again.status, again.code()), (409, Some("customer_exists")));
}
