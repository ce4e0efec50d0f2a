//! The orders routes and who may call each, as `infra/template.yaml` declares them (a test keeps
//! the two equal). The serve wrapper applies each route's rule before its handler runs; the
//! fallback uses it to tell a wrong method (405) from an unknown path (404).

use shared::{
    auth::{ADMIN, STAFF},
    routes::{Route, Routes, Who},
};

pub static ROUTES: Routes = Routes::new(&[
    // Orders belong to who posted them; staff and admins may read any (checked by the handler).
    Route::new("POST", "/orders/v1/orders", Who::SignedIn),
    // The caller's own orders, newest first.
    Route::new("GET", "/orders/v1/orders", Who::SignedIn),
    Route::new("GET", "/orders/v1/orders/{order_id}", Who::SignedIn),
    Route::new("GET", "/orders/v1/metrics", Who::Groups(&[STAFF])),
    Route::new("GET", "/orders/v1/generation", Who::Groups(&[STAFF])),
    Route::new("POST", "/orders/v1/generation/start", Who::Groups(&[ADMIN])),
    Route::new("POST", "/orders/v1/generation/stop", Who::Groups(&[ADMIN])),
]);
