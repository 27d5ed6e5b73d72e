//! Did a campaign work? Per campaign: who took part, who redeemed, and what participants spent
//! in the N weeks after their entry against the N weeks before — and the same for customers of
//! the same tiers who did not take part, around the campaign's first date.

use std::collections::{BTreeMap, HashSet};

use super::day::Day;
use super::insights::tier_on;
use super::model::{CampaignResponse, CustomerRecord};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Window {
    pub customers: usize,
    pub purchases_before: usize,
    pub purchases_after: usize,
    pub spend_before_cents: i64,
    pub spend_after_cents: i64,
}

impl Window {
    /// Change in spend per customer, after minus before.
    pub fn lift_per_customer_cents(&self) -> Option<i64> {
        (self.customers > 0).then(|| (self.spend_after_cents - self.spend_before_cents) / self.customers as i64)
    }

    fn add(&mut self, record: &CustomerRecord, anchor: Day, weeks: i32, as_of: Day) {
        self.customers += 1;
        for p in record.purchases.iter().filter(|p| p.date <= as_of) {
            self.count(p.date, p.amount_cents, anchor, weeks);
        }
    }

    fn count(&mut self, date: Day, cents: i64, anchor: Day, weeks: i32) {
        if date >= anchor.plus_days(-7 * weeks) && date < anchor {
            self.purchases_before += 1;
            self.spend_before_cents += cents;
        } else if date > anchor && date <= anchor.plus_days(7 * weeks) {
            self.purchases_after += 1;
            self.spend_after_cents += cents;
        }
    }

    /// A control customer for each of the campaigns `which`, around each one's first date.
    fn add_to_each(record: &CustomerRecord, which: &[usize], reports: &mut [CampaignReport], weeks: i32, as_of: Day) {
        if which.is_empty() {
            return;
        }
        for c in which {
            reports[*c].control_window.customers += 1;
        }
        for p in record.purchases.iter().filter(|p| p.date <= as_of) {
            for c in which {
                let anchor = reports[*c].first_date;
                reports[*c].control_window.count(p.date, p.amount_cents, anchor, weeks);
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CampaignReport {
    pub campaign: String,
    pub first_date: Day,
    pub invited: usize,
    /// Joined or redeemed.
    pub participants: usize,
    pub redeemed: usize,
    pub participant_window: Window,
    /// Customers of the participants' tiers who were not in the campaign.
    pub control_window: Window,
}

impl CampaignReport {
    /// Redeemed as a share of everyone entered (invited, joined or redeemed).
    pub fn redemption_rate(&self) -> f64 {
        if self.invited == 0 {
            0.0
        } else {
            self.redeemed as f64 / self.invited as f64
        }
    }
}

/// Every campaign with an entry up to `as_of`, by name.
pub fn campaigns(records: &[&CustomerRecord], weeks: i32, as_of: Day) -> Vec<CampaignReport> {
    let mut names: BTreeMap<&str, Day> = BTreeMap::new();
    for entry in records.iter().flat_map(|r| &r.campaigns).filter(|e| e.date <= as_of) {
        let first = names.entry(entry.campaign.trim()).or_insert(entry.date);
        *first = (*first).min(entry.date);
    }
    names.remove("");
    let mut reports: Vec<CampaignReport> = names
        .iter()
        .map(|(name, first_date)| CampaignReport {
            campaign: name.to_string(),
            first_date: *first_date,
            invited: 0,
            participants: 0,
            redeemed: 0,
            participant_window: Window::default(),
            control_window: Window::default(),
        })
        .collect();
    // First the entrants (and the tiers participants held), then everyone else of those tiers:
    // each customer's purchases are read once for all the campaigns they are a control for.
    let mut tiers: Vec<HashSet<Option<&str>>> = vec![HashSet::new(); reports.len()];
    let mut entered: Vec<Vec<usize>> = vec![Vec::new(); records.len()];
    for (i, record) in records.iter().enumerate() {
        for (c, name) in names.keys().enumerate() {
            let entry = record
                .campaigns
                .iter()
                .filter(|e| e.date <= as_of && e.campaign.trim() == *name)
                .max_by_key(|e| (e.response as u8, e.date));
            let Some(entry) = entry else { continue };
            entered[i].push(c);
            let report = &mut reports[c];
            report.invited += 1;
            if entry.response != CampaignResponse::Invited {
                report.participants += 1;
                tiers[c].insert(tier_on(record, entry.date));
                report.participant_window.add(record, entry.date, weeks, as_of);
            }
            report.redeemed += usize::from(entry.response == CampaignResponse::Redeemed);
        }
    }
    let mut controls: Vec<usize> = Vec::new();
    for (i, record) in records.iter().enumerate() {
        controls.clear();
        controls.extend(
            (0..reports.len())
                .filter(|c| !entered[i].contains(c) && tiers[*c].contains(&tier_on(record, reports[*c].first_date))),
        );
        Window::add_to_each(record, &controls, &mut reports, weeks, as_of);
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{CampaignEntry, Customer, Purchase};

    fn day(text: &str) -> Day {
        Day::parse_iso(text).unwrap()
    }

    fn record(
        id: u64,
        tier: &str,
        purchases: &[(&str, i64)],
        entry: Option<(&str, CampaignResponse)>,
    ) -> CustomerRecord {
        let mut r = CustomerRecord {
            customer: Customer { id, ..Default::default() },
            purchases: purchases
                .iter()
                .map(|(d, c)| Purchase { date: day(d), amount_cents: *c, ..Default::default() })
                .collect(),
            campaigns: entry
                .map(|(d, response)| CampaignEntry {
                    campaign: "双十一".into(),
                    date: day(d),
                    response,
                    ..Default::default()
                })
                .into_iter()
                .collect(),
            ..Default::default()
        };
        r.tier.tier = Some(tier.into());
        r
    }

    #[test]
    fn participants_are_compared_before_after_and_against_their_tier() {
        let rs = [
            record(
                1,
                "gold",
                &[("2026-10-20", 100), ("2026-11-12", 500), ("2026-12-30", 999)],
                Some(("2026-11-11", CampaignResponse::Redeemed)),
            ),
            record(2, "gold", &[("2026-11-01", 200)], Some(("2026-11-11", CampaignResponse::Joined))),
            record(3, "gold", &[], Some(("2026-11-11", CampaignResponse::Invited))),
            record(4, "gold", &[("2026-11-05", 50), ("2026-11-20", 80)], None),
            record(5, "bronze", &[("2026-11-20", 7_000)], None),
        ];
        let refs: Vec<&CustomerRecord> = rs.iter().collect();
        let reports = campaigns(&refs, 4, day("2026-11-30"));
        assert_eq!(reports.len(), 1);
        let r = &reports[0];
        assert_eq!((r.invited, r.participants, r.redeemed), (3, 2, 1));
        assert!((r.redemption_rate() - 1.0 / 3.0).abs() < 1e-12);
        let p = &r.participant_window;
        assert_eq!(
            (p.customers, p.purchases_before, p.spend_before_cents, p.purchases_after, p.spend_after_cents),
            (2, 2, 300, 1, 500)
        );
        assert_eq!(p.lift_per_customer_cents(), Some(100));
        let c = &r.control_window;
        assert_eq!((c.customers, c.spend_before_cents, c.spend_after_cents), (1, 50, 80), "only gold non-participants");
        assert!(campaigns(&refs, 4, day("2026-11-10")).is_empty(), "not started on that date");
    }
}
