//! The desk: calls to desks (each serving the desk's previous ticket), served, no-show, recall,
//! cancel of a called ticket, the calls on the board.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;

use crate::helpers::{Walkin, phone};

#[tokio::test]
async fn a_call_goes_to_a_desk_and_serves_that_desks_previous_ticket() {
    let w = Walkin::new().await;
    let a = w.arrive("Ada", &phone(1), false).await;
    let b = w.arrive("Bob", &phone(2), false).await;
    let c = w.arrive("Cy", &phone(3), false).await;
    let first = w.next_at("3").await;
    assert_eq!(
        (first.status, first.body["service_id"].as_u64(), first.body["desk"].as_str()),
        (200, Some(a), Some("3"))
    );
    let ticket = w.status(&a.to_string()).await;
    assert_eq!((ticket.body["status"].as_str(), ticket.body["desk"].as_str()), (Some("called"), Some("3")));
    assert!(ticket.body["called_at"].is_string());
    // Another desk's call leaves desk 3's ticket alone.
    assert_eq!(w.next_at("5").await.body["service_id"], b);
    assert_eq!(w.status(&a.to_string()).await.body["status"], "called");
    let board = w.queue_as(None).await;
    let calls: Vec<(u64, &str)> = board.body["called"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["service_id"].as_u64().unwrap(), c["desk"].as_str().unwrap()))
        .collect();
    assert_eq!(calls, [(b, "5"), (a, "3")], "latest first: {:?}", board.body);
    assert!(board.body["called"][0].get("first_name").is_none(), "the public board shows no names");
    assert_eq!(w.queue().await.body["called"][0]["first_name"], "Bob", "staff see names");
    // Desk 3 calls again: its previous ticket is served, and leaves the board.
    assert_eq!(w.next_at("3").await.body["service_id"], c);
    assert_eq!(w.status(&a.to_string()).await.body["status"], "served");
    let board = w.queue().await;
    let desks: Vec<&str> =
        board.body["called"].as_array().unwrap().iter().map(|c| c["desk"].as_str().unwrap()).collect();
    assert_eq!(desks, ["3", "5"]);
    // An empty queue: the desk's ticket is served all the same.
    let empty = w.next_at("3").await;
    assert_eq!((empty.status, empty.code()), (404, Some("queue_empty")));
    assert_eq!(w.status(&c.to_string()).await.body["status"], "served");
    assert_eq!(w.status(&b.to_string()).await.body["status"], "called");
}

#[tokio::test]
async fn ten_desks_calling_at_once_each_serve_their_previous_ticket_once() {
    let w = Walkin::new().await;
    let mut tickets = Vec::new();
    for i in 0..20 {
        tickets.push(w.arrive(&format!("C{i}"), &phone(i), i % 3 == 0).await);
    }
    let desks: Vec<String> = (1..=10).map(|d| d.to_string()).collect();
    let mut called_by: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for round in 0..2 {
        let replies = join_all(desks.iter().map(|d| w.next_at(d))).await;
        for (desk, reply) in desks.iter().zip(&replies) {
            assert_eq!(reply.status, 200, "round {round}, desk {desk}: {reply:?}");
            assert_eq!(reply.body["desk"], desk.as_str());
            called_by.entry(desk.clone()).or_default().push(reply.body["service_id"].as_u64().unwrap());
        }
        // After the second round every desk's first ticket is served, its second called.
        for (desk, called) in &called_by {
            let last = *called.last().unwrap();
            let ticket = w.status(&last.to_string()).await;
            assert_eq!(
                (ticket.body["status"].as_str(), ticket.body["desk"].as_str()),
                (Some("called"), Some(desk.as_str()))
            );
            for earlier in &called[..called.len() - 1] {
                assert_eq!(w.status(&earlier.to_string()).await.body["status"], "served", "desk {desk}");
            }
        }
    }
    let all: BTreeSet<u64> = called_by.values().flatten().copied().collect();
    assert_eq!(all.len(), 20, "every ticket called exactly once");
    assert_eq!(all, tickets.iter().copied().collect());
    // The same desk calling ten times at once: distinct tickets or queue_empty, never a conflict.
    let replies = join_all((0..10).map(|_| w.next_at("1"))).await;
    assert!(replies.iter().all(|r| r.status == 404 && r.code() == Some("queue_empty")), "{replies:?}");
    // Desk 1's second ticket was served by those calls, exactly once; the others still wait for
    // their desk.
    let desk_one = called_by["1"][1];
    assert_eq!(w.status(&desk_one.to_string()).await.body["status"], "served");
    assert_eq!(w.queue().await.body["called"].as_array().unwrap().len(), 9);
}

#[tokio::test]
async fn concurrent_calls_for_one_desk_each_get_a_distinct_ticket() {
    let w = Walkin::new().await;
    let mut tickets = Vec::new();
    for i in 0..8 {
        tickets.push(w.arrive(&format!("C{i}"), &phone(i), false).await);
    }
    let replies = join_all((0..12).map(|_| w.next_at("7"))).await;
    let mut called: Vec<u64> =
        replies.iter().filter(|r| r.status == 200).map(|r| r.body["service_id"].as_u64().unwrap()).collect();
    let empty = replies.iter().filter(|r| r.status == 404 && r.code() == Some("queue_empty")).count();
    assert_eq!(empty, 4, "{replies:?}");
    called.sort();
    assert_eq!(called, tickets);
    // Every ticket but the desk's last is served; its last was served by a queue_empty call.
    let statuses = join_all(tickets.iter().map(|id| w.status_of(*id))).await;
    assert!(statuses.iter().all(|s| s == "served"), "{statuses:?}");
}

#[tokio::test]
async fn served_and_no_show_need_a_called_ticket() {
    let w = Walkin::new().await;
    let a = w.arrive("Ada", &phone(1), false).await;
    let b = w.arrive("Bob", &phone(2), false).await;
    for reply in [w.served(a).await, w.no_show(a).await, w.recall(a).await] {
        assert_eq!((reply.status, reply.code()), (409, Some("not_called")), "{reply:?}");
        assert!(reply.message().contains("it is waiting"), "{}", reply.message());
    }
    assert_eq!(w.served(999).await.code(), Some("appointment_not_found"));
    w.next_at("2").await;
    let no_show = w.no_show(a).await;
    assert_eq!((no_show.status, no_show.body["status"].as_str()), (200, Some("no_show")));
    assert!(no_show.body["no_show_at"].is_string());
    assert_eq!(w.served(a).await.code(), Some("not_called"));
    assert_eq!(w.cancel(&a.to_string()).await.code(), Some("already_closed"));
    // The desk's next call finds its previous ticket closed, and calls the next one anyway.
    assert_eq!(w.next_at("2").await.body["service_id"], b);
    assert_eq!(w.status_of(a).await, "no_show");
    let served = w.served(b).await;
    assert_eq!(
        (served.status, served.body["status"].as_str(), served.body["desk"].as_str()),
        (200, Some("served"), Some("2"))
    );
    assert!(w.queue().await.body["called"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_called_ticket_may_be_cancelled_and_no_longer_blocks_a_check_in() {
    let w = Walkin::new().await;
    let (a, token) = w.arrive_with_token("Ada", &phone(1), false).await;
    w.arrive("Bob", &phone(2), false).await;
    assert_eq!(w.next_at("4").await.body["service_id"], a);
    // Only a waiting ticket blocks the same customer's check-in.
    let again = w.check_in("Ada", &phone(1)).await;
    assert_eq!(again.status, 201, "{again:?}");
    let cancelled = w.cancel_as(&a.to_string(), None, Some(&token)).await;
    assert_eq!((cancelled.status, cancelled.body["status"].as_str()), (200, Some("cancelled")));
    assert!(w.queue().await.body["called"].as_array().unwrap().is_empty());
    assert_eq!(w.served(a).await.code(), Some("not_called"));
    // Desk 4 calls on: the cancelled ticket stays cancelled.
    assert_eq!(w.next_at("4").await.status, 200);
    assert_eq!(w.status_of(a).await, "cancelled");
}

#[tokio::test]
async fn a_desk_name_is_checked() {
    let w = Walkin::new().await;
    w.arrive("Ada", &phone(1), false).await;
    let long = w.next_at(&"x".repeat(21)).await;
    assert_eq!((long.status, long.code()), (400, Some("invalid_field")));
    assert!(long.message().contains("desk"), "{}", long.message());
    assert_eq!(w.next_at(" ").await.code(), Some("invalid_field"));
    let recall = w.next_at("Passports 2").await;
    assert_eq!(recall.body["desk"], "Passports 2");
}
