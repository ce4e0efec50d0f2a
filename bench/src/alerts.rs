//! Product price alerts (`/alerts/v1`): the management endpoints; the dispatcher's minute with
//! `BENCH_ALERTS` alerts (DynamoDB requests, pages, items, time); marketplace calls for N alerts over K
//! phrases (target: K); and what rendering and sending one email costs.

use std::{sync::Arc, time::Instant};

use alerts::{
    App, Config,
    domain::NewAlert,
    email::{self, Sender, Wording},
    marketplace::{CredentialSource, Marketplace},
    ops::{manage, runs},
};
use anyhow::{Context, Result};
use aws_config::SdkConfig;
use futures::{StreamExt, TryStreamExt, stream};
use local_stack::{
    Stack, Template,
    invoke::{Invoker, WatchInvoker},
    triggers::ScheduleSource,
};
use serde_json::{Value, json};

use crate::{
    latency::{Bench, Call, short_operation},
    table::{Align, Table},
};

/// The management endpoints, each measured as its owner calls it.
pub async fn scenario(bench: &mut Bench) -> Result<()> {
    let n = bench.requests;
    // Twenty alerts per user at most: the creations are spread over as many users as needed.
    let users = bench.sign_up("alerts-bench", n.div_ceil(20) + 1, &[]).await?;
    let creations: Vec<Call> = (0..n)
        .map(|i| {
            Call::post(
                "/alerts/v1/alerts",
                Some(json!({"search_phrase": format!("bench phrase {i}"), "frequency_minutes": 30})),
            )
            .by(&users[i / 20])
        })
        .collect();
    let created = bench.measure("POST /alerts/v1/alerts", 201, creations).await?;
    let owner = &users[0];
    let id = created[0]["alert_id"].as_str().context("an alert id")?.to_owned();
    let calls = |call: &dyn Fn(usize) -> Call| (0..n).map(call).collect::<Vec<_>>();
    bench.measure("GET /alerts/v1/alerts", 200, calls(&|_| Call::get("/alerts/v1/alerts").by(owner))).await?;
    bench
        .measure("GET /alerts/v1/alerts/{id}", 200, calls(&|_| Call::get(format!("/alerts/v1/alerts/{id}")).by(owner)))
        .await?;
    bench
        .measure(
            "PATCH /alerts/v1/alerts/{id}",
            200,
            calls(&|i| Call::patch(format!("/alerts/v1/alerts/{id}"), json!({"max_price": 50 + i})).by(owner)),
        )
        .await?;
    Ok(())
}

/// One figure of the alerts table.
pub struct Figure {
    pub what: String,
    pub seconds: f64,
    pub figure: String,
}

pub fn table(figures: &[Figure]) -> Table {
    let mut table = Table::new(&[("alerts runs", Align::Left), ("seconds", Align::Right), ("cost", Align::Left)]);
    for f in figures {
        table.row(vec![f.what.clone(), format!("{:.2}", f.seconds), f.figure.clone()]);
    }
    table
}

fn operations(counters: &std::collections::BTreeMap<String, u64>) -> String {
    counters.iter().map(|(op, n)| format!("{} {n}", short_operation(op))).collect::<Vec<_>>().join(", ")
}

/// The stack's alerts app, in this process (to make thousands of alerts quickly, and to render).
fn app(sdk: &SdkConfig, stack: &Stack, template: &Template, endpoint: &str) -> Result<&'static App> {
    let env = local_stack::dev::function_environment(template, stack, endpoint)?;
    let var = |name: &str| env.get(name).cloned().with_context(|| format!("{name} is not in the environment"));
    let auth = shared::auth::AuthConfig::for_pool("us-east-1", stack.sign_in().0, stack.sign_in().1, Some(endpoint));
    let config = Config {
        unsubscribe_key: Some(shared::cursor::Cursors::new(
            stack.secrets.get("AlertsUnsubscribeKey").context("the stack has no unsubscribe key")?,
        )),
        runs_queue_url: Some(var("ALERTS_RUNS_QUEUE_URL")?),
        sender: Some(Sender { from: var("ALERTS_FROM_EMAIL")?, public_base_url: var("ALERTS_PUBLIC_BASE_URL")? }),
        // The bench measures the runs, not the day's marketplace budget (which it would spend).
        budget: alerts::domain::budget::Budget { daily: 10_000_000, user_share: 10_000_000 },
        ..Config::new(var("ALERTS_TABLE")?, auth)
    };
    let source = CredentialSource::Secret {
        client: aws_sdk_secretsmanager::Client::new(sdk),
        secret_id: var("EBAY_CREDENTIALS_SECRET")?,
    };
    let marketplace = Marketplace::new(&var("EBAY_API_BASE_URL")?, "EBAY_US", source);
    Ok(shared::app::for_process(App::with_marketplace(sdk, &config, Some(marketplace))))
}

/// Makes `count` alerts over `phrases` phrases (each user has up to 20, all of different phrases),
/// the i-th created `i % spread` minutes after `t0` (so due from then on).
async fn make_alerts(
    app: &App,
    tag: &str,
    count: usize,
    phrases: usize,
    spread: i64,
    t0: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    stream::iter(0..count)
        .map(|i| async move {
            let per_user = phrases.min(20);
            let (user, nth) = (i / per_user, i % per_user);
            let phrase = format!("{tag} item {}", (user + nth) % phrases);
            let frequency = [2, 10, 30][i % 3];
            let new = NewAlert::from_json(&json!({"search_phrase": phrase, "frequency_minutes": frequency}))
                .map_err(|e| anyhow::anyhow!(e))?;
            let at = t0 + chrono::Duration::minutes(i as i64 % spread);
            manage::create(&app.store, &format!("{tag}-user-{user}"), &format!("{tag}-{user}@example.com"), new, at)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        })
        .buffer_unordered(8)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}

/// Empties the runs queue. SQS allows one purge a minute per queue, so a purge refused for that
/// reason is tried again every few seconds until the minute is over.
async fn purge(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<()> {
    let deadline = Instant::now() + std::time::Duration::from_secs(75);
    loop {
        match sqs.purge_queue().queue_url(url).send().await {
            Ok(_) => return Ok(()),
            Err(e)
                if Instant::now() < deadline
                    && e.as_service_error().is_some_and(|e| e.is_purge_queue_in_progress()) =>
            {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
            Err(e) => return Err(e).context("purging the runs queue"),
        }
    }
}

async fn marketplace_searches(endpoint: &str, client_id: &str) -> Result<u64> {
    let stats: Value =
        reqwest::get(format!("{endpoint}/_local/marketplace/stats?client_id={client_id}")).await?.json().await?;
    Ok(stats["searches"].as_u64().unwrap_or_default())
}

async fn outbox_len(endpoint: &str) -> Result<usize> {
    let all: Value = reqwest::get(format!("{endpoint}/_local/outbox.json")).await?.json().await?;
    Ok(all["messages"].as_array().map_or(0, Vec::len))
}

/// The runs: the dispatcher's minute with `BENCH_ALERTS` alerts (a tenth, then all of them due), through
/// `cargo lambda watch`; N alerts over K phrases run by the worker; rendering and sending.
pub async fn runs(
    bench: &Bench,
    sdk: &SdkConfig,
    stack: &Stack,
    template: &Template,
    endpoint: &str,
    api_port: u16,
) -> Result<Vec<Figure>> {
    let app = app(sdk, stack, template, endpoint)?;
    let invoker = Arc::new(WatchInvoker::new(api_port));
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let runs_queue = &stack.queue("AlertRunsQueue").url;
    let dispatcher = ScheduleSource::from_template(template)?
        .into_iter()
        .find(|s| s.function == "alerts-dispatcher")
        .context("no alerts-dispatcher schedule")?;
    let mut figures = Vec::new();
    // Far in the future of the management scenario's alerts, so only these are due.
    let t0 = chrono::Utc::now() + chrono::Duration::days(400);

    // The dispatcher's minute must end inside its 60 s timeout, against a Python emulator too:
    // 10,000 alerts did not (`BENCH_ALERTS` raises it where the endpoint is faster).
    let alerts = crate::env_count("BENCH_ALERTS", 2_000)?;
    eprintln!("bench: making {alerts} alerts over {} phrases...", alerts / 10);
    make_alerts(app, "dispatch", alerts, alerts / 10, 10, t0).await?;
    for (label, at) in [
        (format!("{} of {alerts} due", alerts / 10), t0 + chrono::Duration::seconds(30)),
        (format!("{alerts} of {alerts} due"), t0 + chrono::Duration::minutes(10)),
    ] {
        purge(&sqs, runs_queue).await?;
        bench.reset_counters().await?;
        let started = Instant::now();
        let answer = invoker.invoke("alerts-dispatcher", dispatcher.event(at)).await.map_err(anyhow::Error::msg)?;
        let seconds = started.elapsed().as_secs_f64();
        let counters = bench.counters().await?;
        figures.push(Figure {
            what: format!("dispatcher minute, {label}"),
            seconds,
            figure: format!(
                "{} alerts in {} messages; {}",
                answer["alerts"],
                answer["messages"],
                operations(&counters)
            ),
        });
    }
    purge(&sqs, runs_queue).await?;

    let client_id = stack.marketplace_client_id.as_deref().context("no marketplace client")?;
    for (alerts, phrases) in [(200, 10), (200, 50)] {
        let tag = format!("n{alerts}k{phrases}");
        let at = t0 + chrono::Duration::days(10 + phrases as i64);
        make_alerts(app, &tag, alerts, phrases, 1, at).await?;
        let messages = runs::group(
            stream::iter(0..alerts_shards())
                .then(|shard| app.store.due(shard, at + chrono::Duration::seconds(30)))
                .try_collect::<Vec<_>>()
                .await?
                .into_iter()
                .flatten()
                .filter(|d| d.owner.starts_with(&tag))
                .collect(),
            at + chrono::Duration::seconds(30),
        );
        let searches_before = marketplace_searches(endpoint, client_id).await?;
        let sent_before = outbox_len(endpoint).await?;
        bench.reset_counters().await?;
        let started = Instant::now();
        for chunk in messages.chunks(10) {
            let records: Vec<Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, m)| json!({"messageId": format!("bench-{i}"), "body": serde_json::to_string(m).unwrap_or_default()}))
                .collect();
            invoker.invoke("alerts-worker", json!({"Records": records})).await.map_err(anyhow::Error::msg)?;
        }
        let seconds = started.elapsed().as_secs_f64();
        let counters = bench.counters().await?;
        let searches = marketplace_searches(endpoint, client_id).await? - searches_before;
        let sent = outbox_len(endpoint).await? - sent_before;
        figures.push(Figure {
            what: format!("worker, {alerts} alerts over {phrases} phrases (batches of 10 messages)"),
            seconds,
            figure: format!(
                "{searches} marketplace calls, {sent} emails ({:.1} ms an email, search included); {}",
                1000.0 * seconds / sent.max(1) as f64,
                operations(&counters)
            ),
        });
    }

    figures.extend(recorder(bench, app, &invoker).await?);

    // Rendering alone, in this process, and sending alone through the local SES.
    let search = alerts::marketplace::Search {
        phrase: "render bench".into(),
        currency: alerts::domain::Currency::usd(),
        max_price: None,
    };
    let (products, _) =
        runs::search(&app.worker()?, &search, chrono::Utc::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let products = alerts::domain::product::cheapest(&products, None);
    let alert = NewAlert::from_json(&json!({"search_phrase": "render bench", "frequency_minutes": 10}))
        .map_err(|e| anyhow::anyhow!(e))?
        .into_alert("bench-alert".into(), "bench-owner".into(), "render@example.com".into(), chrono::Utc::now());
    let sender = app.sender.as_ref().context("a sender")?;
    let wording = Wording::alert(&alert, products.len(), chrono::Utc::now());
    let renders = 1_000;
    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..renders {
        let built = email::listing_email(
            sender,
            &alert,
            &wording,
            &products,
            "token",
            &format!("bench.{i}"),
            chrono::Utc::now(),
        )?;
        bytes = built.raw.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    figures.push(Figure {
        what: format!("render one email (20 listings, HTML + text, MIME), x{renders}"),
        seconds,
        figure: format!("{:.0} µs an email, {bytes} bytes", 1e6 * seconds / renders as f64),
    });
    let email = email::listing_email(sender, &alert, &wording, &products, "token", "bench.send", chrono::Utc::now())?;
    let sends = 100;
    let started = Instant::now();
    for _ in 0..sends {
        app.mailer.send(&sender.from, &email).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    figures.push(Figure {
        what: format!("send one email through SES v2 (raw), x{sends}"),
        seconds,
        figure: format!("{:.1} ms an email (the local endpoint)", 1000.0 * seconds / sends as f64),
    });
    Ok(figures)
}

/// An observation of `listings` listings of `phrase` on the day `days_ago` days back.
fn observation(phrase: &str, listings: usize, days_ago: i64, k: usize) -> Value {
    let at = chrono::Utc::now() - chrono::Duration::days(days_ago) - chrono::Duration::minutes(k as i64);
    let products: Vec<Value> = (0..listings)
        .map(|i| {
            let cents = 2_000 + (i * 37 + k * 11 + days_ago as usize * 13) % 3_000;
            json!({"item_id": format!("v1|{i}|0"), "title": format!("{phrase} listing {i}"), "total_price": cents as f64 / 100.0,
                   "currency": "USD", "item_url": format!("https://www.ebay.com/itm/{i}")})
        })
        .collect();
    json!({"search_phrase": phrase, "currency": "USD", "observed_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
           "source": "bench", "products": products})
}

/// The recorder's throughput (observations of 200 listings, through `cargo lambda watch` in
/// batches of 10), then the insights query at 7, 14 and 90 days over 90 days of history with 30
/// (1×) and 300 (10×) listings a day.
async fn recorder(bench: &Bench, app: &'static App, invoker: &WatchInvoker) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let count = 200;
    let bodies: Vec<Value> =
        (0..count).map(|i| observation(&format!("recorder phrase {}", i % 20), 200, (i / 20) as i64, i)).collect();
    bench.reset_counters().await?;
    let started = Instant::now();
    for (b, chunk) in bodies.chunks(10).enumerate() {
        let records: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, body)| json!({"messageId": format!("obs-{b}-{i}"), "body": body.to_string()}))
            .collect();
        let answer =
            invoker.invoke("alerts-recorder", json!({"Records": records})).await.map_err(anyhow::Error::msg)?;
        if answer["batchItemFailures"].as_array().is_some_and(|f| !f.is_empty()) {
            anyhow::bail!("the recorder failed records: {answer}");
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let counters = bench.counters().await?;
    let dynamodb: u64 = counters.iter().filter(|(op, _)| op.starts_with("DynamoDB")).map(|(_, n)| n).sum();
    figures.push(Figure {
        what: format!("recorder, {count} observations of 200 listings (batches of 10)"),
        seconds,
        figure: format!(
            "{:.1} observations/s, {:.2} DynamoDB requests an observation; {}",
            count as f64 / seconds,
            dynamodb as f64 / count as f64,
            operations(&counters)
        ),
    });

    let users = bench.sign_up("insights-bench", 1, &[]).await?;
    for (label, phrase, listings) in [("1x", "insights small", 30), ("10x", "insights large", 300)] {
        eprintln!("bench: 90 days of history for {phrase} ({listings} listings a day)...");
        for days_ago in 0..90 {
            let body = observation(phrase, listings, days_ago, 0);
            let observation =
                alerts::domain::history::Observation::from_json(&body, chrono::Utc::now(), 90, &app.marketplace_hosts)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            alerts::ops::history::record(&app.store, app.mail()?, &observation, chrono::Utc::now(), 90)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let created = bench
            .unmeasured(
                [Call::post("/alerts/v1/alerts", Some(json!({"search_phrase": phrase, "frequency_minutes": 30})))
                    .by(&users[0])],
                201,
            )
            .await?;
        let id = created[0]["alert_id"].as_str().context("an alert id")?.to_owned();
        for days in [7, 14, 90] {
            let call = || Call::get(format!("/alerts/v1/alerts/{id}/insights?days={days}")).by(&users[0]);
            bench.unmeasured([call()], 200).await?;
            bench.reset_counters().await?;
            let n = 20;
            let started = Instant::now();
            bench.unmeasured((0..n).map(|_| call()), 200).await?;
            let seconds = started.elapsed().as_secs_f64();
            let counters = bench.counters().await?;
            let per_call: Vec<String> =
                counters.iter().map(|(op, c)| format!("{} {:.1}", short_operation(op), *c as f64 / n as f64)).collect();
            figures.push(Figure {
                what: format!("GET insights?days={days}, {label} history ({listings} listings a day)"),
                seconds: seconds / n as f64,
                figure: format!("per call: {}", per_call.join(", ")),
            });
        }
    }
    Ok(figures)
}

fn alerts_shards() -> usize {
    alerts::store::DUE_SHARDS
}
