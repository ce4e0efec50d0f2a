//! The alert email, as MIME: HTML from a template (escaped by the engine, never concatenated)
//! with a plain-text part, and the headers mailbox providers want of subscription mail
//! (`List-Unsubscribe` with a one-click HTTPS link, `List-Unsubscribe-Post`, `List-Id`). Pure:
//! the caller sends the bytes.

use askama::Template;
use mail_builder::{
    MessageBuilder,
    headers::{raw::Raw, url::URL},
};
use shared::time::Timestamp;

use crate::domain::{Alert, Cents, Product};

/// One listing as the templates show it.
pub struct Line {
    pub title: String,
    pub item_url: String,
    pub image_url: Option<String>,
    pub condition: Option<String>,
    pub price: String,
    pub shipping: String,
    pub total: String,
}

fn money(amount: Cents, currency: &str) -> String {
    match currency {
        "USD" => format!("${amount}"),
        "GBP" => format!("£{amount}"),
        "EUR" => format!("€{amount}"),
        other => format!("{amount} {other}"),
    }
}

impl Line {
    fn of(p: &Product) -> Self {
        let currency = p.currency.as_str();
        Self {
            title: p.title.clone(),
            item_url: p.item_url.clone(),
            image_url: p.image_url.clone(),
            condition: p.condition.clone(),
            price: money(p.price, currency),
            shipping: match p.shipping_cost {
                Some(cost) if cost.0 > 0 => money(cost, currency),
                Some(_) => "free".to_owned(),
                None => "unknown".to_owned(),
            },
            total: money(p.total_price, currency),
        }
    }
}

#[derive(Template)]
#[template(path = "alert.html")]
struct Html<'a> {
    subject: &'a str,
    heading: &'a str,
    intro: &'a str,
    products: &'a [Line],
    footer: &'a str,
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "alert.txt")]
struct Text<'a> {
    heading: &'a str,
    intro: &'a str,
    products: &'a [Line],
    footer: &'a str,
    unsubscribe_url: &'a str,
}

/// Who the email is from and where its links point.
#[derive(Debug, Clone)]
pub struct Sender {
    /// `ALERTS_FROM_EMAIL`.
    pub from: String,
    /// The API's public base URL (`ALERTS_PUBLIC_BASE_URL`), for unsubscribe links.
    pub public_base_url: String,
}

impl Sender {
    pub fn unsubscribe_url(&self, token: &str) -> String {
        format!("{}/alerts/v1/unsubscribe?token={token}", self.public_base_url.trim_end_matches('/'))
    }

    fn domain(&self) -> &str {
        self.from.rsplit_once('@').map_or("localhost", |(_, domain)| domain)
    }
}

/// What an email of one kind says around its listings.
pub struct Wording {
    pub subject: String,
    pub heading: String,
    pub intro: String,
}

impl Wording {
    /// The regular alert email.
    pub fn alert(alert: &Alert, listings: usize) -> Self {
        let limit = alert.max_price.map(|max| format!(" at or below {}", money(max, alert.currency.as_str())));
        Self {
            subject: format!("{listings} listings for \u{201c}{}\u{201d}", alert.search_phrase),
            heading: format!("The cheapest listings for \u{201c}{}\u{201d}", alert.search_phrase),
            intro: format!(
                "The {listings} cheapest listings{}, by price plus shipping, as of this run.",
                limit.unwrap_or_default()
            ),
        }
    }
}

impl Wording {
    /// The "price drop" email: listings at or below the alert's target price.
    pub fn price_drop(alert: &Alert, target: Cents, listings: usize) -> Self {
        let target = money(target, alert.currency.as_str());
        let noun = if listings == 1 { "listing" } else { "listings" };
        Self {
            subject: format!(
                "Price drop: {listings} {noun} at or below {target} for \u{201c}{}\u{201d}",
                alert.search_phrase
            ),
            heading: format!("Price drop for \u{201c}{}\u{201d}", alert.search_phrase),
            intro: format!(
                "{listings} {noun} at or below your target price of {target}, by price plus shipping. A listing is named once a day at most."
            ),
        }
    }
}

/// A MIME message, ready for SES raw content (sent by [`shared::mail::Mailer`]).
pub use shared::mail::Email;

#[derive(Debug, thiserror::Error)]
#[error("the email could not be built: {0}")]
pub struct BuildError(String);

/// The email of `alert` carrying `products`, at `now`. `message_key` names this email uniquely
/// (the alert and its period), for the `Message-ID`.
pub fn listing_email(
    sender: &Sender,
    alert: &Alert,
    wording: &Wording,
    products: &[Product],
    unsubscribe_token: &str,
    message_key: &str,
    now: Timestamp,
) -> Result<Email, BuildError> {
    let lines: Vec<Line> = products.iter().map(Line::of).collect();
    let unsubscribe_url = sender.unsubscribe_url(unsubscribe_token);
    let footer = format!(
        "You get this email every {} minutes because you saved an alert for \u{201c}{}\u{201d}.",
        alert.frequency_minutes.minutes(),
        alert.search_phrase
    );
    let html = Html {
        subject: &wording.subject,
        heading: &wording.heading,
        intro: &wording.intro,
        products: &lines,
        footer: &footer,
        unsubscribe_url: &unsubscribe_url,
    }
    .render()
    .map_err(|err| BuildError(err.to_string()))?;
    let text = Text {
        heading: &wording.heading,
        intro: &wording.intro,
        products: &lines,
        footer: &footer,
        unsubscribe_url: &unsubscribe_url,
    }
    .render()
    .map_err(|err| BuildError(err.to_string()))?;
    let domain = sender.domain();
    let raw = MessageBuilder::new()
        .from(("Price alerts", sender.from.as_str()))
        .to(alert.email.as_str())
        .subject(wording.subject.as_str())
        .date(now.timestamp())
        .message_id(format!("{message_key}@{domain}"))
        .header("List-Unsubscribe", URL::new(unsubscribe_url.as_str()))
        .header("List-Unsubscribe-Post", Raw::new("List-Unsubscribe=One-Click"))
        .header("List-Id", Raw::new(format!("Price alert <{}.alerts.{domain}>", alert.alert_id)))
        .text_body(text)
        .html_body(html)
        .write_to_vec()
        .map_err(|err| BuildError(err.to_string()))?;
    Ok(Email { to: alert.email.clone(), raw })
}

/// One alert's part of an insight email: what happened, in words, and its chart.
pub struct Section {
    pub phrase: String,
    pub lines: Vec<String>,
    /// The chart's PNG; the email goes without a chart that could not be drawn.
    pub chart: Option<Vec<u8>>,
}

/// A section as the templates show it.
struct SectionView<'a> {
    phrase: &'a str,
    lines: &'a [String],
    chart_cid: Option<String>,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsHtml<'a> {
    subject: &'a str,
    heading: &'a str,
    intro: &'a str,
    sections: &'a [SectionView<'a>],
    every: &'a str,
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "insights.txt")]
struct InsightsText<'a> {
    subject: &'a str,
    intro: &'a str,
    sections: &'a [SectionView<'a>],
    every: &'a str,
    unsubscribe_url: &'a str,
}

/// "day", "12 hours", "10 minutes": how often insight emails come, in words.
pub fn every_in_words(seconds: u64) -> String {
    match seconds {
        86_400 => "day".into(),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        3_600 => "hour".into(),
        s if s % 3_600 == 0 => format!("{} hours", s / 3_600),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

/// The insight email of a user: a section per alert with a chart inline (`cid:`), the same
/// unsubscribe headers as alert emails (the link stops insight emails).
#[allow(clippy::too_many_arguments)]
pub fn insights_email(
    sender: &Sender,
    to: &str,
    sections: &[Section],
    every_seconds: u64,
    unsubscribe_token: &str,
    message_key: &str,
    list: &str,
    now: Timestamp,
) -> Result<Email, BuildError> {
    let views: Vec<SectionView<'_>> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| SectionView {
            phrase: &s.phrase,
            lines: &s.lines,
            chart_cid: s.chart.as_ref().map(|_| format!("chart-{}@alerts", i + 1)),
        })
        .collect();
    let subject =
        format!("Your price insights: {} {}", sections.len(), if sections.len() == 1 { "alert" } else { "alerts" });
    let intro = "How the prices of your alerts moved over the last 14 days.";
    let every = every_in_words(every_seconds);
    let unsubscribe_url = sender.unsubscribe_url(unsubscribe_token);
    let html = InsightsHtml {
        subject: &subject,
        heading: &subject,
        intro,
        sections: &views,
        every: &every,
        unsubscribe_url: &unsubscribe_url,
    }
    .render()
    .map_err(|err| BuildError(err.to_string()))?;
    let text =
        InsightsText { subject: &subject, intro, sections: &views, every: &every, unsubscribe_url: &unsubscribe_url }
            .render()
            .map_err(|err| BuildError(err.to_string()))?;
    let domain = sender.domain();
    let mut builder = MessageBuilder::new()
        .from(("Price alerts", sender.from.as_str()))
        .to(to)
        .subject(subject.as_str())
        .date(now.timestamp())
        .message_id(format!("{message_key}@{domain}"))
        .header("List-Unsubscribe", URL::new(unsubscribe_url.as_str()))
        .header("List-Unsubscribe-Post", Raw::new("List-Unsubscribe=One-Click"))
        .header("List-Id", Raw::new(format!("Price insights <{list}.insights.{domain}>")))
        .text_body(text)
        .html_body(html);
    for (section, view) in sections.iter().zip(&views) {
        if let (Some(png), Some(cid)) = (&section.chart, &view.chart_cid) {
            builder = builder.inline("image/png", cid.clone(), png.clone());
        }
    }
    let raw = builder.write_to_vec().map_err(|err| BuildError(err.to_string()))?;
    Ok(Email { to: to.to_owned(), raw })
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
pub struct Page<'a> {
    pub title: &'a str,
    pub message: &'a str,
    /// Where the button posts; no button without it.
    pub action: Option<&'a str>,
    pub button: &'a str,
}

impl Page<'_> {
    pub fn html(&self) -> String {
        self.render().unwrap_or_else(|_| "<!DOCTYPE html><title>Unsubscribe</title><p>Something went wrong.</p>".into())
    }
}
