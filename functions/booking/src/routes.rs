//! The reservation routes and who may call each, as `infra/template.yaml` declares them (a test
//! keeps the two equal). Every HTTP entry point asks `Verifier::caller` with this table first;
//! what a caller may touch (their own profile, slots, reservations) the handlers decide. The
//! fallback uses the table to tell a wrong method (405) from an unknown path (404).

use shared::auth::{ADMIN, PROVIDER, Route, Who};

pub const ROUTES: &[Route] = &[
    Route::new("POST", "/booking/v1/providers", Who::Groups(&[PROVIDER])),
    Route::new("POST", "/booking/v1/clients", Who::SignedIn),
    Route::new("POST", "/booking/v1/providers/{provider_id}/availability", Who::Groups(&[PROVIDER])),
    Route::new("GET", "/booking/v1/providers/{provider_id}/availability", Who::Public),
    Route::new("DELETE", "/booking/v1/providers/{provider_id}/slots/{slot_id}", Who::Groups(&[PROVIDER])),
    Route::new("POST", "/booking/v1/reservations", Who::SignedIn),
    Route::new("POST", "/booking/v1/reservations/expire", Who::Groups(&[ADMIN])),
    Route::new("GET", "/booking/v1/reservations/{reservation_id}", Who::SignedIn),
    Route::new("DELETE", "/booking/v1/reservations/{reservation_id}", Who::SignedIn),
    Route::new("POST", "/booking/v1/reservations/{reservation_id}/confirm", Who::SignedIn),
];
