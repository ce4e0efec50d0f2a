//! The marketplace's own hosts: where the links and images of a price observation may point.

/// The marketplace's own hosts (`ALERTS_MARKETPLACE_HOSTS`, comma separated): a link or image of
/// an observation is kept only when it is `https` on one of them or a subdomain of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hosts(Vec<String>);

impl Hosts {
    /// eBay's own: its sites and its image host.
    pub const DEFAULT: &str = "ebay.com,ebayimg.com";

    pub fn parse(list: &str) -> Self {
        Self(
            list.split(',')
                .map(|h| h.trim().trim_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        )
    }

    /// `url` when it is `https`, without credentials, on one of the hosts.
    pub fn allow(&self, url: &str) -> Option<String> {
        let parsed = reqwest::Url::parse(url).ok()?;
        if parsed.scheme() != "https" || !parsed.username().is_empty() || parsed.password().is_some() {
            return None;
        }
        let host = parsed.host_str()?.to_ascii_lowercase();
        let ours = self.0.iter().any(|h| host == *h || host.ends_with(&format!(".{h}")));
        ours.then(|| parsed.to_string())
    }
}

impl Default for Hosts {
    fn default() -> Self {
        Self::parse(Self::DEFAULT)
    }
}
