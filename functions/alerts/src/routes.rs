//! The alerts routes and who may call each, as `infra/template.yaml` declares them (a test keeps
//! the two equal). What a signed-in user may touch is their own alerts: the handlers read them
//! under the caller's `sub`.

use shared::routes::{Route, Routes, Who};

pub static ROUTES: Routes = Routes::new(&[
    Route::new("POST", "/alerts/v1/alerts", Who::SignedIn),
    Route::new("GET", "/alerts/v1/alerts", Who::SignedIn),
    Route::new("GET", "/alerts/v1/alerts/{alert_id}", Who::SignedIn),
    Route::new("PATCH", "/alerts/v1/alerts/{alert_id}", Who::SignedIn),
    Route::new("DELETE", "/alerts/v1/alerts/{alert_id}", Who::SignedIn),
    Route::new("GET", "/alerts/v1/alerts/{alert_id}/products", Who::SignedIn),
    Route::new("GET", "/alerts/v1/alerts/{alert_id}/insights", Who::SignedIn),
    Route::new("GET", "/alerts/v1/preferences", Who::SignedIn),
    Route::new("PATCH", "/alerts/v1/preferences", Who::SignedIn),
    Route::new("DELETE", "/alerts/v1/me", Who::SignedIn),
    Route::new("GET", "/alerts/v1/unsubscribe", Who::Public),
    Route::new("POST", "/alerts/v1/unsubscribe", Who::Public),
]);
