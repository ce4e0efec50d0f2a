//! The marketplace: eBay's Browse API `item_summary/search`, with an OAuth client-credentials
//! token. The token is kept in the process until shortly before its `expires_in` runs out and
//! renewed once when a search answers 401; 429 and 5xx are retried with backoff inside the
//! invocation's budget. The client id and secret are read from Secrets Manager on the first
//! search of a process (not at start-up: most invocations reuse a cached search), and never
//! logged.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Mutex, OnceCell};

use crate::domain::{Cents, Currency, Product};

/// Listings asked for per search: eBay's maximum page. The email carries the 20 cheapest by
/// price plus shipping, which need not be the 20 cheapest by price alone.
pub const SEARCH_LIMIT: u32 = 200;
/// A token is renewed this long before eBay says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(120);
const ATTEMPTS: u32 = 4;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const SCOPE: &str = "https://api.ebay.com/oauth/api_scope";

#[derive(Clone, Deserialize)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials {{ client_id: {:?}, client_secret: <redacted> }}", self.client_id)
    }
}

/// Where the credentials come from.
pub enum CredentialSource {
    /// A Secrets Manager secret (its ARN or name) holding `{"client_id", "client_secret"}`.
    Secret { client: aws_sdk_secretsmanager::Client, secret_id: String },
    /// Given directly (tests, tools).
    Fixed(Credentials),
}

#[derive(Debug, thiserror::Error)]
pub enum MarketplaceError {
    /// Down, overloaded, too slow or answering garbage: try again later.
    #[error("the marketplace is unavailable: {0}")]
    Unavailable(String),
    /// The credentials are missing or refused: nothing works until someone fixes them.
    #[error("the marketplace refused our credentials: {0}")]
    Credentials(String),
    /// The search itself was refused (a 4xx other than 401/429): retrying will not help.
    #[error("the marketplace refused the search: {0}")]
    Refused(String),
}

/// What one search asks for. Alerts with the same phrase, currency and price limit share it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Search {
    /// The normalised phrase.
    pub phrase: String,
    pub currency: Currency,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_price: Option<Cents>,
}

impl Search {
    /// eBay's `filter`: the price limit with its currency (eBay refuses one without the other).
    pub fn filter(&self) -> Option<String> {
        self.max_price.map(|max| format!("price:[..{}],priceCurrency:{}", max.decimal(), self.currency))
    }
}

/// What a search cost: its requests to the marketplace (retries included) and those answered 429.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    pub requests: u32,
    pub throttled: u32,
}

struct Token {
    value: String,
    renew_at: Instant,
}

pub struct Marketplace {
    http: reqwest::Client,
    base_url: String,
    marketplace_id: String,
    source: CredentialSource,
    credentials: OnceCell<Credentials>,
    token: Mutex<Option<Token>>,
}

impl Marketplace {
    pub fn new(base_url: &str, marketplace_id: &str, source: CredentialSource) -> Self {
        Self {
            http: shared::tls::reqwest_client()
                .connect_timeout(Duration::from_secs(2))
                .timeout(REQUEST_TIMEOUT)
                .build()
                .unwrap_or_default(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            marketplace_id: marketplace_id.to_owned(),
            source,
            credentials: OnceCell::new(),
            token: Mutex::new(None),
        }
    }

    async fn credentials(&self) -> Result<&Credentials, MarketplaceError> {
        self.credentials
            .get_or_try_init(|| async {
                match &self.source {
                    CredentialSource::Fixed(credentials) => Ok(credentials.clone()),
                    CredentialSource::Secret { client, secret_id } => {
                        let secret = client.get_secret_value().secret_id(secret_id).send().await.map_err(|err| {
                            MarketplaceError::Unavailable(format!(
                                "reading the marketplace credentials from Secrets Manager: {}",
                                aws_sdk_secretsmanager::error::DisplayErrorContext(&err)
                            ))
                        })?;
                        serde_json::from_str(secret.secret_string().unwrap_or_default()).map_err(|_| {
                            MarketplaceError::Credentials(
                                "the secret must hold {\"client_id\": ..., \"client_secret\": ...}".into(),
                            )
                        })
                    }
                }
            })
            .await
    }

    /// The cached token, or a new one. `stale` is a token a search was refused with: it is
    /// dropped (unless another search renewed it meanwhile).
    async fn token(&self, stale: Option<&str>) -> Result<String, MarketplaceError> {
        let mut token = self.token.lock().await;
        if let Some(current) = token.as_ref()
            && Instant::now() < current.renew_at
            && stale != Some(current.value.as_str())
        {
            return Ok(current.value.clone());
        }
        let credentials = self.credentials().await?;
        let response = self
            .http
            .post(format!("{}/identity/v1/oauth2/token", self.base_url))
            .basic_auth(&credentials.client_id, Some(&credentials.client_secret))
            .form(&[("grant_type", "client_credentials"), ("scope", SCOPE)])
            .send()
            .await
            .map_err(|err| MarketplaceError::Unavailable(format!("token request: {err}")))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::BAD_REQUEST {
            return Err(MarketplaceError::Credentials(format!("the token endpoint answered {status}")));
        }
        if !status.is_success() {
            return Err(MarketplaceError::Unavailable(format!("the token endpoint answered {status}")));
        }
        #[derive(Deserialize)]
        struct Granted {
            access_token: String,
            expires_in: u64,
        }
        let granted: Granted = response
            .json()
            .await
            .map_err(|err| MarketplaceError::Unavailable(format!("the token endpoint answered garbage: {err}")))?;
        let lifetime = Duration::from_secs(granted.expires_in).saturating_sub(TOKEN_MARGIN);
        let value = granted.access_token;
        *token = Some(Token { value: value.clone(), renew_at: Instant::now() + lifetime });
        Ok(value)
    }

    /// The listings eBay returns for `search`, cheapest first by price (eBay's `sort=price`);
    /// `calls` counts the requests it took.
    pub async fn search(&self, search: &Search, calls: &mut Calls) -> Result<Vec<Product>, MarketplaceError> {
        let mut backoff = shared::retry::Backoff::new(ATTEMPTS);
        let mut renewed = false;
        let mut refused_token: Option<String> = None;
        loop {
            let outcome = match self.token(refused_token.as_deref()).await {
                Ok(token) => self.search_once(search, &token, calls).await.map_err(|err| (Some(token), err)),
                Err(err) => Err((None, Attempt::Failed(err))),
            };
            let err = match outcome {
                Ok(products) => return Ok(products),
                Err((Some(token), Attempt::Unauthorized)) if !renewed => {
                    // Revoked or expired early: one new token, at once.
                    renewed = true;
                    refused_token = Some(token);
                    continue;
                }
                Err((_, Attempt::Unauthorized)) => {
                    return Err(MarketplaceError::Credentials("a new token was refused too".into()));
                }
                Err((_, Attempt::Failed(err))) => err,
            };
            match err {
                MarketplaceError::Unavailable(ref detail) if backoff.wait().await => {
                    tracing::info!(attempt = backoff.attempts(), %detail, "marketplace search failed; retrying");
                }
                err => return Err(err),
            }
        }
    }

    async fn search_once(&self, search: &Search, token: &str, calls: &mut Calls) -> Result<Vec<Product>, Attempt> {
        let mut query =
            vec![("q", search.phrase.clone()), ("sort", "price".to_owned()), ("limit", SEARCH_LIMIT.to_string())];
        if let Some(filter) = search.filter() {
            query.push(("filter", filter));
        }
        calls.requests += 1;
        let response = self
            .http
            .get(format!("{}/buy/browse/v1/item_summary/search", self.base_url))
            .bearer_auth(token)
            .header("X-EBAY-C-MARKETPLACE-ID", &self.marketplace_id)
            .query(&query)
            .send()
            .await
            .map_err(|err| Attempt::Failed(MarketplaceError::Unavailable(format!("search request: {err}"))))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(Attempt::Unauthorized);
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            calls.throttled += 1;
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(Attempt::Failed(MarketplaceError::Unavailable(format!("search answered {status}"))));
        }
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let reason: String = body.chars().take(300).collect();
            return Err(Attempt::Failed(MarketplaceError::Refused(format!("search answered {status}: {reason}"))));
        }
        let body: Value = response.json().await.map_err(|err| {
            Attempt::Failed(MarketplaceError::Unavailable(format!("search answered something that is not JSON: {err}")))
        })?;
        products(&body, &search.currency).map_err(|reason| {
            Attempt::Failed(MarketplaceError::Unavailable(format!("search answered an unexpected shape: {reason}")))
        })
    }
}

enum Attempt {
    Unauthorized,
    Failed(MarketplaceError),
}

/// The listings of a search response (`itemSummaries`, absent when nothing matched). A listing
/// in another currency, or without a usable price or link, is skipped rather than failing the
/// search.
pub fn products(body: &Value, currency: &Currency) -> Result<Vec<Product>, String> {
    let body = body.as_object().ok_or("the body is not an object")?;
    let Some(items) = body.get("itemSummaries") else { return Ok(Vec::new()) };
    let items = items.as_array().ok_or("itemSummaries is not an array")?;
    Ok(items.iter().filter_map(|item| product(item, currency)).collect())
}

fn money(value: &Value, currency: &Currency) -> Option<Cents> {
    (value["currency"].as_str()? == currency.as_str()).then_some(())?;
    Cents::parse(value["value"].as_str()?).ok()
}

fn product(item: &Value, currency: &Currency) -> Option<Product> {
    let price = money(&item["price"], currency)?;
    let shipping_cost = item["shippingOptions"]
        .as_array()
        .and_then(|options| options.iter().filter_map(|o| money(&o["shippingCost"], currency)).min());
    let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    Some(Product {
        item_id: text(&item["itemId"])?,
        title: text(&item["title"])?,
        price,
        shipping_cost,
        total_price: Cents(price.0 + shipping_cost.map_or(0, |s| s.0)),
        currency: currency.clone(),
        condition: text(&item["condition"]),
        image_url: text(&item["image"]["imageUrl"]),
        item_url: text(&item["itemWebUrl"]).filter(|url| url.starts_with("https://") || url.starts_with("http://"))?,
        seller: text(&item["seller"]["username"]),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn listings_map_from_ebay_item_summaries() {
        let body = json!({"total": 3, "itemSummaries": [
            {"itemId": "v1|1|0", "title": "Lego set", "price": {"value": "10.50", "currency": "USD"},
             "shippingOptions": [{"shippingCost": {"value": "4.99", "currency": "USD"}}, {"shippingCost": {"value": "3.00", "currency": "USD"}}],
             "condition": "New", "image": {"imageUrl": "https://i.example/1.jpg"}, "itemWebUrl": "https://www.ebay.com/itm/1",
             "seller": {"username": "bricks"}},
            {"itemId": "v1|2|0", "title": "In euros", "price": {"value": "1.00", "currency": "EUR"}, "itemWebUrl": "https://www.ebay.com/itm/2"},
            {"itemId": "v1|3|0", "title": "No link", "price": {"value": "1.00", "currency": "USD"}},
        ]});
        let products = products(&body, &Currency::usd()).unwrap();
        assert_eq!(products.len(), 1);
        assert_eq!(products[0].shipping_cost, Some(Cents(300)));
        assert_eq!(products[0].total_price, Cents(1350));
        assert!(super::products(&json!({"total": 0}), &Currency::usd()).unwrap().is_empty());
        assert!(super::products(&json!([]), &Currency::usd()).is_err());
    }

    #[test]
    fn the_price_limit_goes_with_its_currency() {
        let search = Search { phrase: "lego".into(), currency: Currency::usd(), max_price: Some(Cents(5000)) };
        assert_eq!(search.filter().unwrap(), "price:[..50.00],priceCurrency:USD");
        assert_eq!(Search { max_price: None, ..search }.filter(), None);
    }
}
