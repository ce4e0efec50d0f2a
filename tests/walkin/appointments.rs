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
    let called = w.status(&v1.to_string()).await;
    assert_eq!((called.body["status"].as_str(), called.body["desk"].as_str()), (Some("called"), Some("1")));
    assert!(called.body.get("position").is_none());
    assert_eq!(w.served(v1).await.status, 200);
    assert_eq!(w.status(&v1.to_string()).await.body["status"], "served");
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
    // The desk's calls served R2 (its next call) and R1 (the call that found the queue empty).
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
    // A called ticket may still be cancelled: either the call came first (and the cancel closed
    // the called ticket) or the cancel did (and there was nobody left to call).
    assert_eq!(cancel.status, 200, "{cancel:?}");
    assert_eq!(status, "cancelled");
    match next.status {
        200 => assert!(cancel.body["called_at"].is_string(), "called, then cancelled: {cancel:?}"),
        404 => assert!(cancel.body.get("called_at").is_none(), "cancelled while waiting: {cancel:?}"),
        other => panic!("next answered {other}: {next:?}"),
    }
    assert_eq!(w.queue().await.body["waiting"], json!([]));
    assert_eq!(w.queue().await.body["called"], json!([]));
}
