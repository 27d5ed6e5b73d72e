//! Customer analytics as of a date, computed from the workbook: feedback summaries (average
//! satisfaction, NPS), RFM scores and segments, the seeds' core / important / ordinary value
//! classes, and each customer's purchase history in the form the BG/NBD model takes.
//! `insights` puts them together as of a date.

use super::bgnbd::History;
use super::day::Day;
use super::model::{CustomerId, CustomerRecord, Feedback, Purchase};

/// Net promoter score of a set of 0–10 answers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Nps {
    pub promoters: usize,
    pub passives: usize,
    pub detractors: usize,
    /// % promoters (9–10) minus % detractors (0–6); None without answers.
    pub score: Option<f64>,
}

pub fn nps(answers: impl IntoIterator<Item = u8>) -> Nps {
    let mut n = Nps::default();
    for answer in answers {
        match answer {
            9..=10 => n.promoters += 1,
            7..=8 => n.passives += 1,
            _ => n.detractors += 1,
        }
    }
    let total = n.promoters + n.passives + n.detractors;
    n.score = (total > 0).then(|| 100.0 * (n.promoters as f64 - n.detractors as f64) / total as f64);
    n
}

/// Mean satisfaction (1–5) of the feedback given in `[from, to]`; None without any.
pub fn average_satisfaction<'a>(feedback: impl IntoIterator<Item = &'a Feedback>, from: Day, to: Day) -> Option<f64> {
    let (sum, count) = feedback
        .into_iter()
        .filter(|f| (from..=to).contains(&f.date))
        .fold((0u64, 0u64), |(s, c), f| (s + f.score as u64, c + 1));
    (count > 0).then(|| sum as f64 / count as f64)
}

/// A customer's purchases up to `as_of` as the BG/NBD model sees them, in weeks: the first
/// purchase starts the clock, and purchases on the same day count once. None before any.
pub fn history_of(purchases: &[Purchase], as_of: Day) -> Option<History> {
    // Only dated purchases: carried-over figures have no dates, and returns are no purchase.
    let mut days: Vec<Day> =
        purchases.iter().filter(|p| !p.is_return()).map(|p| p.date).filter(|d| *d <= as_of).collect();
    days.sort_unstable();
    days.dedup();
    let (first, last) = (*days.first()?, *days.last()?);
    Some(History {
        x: (days.len() - 1) as f64,
        t_x: (last.0 - first.0) as f64 / 7.0,
        t: (as_of.0 - first.0) as f64 / 7.0,
    })
}

/// Quintile scores 1–5 by mid-rank: a value's share of the customers below it plus half of
/// those equal to it, so equal values always share a score and a lone customer scores 3.
/// `higher_is_better` false turns the order round (recency: fewer days is better).
pub fn quintile_scores(values: &[f64], higher_is_better: bool) -> Vec<u8> {
    let n = values.len();
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|s| s < v);
            let equal = sorted.partition_point(|s| s <= v) - below;
            let rank = (below as f64 + equal as f64 / 2.0) / n as f64;
            let score = (1.0 + (5.0 * rank).floor()).min(5.0) as u8;
            if higher_is_better {
                score
            } else {
                6 - score
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CantLose,
    Hibernating,
    Lost,
}

/// Every segment, best first (the order the list filter offers them in).
pub const SEGMENTS: [Segment; 11] = [
    Segment::Champions,
    Segment::Loyal,
    Segment::PotentialLoyalist,
    Segment::New,
    Segment::Promising,
    Segment::NeedAttention,
    Segment::AboutToSleep,
    Segment::AtRisk,
    Segment::CantLose,
    Segment::Hibernating,
    Segment::Lost,
];

impl Segment {
    pub fn code(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalist => "potential-loyalist",
            Segment::New => "new",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need-attention",
            Segment::AboutToSleep => "about-to-sleep",
            Segment::AtRisk => "at-risk",
            Segment::CantLose => "cant-lose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    /// The usual RFM map over recency and the mean of frequency and monetary (rounded down),
    /// read top to bottom; every (R, FM) pair lands in exactly one segment.
    pub fn of(r: u8, f: u8, m: u8) -> Segment {
        let fm = (f + m) / 2;
        match (r, fm) {
            (4..=5, 4..=5) => Segment::Champions,
            (0..=1, 4..=5) => Segment::CantLose,
            (0..=2, 3..=5) => Segment::AtRisk,
            (3..=5, 3..=5) => Segment::Loyal,
            (4..=5, 0..=1) => Segment::New,
            (3..=5, 2) => Segment::PotentialLoyalist,
            (3, 0..=1) => Segment::Promising,
            (2, 2) => Segment::NeedAttention,
            (2, 0..=1) => Segment::AboutToSleep,
            (0..=1, 2) => Segment::Hibernating,
            _ => Segment::Lost,
        }
    }
}

/// The seeds' three value classes (核心 / 重要 / 普通), by the sum of the RFM scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueClass {
    Core,
    Important,
    Ordinary,
}

impl ValueClass {
    pub fn of(r: u8, f: u8, m: u8) -> ValueClass {
        match r + f + m {
            12..=15 => ValueClass::Core,
            8..=11 => ValueClass::Important,
            _ => ValueClass::Ordinary,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rfm {
    pub customer: CustomerId,
    /// Days since the last purchase.
    pub recency_days: i32,
    /// Purchase days.
    pub frequency: usize,
    pub monetary_cents: i64,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
    pub class: ValueClass,
}

/// RFM for every customer who bought up to `as_of` (the others have nothing to score).
pub fn rfm<'a>(records: impl Iterator<Item = &'a CustomerRecord>, as_of: Day) -> Vec<Rfm> {
    let mut rows: Vec<(CustomerId, i32, usize, i64)> = Vec::new();
    for record in records {
        let mut days: Vec<Day> = Vec::new();
        let mut spend = 0;
        for p in record.purchases.iter().filter(|p| p.date <= as_of) {
            if !p.is_return() {
                days.push(p.date);
            }
            spend += p.amount_cents;
        }
        // Carried-over purchases count in frequency and spend, dated on the carry-over day.
        let carried = record.tier.opening.as_ref().filter(|o| o.purchases > 0 && o.as_of <= as_of);
        if let Some(o) = carried {
            days.push(o.as_of);
            spend += o.spend_cents;
        }
        let Some(&last) = days.iter().max() else { continue };
        days.sort_unstable();
        days.dedup();
        let frequency = days.len() + carried.map_or(0, |o| o.purchases as usize).saturating_sub(1);
        rows.push((record.customer.id, as_of.0 - last.0, frequency, spend));
    }
    score_rfm(rows)
}

/// RFM scores and segments of (customer, days since the last purchase, purchase days, spend).
pub fn score_rfm(rows: Vec<(CustomerId, i32, usize, i64)>) -> Vec<Rfm> {
    let r = quintile_scores(&rows.iter().map(|x| x.1 as f64).collect::<Vec<_>>(), false);
    let f = quintile_scores(&rows.iter().map(|x| x.2 as f64).collect::<Vec<_>>(), true);
    let m = quintile_scores(&rows.iter().map(|x| x.3 as f64).collect::<Vec<_>>(), true);
    rows.into_iter()
        .enumerate()
        .map(|(i, (customer, recency_days, frequency, monetary_cents))| Rfm {
            customer,
            recency_days,
            frequency,
            monetary_cents,
            r: r[i],
            f: f[i],
            m: m[i],
            segment: Segment::of(r[i], f[i], m[i]),
            class: ValueClass::of(r[i], f[i], m[i]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::Customer;

    fn day(text: &str) -> Day {
        Day::parse_iso(text).unwrap()
    }

    fn purchase(date: &str, cents: i64) -> Purchase {
        Purchase { date: day(date), amount_cents: cents, quantity: 1.0, product: "x".into(), ..Default::default() }
    }

    #[test]
    fn nps_counts_6_as_detractor_7_and_8_as_passive_9_as_promoter() {
        let n = nps([6, 7, 8, 9]);
        assert_eq!((n.promoters, n.passives, n.detractors), (1, 2, 1));
        assert_eq!(n.score, Some(0.0));
        assert_eq!(nps([9, 10, 10, 0]).score, Some(50.0));
        assert_eq!(nps([7, 8]).score, Some(0.0));
        assert_eq!(nps([6]).score, Some(-100.0));
        assert_eq!(nps([]).score, None);
    }

    #[test]
    fn satisfaction_averages_the_period_only() {
        let f = |date: &str, score| Feedback { date: day(date), score, ..Default::default() };
        let all = [f("2026-01-01", 5), f("2026-02-01", 2), f("2026-03-01", 4)];
        assert_eq!(average_satisfaction(&all, day("2026-01-15"), day("2026-03-01")), Some(3.0));
        assert_eq!(average_satisfaction(&all, day("2027-01-01"), day("2027-12-31")), None);
    }

    #[test]
    fn histories_count_purchase_days_in_weeks_from_the_first() {
        let ps = [
            purchase("2026-01-01", 1),
            purchase("2026-01-01", 1),
            purchase("2026-01-15", 1),
            purchase("2026-03-01", 1),
        ];
        let h = history_of(&ps, day("2026-02-12")).unwrap();
        assert_eq!(h, History { x: 1.0, t_x: 2.0, t: 6.0 });
        assert_eq!(history_of(&ps, day("2025-12-31")), None);
        assert_eq!(history_of(&[], day("2026-01-01")), None);
    }

    #[test]
    fn quintile_edges_and_ties() {
        assert_eq!(quintile_scores(&[10.0, 20.0, 30.0, 40.0, 50.0], true), [1, 2, 3, 4, 5]);
        assert_eq!(quintile_scores(&[10.0, 20.0, 30.0, 40.0, 50.0], false), [5, 4, 3, 2, 1]);
        // Ten values: two per quintile; the 2nd and 3rd straddle the first edge.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quintile_scores(&ten, true), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Equal values share a score, whatever edge they sit on.
        assert_eq!(quintile_scores(&[1.0, 2.0, 2.0, 2.0, 9.0], true), [1, 3, 3, 3, 5]);
        assert_eq!(quintile_scores(&[7.0], true), [3], "a lone customer is in the middle");
        assert_eq!(quintile_scores(&[], true), Vec::<u8>::new());
    }

    #[test]
    fn every_score_pair_has_one_segment() {
        assert_eq!(Segment::of(5, 5, 5), Segment::Champions);
        assert_eq!(Segment::of(1, 5, 4), Segment::CantLose);
        assert_eq!(Segment::of(2, 3, 3), Segment::AtRisk);
        assert_eq!(Segment::of(3, 4, 4), Segment::Loyal);
        assert_eq!(Segment::of(5, 1, 1), Segment::New);
        assert_eq!(Segment::of(4, 2, 2), Segment::PotentialLoyalist);
        assert_eq!(Segment::of(3, 1, 1), Segment::Promising);
        assert_eq!(Segment::of(2, 2, 2), Segment::NeedAttention);
        assert_eq!(Segment::of(2, 1, 1), Segment::AboutToSleep);
        assert_eq!(Segment::of(1, 2, 2), Segment::Hibernating);
        assert_eq!(Segment::of(1, 1, 1), Segment::Lost);
        assert_eq!(ValueClass::of(5, 4, 3), ValueClass::Core);
        assert_eq!(ValueClass::of(3, 3, 2), ValueClass::Important);
        assert_eq!(ValueClass::of(2, 3, 2), ValueClass::Ordinary);
    }

    fn record(id: u64, purchases: Vec<Purchase>) -> CustomerRecord {
        CustomerRecord {
            customer: Customer { id, name: format!("c{id}"), ..Default::default() },
            purchases,
            ..Default::default()
        }
    }

    #[test]
    fn rfm_of_an_empty_workbook_and_of_one_customer() {
        assert!(rfm(std::iter::empty(), day("2026-11-24")).is_empty());
        let one =
            [record(1, vec![purchase("2026-11-01", 500), purchase("2026-11-01", 300), purchase("2026-11-20", 100)])];
        let rows = rfm(one.iter(), day("2026-11-24"));
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.recency_days, row.frequency, row.monetary_cents), (4, 2, 900));
        assert_eq!((row.r, row.f, row.m, row.segment, row.class), (3, 3, 3, Segment::Loyal, ValueClass::Important));
    }

    #[test]
    fn rfm_ranks_customers_against_each_other_as_of_the_date() {
        let records: Vec<CustomerRecord> = (1..=5)
            .map(|i| {
                let purchases = (0..i).map(|k| purchase(&format!("2026-0{}-1{k}", i), 1_000 * i as i64)).collect();
                record(i as u64, purchases)
            })
            .chain([record(6, vec![])])
            .collect();
        let rows = rfm(records.iter(), day("2026-10-01"));
        assert_eq!(rows.len(), 5, "a customer without purchases is not scored");
        assert_eq!(
            rows.iter().map(|r| (r.r, r.f, r.m)).collect::<Vec<_>>(),
            [(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4), (5, 5, 5)]
        );
        assert_eq!(rows[4].segment, Segment::Champions);
        assert_eq!(rows[0].segment, Segment::Lost);
        // As of an earlier date the later purchases do not exist yet.
        assert_eq!(rfm(records.iter(), day("2026-02-28")).len(), 2);
    }
}
