//! The reservation routes and who may call each, as `infra/template.yaml` declares them (a test
//! keeps the two equal). The serve wrapper applies each route's rule before its handler runs;
//! what a caller may touch (their own profile, slots, reservations) the handlers decide. The
//! fallback uses the table to tell a wrong method (405) from an unknown path (404).

use shared::{
    auth::{ADMIN, PROVIDER},
    routes::{Route, Routes, Who},
};

pub static ROUTES: Routes = Routes::new(&[
    Route::new("POST", "/booking/v1/providers", Who::Groups(&[PROVIDER])),
    Route::new("GET", "/booking/v1/providers", Who::Public),
    // Any signed-in user may become a client; the other client routes then need the profile.
    Route::new("POST", "/booking/v1/clients", Who::SignedIn),
    // The caller's own profiles: changed (names, time zone) or deleted with their data.
    Route::new("PATCH", "/booking/v1/providers/me", Who::Groups(&[PROVIDER])),
    Route::new("DELETE", "/booking/v1/providers/me", Who::Groups(&[PROVIDER])),
    Route::new("PATCH", "/booking/v1/clients/me", Who::SignedIn),
    Route::new("DELETE", "/booking/v1/clients/me", Who::SignedIn),
    // That provider (or an admin): the handler compares the caller with `provider_id`.
    Route::new("POST", "/booking/v1/providers/{provider_id}/availability", Who::Groups(&[PROVIDER])),
    Route::new("GET", "/booking/v1/providers/{provider_id}/availability", Who::Public),
    Route::new("GET", "/booking/v1/providers/{provider_id}/reservations", Who::Groups(&[PROVIDER])),
    Route::new("DELETE", "/booking/v1/providers/{provider_id}/slots/{slot_id}", Who::Groups(&[PROVIDER])),
    // A client (a signed-in user with a client profile); their own reservations only.
    Route::new("POST", "/booking/v1/reservations", Who::SignedIn),
    Route::new("GET", "/booking/v1/clients/me/reservations", Who::SignedIn),
    Route::new("POST", "/booking/v1/reservations/expire", Who::Groups(&[ADMIN])),
    // Its client, or (reading) its provider; anyone else is told it does not exist.
    Route::new("GET", "/booking/v1/reservations/{reservation_id}", Who::SignedIn),
    Route::new("DELETE", "/booking/v1/reservations/{reservation_id}", Who::SignedIn),
    Route::new("POST", "/booking/v1/reservations/{reservation_id}/confirm", Who::SignedIn),
    Route::new("POST", "/booking/v1/reservations/{reservation_id}/reschedule", Who::SignedIn),
]);
