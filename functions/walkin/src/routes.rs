//! The walk-in routes and who may call each, as `infra/template.yaml` declares them (a test keeps
//! the two equal, and the routes the template leaves without an authorizer are exactly the
//! public ones here). Every HTTP entry point asks `Verifier::caller` with this table first; the
//! fallback uses it to tell a wrong method (405) from an unknown path (404).

use shared::auth::{Route, STAFF, Who};

pub const ROUTES: &[Route] = &[
    Route::new("POST", "/walkin/v1/customers", Who::Groups(&[STAFF])),
    // The kiosk: anyone.
    Route::new("POST", "/walkin/v1/appointment", Who::Public),
    Route::new("POST", "/walkin/v1/appointment/next", Who::Groups(&[STAFF])),
    Route::new("GET", "/walkin/v1/appointment/next", Who::Groups(&[STAFF])),
    Route::new("GET", "/walkin/v1/appointment/{service_id}", Who::Public),
    // Staff, or anyone holding the ticket's cancel token (checked by the handler).
    Route::new("DELETE", "/walkin/v1/appointment/{service_id}", Who::Public),
    // The public board; staff also see first names.
    Route::new("GET", "/walkin/v1/queue", Who::Public),
];
