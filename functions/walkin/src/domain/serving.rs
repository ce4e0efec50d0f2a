//! In which order waiting tickets are served: two VIPs, then one regular, first come first
//! served within each tier.

use serde::{Deserialize, Serialize};

/// The tier a customer is served in; the registry decides it, not the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Vip,
    Regular,
}

impl Tier {
    pub fn of(vip: bool) -> Self {
        if vip { Tier::Vip } else { Tier::Regular }
    }

    /// The other tier: the one whose waiting tickets interleave with this one's.
    pub fn other(self) -> Self {
        match self {
            Tier::Vip => Tier::Regular,
            Tier::Regular => Tier::Vip,
        }
    }

    /// The serde name, for keys (a test keeps the two equal).
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Vip => "vip",
            Tier::Regular => "regular",
        }
    }
}

/// How many VIPs are served for each regular when both tiers are waiting.
pub const VIPS_PER_REGULAR: u32 = 2;

/// The serving ratio's state: VIPs served since the last regular, saturating at
/// [`VIPS_PER_REGULAR`]. It is all the memory the two-to-one rule needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    pub vips_since_regular: u32,
}

impl Ratio {
    /// The tier to serve next, given which tiers have someone waiting. Work-conserving: when one
    /// tier is empty the other is served, whatever the ratio says.
    pub fn next_tier(self, vip_waiting: bool, regular_waiting: bool) -> Option<Tier> {
        match (vip_waiting, regular_waiting) {
            (false, false) => None,
            (true, false) => Some(Tier::Vip),
            (false, true) => Some(Tier::Regular),
            (true, true) if self.vips_since_regular < VIPS_PER_REGULAR => Some(Tier::Vip),
            (true, true) => Some(Tier::Regular),
        }
    }

    /// The state after serving someone of `tier`.
    pub fn after(self, tier: Tier) -> Ratio {
        match tier {
            Tier::Vip => Ratio { vips_since_regular: (self.vips_since_regular + 1).min(VIPS_PER_REGULAR) },
            Tier::Regular => Ratio { vips_since_regular: 0 },
        }
    }
}

/// The order in which the waiting tickets would be served if nobody else arrived: the queue view
/// and every `position` come from this. Each tier's list is in check-in order.
pub fn serving_order<T>(mut ratio: Ratio, vips: Vec<T>, regulars: Vec<T>) -> Vec<T> {
    let mut vips = vips.into_iter().peekable();
    let mut regulars = regulars.into_iter().peekable();
    let mut order = Vec::new();
    while let Some(tier) = ratio.next_tier(vips.peek().is_some(), regulars.peek().is_some()) {
        let next = match tier {
            Tier::Vip => vips.next(),
            Tier::Regular => regulars.next(),
        };
        order.extend(next);
        ratio = ratio.after(tier);
    }
    order
}

/// Where a page of the queue ends: the last ticket it showed of each tier, and the ratio the
/// serving order had reached there. The next page continues after those tickets with that ratio,
/// so paging through a queue that changes meanwhile never shows a ticket twice: served and
/// cancelled tickets drop out, new ones join at the end of their tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueMark {
    #[serde(rename = "v")]
    pub vip_after: u64,
    #[serde(rename = "r")]
    pub regular_after: u64,
    #[serde(rename = "n")]
    pub vips_since_regular: u32,
    /// How many tickets the pages before showed: the position of the next one, less one.
    /// Cursors issued before it existed start at 0.
    #[serde(rename = "o", default)]
    pub shown: usize,
}

impl QueueMark {
    /// The start of the queue, with the ratio as it stands.
    pub fn start(ratio: Ratio) -> Self {
        Self { vip_after: 0, regular_after: 0, vips_since_regular: ratio.vips_since_regular, shown: 0 }
    }
}

/// The next `limit` tickets of the serving order from `mark`, given each tier's waiting tickets
/// after the mark in check-in order (`id` gives a ticket's number), and the mark after them when
/// more follow.
pub fn serving_page<T>(
    mark: QueueMark,
    vips: Vec<T>,
    regulars: Vec<T>,
    limit: usize,
    id: impl Fn(&T) -> u64,
) -> (Vec<T>, Option<QueueMark>) {
    let mut ratio = Ratio { vips_since_regular: mark.vips_since_regular };
    let mut next = mark;
    let mut vips = vips.into_iter().peekable();
    let mut regulars = regulars.into_iter().peekable();
    let mut page = Vec::new();
    while page.len() < limit {
        let Some(tier) = ratio.next_tier(vips.peek().is_some(), regulars.peek().is_some()) else { break };
        let ticket = match tier {
            Tier::Vip => vips.next(),
            Tier::Regular => regulars.next(),
        };
        if let Some(ticket) = ticket {
            match tier {
                Tier::Vip => next.vip_after = id(&ticket),
                Tier::Regular => next.regular_after = id(&ticket),
            }
            page.push(ticket);
            next.shown += 1;
        }
        ratio = ratio.after(tier);
        next.vips_since_regular = ratio.vips_since_regular;
    }
    let more = vips.peek().is_some() || regulars.peek().is_some();
    (page, more.then_some(next))
}

/// 1-based position in the serving order of the `rank`-th waiting ticket of `tier` (1-based, in
/// check-in order) when `others` wait in the other tier: the closed form of [`serving_order`], so
/// that a position takes two counts instead of the whole queue. Between two regulars come
/// [`VIPS_PER_REGULAR`] VIPs, minus those already served since the last regular; whichever tier
/// runs out, the other simply continues.
pub fn position(ratio: Ratio, tier: Tier, rank: usize, others: usize) -> usize {
    let served = ratio.vips_since_regular as usize;
    let per = VIPS_PER_REGULAR as usize;
    match tier {
        // Regulars before the rank-th VIP: one after every `per` VIPs, counting those served.
        Tier::Vip => rank + others.min((rank - 1 + served) / per),
        // VIPs before the rank-th regular: `per` for each regular up to it, less those served.
        Tier::Regular => rank + others.min((per * rank).saturating_sub(served)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves everyone, one `next` at a time, the way the store does.
    fn serve_all(vips: &[&'static str], regulars: &[&'static str]) -> Vec<&'static str> {
        serving_order(Ratio::default(), vips.to_vec(), regulars.to_vec())
    }

    #[test]
    fn two_vips_then_one_regular() {
        // VIP1, R1, VIP2, VIP3, R2 checked in in that order.
        assert_eq!(serve_all(&["V1", "V2", "V3"], &["R1", "R2"]), ["V1", "V2", "R1", "V3", "R2"]);
        assert_eq!(
            serve_all(&["V1", "V2", "V3", "V4", "V5"], &["R1", "R2", "R3"]),
            ["V1", "V2", "R1", "V3", "V4", "R2", "V5", "R3"]
        );
    }

    #[test]
    fn work_conserving_when_a_tier_is_empty() {
        assert_eq!(serve_all(&[], &["R1", "R2", "R3"]), ["R1", "R2", "R3"]);
        assert_eq!(serve_all(&["V1", "V2", "V3"], &[]), ["V1", "V2", "V3"]);
        assert!(serve_all(&[], &[]).is_empty());
    }

    #[test]
    fn a_regular_arriving_after_a_vip_run_is_served_next() {
        // Three VIPs served with no regular waiting, then a regular and a VIP arrive.
        let ratio = [Tier::Vip, Tier::Vip, Tier::Vip].into_iter().fold(Ratio::default(), Ratio::after);
        assert_eq!(ratio.next_tier(true, true), Some(Tier::Regular));
        // After regulars only, VIPs get their two turns again.
        let ratio = ratio.after(Tier::Regular).after(Tier::Regular);
        assert_eq!(serving_order(ratio, vec!["V1", "V2", "V3"], vec!["R1"]), ["V1", "V2", "R1", "V3"]);
    }

    #[test]
    fn the_closed_form_position_agrees_with_the_serving_order() {
        for served in 0..=VIPS_PER_REGULAR {
            let ratio = Ratio { vips_since_regular: served };
            for vips in 0..8 {
                for regulars in 0..8 {
                    let v: Vec<(Tier, usize)> = (1..=vips).map(|i| (Tier::Vip, i)).collect();
                    let r: Vec<(Tier, usize)> = (1..=regulars).map(|i| (Tier::Regular, i)).collect();
                    for (index, (tier, rank)) in serving_order(ratio, v, r).into_iter().enumerate() {
                        let others = if tier == Tier::Vip { regulars } else { vips };
                        assert_eq!(
                            position(ratio, tier, rank, others),
                            index + 1,
                            "{ratio:?} {vips}V {regulars}R: {tier:?} #{rank}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn pages_follow_the_serving_order_and_carry_the_ratio() {
        let vips: Vec<u64> = vec![1, 3, 4, 6, 7];
        let regulars: Vec<u64> = vec![2, 5, 8];
        let whole = serving_order(Ratio::default(), vips.clone(), regulars.clone());
        for limit in 1..=9 {
            let mut mark = QueueMark::start(Ratio::default());
            let mut seen = Vec::new();
            loop {
                let after = |tier: &[u64], after: u64| tier.iter().copied().filter(|t| *t > after).collect::<Vec<_>>();
                let (page, next) = serving_page(
                    mark,
                    after(&vips, mark.vip_after),
                    after(&regulars, mark.regular_after),
                    limit,
                    |t| *t,
                );
                assert!(page.len() <= limit);
                seen.extend(page);
                match next {
                    Some(next) => mark = next,
                    None => break,
                }
            }
            assert_eq!(seen, whole, "pages of {limit}");
        }
    }

    #[test]
    fn the_ratio_carries_over_between_calls() {
        let ratio = Ratio::default().after(Tier::Vip);
        assert_eq!(serving_order(ratio, vec!["V2", "V3"], vec!["R1"]), ["V2", "R1", "V3"]);
    }

    #[test]
    fn tiers_alternate_and_key_by_their_serde_name() {
        for tier in [Tier::Vip, Tier::Regular] {
            assert_ne!(tier.other(), tier);
            assert_eq!(tier.other().other(), tier);
            assert_eq!(serde_json::to_value(tier).unwrap(), tier.as_str());
        }
        assert_eq!((Tier::of(true), Tier::of(false)), (Tier::Vip, Tier::Regular));
    }
}
