//! The points ledger, derived from a customer's records: every purchase earns a lot (per yuan,
//! times the tier's multiplier, more in the birthday month), feedback and successful referrals
//! earn bonus lots, redemptions spend the oldest lots first, and each lot expires after the
//! policy's months — leaving the balance on the day it expires.

use std::collections::VecDeque;

use chrono::{Datelike, Months};
use serde::{Deserialize, Serialize};

use super::day::Day;
use super::model::CustomerRecord;
use super::tiers::TierPolicy;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Redemption {
    pub id: u64,
    pub date: Day,
    pub points: i64,
    pub note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Purchase,
    BirthdayPurchase,
    Feedback,
    Referral,
    Opening,
    Redeemed,
    Expired,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Purchase => "purchase",
            EntryKind::BirthdayPurchase => "birthday",
            EntryKind::Feedback => "feedback",
            EntryKind::Referral => "referral",
            EntryKind::Opening => "opening",
            EntryKind::Redeemed => "redeemed",
            EntryKind::Expired => "expired",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub date: Day,
    pub kind: EntryKind,
    /// Earned (+) or spent/expired (−).
    pub points: i64,
    /// The product, the redemption note…
    pub note: String,
}

struct Lot {
    expires: Option<Day>,
    left: i64,
}

fn expiry(policy: &TierPolicy, date: Day) -> Option<Day> {
    (policy.points_expiry_months > 0).then(|| {
        Day::from_date(
            date.to_date().checked_add_months(Months::new(policy.points_expiry_months)).unwrap_or(date.to_date()),
        )
    })
}

/// The tier a customer held going into `day`: changes made that day (often caused by that
/// day's purchase) count from the next day, so the purchase that earns an upgrade earns at the
/// old rate.
fn tier_going_into(record: &CustomerRecord, day: Day) -> Option<&str> {
    record.tier.history.iter().rev().find(|c| c.date < day).map(|c| c.to.as_str())
}

/// Every ledger entry up to `as_of`, oldest first, and the balance on `as_of`.
/// `referral_dates`: the first-purchase days of the customers this one referred.
pub fn ledger(record: &CustomerRecord, policy: &TierPolicy, referral_dates: &[Day], as_of: Day) -> (Vec<Entry>, i64) {
    let birthday_month = record.customer.birthday.map(|b| b.to_date().month());
    let mut earned: Vec<Entry> = Vec::new();
    // Returns earn nothing (and take nothing back: points already given stay given).
    for p in record.purchases.iter().filter(|p| p.date <= as_of && !p.is_return()) {
        let multiplier = tier_going_into(record, p.date)
            .and_then(|t| policy.index_of(t))
            .map_or(1.0, |i| policy.tiers[i].points_multiplier);
        let birthday = birthday_month == Some(p.date.to_date().month());
        let bonus = if birthday { policy.birthday_multiplier } else { 1.0 };
        let points = (p.amount_cents as f64 / 100.0 * policy.points_per_yuan * multiplier * bonus).floor() as i64;
        let kind = if birthday && bonus != 1.0 { EntryKind::BirthdayPurchase } else { EntryKind::Purchase };
        earned.push(Entry { date: p.date, kind, points, note: p.product.to_string() });
    }
    for f in record.feedback.iter().filter(|f| f.date <= as_of && policy.feedback_bonus > 0) {
        earned.push(Entry {
            date: f.date,
            kind: EntryKind::Feedback,
            points: policy.feedback_bonus,
            note: String::new(),
        });
    }
    for &d in referral_dates.iter().filter(|d| **d <= as_of && policy.referral_bonus > 0) {
        earned.push(Entry { date: d, kind: EntryKind::Referral, points: policy.referral_bonus, note: String::new() });
    }
    if let Some(o) = record.tier.opening.as_ref().filter(|o| o.as_of <= as_of && o.points > 0) {
        earned.push(Entry { date: o.as_of, kind: EntryKind::Opening, points: o.points, note: String::new() });
    }
    earned.retain(|e| e.points > 0);
    earned.sort_by_key(|e| e.date);

    let mut redemptions: Vec<&Redemption> = record.tier.redemptions.iter().filter(|r| r.date <= as_of).collect();
    redemptions.sort_by_key(|r| r.date);

    let mut entries = Vec::new();
    let mut lots: VecDeque<Lot> = VecDeque::new();
    let expire_until = |lots: &mut VecDeque<Lot>, entries: &mut Vec<Entry>, day: Day| {
        // Lots that expire on or before `day`, in the order they expire.
        let mut due: Vec<(Day, i64)> = Vec::new();
        lots.retain(|lot| match lot.expires {
            Some(e) if e <= day => {
                if lot.left > 0 {
                    due.push((e, lot.left));
                }
                false
            }
            _ => true,
        });
        due.sort();
        for (date, left) in due {
            entries.push(Entry { date, kind: EntryKind::Expired, points: -left, note: String::new() });
        }
    };
    let mut earned = earned.into_iter().peekable();
    let mut redemptions = redemptions.into_iter().peekable();
    loop {
        let next_earn = earned.peek().map(|e| e.date);
        let next_redeem = redemptions.peek().map(|r| r.date);
        match (next_earn, next_redeem) {
            (None, None) => break,
            // Earnings on a day come before that day's redemptions.
            (Some(e), r) if r.is_none_or(|r| e <= r) => {
                let entry = earned.next().expect("peeked");
                expire_until(&mut lots, &mut entries, entry.date);
                lots.push_back(Lot { expires: expiry(policy, entry.date), left: entry.points });
                entries.push(entry);
            }
            _ => {
                let r = redemptions.next().expect("peeked");
                expire_until(&mut lots, &mut entries, r.date);
                let mut owed = r.points;
                for lot in lots.iter_mut() {
                    let take = lot.left.min(owed);
                    lot.left -= take;
                    owed -= take;
                    if owed == 0 {
                        break;
                    }
                }
                entries.push(Entry {
                    date: r.date,
                    kind: EntryKind::Redeemed,
                    points: -r.points,
                    note: r.note.clone(),
                });
            }
        }
    }
    expire_until(&mut lots, &mut entries, as_of);
    let balance = lots.iter().map(|l| l.left).sum::<i64>();
    (entries, balance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Customer, Feedback, Purchase};
    use crate::domain::tiers::{preset, Reason, TierChange};

    fn day(s: &str) -> Day {
        Day::parse_iso(s).unwrap()
    }

    fn policy(expiry_months: u32) -> TierPolicy {
        let mut p = preset("metals").unwrap();
        p.points_expiry_months = expiry_months;
        p.birthday_multiplier = 2.0;
        p.feedback_bonus = 20;
        p.referral_bonus = 200;
        p
    }

    fn customer(purchases: &[(&str, i64)]) -> CustomerRecord {
        CustomerRecord {
            customer: Customer { id: 1, name: "A".into(), birthday: Some(day("1990-08-15")), ..Default::default() },
            purchases: purchases
                .iter()
                .enumerate()
                .map(|(i, (d, c))| Purchase {
                    id: i as u64,
                    date: day(d),
                    amount_cents: *c,
                    product: format!("p{i}").into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn purchases_earn_per_yuan_rounded_down_and_double_in_the_birthday_month() {
        let r = customer(&[("2024-03-01", 12_399), ("2024-08-20", 10_000)]);
        let (entries, balance) = ledger(&r, &policy(0), &[], day("2024-12-31"));
        assert_eq!(
            entries.iter().map(|e| (e.kind, e.points)).collect::<Vec<_>>(),
            vec![(EntryKind::Purchase, 123), (EntryKind::BirthdayPurchase, 200),]
        );
        assert_eq!(balance, 323);
    }

    #[test]
    fn the_tier_held_on_the_day_multiplies_the_points() {
        let mut r = customer(&[("2024-03-01", 10_000), ("2024-05-01", 10_000)]);
        r.tier.history = vec![
            TierChange { date: day("2024-01-01"), from: None, to: "bronze".into(), reason: Reason::Initial(vec![]) },
            TierChange {
                date: day("2024-04-01"),
                from: Some("bronze".into()),
                to: "gold".into(),
                reason: Reason::Upgrade(vec![]),
            },
        ];
        let p = policy(0);
        let gold = p.tiers[2].points_multiplier;
        assert!(gold > 1.0);
        let (entries, _) = ledger(&r, &p, &[], day("2024-12-31"));
        assert_eq!(entries[0].points, 100);
        assert_eq!(entries[1].points, (100.0 * gold).floor() as i64);
        // A change on the day of a purchase applies from the next day.
        r.purchases[1].date = day("2024-04-01");
        assert_eq!(ledger(&r, &p, &[], day("2024-12-31")).0[1].points, 100);
    }

    #[test]
    fn bonuses_for_feedback_and_referrals() {
        let mut r = customer(&[]);
        r.feedback.push(Feedback { id: 1, date: day("2024-02-02"), score: 5, ..Default::default() });
        let (entries, balance) = ledger(&r, &policy(0), &[day("2024-03-03"), day("2025-01-01")], day("2024-12-31"));
        assert_eq!(entries.iter().map(|e| e.kind).collect::<Vec<_>>(), vec![EntryKind::Feedback, EntryKind::Referral]);
        assert_eq!(balance, 220, "the referral of 2025 has not happened yet");
    }

    #[test]
    fn redemptions_spend_the_oldest_lots_and_expiry_takes_the_rest_on_the_day() {
        let mut r = customer(&[("2024-01-10", 10_000), ("2024-06-10", 5_000)]);
        r.tier.redemptions.push(Redemption { id: 1, date: day("2024-07-01"), points: 120, note: "咖啡券".into() });
        let p = policy(12);
        // 100 (January) + 50 (June); 120 redeemed takes all of January and 20 of June.
        let (_, balance) = ledger(&r, &p, &[], day("2025-01-09"));
        assert_eq!(balance, 30);
        // January's lot expires on 2025-01-10 but was already spent: nothing expires then.
        let (entries, balance) = ledger(&r, &p, &[], day("2025-06-09"));
        assert_eq!(balance, 30);
        assert!(entries.iter().all(|e| e.kind != EntryKind::Expired));
        let (entries, balance) = ledger(&r, &p, &[], day("2025-06-10"));
        assert_eq!(balance, 0, "June's remaining 30 leave on the day they expire");
        assert_eq!(
            entries.last().unwrap(),
            &Entry { date: day("2025-06-10"), kind: EntryKind::Expired, points: -30, note: String::new() }
        );
    }

    #[test]
    fn the_balance_never_counts_the_future() {
        let mut r = customer(&[("2024-01-10", 10_000), ("2030-01-01", 99_999)]);
        r.tier.redemptions.push(Redemption { id: 1, date: day("2031-01-01"), points: 5, note: String::new() });
        let (entries, balance) = ledger(&r, &policy(0), &[], day("2024-02-01"));
        assert_eq!((entries.len(), balance), (1, 100));
    }
}
