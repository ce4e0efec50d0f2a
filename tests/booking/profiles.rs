//! Signing up: a profile is the caller's (its id is their `sub`), made once; signing up again
//! answers the profile as it is and changes nothing, however many requests race.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::Booking;

#[tokio::test]
async fn a_profile_is_the_callers_and_signing_up_again_changes_nothing() {
    let b = Booking::new(1800).await;
    let user = b.user(&["provider"]).await;
    let first = b.post(&user, "/booking/v1/providers", json!({"first_name": " Ada ", "last_name": "Lovelace"})).await;
    assert_eq!(first.status, 201, "{first:?}");
    assert_eq!(
        (first.body["provider_id"].as_str(), first.body["first_name"].as_str()),
        (Some(user.sub.as_str()), Some("Ada"))
    );
    assert!(first.body.get("availability_version").is_none(), "{first:?}");
    let again = b.post(&user, "/booking/v1/providers", json!({"first_name": "Someone", "last_name": "Else"})).await;
    assert_eq!((again.status, &again.body), (200, &first.body), "the existing profile, untouched");

    // The same user as a client: a profile of its own kind, with the same id.
    let client = b.post(&user, "/booking/v1/clients", json!({"first_name": "Ada", "last_name": "L"})).await;
    assert_eq!((client.status, client.body["client_id"].as_str()), (201, Some(user.sub.as_str())), "{client:?}");
    let again = b.post(&user, "/booking/v1/clients", json!({"first_name": "Other", "last_name": "Name"})).await;
    assert_eq!((again.status, &again.body), (200, &client.body));

    let directory = b.providers("").await;
    assert_eq!(
        directory.body["providers"],
        json!([{"provider_id": user.sub, "first_name": "Ada", "last_name": "Lovelace"}])
    );
}

#[tokio::test]
async fn concurrent_sign_ups_make_one_profile() {
    let b = Booking::new(1800).await;
    let user = b.user(&["provider"]).await;
    let replies =
        join_all((0..6).map(|i| {
            b.post(&user, "/booking/v1/providers", json!({"first_name": format!("Name{i}"), "last_name": "X"}))
        }))
        .await;
    let created: Vec<_> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "{replies:?}");
    for reply in &replies {
        assert!(reply.status == 201 || reply.status == 200, "{reply:?}");
        assert_eq!(reply.body, created[0].body, "every answer is the one profile");
    }
    assert_eq!(b.providers("").await.body["providers"].as_array().unwrap().len(), 1);

    let clients =
        join_all((0..6).map(|i| {
            b.post(&user, "/booking/v1/clients", json!({"first_name": format!("Name{i}"), "last_name": "X"}))
        }))
        .await;
    assert_eq!(clients.iter().filter(|r| r.status == 201).count(), 1, "{clients:?}");
    assert!(clients.iter().all(|r| r.body == clients[0].body), "{clients:?}");
}
