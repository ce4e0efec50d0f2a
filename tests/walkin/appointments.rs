//! A ticket once issued: its status and position, cancelling it.

use serde_json::json;

use crate::helpers::{Walkin, phone};

#[tokio::test]
async fn ticket_status_and_positions() {
    let w = Walkin::new().await;
    let r1 = w.arrive("R1", &phone(1), false).await;
    let v1 = w.arrive("V1", &phone(2), true).await;
    assert_eq!(w.status(&r1.to_string()).await.body["position"], 2);
    let v1_status = w.status(&v1.to_string()).await;
    assert_eq!(
        (v1_status.status, &v1_status.body["status"], &v1_status.body["position"]),
        (200, &json!("waiting"), &json!(1))
    );
    w.next().await;
    let served = w.status(&v1.to_string()).await;
    assert_eq!(served.body["status"], "served");
    assert!(served.body.get("position").is_none());
    assert_eq!(w.status(&r1.to_string()).await.body["position"], 1);

    let missing = w.status("999").await;
    assert_eq!((missing.status, missing.code()), (404, Some("appointment_not_found")));
    for bad in ["abc", "0", "-1"] {
        let reply = w.status(bad).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{bad}");
        assert!(reply.message().contains("service_id"));
    }
}

#[tokio::test]
async fn cancel_removes_a_waiting_ticket() {
    let w = Walkin::new().await;
    let r1 = w.arrive("R1", &phone(1), false).await;
    let r2 = w.arrive("R2", &phone(2), false).await;
    let cancelled = w.cancel(&r1.to_string()).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")));
    // Cancelling again is not an error; the ticket stays cancelled.
    assert_eq!(w.cancel(&r1.to_string()).await.body["status"], "cancelled");
    assert_eq!(w.status(&r1.to_string()).await.body["status"], "cancelled");
    let queue = w.queue().await;
    assert_eq!(queue.body["waiting"].as_array().unwrap().len(), 1);
    // The customer may check in again, with a new ticket.
    let again = w.check_in("R1", &phone(1)).await;
    assert_eq!(again.status, 201);
    assert!(again.body["service_id"].as_u64().unwrap() > r2);
    assert_eq!(w.serve_all().await, ["R2", "R1"]);
    let served = w.cancel(&r2.to_string()).await;
    assert_eq!((served.status, served.code()), (409, Some("already_served")));
    assert_eq!(w.cancel("424242").await.code(), Some("appointment_not_found"));
}

#[tokio::test]
async fn cancel_racing_next_settles_on_one_outcome() {
    let w = Walkin::new().await;
    let id = w.arrive("Solo", &phone(1), false).await;
    let id_text = id.to_string();
    let (next, cancel) = tokio::join!(w.next(), w.cancel(&id_text));
    let status = w.status(&id.to_string()).await.body["status"].clone();
    match (next.status, cancel.status) {
        (200, 409) => assert_eq!(status, "served"),
        (404, 200) => assert_eq!(status, "cancelled"),
        other => panic!("both or neither won: {other:?} {next:?} {cancel:?}"),
    }
    assert_eq!(w.queue().await.body["waiting"], json!([]));
}
