//! The walk-in routes and who may call each, as `infra/template.yaml` declares them (a test keeps
//! the two equal, and the routes the template leaves without an authorizer are exactly the
//! public ones here). The serve wrapper applies each route's rule before its handler runs; the
//! fallback uses the table to tell a wrong method (405) from an unknown path (404).

use shared::{
    auth::STAFF,
    routes::{Route, Routes, Who},
};

pub static ROUTES: Routes = Routes::new(&[
    Route::new("POST", "/walkin/v1/customers", Who::Groups(&[STAFF])),
    Route::new("DELETE", "/walkin/v1/customers/{customer_id}", Who::Groups(&[STAFF])),
    // The kiosk: anyone.
    Route::new("POST", "/walkin/v1/appointment", Who::Public),
    Route::new("POST", "/walkin/v1/appointment/next", Who::Groups(&[STAFF])),
    Route::new("GET", "/walkin/v1/appointment/next", Who::Groups(&[STAFF])),
    Route::new("GET", "/walkin/v1/appointment/{service_id}", Who::Public),
    // The desk's verdicts on a called ticket.
    Route::new("POST", "/walkin/v1/appointment/{service_id}/served", Who::Groups(&[STAFF])),
    Route::new("POST", "/walkin/v1/appointment/{service_id}/no_show", Who::Groups(&[STAFF])),
    Route::new("POST", "/walkin/v1/appointment/{service_id}/recall", Who::Groups(&[STAFF])),
    // Staff, or anyone holding the ticket's cancel token (checked by the handler).
    Route::new("DELETE", "/walkin/v1/appointment/{service_id}", Who::Public),
    // The public board; staff also see first names.
    Route::new("GET", "/walkin/v1/queue", Who::Public),
]);
