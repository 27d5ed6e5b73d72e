//! Per-customer insight as of a date — lifecycle stage, warnings, value — and the figures the
//! dashboard charts draw: customers per tier, tier movements, spend by tier per month, the
//! feedback trend, breakdowns, lifecycle counts, upcoming reviews and the churn-risk spread.
//! One pass over the workbook; the BG/NBD fit is separate (`model_view`) because it is the slow
//! part and the page shows everything else first.

use std::collections::HashMap;

use super::analytics::{nps, score_rfm, Nps, Rfm};
use super::bgnbd::{self, Fit, History};
use super::day::Day;
use super::model::{CustomerId, CustomerRecord, InteractionKind};
use super::terms::{analyse, Comment, TermReport};

/// The rules' numbers, shown on the page next to the stages they define.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    /// At risk after this many usual intervals without a purchase.
    pub overdue_factor: f64,
    /// Lost after this many usual intervals without a purchase…
    pub lost_factor: f64,
    /// …and at least this many days.
    pub lost_min_days: i32,
    /// New while the first purchase is at most this many days old.
    pub new_days: i32,
    /// Growing while the first purchase is less than a year old or there are fewer purchase days.
    pub mature_purchase_days: usize,
    /// A satisfaction score this far below the customer's earlier average is a fall.
    pub satisfaction_drop: f64,
}

pub const RULES: Rules = Rules {
    overdue_factor: 2.0,
    lost_factor: 4.0,
    lost_min_days: 180,
    new_days: 90,
    mature_purchase_days: 4,
    satisfaction_drop: 1.0,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Prospect,
    New,
    Growing,
    Mature,
    WonBack,
    AtRisk,
    Lost,
}

impl Stage {
    /// In the order of a customer's life, as the funnel draws them.
    pub const ALL: [Stage; 7] =
        [Stage::Prospect, Stage::New, Stage::Growing, Stage::Mature, Stage::WonBack, Stage::AtRisk, Stage::Lost];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Prospect => "prospect",
            Stage::New => "new",
            Stage::Growing => "growing",
            Stage::Mature => "mature",
            Stage::WonBack => "won-back",
            Stage::AtRisk => "at-risk",
            Stage::Lost => "lost",
        }
    }

    pub fn from_code(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Warning {
    /// No purchase for `days`, against a usual interval of `usual` days.
    Overdue { days: i32, usual: f64 },
    /// The latest satisfaction score against the average of the earlier ones.
    FallingSatisfaction { latest: u8, before: f64 },
    /// A complaint not marked resolved, logged on `since`.
    OpenComplaint { since: Day },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub customer: CustomerId,
    pub stage: Stage,
    /// The customer's tier on the date (from the tier history).
    pub tier: Option<String>,
    pub spend_cents: i64,
    pub orders: usize,
    pub first_purchase: Option<Day>,
    pub last_purchase: Option<Day>,
    /// Median days between purchase days; None with fewer than two.
    pub interval_days: Option<f64>,
    pub warnings: Vec<Warning>,
    /// Spend per year of the customer's buying life so far (at least one year): what losing them costs.
    pub yearly_value_cents: i64,
    pub history: Option<History>,
}

impl Profile {
    pub fn average_order_cents(&self) -> Option<i64> {
        (self.orders > 0).then(|| self.spend_cents / self.orders as i64)
    }
}

/// Is this interaction status a closed one? Anything else (open, 处理中, empty) is open.
pub fn is_resolved(status: &str) -> bool {
    let s = status.trim().to_lowercase();
    ["resolved", "closed", "done", "fixed", "已解决", "已处理", "已关闭", "完成", "已完成", "关闭", "解决"]
        .iter()
        .any(|w| s == *w)
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// A customer's tier at the end of `day`: the last change up to it, or what they held before
/// the first. (Points use the tier going into a day instead: see `points`.)
pub fn tier_on(record: &CustomerRecord, day: Day) -> Option<&str> {
    let history = &record.tier.history;
    match history.iter().rev().find(|c| c.date <= day) {
        Some(change) => Some(&change.to),
        None if history.is_empty() => record.tier.tier.as_deref(),
        None => history[0].from.as_deref(),
    }
}

/// Purchase days (distinct, sorted) up to `as_of`, and the spend and order count behind them.
/// Carried-over purchases count as history: their spend and number, on the carry-over date.
/// Returns reduce spend but are no purchase day.
fn purchase_days(record: &CustomerRecord, as_of: Day) -> (Vec<Day>, i64, usize) {
    let mut days = Vec::with_capacity(record.purchases.len() + 1);
    let mut spend = 0;
    let mut orders = 0;
    for p in record.purchases.iter().filter(|p| p.date <= as_of) {
        spend += p.amount_cents;
        if !p.is_return() {
            days.push(p.date);
            orders += 1;
        }
    }
    if let Some(o) = record.tier.opening.as_ref().filter(|o| o.purchases > 0 && o.as_of <= as_of) {
        // Their own dates are unknown: taken as spread evenly from when the customer joined to
        // the as-of day (at most 60 days stand for them), so the customer has a rhythm.
        let n = o.purchases.min(60) as i32;
        match record.customer.customer_since.filter(|d| *d < o.as_of && n >= 2) {
            Some(since) => days.extend((0..n).map(|k| Day(since.0 + (o.as_of.0 - since.0) * k / (n - 1)))),
            None => days.push(o.as_of),
        }
        spend += o.spend_cents;
        orders += o.purchases as usize;
    }
    days.sort_unstable();
    days.dedup();
    (days, spend, orders)
}

fn gaps(days: &[Day]) -> Vec<f64> {
    let mut gaps: Vec<f64> = days.windows(2).map(|w| (w[1].0 - w[0].0) as f64).collect();
    gaps.sort_by(f64::total_cmp);
    gaps
}

/// The stage and warnings of one customer, given the usual interval to assume for customers
/// with too few purchases to have their own.
#[cfg(test)]
fn profile(record: &CustomerRecord, as_of: Day, fallback_interval: f64, rules: &Rules) -> Profile {
    profile_of(record, purchase_days(record, as_of), as_of, fallback_interval, rules)
}

fn profile_of(
    record: &CustomerRecord,
    (days, spend_cents, orders): (Vec<Day>, i64, usize),
    as_of: Day,
    fallback_interval: f64,
    rules: &Rules,
) -> Profile {
    let own_interval = median(&gaps(&days));
    let usual = own_interval.unwrap_or(fallback_interval).max(1.0);
    let mut warnings = Vec::new();
    let stage = match (days.first(), days.last()) {
        (Some(&first), Some(&last)) => {
            let idle = as_of.0 - last.0;
            if idle as f64 > rules.overdue_factor * usual {
                warnings.push(Warning::Overdue { days: idle, usual });
            }
            // Won back: the gap before the latest purchase was overdue by the customer's earlier
            // rhythm, and they are buying in rhythm again.
            let won_back = days.len() >= 2 && {
                let before = &days[..days.len() - 1];
                let earlier = median(&gaps(before)).unwrap_or(fallback_interval).max(1.0);
                (last.0 - before[before.len() - 1].0) as f64 > rules.overdue_factor * earlier
            };
            if idle as f64 > rules.lost_factor * usual && idle >= rules.lost_min_days {
                Stage::Lost
            } else if idle as f64 > rules.overdue_factor * usual {
                Stage::AtRisk
            } else if won_back {
                Stage::WonBack
            } else if as_of.0 - first.0 <= rules.new_days {
                Stage::New
            } else if as_of.0 - first.0 < 365 || days.len() < rules.mature_purchase_days {
                Stage::Growing
            } else {
                Stage::Mature
            }
        }
        _ => Stage::Prospect,
    };
    let mut scores: Vec<(Day, u8)> =
        record.feedback.iter().filter(|f| f.date <= as_of).map(|f| (f.date, f.score)).collect();
    scores.sort_by_key(|s| s.0);
    if let Some((&(_, latest), earlier)) = scores.split_last() {
        if !earlier.is_empty() {
            let before = earlier.iter().map(|s| s.1 as f64).sum::<f64>() / earlier.len() as f64;
            if latest as f64 <= before - rules.satisfaction_drop {
                warnings.push(Warning::FallingSatisfaction { latest, before });
            }
        }
    }
    if let Some(complaint) = record
        .interactions
        .iter()
        .filter(|i| i.kind == InteractionKind::Complaint && i.date <= as_of && !is_resolved(&i.status))
        .min_by_key(|i| i.date)
    {
        warnings.push(Warning::OpenComplaint { since: complaint.date });
    }
    let years = days.first().map_or(1.0, |first| ((as_of.0 - first.0) as f64 / 365.0).max(1.0));
    Profile {
        customer: record.customer.id,
        stage,
        tier: tier_on(record, as_of).map(str::to_string),
        spend_cents,
        orders,
        first_purchase: days.first().copied(),
        last_purchase: days.last().copied(),
        interval_days: own_interval,
        warnings,
        yearly_value_cents: (spend_cents as f64 / years).round() as i64,
        history: match (days.first(), days.last()) {
            (Some(first), Some(last)) => Some(History {
                x: (days.len() - 1) as f64,
                t_x: (last.0 - first.0) as f64 / 7.0,
                t: (as_of.0 - first.0) as f64 / 7.0,
            }),
            _ => None,
        },
    }
}

/// Satisfaction, NPS and response count of one group of feedback.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedbackFigures {
    pub responses: usize,
    score_sum: u64,
    answers: Vec<u8>,
}

impl FeedbackFigures {
    fn add(&mut self, score: u8, nps_answer: Option<u8>) {
        self.responses += 1;
        self.score_sum += score as u64;
        self.answers.extend(nps_answer);
    }

    pub fn satisfaction(&self) -> Option<f64> {
        (self.responses > 0).then(|| self.score_sum as f64 / self.responses as f64)
    }

    pub fn nps(&self) -> Nps {
        nps(self.answers.iter().copied())
    }
}

/// A (year, month) and the month before or after it.
pub type Month = (i32, u32);

pub fn month_of(day: Day) -> Month {
    use chrono::Datelike;
    let d = day.to_date();
    (d.year(), d.month())
}

/// The twelve months ending with the month of `as_of`, oldest first.
pub fn last_twelve_months(as_of: Day) -> Vec<Month> {
    let (mut y, mut m) = month_of(as_of);
    let mut months = Vec::with_capacity(12);
    for _ in 0..12 {
        months.push((y, m));
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    months.reverse();
    months
}

/// A comment in the period, for the term analysis: whose, when, what, and the tone source.
#[derive(Clone, Debug, PartialEq)]
pub struct CommentRow {
    pub customer: CustomerId,
    pub date: Day,
    pub text: String,
    pub complaint: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Insights {
    pub as_of: Day,
    pub customers: usize,
    pub profiles: Vec<Profile>,
    pub rfm: Vec<Rfm>,
    /// Customers per tier on the date (None: no tier yet).
    pub tier_counts: Vec<(Option<String>, usize)>,
    /// (tier at `movement_since`, tier on the date, customers), every pair that occurs.
    pub movements: Vec<(Option<String>, Option<String>, usize)>,
    pub movement_since: Day,
    pub months: Vec<Month>,
    /// Spend per month (`months`) by the tier the customer holds on the date.
    pub spend_by_tier: Vec<(Option<String>, Vec<i64>)>,
    /// Feedback per month (`months`).
    pub feedback_trend: Vec<FeedbackFigures>,
    /// Feedback over the twelve months, overall and by tier, product, channel and account manager.
    pub feedback: FeedbackFigures,
    pub by_tier: Vec<(String, FeedbackFigures)>,
    pub by_product: Vec<(String, FeedbackFigures)>,
    pub by_channel: Vec<(String, FeedbackFigures)>,
    pub by_staff: Vec<(String, FeedbackFigures)>,
    pub stages: Vec<(Stage, usize)>,
    /// Reviews due in each of the twelve weeks from the date.
    pub upcoming_reviews: Vec<usize>,
    /// Comments and complaints of the twelve months, newest first, and what they say.
    pub comments: Vec<CommentRow>,
    pub terms: TermReport,
}

fn grouped(map: HashMap<String, FeedbackFigures>) -> Vec<(String, FeedbackFigures)> {
    let mut rows: Vec<(String, FeedbackFigures)> = map.into_iter().collect();
    rows.sort_by(|a, b| b.1.responses.cmp(&a.1.responses).then_with(|| a.0.cmp(&b.0)));
    rows
}

fn sorted_counts<K: Ord + Clone>(map: HashMap<K, usize>) -> Vec<(K, usize)> {
    let mut rows: Vec<(K, usize)> = map.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// Everything but the model, as of `as_of`; tier movements are counted from `movement_since`.
/// Customers who joined after the date are left out, as if they did not exist yet.
pub fn insights(records: &[&CustomerRecord], as_of: Day, movement_since: Day, rules: &Rules) -> Insights {
    insights_of(profiles(records, as_of, rules), as_of, movement_since)
}

/// The first step of the analysis: who existed on the date, with each one's profile
/// (lifecycle stage, warnings, value) and RFM scores.
pub struct Profiles<'a> {
    pub records: Vec<&'a CustomerRecord>,
    pub profiles: Vec<Profile>,
    pub rfm: Vec<Rfm>,
}

pub fn profiles<'a>(records: &[&'a CustomerRecord], as_of: Day, rules: &Rules) -> Profiles<'a> {
    let records: Vec<&CustomerRecord> = records
        .iter()
        .copied()
        .filter(|r| {
            let joined = r.customer.customer_since.or_else(|| r.purchases.iter().map(|p| p.date).min());
            joined.is_none_or(|d| d <= as_of)
        })
        .collect();
    let bought: Vec<(Vec<Day>, i64, usize)> = records.iter().map(|r| purchase_days(r, as_of)).collect();
    // The usual interval for customers with one purchase day: the median of everyone's own.
    let mut own: Vec<f64> = bought.iter().filter_map(|b| median(&gaps(&b.0))).collect();
    own.sort_by(f64::total_cmp);
    let fallback = median(&own).unwrap_or(90.0);
    let profiles: Vec<Profile> =
        records.iter().zip(bought).map(|(r, b)| profile_of(r, b, as_of, fallback, rules)).collect();
    let rfm = score_rfm(
        profiles
            .iter()
            .filter_map(|p| {
                let h = p.history?;
                Some((p.customer, as_of.0 - p.last_purchase?.0, h.x as usize + 1, p.spend_cents))
            })
            .collect(),
    );
    Profiles { records, profiles, rfm }
}

/// The second step: everything the dashboard draws, from the profiles.
pub fn insights_of(step: Profiles, as_of: Day, movement_since: Day) -> Insights {
    let Profiles { records, profiles, rfm } = step;
    let months = last_twelve_months(as_of);
    let from = as_of.plus_days(-365);
    // The first day of each month and of the month after the last, to find a day's month.
    let starts: Vec<Day> = months
        .iter()
        .chain(std::iter::once(&if months[11].1 == 12 {
            (months[11].0 + 1, 1)
        } else {
            (months[11].0, months[11].1 + 1)
        }))
        .map(|(y, m)| Day::from_ymd(*y, *m, 1).unwrap_or(as_of))
        .collect();
    let month_index = |day: Day| starts.partition_point(|s| *s <= day).checked_sub(1).filter(|i| *i < months.len());
    let mut tier_counts: HashMap<Option<String>, usize> = HashMap::new();
    let mut movements: HashMap<(Option<String>, Option<String>), usize> = HashMap::new();
    let mut spend: HashMap<Option<String>, Vec<i64>> = HashMap::new();
    let mut trend = vec![FeedbackFigures::default(); months.len()];
    let mut feedback = FeedbackFigures::default();
    let (mut by_tier, mut by_product, mut by_channel, mut by_staff) =
        (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
    let mut stages: HashMap<Stage, usize> = HashMap::new();
    let mut upcoming = vec![0usize; 12];
    let mut comments: Vec<CommentRow> = Vec::new();
    let first_month = Day::from_ymd(months[0].0, months[0].1, 1).unwrap_or(from);
    for (record, profile) in records.iter().zip(&profiles) {
        *tier_counts.entry(profile.tier.clone()).or_default() += 1;
        *movements.entry((tier_on(record, movement_since).map(str::to_string), profile.tier.clone())).or_default() += 1;
        *stages.entry(profile.stage).or_default() += 1;
        let months_spend = spend.entry(profile.tier.clone()).or_insert_with(|| vec![0; months.len()]);
        for p in record.purchases.iter().filter(|p| p.date <= as_of && p.date >= first_month) {
            if let Some(i) = month_index(p.date) {
                months_spend[i] += p.amount_cents;
            }
        }
        if let Some(next) = record.tier.next_review.filter(|d| *d >= as_of) {
            if let Some(week) = upcoming.get_mut(((next.0 - as_of.0) / 7) as usize) {
                *week += 1;
            }
        }
        let tier_key = profile.tier.clone().unwrap_or_default();
        for f in record.feedback.iter().filter(|f| f.date <= as_of && f.date >= first_month) {
            if let Some(i) = month_index(f.date) {
                trend[i].add(f.score, f.nps);
            }
            if f.date < from {
                continue;
            }
            feedback.add(f.score, f.nps);
            let entry = |map: &mut HashMap<String, FeedbackFigures>, key: &str| {
                let key = key.trim();
                match map.get_mut(key) {
                    Some(figures) => figures.add(f.score, f.nps),
                    None => map.entry(key.to_string()).or_default().add(f.score, f.nps),
                }
            };
            entry(&mut by_tier, &tier_key);
            entry(&mut by_product, &f.product);
            entry(&mut by_channel, &f.channel);
            entry(&mut by_staff, &record.customer.account_manager);
            if !f.comment.trim().is_empty() {
                comments.push(CommentRow {
                    customer: record.customer.id,
                    date: f.date,
                    text: f.comment.clone(),
                    complaint: false,
                });
            }
        }
        for i in record.interactions.iter().filter(|i| i.kind == InteractionKind::Complaint) {
            if (from..=as_of).contains(&i.date) && !i.summary.trim().is_empty() {
                comments.push(CommentRow {
                    customer: record.customer.id,
                    date: i.date,
                    text: i.summary.clone(),
                    complaint: true,
                });
            }
        }
    }
    comments.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.customer.cmp(&b.customer)));
    let terms =
        analyse(&comments.iter().map(|c| Comment { text: &c.text, complaint: c.complaint }).collect::<Vec<_>>(), 20);
    let mut movements: Vec<(Option<String>, Option<String>, usize)> =
        movements.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    movements.sort_by(|x, y| y.2.cmp(&x.2).then_with(|| (&x.0, &x.1).cmp(&(&y.0, &y.1))));
    let mut spend_by_tier: Vec<(Option<String>, Vec<i64>)> = spend.into_iter().collect();
    spend_by_tier.sort_by(|a, b| a.0.cmp(&b.0));
    Insights {
        as_of,
        customers: records.len(),
        rfm,
        tier_counts: sorted_counts(tier_counts),
        movements,
        movement_since,
        months,
        spend_by_tier,
        feedback_trend: trend,
        feedback,
        by_tier: grouped(by_tier),
        by_product: grouped(by_product),
        by_channel: grouped(by_channel),
        by_staff: grouped(by_staff),
        stages: Stage::ALL.iter().map(|s| (*s, stages.get(s).copied().unwrap_or(0))).collect(),
        upcoming_reviews: upcoming,
        comments,
        terms,
        profiles,
    }
}

/// What the churn model says, per customer and overall.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelView {
    pub fit: Option<Fit>,
    /// Per customer with purchases: P(alive), expected purchase days in the next 52 weeks and
    /// the expected 12-month value (those purchases at the customer's average spend per day).
    pub customers: HashMap<CustomerId, Outlook>,
    /// Customers by P(alive) in tenths: [0, 0.1), [0.1, 0.2), … [0.9, 1].
    pub risk_buckets: [usize; 10],
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outlook {
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub expected_value_cents: i64,
}

pub fn model_view(profiles: &[Profile]) -> ModelView {
    let histories: Vec<History> = profiles.iter().filter_map(|p| p.history).collect();
    let fit = bgnbd::fit(&histories);
    let mut customers = HashMap::new();
    let mut risk_buckets = [0usize; 10];
    if let Some(fit) = &fit {
        for p in profiles {
            let Some(h) = &p.history else { continue };
            let alive = bgnbd::p_alive(&fit.params, h);
            let expected = bgnbd::expected_purchases(&fit.params, h, 52.0);
            let per_day = p.spend_cents as f64 / (h.x + 1.0);
            risk_buckets[((alive * 10.0) as usize).min(9)] += 1;
            customers.insert(
                p.customer,
                Outlook {
                    p_alive: alive,
                    expected_purchases: expected,
                    expected_value_cents: (expected * per_day).round() as i64,
                },
            );
        }
    }
    ModelView { fit, customers, risk_buckets }
}

/// Customers with at least one warning (or the model's P(alive) below one half), most yearly
/// value first.
pub fn at_risk<'a>(insights: &'a Insights, model: Option<&ModelView>) -> Vec<(&'a Profile, Option<f64>)> {
    let mut rows: Vec<(&Profile, Option<f64>)> = insights
        .profiles
        .iter()
        .map(|p| (p, model.and_then(|m| m.customers.get(&p.customer)).map(|o| o.p_alive)))
        .filter(|(p, alive)| !p.warnings.is_empty() || alive.is_some_and(|a| a < 0.5))
        .collect();
    rows.sort_by(|a, b| {
        b.0.yearly_value_cents.cmp(&a.0.yearly_value_cents).then_with(|| a.0.customer.cmp(&b.0.customer))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Customer, Feedback, Interaction, Purchase};
    use crate::domain::tiers::TierChange;

    fn day(text: &str) -> Day {
        Day::parse_iso(text).unwrap()
    }

    fn buy(date: &str, cents: i64) -> Purchase {
        Purchase { date: day(date), amount_cents: cents, quantity: 1.0, ..Default::default() }
    }

    fn customer(id: u64, since: &str, purchases: &[&str]) -> CustomerRecord {
        CustomerRecord {
            customer: Customer { id, name: format!("c{id}"), customer_since: Some(day(since)), ..Default::default() },
            purchases: purchases.iter().map(|d| buy(d, 1_000)).collect(),
            ..Default::default()
        }
    }

    fn stage(record: &CustomerRecord, as_of: &str) -> Stage {
        profile(record, day(as_of), 30.0, &RULES).stage
    }

    #[test]
    fn carried_over_purchases_are_history_not_no_purchase_yet() {
        let mut r = customer(9, "2020-01-01", &[]);
        r.customer.customer_since = None;
        r.tier.opening = Some(crate::domain::tiers::OpeningBalance {
            as_of: day("2026-05-01"),
            spend_cents: 3_000_000,
            purchases: 10,
            points: 0,
        });
        assert_ne!(stage(&r, "2026-06-01"), Stage::Prospect);
        let (days, spend, orders) = purchase_days(&r, day("2026-06-01"));
        assert_eq!((days.len(), spend, orders), (1, 3_000_000, 10));
        r.customer.customer_since = Some(day("2023-06-01"));
        let stage_now = stage(&r, "2026-06-01");
        assert!(
            matches!(stage_now, Stage::Growing | Stage::Mature),
            "joined three years ago, bought since: {stage_now:?}"
        );
    }

    #[test]
    fn lifecycle_stages_follow_the_rules() {
        let monthly =
            customer(1, "2024-01-01", &["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"]);
        assert_eq!(stage(&customer(2, "2026-01-01", &[]), "2026-06-01"), Stage::Prospect);
        assert_eq!(stage(&customer(3, "2026-05-01", &["2026-05-01"]), "2026-06-01"), Stage::New);
        assert_eq!(
            stage(&customer(3, "2026-01-01", &["2026-01-01", "2026-02-15", "2026-03-20", "2026-05-01"]), "2026-06-01"),
            Stage::Growing
        );
        assert_eq!(stage(&monthly, "2025-05-20"), Stage::Lost, "a year without buying, usual month");
        assert_eq!(stage(&monthly, "2024-05-25"), Stage::Growing, "in rhythm, under a year");
        // Usual interval 31 days: overdue after 62, lost after 124 and 180.
        assert_eq!(stage(&monthly, "2024-07-01"), Stage::Growing, "61 days");
        assert_eq!(stage(&monthly, "2024-07-03"), Stage::AtRisk, "63 days");
        assert_eq!(stage(&monthly, "2024-10-27"), Stage::AtRisk, "179 days: not lost before 180");
        assert_eq!(stage(&monthly, "2024-10-29"), Stage::Lost);
        let mut back = monthly.clone();
        back.purchases.push(buy("2024-09-01", 500));
        assert_eq!(stage(&back, "2024-09-10"), Stage::WonBack);
        let mature: Vec<String> = (0..14).map(|m| format!("{}-{:02}-01", 2023 + (m / 12), m % 12 + 1)).collect();
        let mature = customer(4, "2023-01-01", &mature.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(stage(&mature, "2024-02-20"), Stage::Mature);
    }

    #[test]
    fn warnings_name_their_reason() {
        let mut c = customer(1, "2024-01-01", &["2024-01-01", "2024-01-11", "2024-01-21"]);
        let p = profile(&c, day("2024-02-21"), 30.0, &RULES);
        assert_eq!(p.warnings, [Warning::Overdue { days: 31, usual: 10.0 }]);
        assert_eq!(p.interval_days, Some(10.0));
        assert_eq!(p.average_order_cents(), Some(1_000));
        let f = |date: &str, score| Feedback { date: day(date), score, ..Default::default() };
        c.feedback = vec![f("2024-01-02", 5), f("2024-01-12", 4), f("2024-01-22", 3)];
        c.interactions = vec![
            Interaction {
                date: day("2024-01-15"),
                kind: InteractionKind::Complaint,
                status: "open".into(),
                ..Default::default()
            },
            Interaction {
                date: day("2024-01-05"),
                kind: InteractionKind::Complaint,
                status: "已解决".into(),
                ..Default::default()
            },
        ];
        let p = profile(&c, day("2024-01-25"), 30.0, &RULES);
        assert_eq!(
            p.warnings,
            [
                Warning::FallingSatisfaction { latest: 3, before: 4.5 },
                Warning::OpenComplaint { since: day("2024-01-15") }
            ]
        );
        assert!(profile(&c, day("2024-01-10"), 30.0, &RULES).warnings.is_empty(), "nothing yet on that date");
    }

    #[test]
    fn tier_on_a_date_reads_the_history() {
        let mut c = customer(1, "2024-01-01", &[]);
        c.tier.tier = Some("gold".into());
        assert_eq!(tier_on(&c, day("2020-01-01")), Some("gold"), "no history: the tier held");
        let change = |date: &str, from: Option<&str>, to: &str| TierChange {
            date: day(date),
            from: from.map(String::from),
            to: to.into(),
            reason: crate::domain::tiers::Reason::Imported,
        };
        c.tier.history = vec![change("2024-01-01", None, "bronze"), change("2024-06-01", Some("bronze"), "gold")];
        assert_eq!(tier_on(&c, day("2023-12-31")), None);
        assert_eq!(tier_on(&c, day("2024-05-31")), Some("bronze"));
        assert_eq!(tier_on(&c, day("2024-06-01")), Some("gold"));
    }

    #[test]
    fn twelve_months_end_with_the_dates_month() {
        let months = last_twelve_months(day("2026-02-10"));
        assert_eq!(months.first(), Some(&(2025, 3)));
        assert_eq!(months.last(), Some(&(2026, 2)));
        assert_eq!(months.len(), 12);
    }

    #[test]
    fn insights_of_an_empty_workbook_and_of_one_customer() {
        let empty = insights(&[], day("2026-11-24"), day("2026-08-24"), &RULES);
        assert_eq!((empty.customers, empty.feedback.responses), (0, 0));
        assert!(empty.profiles.is_empty() && empty.movements.is_empty() && empty.terms.terms.is_empty());
        assert_eq!(empty.stages.iter().map(|s| s.1).sum::<usize>(), 0);
        assert_eq!(model_view(&empty.profiles).fit, None);

        let mut one = customer(7, "2026-01-01", &["2026-10-03", "2026-11-03"]);
        one.feedback.push(Feedback {
            date: day("2026-11-05"),
            score: 4,
            nps: Some(9),
            comment: "咖啡很香".into(),
            product: "拿铁".into(),
            ..Default::default()
        });
        one.tier.next_review = Some(day("2026-12-01"));
        let s = insights(&[&one], day("2026-11-24"), day("2026-08-24"), &RULES);
        assert_eq!(s.customers, 1);
        assert_eq!(s.tier_counts, [(None, 1)]);
        assert_eq!(s.stages.iter().find(|x| x.0 == Stage::New).unwrap().1, 1);
        assert_eq!(s.upcoming_reviews[1], 1, "7 days ahead is the second week");
        assert_eq!(s.spend_by_tier, [(None, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_000, 1_000].to_vec())]);
        assert_eq!(s.feedback_trend[10].responses + s.feedback_trend[11].responses, 1);
        assert_eq!(s.by_product[0].0, "拿铁");
        assert_eq!(s.feedback.nps().score, Some(100.0));
        assert_eq!(s.comments.len(), 1);
        // Earlier than the customer joined, they do not exist.
        assert_eq!(insights(&[&one], day("2025-12-31"), day("2025-09-30"), &RULES).customers, 0);
    }

    #[test]
    fn the_dashboard_figures_follow_the_date() {
        let records = crate::domain::demo::generate(1, 400, 4_000, day("2026-11-24"), 5);
        let refs: Vec<&CustomerRecord> = records.iter().collect();
        let now = insights(&refs, day("2026-11-24"), day("2026-08-24"), &RULES);
        let before = insights(&refs, day("2025-11-24"), day("2025-08-24"), &RULES);
        assert_ne!(now.stages, before.stages);
        assert_ne!(now.spend_by_tier, before.spend_by_tier);
        assert_eq!(now.stages.iter().map(|s| s.1).sum::<usize>(), now.customers);
        assert_eq!(
            now.rfm,
            crate::domain::analytics::rfm(records.iter(), day("2026-11-24")),
            "same scores as RFM alone"
        );
        let histories: Vec<_> = records
            .iter()
            .filter_map(|r| crate::domain::analytics::history_of(&r.purchases, day("2026-11-24")))
            .collect();
        assert_eq!(now.profiles.iter().filter_map(|p| p.history).collect::<Vec<_>>(), histories);
        let total: i64 = now.spend_by_tier.iter().flat_map(|t| t.1.iter()).sum();
        let direct: i64 = records
            .iter()
            .flat_map(|r| &r.purchases)
            .filter(|p| p.date >= day("2025-12-01") && p.date <= day("2026-11-24"))
            .map(|p| p.amount_cents)
            .sum();
        assert_eq!(total, direct, "every purchase of the twelve months counted once");
        let model = model_view(&now.profiles);
        assert!(model.fit.is_some());
        assert_eq!(model.risk_buckets.iter().sum::<usize>(), model.customers.len());
        let list = at_risk(&now, Some(&model));
        assert!(list.windows(2).all(|w| w[0].0.yearly_value_cents >= w[1].0.yearly_value_cents));
        assert!(!list.is_empty());
    }
}
