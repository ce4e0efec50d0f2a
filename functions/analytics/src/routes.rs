//! The analytics routes and who may call each, as `infra/template.yaml` declares them (a test
//! keeps the two equal). The serve wrapper applies each route's rule before its handler runs;
//! the fallback uses it to tell a wrong method (405) from an unknown path (404).

use shared::{
    auth::{ANALYST, INGEST},
    routes::{Route, Routes, Who},
};

pub static ROUTES: Routes = Routes::new(&[
    Route::new("POST", "/analytics/v1/events", Who::Groups(&[INGEST])),
    Route::new("GET", "/analytics/v1/events/{event_id}", Who::Groups(&[ANALYST])),
    Route::new("GET", "/analytics/v1/events", Who::Groups(&[ANALYST])),
    Route::new("GET", "/analytics/v1/customers/top", Who::Groups(&[ANALYST])),
    Route::new("GET", "/analytics/v1/orders/value", Who::Groups(&[ANALYST])),
    Route::new("GET", "/analytics/v1/sales/province", Who::Groups(&[ANALYST])),
]);
