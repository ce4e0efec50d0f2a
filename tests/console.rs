//! The web console in a real browser: the whole stack running as `make dev` runs it (the
//! console's built files served by the `site` function), users of each group in its pool, then
//! the Playwright tests of `web/tests/` in Debian's Chromium against it (`make test` installs
//! Chromium and builds the console first). Screenshots of each view at phone and desktop widths
//! land in `web/test-results/screenshots/`.

use std::{process::Command, time::Duration};

use serde_json::json;
use system_tests::{running::Running, user, workspace};

#[tokio::test(flavor = "multi_thread")]
async fn the_console_works_in_a_browser() {
    let web = workspace().join("web");
    assert!(
        web.join("dist/console/index.html").exists() && web.join("node_modules/.bin/playwright").exists(),
        "the console is not built: run `make web` (make test does)"
    );
    let running = Running::start(&[]).await;
    let people = [
        ("staff", "console-staff@example.com", vec!["staff"]),
        ("provider", "console-provider@example.com", vec!["provider"]),
        ("client", "console-client@example.com", vec![]),
        ("analyst", "console-analyst@example.com", vec!["analyst"]),
        ("admin", "console-admin@example.com", vec!["admin"]),
        ("mfa", "console-mfa@example.com", vec![]),
    ];
    let mut users = serde_json::Map::new();
    for (role, email, groups) in &people {
        user(&running.stack, email, groups).await;
        users.insert((*role).to_owned(), json!(email));
    }
    let base = format!("http://127.0.0.1:{}", running.port);
    let run = tokio::task::spawn_blocking(move || {
        Command::new(web.join("node_modules/.bin/playwright"))
            .args(["test", "--config", "playwright.config.ts"])
            .current_dir(&web)
            .env("CONSOLE_BASE_URL", &base)
            .env("CONSOLE_USERS", serde_json::Value::Object(users).to_string())
            .env("CONSOLE_PASSWORD", local_stack::cognito::DEFAULT_DEMO_PASSWORD)
            .env("CONSOLE_SCREENSHOTS", "test-results/screenshots")
            .status()
    });
    let status = tokio::time::timeout(Duration::from_secs(900), run)
        .await
        .expect("the browser tests finish within 15 minutes")
        .unwrap()
        .expect("running playwright");
    running.stop().await;
    assert!(status.success(), "browser tests failed (their output above)");
}
