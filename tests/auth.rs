//! Sign-in as the functions see it: the template's user pool, app client and groups on the local
//! AWS endpoint, tokens from Cognito's `InitiateAuth`, verified by `shared::auth` against the
//! pool's keys fetched from the endpoint.

use local_stack::cognito;
use shared::{
    auth::{AuthConfig, Verifier},
    routes::Who,
};
use system_tests::{endpoint, fresh_stack, request, sdk, with_header};

#[tokio::test]
async fn a_user_of_the_template_pool_signs_in_and_the_functions_know_who_it_is() {
    let sdk = sdk().await;
    let stack = fresh_stack(&sdk).await;
    let (pool, client) = stack.sign_in();
    let sub =
        cognito::add_user(&sdk, pool, "staff@example.com", cognito::DEFAULT_DEMO_PASSWORD, &["staff"]).await.unwrap();
    let tokens = cognito::sign_in(&sdk, client, "staff@example.com", cognito::DEFAULT_DEMO_PASSWORD).await.unwrap();

    let verifier = Verifier::new(AuthConfig::for_pool("us-east-1", pool, client, Some(endpoint())));
    let caller = verifier.verify(&tokens.id_token).await.expect("an ID token of the pool");
    assert_eq!(caller.sub, sub);
    assert_eq!(caller.verified_email(), Some("staff@example.com"));
    assert_eq!(caller.groups, ["staff"]);
    let caller = verifier.verify(&tokens.access_token).await.expect("an access token of the pool");
    assert_eq!((caller.sub.as_str(), caller.email.as_deref()), (sub.as_str(), None));

    // A refresh token is not a bearer token; another app client's tokens are not ours.
    if let Some(refresh) = &tokens.refresh_token {
        assert!(verifier.verify(refresh).await.is_err());
    }
    let other = Verifier::new(AuthConfig::for_pool("us-east-1", pool, "another-client", Some(endpoint())));
    assert!(other.verify(&tokens.id_token).await.is_err());

    // Through a route rule: the desk is staff's, the admin console is not.
    let req = with_header(
        request("POST", "/walkin/v1/appointment/next", None),
        "authorization",
        &format!("Bearer {}", tokens.id_token),
    );
    assert!(verifier.authorize(&req, Who::Groups(&["staff"])).await.is_ok());
    let err = verifier.authorize(&req, Who::Groups(&["admin-only"])).await.unwrap_err();
    assert_eq!(err.code, "forbidden");
}
