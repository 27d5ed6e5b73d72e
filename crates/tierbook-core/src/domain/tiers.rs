//! The tier engine: a policy of ordered tiers with rules over a customer's metrics, evaluated
//! as of a date. Upgrades take effect as soon as a customer qualifies; downgrades only at a
//! review, at most `max_drop` levels at a time and after the grace period. Every change is
//! recorded with the figures that caused it.

use std::collections::HashMap;

use chrono::Months;
use serde::{Deserialize, Serialize};

use super::day::Day;
use super::model::{CustomerId, CustomerRecord};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Metric {
    /// Spend in the policy's window, in yuan.
    Spend,
    /// Purchases in the policy's window.
    Purchases,
    /// Years since the customer-since date.
    TenureYears,
    /// Influence score 0–5.
    Influence,
    /// Points balance (earned on spend, expiring per lot).
    Points,
    /// Referred customers who have made a purchase.
    Referrals,
}

impl Metric {
    pub const ALL: [Metric; 6] =
        [Metric::Spend, Metric::Purchases, Metric::TenureYears, Metric::Influence, Metric::Points, Metric::Referrals];

    pub fn code(self) -> &'static str {
        match self {
            Metric::Spend => "spend",
            Metric::Purchases => "purchases",
            Metric::TenureYears => "tenure",
            Metric::Influence => "influence",
            Metric::Points => "points",
            Metric::Referrals => "referrals",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleMode {
    /// Every threshold must be met.
    All,
    /// Any one threshold is enough.
    Any,
    /// Weighted score: each threshold adds `weight × min(value / min, 1)`; the tier needs
    /// `min_score`.
    Score,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub metric: Metric,
    pub min: f64,
    pub weight: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierDef {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub colour: String,
    pub benefits: Vec<String>,
    pub mode: RuleMode,
    /// Empty for the entry tier: everyone qualifies.
    pub thresholds: Vec<Threshold>,
    pub min_score: f64,
    /// Points earned per yuan are multiplied by this while the customer holds the tier.
    pub points_multiplier: f64,
}

impl TierDef {
    /// The tier's name in `lang`.
    pub fn name(&self, lang: crate::texts::Lang) -> &str {
        match lang {
            crate::texts::Lang::Zh => &self.name_zh,
            crate::texts::Lang::En => &self.name_en,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cadence {
    Quarterly,
    HalfYearly,
    Yearly,
    /// On each customer's customer-since anniversary.
    Anniversary,
}

impl Cadence {
    pub const ALL: [Cadence; 4] = [Cadence::Quarterly, Cadence::HalfYearly, Cadence::Yearly, Cadence::Anniversary];

    pub fn code(self) -> &'static str {
        match self {
            Cadence::Quarterly => "quarterly",
            Cadence::HalfYearly => "half-yearly",
            Cadence::Yearly => "yearly",
            Cadence::Anniversary => "anniversary",
        }
    }

    pub fn from_code(code: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierPolicy {
    pub preset: String,
    /// Lowest first.
    pub tiers: Vec<TierDef>,
    /// Months of history that count for spend and purchases.
    pub window_months: u32,
    pub cadence: Cadence,
    /// Most levels a customer can drop at one review; 0 means no limit.
    pub max_drop: u32,
    /// Days a customer must have been below their tier before a review may lower it.
    pub grace_days: u32,
    pub points_per_yuan: f64,
    /// Months after which an earned lot of points expires; 0: never.
    pub points_expiry_months: u32,
    /// Purchases in the customer's birthday month earn this many times the points.
    pub birthday_multiplier: f64,
    /// Points for each piece of feedback given.
    pub feedback_bonus: i64,
    /// Points for each referred customer's first purchase.
    pub referral_bonus: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyError {
    NoTiers,
    EmptyName(usize),
    DuplicateId(String),
    ZeroWindow,
    EntryTierHasRules,
    NoRule(usize),
    BadThreshold(usize),
    /// Tier `.0`'s threshold on a metric is not above the tier below's.
    NotIncreasing(usize, Metric),
    ScoreNotIncreasing(usize),
    /// A weighted-score tier needs a score above 0 and weights that add up to more than 0.
    BadScore(usize),
    /// Points rates, multipliers and bonuses are numbers from 0 up (of a tier, or the policy's).
    BadPoints(Option<usize>),
}

impl TierPolicy {
    /// Refuses a policy that cannot work; the previous one then stays.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.tiers.is_empty() {
            return Err(PolicyError::NoTiers);
        }
        if self.window_months == 0 {
            return Err(PolicyError::ZeroWindow);
        }
        let points_ok = |x: f64| x.is_finite() && x >= 0.0;
        if !points_ok(self.points_per_yuan)
            || !points_ok(self.birthday_multiplier)
            || self.feedback_bonus < 0
            || self.referral_bonus < 0
        {
            return Err(PolicyError::BadPoints(None));
        }
        let mut ids = std::collections::HashSet::new();
        for (i, tier) in self.tiers.iter().enumerate() {
            if tier.name_zh.trim().is_empty() || tier.name_en.trim().is_empty() || tier.id.trim().is_empty() {
                return Err(PolicyError::EmptyName(i));
            }
            if !ids.insert(tier.id.as_str()) {
                return Err(PolicyError::DuplicateId(tier.id.clone()));
            }
            if tier
                .thresholds
                .iter()
                .any(|t| !t.min.is_finite() || t.min <= 0.0 || !t.weight.is_finite() || t.weight < 0.0)
            {
                return Err(PolicyError::BadThreshold(i));
            }
            if i > 0
                && tier.mode == RuleMode::Score
                && (tier.min_score <= 0.0 || tier.thresholds.iter().map(|t| t.weight).sum::<f64>() <= 0.0)
            {
                return Err(PolicyError::BadScore(i));
            }
            if !points_ok(tier.points_multiplier) {
                return Err(PolicyError::BadPoints(Some(i)));
            }
            if i == 0 && !tier.thresholds.is_empty() {
                return Err(PolicyError::EntryTierHasRules);
            }
            if i > 0 && tier.thresholds.is_empty() {
                return Err(PolicyError::NoRule(i));
            }
            let both_scored = i > 0 && tier.mode == RuleMode::Score && self.tiers[i - 1].mode == RuleMode::Score;
            // In a weighted score the thresholds are targets shared by the tiers; the scores rise.
            if i > 1 && !both_scored {
                for t in &tier.thresholds {
                    let below = self.tiers[i - 1].thresholds.iter().find(|b| b.metric == t.metric);
                    if below.is_some_and(|b| t.min <= b.min) {
                        return Err(PolicyError::NotIncreasing(i, t.metric));
                    }
                }
            }
            if i > 1 && both_scored && tier.min_score <= self.tiers[i - 1].min_score {
                return Err(PolicyError::ScoreNotIncreasing(i));
            }
        }
        Ok(())
    }

    /// Adds a new top tier: each threshold half as high again as the current top's (or a score
    /// halfway to full marks), so the policy stays valid; the user then names and tunes it.
    pub fn add_tier(&mut self) {
        let Some(top) = self.tiers.last().cloned() else { return };
        let n = self.tiers.len() + 1;
        let mut tier = top.clone();
        tier.id = format!("level-{n}");
        tier.name_zh = format!("第 {n} 级");
        tier.name_en = format!("Level {n}");
        tier.benefits.clear();
        tier.points_multiplier = top.points_multiplier + 0.25;
        if tier.thresholds.is_empty() {
            tier.thresholds.push(Threshold { metric: Metric::Spend, min: 10_000.0, weight: 0.0 });
            tier.mode = RuleMode::Any;
        } else if tier.mode == RuleMode::Score {
            tier.min_score = (top.min_score + tier.thresholds.iter().map(|t| t.weight).sum::<f64>()) / 2.0;
        } else {
            for t in tier.thresholds.iter_mut() {
                t.min = (t.min * 1.5).ceil();
            }
        }
        while self.index_of(&tier.id).is_some() {
            tier.id.push('+');
        }
        self.tiers.push(tier);
        self.preset = "custom".into();
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.id == id)
    }
}

/// A customer's standing figures as of a date.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    pub spend: f64,
    pub purchases: f64,
    pub tenure_years: f64,
    pub influence: f64,
    pub points: f64,
    pub referrals: f64,
}

impl Metrics {
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Spend => self.spend,
            Metric::Purchases => self.purchases,
            Metric::TenureYears => self.tenure_years,
            Metric::Influence => self.influence,
            Metric::Points => self.points,
            Metric::Referrals => self.referrals,
        }
    }
}

/// Aggregate figures carried over from a spreadsheet, with no purchase rows behind them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpeningBalance {
    pub as_of: Day,
    pub spend_cents: i64,
    pub purchases: u32,
    pub points: i64,
}

/// What a customer brings from a previous spreadsheet: aggregate figures, the tier they held
/// and their rating dates. The tier is kept until its next review unless they qualify higher.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CarriedOver {
    pub balance: Option<OpeningBalance>,
    pub tier: Option<String>,
    pub last_review: Option<Day>,
    pub next_review: Option<Day>,
}

impl TierState {
    /// Takes in what a previous sheet said; `date` dates the history entry.
    pub fn carry_over(&mut self, carried: CarriedOver, date: Day) {
        self.opening = carried.balance;
        if let Some(tier) = carried.tier.filter(|t| self.tier.as_deref() != Some(t)) {
            self.history.push(TierChange { date, from: self.tier.clone(), to: tier.clone(), reason: Reason::Imported });
            self.tier = Some(tier);
            self.below_since = None;
        }
        if carried.last_review.is_some() {
            self.last_review = carried.last_review;
        }
        if carried.next_review.is_some() {
            self.next_review = carried.next_review;
        }
    }

    /// The carried-over part of this state, for editing.
    pub fn carried_over(&self) -> CarriedOver {
        let imported = self.history.iter().rev().find(|c| c.reason == Reason::Imported).map(|c| c.to.clone());
        CarriedOver {
            balance: self.opening.clone(),
            tier: imported,
            last_review: self.last_review,
            next_review: self.next_review,
        }
    }
}

fn months_before(day: Day, months: u32) -> Day {
    Day::from_date(day.to_date().checked_sub_months(Months::new(months)).unwrap_or(day.to_date()))
}

/// The dates an evaluation as of one day needs, worked out once for everyone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub as_of: Day,
    /// Spend and purchases count when dated after this day (and not after `as_of`).
    pub start: Day,
    /// The next calendar review after `as_of`; None for anniversary reviews.
    pub next_calendar_review: Option<Day>,
    /// Whether any tier rates on points.
    pub uses_points: bool,
}

impl Window {
    pub fn new(policy: &TierPolicy, as_of: Day) -> Window {
        Window {
            as_of,
            start: months_before(as_of, policy.window_months),
            next_calendar_review: (policy.cadence != Cadence::Anniversary)
                .then(|| next_review(policy.cadence, as_of, None)),
            uses_points: policy.tiers.iter().flat_map(|t| &t.thresholds).any(|t| t.metric == Metric::Points),
        }
    }
}

/// Computes the metrics of one customer as of `as_of`. Spend and purchases count in the window
/// (`as_of` minus `window_months`, `as_of`]; later-dated rows do not count yet.
pub fn metrics(record: &CustomerRecord, policy: &TierPolicy, referral_dates: &[Day], as_of: Day) -> Metrics {
    metrics_in(record, policy, &Window::new(policy, as_of), referral_dates)
}

pub fn metrics_in(record: &CustomerRecord, policy: &TierPolicy, window: &Window, referral_dates: &[Day]) -> Metrics {
    let as_of = window.as_of;
    let in_window = |d: Day| d > window.start && d <= as_of;
    let mut spend_cents = 0i64;
    let mut purchases = 0u32;
    for p in record.purchases.iter().filter(|p| in_window(p.date)) {
        // A return takes back spend but is no purchase.
        spend_cents += p.amount_cents;
        purchases += u32::from(!p.is_return());
    }
    if let Some(opening) = record.tier.opening.as_ref().filter(|o| in_window(o.as_of)) {
        spend_cents += opening.spend_cents;
        purchases += opening.purchases;
    }
    // The ledger is only worked out when the policy rates on points.
    let points =
        if window.uses_points { super::points::ledger(record, policy, referral_dates, as_of).1 as f64 } else { 0.0 };
    let referrals = referral_dates.iter().filter(|d| **d <= as_of).count();
    let tenure_years = record.customer.customer_since.map_or(0.0, |since| ((as_of.0 - since.0).max(0)) as f64 / 365.25);
    Metrics {
        spend: spend_cents as f64 / 100.0,
        purchases: purchases as f64,
        tenure_years,
        influence: record.customer.influence as f64,
        points,
        referrals: referrals as f64,
    }
}

/// For each referrer, the first-purchase day of every customer they referred who has bought:
/// a referral counts once the referred customer's first purchase is recorded.
pub fn referrals<'a>(records: impl Iterator<Item = &'a CustomerRecord>) -> HashMap<CustomerId, Vec<Day>> {
    let mut dates: HashMap<CustomerId, Vec<Day>> = HashMap::new();
    // Only a referred customer's purchases are looked at (a million of them after an import).
    for r in records {
        let Some(referrer) = r.customer.referred_by else { continue };
        if let Some(first) = r.purchases.iter().map(|p| p.date).min() {
            dates.entry(referrer).or_default().push(first);
        }
    }
    dates
}

/// One threshold checked: the figures behind every decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub metric: Metric,
    pub value: f64,
    pub min: f64,
}

impl Evidence {
    pub fn met(&self) -> bool {
        self.value >= self.min
    }
}

fn score(tier: &TierDef, m: &Metrics) -> f64 {
    tier.thresholds.iter().map(|t| t.weight * (m.get(t.metric) / t.min).min(1.0)).sum()
}

pub fn qualifies(tier: &TierDef, m: &Metrics) -> bool {
    let met = |t: &Threshold| m.get(t.metric) >= t.min;
    match tier.mode {
        _ if tier.thresholds.is_empty() => true,
        RuleMode::All => tier.thresholds.iter().all(met),
        RuleMode::Any => tier.thresholds.iter().any(met),
        RuleMode::Score => score(tier, m) >= tier.min_score,
    }
}

/// The highest tier whose rule the metrics meet.
pub fn qualified_index(policy: &TierPolicy, m: &Metrics) -> usize {
    (0..policy.tiers.len()).rev().find(|&i| qualifies(&policy.tiers[i], m)).unwrap_or(0)
}

fn evidence(tier: &TierDef, m: &Metrics) -> Vec<Evidence> {
    tier.thresholds.iter().map(|t| Evidence { metric: t.metric, value: m.get(t.metric), min: t.min }).collect()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reason {
    /// First rating under the policy.
    Initial(Vec<Evidence>),
    Upgrade(Vec<Evidence>),
    /// At a review: the figures for the tier the customer fell out of.
    Downgrade(Vec<Evidence>),
    /// A new policy was applied.
    NewPolicy(Vec<Evidence>),
    Override(String),
    OverrideEnded,
    /// Taken over from a previous spreadsheet.
    Imported,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierChange {
    pub date: Day,
    pub from: Option<String>,
    pub to: String,
    pub reason: Reason,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierOverride {
    pub tier: String,
    pub reason: String,
    pub until: Day,
}

/// A customer's tier and its history, stored with the customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TierState {
    pub tier: Option<String>,
    pub last_review: Option<Day>,
    pub next_review: Option<Day>,
    /// Since when the customer has not met their tier's rule (for the grace period).
    pub below_since: Option<Day>,
    pub manual: Option<TierOverride>,
    pub opening: Option<OpeningBalance>,
    pub history: Vec<TierChange>,
    /// Points spent, with what for.
    pub redemptions: Vec<super::points::Redemption>,
}

/// The first review date after `after`.
pub fn next_review(cadence: Cadence, after: Day, customer_since: Option<Day>) -> Day {
    let date = after.to_date();
    use chrono::Datelike;
    let step = match cadence {
        Cadence::Quarterly => 3,
        Cadence::HalfYearly => 6,
        Cadence::Yearly => 12,
        Cadence::Anniversary => {
            let since = customer_since.unwrap_or(after).to_date();
            let mut years = (date.year() - since.year()).max(0) as u32;
            loop {
                let candidate = Day::from_date(since.checked_add_months(Months::new(12 * years)).unwrap_or(since));
                if candidate > after {
                    return candidate;
                }
                years += 1;
            }
        }
    };
    // Calendar periods start on 1 January; the next boundary after `after`.
    let month0 = date.month0();
    let next_boundary = (month0 / step + 1) * step;
    let (year, month) = (date.year() + (next_boundary / 12) as i32, next_boundary % 12 + 1);
    Day::from_ymd(year, month, 1).expect("first of a month")
}

/// Appends to a tier history with room for just that change, not the four (or twice the
/// length) a push makes: the write trims every changed history, and an import settles 100,000.
fn push_change(history: &mut Vec<TierChange>, change: TierChange) {
    history.reserve_exact(1);
    history.push(change);
}

/// Evaluates one customer as of `as_of` and returns the new state (history appended).
pub fn evaluate(
    policy: &TierPolicy,
    state: &TierState,
    m: &Metrics,
    as_of: Day,
    customer_since: Option<Day>,
) -> TierState {
    evaluate_owned(policy, state.clone(), m, as_of, customer_since)
}

/// `evaluate`, taking the state to change rather than a copy of it (a write settles 100,000
/// customers in place).
pub fn evaluate_owned(
    policy: &TierPolicy,
    mut next: TierState,
    m: &Metrics,
    as_of: Day,
    customer_since: Option<Day>,
) -> TierState {
    let record = |next: &mut TierState, to: usize, reason: Reason| {
        let to = policy.tiers[to].id.clone();
        push_change(&mut next.history, TierChange { date: as_of, from: next.tier.clone(), to: to.clone(), reason });
        next.tier = Some(to);
    };
    if next.next_review.is_none() {
        next.next_review = Some(next_review(policy.cadence, as_of, customer_since));
    }
    // A manual tier holds until its date; then the rules take over again.
    if let Some(manual) = next.manual.clone() {
        // Reviews that fall while a manual tier holds pass without a downgrade; the schedule
        // moves on so the next review date stays ahead.
        let skip_until = manual.until.min(as_of);
        while let Some(review) = next.next_review.filter(|r| *r <= skip_until) {
            next.last_review = Some(review);
            next.next_review = Some(next_review(policy.cadence, review, customer_since));
        }
        if manual.until >= as_of {
            return next;
        }
        next.manual = None;
        if let Some(i) = policy.index_of(&manual.tier) {
            record(&mut next, i, Reason::OverrideEnded);
        }
    }
    let qualified = qualified_index(policy, m);
    let mut level = match next.tier.as_deref().and_then(|id| policy.index_of(id)) {
        Some(i) => i,
        None => {
            record(&mut next, qualified, Reason::Initial(evidence(&policy.tiers[qualified], m)));
            qualified
        }
    };
    if qualified > level {
        record(&mut next, qualified, Reason::Upgrade(evidence(&policy.tiers[qualified], m)));
        level = qualified;
    }
    if qualified >= level {
        next.below_since = None;
    } else if next.below_since.is_none() {
        next.below_since = Some(as_of);
    }
    // Every review that has come due: a downgrade may happen there, and only there.
    while let Some(review) = next.next_review.filter(|r| *r <= as_of) {
        // Without a grace period a due review lowers the tier at once. With one, the clock starts
        // when the drop was first seen, which for reviews missed while the app was closed is
        // today: the customer gets the benefit of the doubt.
        let grace_over = policy.grace_days == 0
            || next.below_since.is_some_and(|since| review.0 - since.0 >= policy.grace_days as i32);
        if qualified < level && grace_over {
            let drop = if policy.max_drop == 0 {
                level - qualified
            } else {
                (level - qualified).min(policy.max_drop as usize)
            };
            let reason = Reason::Downgrade(evidence(&policy.tiers[level], m));
            level -= drop;
            record(&mut next, level, reason);
            if let Some(last) = next.history.last_mut() {
                last.date = review;
            }
            next.below_since = if qualified < level { Some(review) } else { None };
        }
        next.last_review = Some(review);
        next.next_review = Some(next_review(policy.cadence, review, customer_since));
    }
    next
}

/// Re-rates a customer from scratch under a newly applied policy.
pub fn rerate(
    policy: &TierPolicy,
    state: &TierState,
    m: &Metrics,
    as_of: Day,
    customer_since: Option<Day>,
) -> TierState {
    let mut next = state.clone();
    let qualified = qualified_index(policy, m);
    let to = policy.tiers[qualified].id.clone();
    if next.tier.as_deref() != Some(to.as_str()) {
        let reason = Reason::NewPolicy(evidence(&policy.tiers[qualified], m));
        push_change(&mut next.history, TierChange { date: as_of, from: next.tier.clone(), to: to.clone(), reason });
    }
    next.tier = Some(to);
    next.below_since = None;
    next.manual = None;
    next.last_review = Some(as_of);
    next.next_review = Some(next_review(policy.cadence, as_of, customer_since));
    next
}

/// What stands between a customer and the next tier: (progress 0–1, the thresholds not met).
pub fn progress(policy: &TierPolicy, tier_index: usize, m: &Metrics) -> Option<(f64, RuleMode, Vec<Evidence>)> {
    let target = policy.tiers.get(tier_index + 1)?;
    let ev = evidence(target, m);
    let ratio = |e: &Evidence| (e.value / e.min).clamp(0.0, 1.0);
    let fraction = match target.mode {
        _ if ev.is_empty() => 1.0,
        RuleMode::All => ev.iter().map(ratio).fold(1.0, f64::min),
        RuleMode::Any => ev.iter().map(ratio).fold(0.0, f64::max),
        RuleMode::Score => {
            if target.min_score > 0.0 {
                (score(target, m) / target.min_score).min(1.0)
            } else {
                1.0
            }
        }
    };
    Some((fraction, target.mode, ev.into_iter().filter(|e| !e.met()).collect()))
}

/// Evaluates every customer as of `as_of` (or, with `rerate`, re-rates them under a newly
/// applied policy) and returns the new states of those whose state changed.
pub fn evaluate_all<'a>(
    policy: &TierPolicy,
    records: impl Iterator<Item = &'a CustomerRecord> + Clone,
    as_of: Day,
    rerate_everyone: bool,
) -> Vec<(CustomerId, TierState)> {
    let referrals = referrals(records.clone());
    records
        .filter_map(|r| {
            let m = metrics(r, policy, referrals.get(&r.customer.id).map_or(&[], Vec::as_slice), as_of);
            let since = r.customer.customer_since;
            let state = if rerate_everyone {
                rerate(policy, &r.tier, &m, as_of, since)
            } else {
                evaluate(policy, &r.tier, &m, as_of, since)
            };
            (state != r.tier).then_some((r.customer.id, state))
        })
        .collect()
}

/// Moves between the current tiers and those a candidate policy would give.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WhatIf {
    pub up: usize,
    pub down: usize,
    pub stay: usize,
    /// Customers per tier id now and after.
    pub before: HashMap<String, usize>,
    pub after: HashMap<String, usize>,
    /// (customer, from, to) for everyone who moves.
    pub movers: Vec<(CustomerId, Option<String>, String)>,
}

pub fn what_if<'a>(
    current: &TierPolicy,
    candidate: &TierPolicy,
    records: impl Iterator<Item = &'a CustomerRecord> + Clone,
    as_of: Day,
) -> WhatIf {
    let referrals = referrals(records.clone());
    let mut result = WhatIf::default();
    // Rank by position in the candidate policy, falling back to the current one's.
    let rank = |id: Option<&str>| -> i64 {
        id.and_then(|id| candidate.index_of(id).or_else(|| current.index_of(id))).map_or(-1, |i| i as i64)
    };
    for r in records {
        let m = metrics(r, candidate, referrals.get(&r.customer.id).map_or(&[], Vec::as_slice), as_of);
        let to = candidate.tiers[qualified_index(candidate, &m)].id.clone();
        let from = r.tier.tier.clone();
        if let Some(f) = &from {
            *result.before.entry(f.clone()).or_default() += 1;
        }
        *result.after.entry(to.clone()).or_default() += 1;
        match rank(Some(&to)).cmp(&rank(from.as_deref())) {
            std::cmp::Ordering::Greater => result.up += 1,
            std::cmp::Ordering::Less => result.down += 1,
            std::cmp::Ordering::Equal => result.stay += 1,
        }
        if from.as_deref() != Some(to.as_str()) {
            result.movers.push((r.customer.id, from, to));
        }
    }
    result
}

fn tier(id: &str, zh: &str, en: &str, colour: &str, benefits: &[&str], mode: RuleMode, t: &[(Metric, f64)]) -> TierDef {
    TierDef {
        id: id.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        colour: colour.into(),
        benefits: benefits.iter().map(|b| b.to_string()).collect(),
        mode,
        thresholds: t.iter().map(|&(metric, min)| Threshold { metric, min, weight: 0.0 }).collect(),
        min_score: 0.0,
        points_multiplier: 1.0,
    }
}

fn policy(preset: &str, mut tiers: Vec<TierDef>, cadence: Cadence) -> TierPolicy {
    // Higher tiers earn faster: +25% a level.
    for (i, t) in tiers.iter_mut().enumerate() {
        t.points_multiplier = 1.0 + 0.25 * i as f64;
    }
    TierPolicy {
        preset: preset.into(),
        tiers,
        window_months: 12,
        cadence,
        max_drop: 1,
        grace_days: 0,
        points_per_yuan: 1.0,
        points_expiry_months: 24,
        birthday_multiplier: 2.0,
        feedback_bonus: 20,
        referral_bonus: 200,
    }
}

pub const PRESETS: [&str; 4] = ["metals", "stars", "hotel", "retail5"];

/// The preset policies offered in `tier-preset`.
pub fn preset(name: &str) -> Option<TierPolicy> {
    use Metric::*;
    use RuleMode::*;
    Some(match name {
        // 青铜/白银/黄金/铂金: spend or frequency over the last 12 months.
        "metals" => policy(
            "metals",
            vec![
                tier("bronze", "青铜", "Bronze", "#a97142", &["积分累计 Earn points"], Any, &[]),
                tier(
                    "silver",
                    "白银",
                    "Silver",
                    "#8d99a6",
                    &["生日礼券 Birthday voucher"],
                    Any,
                    &[(Spend, 3_000.0), (Purchases, 10.0)],
                ),
                tier(
                    "gold",
                    "黄金",
                    "Gold",
                    "#c9a227",
                    &["9.5 折 5% off", "优先服务 Priority service"],
                    Any,
                    &[(Spend, 10_000.0), (Purchases, 25.0)],
                ),
                tier(
                    "platinum",
                    "铂金",
                    "Platinum",
                    "#5b6b7a",
                    &["9 折 10% off", "专属顾问 Personal adviser"],
                    Any,
                    &[(Spend, 30_000.0), (Purchases, 50.0)],
                ),
            ],
            Cadence::Quarterly,
        ),
        // The seeds' 普通/银牌/金牌/钻石: spend, frequency and years as a customer together.
        "stars" => policy(
            "stars",
            vec![
                tier("regular", "普通客户", "Regular", "#7a7168", &[], All, &[]),
                tier(
                    "silver-card",
                    "银牌客户",
                    "Silver",
                    "#8d99a6",
                    &["会员价 Member prices"],
                    All,
                    &[(Spend, 5_000.0), (Purchases, 5.0)],
                ),
                tier(
                    "gold-card",
                    "金牌客户",
                    "Gold",
                    "#c9a227",
                    &["专属客服 Dedicated service"],
                    All,
                    &[(Spend, 20_000.0), (Purchases, 12.0), (TenureYears, 1.0)],
                ),
                tier(
                    "diamond",
                    "钻石客户",
                    "Diamond",
                    "#3b7dd8",
                    &["定制服务 Tailored service", "新品优先 First look at new products"],
                    All,
                    &[(Spend, 50_000.0), (Purchases, 24.0), (TenureYears, 2.0)],
                ),
            ],
            Cadence::HalfYearly,
        ),
        // A hotel programme: stays or spend in 12 months.
        "hotel" => policy(
            "hotel",
            vec![
                tier("gold-card", "金卡", "Gold card", "#c9a227", &["延迟退房 Late checkout"], Any, &[]),
                tier(
                    "platinum-card",
                    "白金卡",
                    "Platinum card",
                    "#8d99a6",
                    &["免费升级 Room upgrade", "行政酒廊 Lounge access"],
                    Any,
                    &[(Purchases, 10.0), (Spend, 15_000.0)],
                ),
                tier(
                    "diamond-card",
                    "钻石卡",
                    "Diamond card",
                    "#3b7dd8",
                    &["套房升级 Suite upgrade", "专属管家 Butler"],
                    Any,
                    &[(Purchases, 25.0), (Spend, 40_000.0)],
                ),
            ],
            Cadence::Yearly,
        ),
        // Five retail levels on a weighted score of spend, frequency, tenure and influence.
        "retail5" => {
            let weighted = |id: &str, zh: &str, en: &str, colour: &str, min_score: f64| {
                let mut t = tier(
                    id,
                    zh,
                    en,
                    colour,
                    &[],
                    Score,
                    &[(Spend, 20_000.0), (Purchases, 30.0), (TenureYears, 5.0), (Influence, 5.0)],
                );
                for (th, w) in t.thresholds.iter_mut().zip([50.0, 30.0, 10.0, 10.0]) {
                    th.weight = w;
                }
                t.min_score = min_score;
                t
            };
            policy(
                "retail5",
                vec![
                    tier("member", "会员", "Member", "#7a7168", &[], Score, &[]),
                    weighted("bronze", "铜卡", "Bronze", "#a97142", 20.0),
                    weighted("silver", "银卡", "Silver", "#8d99a6", 40.0),
                    weighted("gold", "金卡", "Gold", "#c9a227", 60.0),
                    weighted("black", "黑卡", "Black", "#2a2622", 85.0),
                ],
                Cadence::Quarterly,
            )
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Customer, Purchase};

    fn day(s: &str) -> Day {
        Day::parse_iso(s).unwrap()
    }

    fn metals() -> TierPolicy {
        preset("metals").unwrap()
    }

    fn record(purchases: &[(&str, i64)]) -> CustomerRecord {
        CustomerRecord {
            customer: Customer {
                id: 1,
                name: "A".into(),
                customer_since: Some(day("2020-01-15")),
                ..Default::default()
            },
            purchases: purchases
                .iter()
                .enumerate()
                .map(|(i, (d, cents))| Purchase {
                    id: i as u64,
                    date: day(d),
                    amount_cents: *cents,
                    quantity: 1.0,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn spend(yuan: f64) -> Metrics {
        Metrics { spend: yuan, ..Default::default() }
    }

    #[test]
    fn every_preset_is_a_valid_policy() {
        for name in PRESETS {
            let p = preset(name).unwrap();
            assert_eq!(p.validate(), Ok(()), "{name}");
            assert_eq!(p.preset, name);
        }
        assert!(preset("nope").is_none());
        assert_eq!(preset("hotel").unwrap().tiers.len(), 3);
        assert_eq!(preset("retail5").unwrap().tiers.len(), 5);
    }

    #[test]
    fn policies_that_cannot_work_are_refused() {
        let mut p = metals();
        p.tiers[2].thresholds[0].min = 2_000.0;
        assert_eq!(p.validate(), Err(PolicyError::NotIncreasing(2, Metric::Spend)));
        let mut p = metals();
        p.tiers[1].name_en = " ".into();
        assert_eq!(p.validate(), Err(PolicyError::EmptyName(1)));
        let mut p = metals();
        p.window_months = 0;
        assert_eq!(p.validate(), Err(PolicyError::ZeroWindow));
        let mut p = metals();
        p.tiers[3].id = "gold".into();
        assert_eq!(p.validate(), Err(PolicyError::DuplicateId("gold".into())));
        let mut p = metals();
        p.tiers[1].thresholds.clear();
        assert_eq!(p.validate(), Err(PolicyError::NoRule(1)));
        let mut p = metals();
        p.tiers[1].thresholds[0].min = -1.0;
        assert_eq!(p.validate(), Err(PolicyError::BadThreshold(1)));
        assert_eq!(TierPolicy { tiers: vec![], ..metals() }.validate(), Err(PolicyError::NoTiers));
        let mut p = preset("retail5").unwrap();
        p.tiers[3].min_score = 30.0;
        assert_eq!(p.validate(), Err(PolicyError::ScoreNotIncreasing(3)));
        let mut p = preset("retail5").unwrap();
        p.tiers[1].min_score = 0.0;
        assert_eq!(p.validate(), Err(PolicyError::BadScore(1)));
    }

    #[test]
    fn thresholds_are_inclusive_to_the_cent() {
        let p = metals();
        assert_eq!(qualified_index(&p, &spend(3_000.0)), 1);
        assert_eq!(qualified_index(&p, &spend(2_999.99)), 0);
        assert_eq!(qualified_index(&p, &spend(30_000.0)), 3);
        assert_eq!(qualified_index(&p, &Metrics { purchases: 25.0, ..Default::default() }), 2);
    }

    #[test]
    fn a_tier_added_on_top_keeps_every_preset_valid() {
        for name in PRESETS {
            let mut p = preset(name).unwrap();
            p.add_tier();
            p.add_tier();
            assert_eq!(p.validate(), Ok(()), "{name}");
            assert_eq!(p.preset, "custom");
            assert_ne!(p.tiers[p.tiers.len() - 1].id, p.tiers[p.tiers.len() - 2].id);
        }
        let mut p = metals();
        p.tiers[2].points_multiplier = f64::NAN;
        assert_eq!(p.validate(), Err(PolicyError::BadPoints(Some(2))));
        let mut p = metals();
        p.feedback_bonus = -5;
        assert_eq!(p.validate(), Err(PolicyError::BadPoints(None)));
    }

    #[test]
    fn all_any_and_score_rules() {
        let stars = preset("stars").unwrap();
        let rich_but_new = Metrics { spend: 60_000.0, purchases: 30.0, tenure_years: 0.5, ..Default::default() };
        assert_eq!(qualified_index(&stars, &rich_but_new), 1, "All: tenure holds gold back");
        let loyal = Metrics { tenure_years: 2.0, ..rich_but_new };
        assert_eq!(qualified_index(&stars, &loyal), 3);
        let metals = metals();
        assert_eq!(
            qualified_index(&metals, &Metrics { purchases: 50.0, ..Default::default() }),
            3,
            "Any: frequency alone"
        );
        let retail = preset("retail5").unwrap();
        // Half the spend target (25 of 50) + all of frequency (30) = 55: silver (40), not gold (60).
        let m = Metrics { spend: 10_000.0, purchases: 30.0, ..Default::default() };
        assert_eq!(qualified_index(&retail, &m), 2);
        let m = Metrics { tenure_years: 5.0, influence: 5.0, ..m };
        assert_eq!(qualified_index(&retail, &m), 3, "tenure and influence add 20");
    }

    #[test]
    fn the_spend_window_crosses_year_ends_and_leap_days() {
        let p = metals();
        let r = record(&[("2023-12-31", 100_000), ("2024-01-01", 200_000), ("2023-02-28", 400_000)]);
        // As of 2024-02-29 the 12-month window is (2023-02-28, 2024-02-29].
        let m = metrics(&r, &p, &[], day("2024-02-29"));
        assert_eq!((m.spend, m.purchases), (3_000.0, 2.0));
        let m = metrics(&r, &p, &[], day("2024-12-31"));
        assert_eq!((m.spend, m.purchases), (2_000.0, 1.0));
        let m = metrics(&r, &p, &[], day("2023-12-30"));
        assert_eq!((m.spend, m.purchases), (4_000.0, 1.0), "purchases dated later do not count yet");
    }

    /// The metals preset with a points threshold, so that metrics work out the points balance.
    fn rating_on_points() -> TierPolicy {
        let mut p = metals();
        p.tiers[1].thresholds.push(Threshold { metric: Metric::Points, min: 5_000.0, weight: 0.0 });
        p
    }

    #[test]
    fn opening_balances_count_in_the_window() {
        let p = rating_on_points();
        let mut r = record(&[("2024-05-01", 50_000)]);
        r.tier.opening =
            Some(OpeningBalance { as_of: day("2024-03-31"), spend_cents: 1_000_000, purchases: 20, points: 300 });
        let m = metrics(&r, &p, &[], day("2024-06-30"));
        assert_eq!((m.spend, m.purchases), (10_500.0, 21.0));
        assert_eq!(m.points, 800.0);
        let m = metrics(&r, &p, &[], day("2025-04-01"));
        assert_eq!((m.spend, m.purchases), (500.0, 1.0), "the opening balance leaves the window");
    }

    #[test]
    fn points_expire_at_month_ends_too() {
        let mut p = rating_on_points();
        p.points_expiry_months = 1;
        // Earned on 31 January: expiry falls on 29 February (2024 is a leap year).
        let r = record(&[("2024-01-31", 10_000), ("2024-01-29", 100)]);
        assert_eq!(metrics(&r, &p, &[], day("2024-02-28")).points, 101.0);
        assert_eq!(metrics(&r, &p, &[], day("2024-02-29")).points, 0.0);
        let r = record(&[("2024-02-01", 10_000)]);
        assert_eq!(metrics(&r, &p, &[], day("2024-02-29")).points, 100.0);
        assert_eq!(metrics(&r, &p, &[], day("2024-03-01")).points, 0.0);
    }

    #[test]
    fn the_fast_path_agrees_with_a_full_evaluation() {
        let p = metals();
        let today = day("2026-11-24");
        let mut records = crate::domain::demo::generate(1, 300, 4_000, today, 21);
        for (id, state) in evaluate_all(&p, records.iter(), day("2026-06-01"), false) {
            records.iter_mut().find(|r| r.customer.id == id).unwrap().tier = state;
        }
        for rerate_everyone in [false, true] {
            let fast = evaluate_all(&p, records.iter(), today, rerate_everyone);
            let referrals = referrals(records.iter());
            let slow: Vec<_> = records
                .iter()
                .filter_map(|r| {
                    let m = metrics(r, &p, referrals.get(&r.customer.id).map_or(&[], Vec::as_slice), today);
                    let since = r.customer.customer_since;
                    let s = if rerate_everyone {
                        rerate(&p, &r.tier, &m, today, since)
                    } else {
                        evaluate(&p, &r.tier, &m, today, since)
                    };
                    (s != r.tier).then_some((r.customer.id, s))
                })
                .collect();
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn points_expire_on_the_exact_day() {
        let mut p = rating_on_points();
        p.points_expiry_months = 12;
        let r = record(&[("2024-03-15", 12_345), ("2024-09-01", 1_000)]);
        assert_eq!(metrics(&r, &p, &[], day("2025-03-14")).points, 133.0);
        assert_eq!(metrics(&r, &p, &[], day("2025-03-15")).points, 10.0, "gone on the day they expire");
        p.points_expiry_months = 0;
        assert_eq!(metrics(&r, &p, &[], day("2030-01-01")).points, 133.0);
    }

    #[test]
    fn referrals_count_once_the_referred_customer_has_bought() {
        let mut a = record(&[]);
        a.customer.id = 2;
        a.customer.referred_by = Some(1);
        let mut b = record(&[("2024-01-01", 100)]);
        b.customer.id = 3;
        b.customer.referred_by = Some(1);
        let dates = referrals([a.clone(), b].iter());
        assert_eq!(dates.get(&1), Some(&vec![day("2024-01-01")]));
        a.purchases = record(&[("2024-02-01", 100)]).purchases;
        let mut b2 = record(&[("2024-01-01", 100)]);
        b2.customer.referred_by = Some(1);
        assert_eq!(referrals([a, b2].iter()).get(&1).map(Vec::len), Some(2));
    }

    #[test]
    fn review_dates_follow_the_cadence() {
        assert_eq!(next_review(Cadence::Quarterly, day("2024-02-29"), None), day("2024-04-01"));
        assert_eq!(next_review(Cadence::Quarterly, day("2024-12-31"), None), day("2025-01-01"));
        assert_eq!(next_review(Cadence::Quarterly, day("2024-04-01"), None), day("2024-07-01"));
        assert_eq!(next_review(Cadence::HalfYearly, day("2024-07-01"), None), day("2025-01-01"));
        assert_eq!(next_review(Cadence::Yearly, day("2024-01-01"), None), day("2025-01-01"));
        assert_eq!(next_review(Cadence::Anniversary, day("2024-06-01"), Some(day("2020-03-10"))), day("2025-03-10"));
        assert_eq!(next_review(Cadence::Anniversary, day("2024-02-01"), Some(day("2020-02-29"))), day("2024-02-29"));
        assert_eq!(next_review(Cadence::Anniversary, day("2025-01-01"), Some(day("2020-02-29"))), day("2025-02-28"));
    }

    #[test]
    fn upgrades_are_immediate_and_downgrades_wait_for_the_review() {
        let p = metals();
        let s0 = evaluate(&p, &TierState::default(), &spend(100.0), day("2024-02-10"), None);
        assert_eq!(s0.tier.as_deref(), Some("bronze"));
        assert_eq!(s0.next_review, Some(day("2024-04-01")));
        assert!(matches!(s0.history[0].reason, Reason::Initial(_)));

        let s1 = evaluate(&p, &s0, &spend(12_000.0), day("2024-02-11"), None);
        assert_eq!(s1.tier.as_deref(), Some("gold"), "two levels up at once");
        assert!(
            matches!(&s1.history[1].reason, Reason::Upgrade(ev) if ev[0].value == 12_000.0 && ev[0].min == 10_000.0)
        );

        // Spend falls out of the window: no change before the review...
        let s2 = evaluate(&p, &s1, &spend(0.0), day("2024-03-31"), None);
        assert_eq!(s2.tier.as_deref(), Some("gold"));
        // ...and at the review, one level down only.
        let s3 = evaluate(&p, &s2, &spend(0.0), day("2024-04-01"), None);
        assert_eq!(s3.tier.as_deref(), Some("silver"));
        assert_eq!(s3.history.last().unwrap().date, day("2024-04-01"));
        assert!(matches!(&s3.history.last().unwrap().reason, Reason::Downgrade(ev) if ev[0].min == 10_000.0));
        assert_eq!((s3.last_review, s3.next_review), (Some(day("2024-04-01")), Some(day("2024-07-01"))));
        // Reviews missed while the app was closed each allow one more step.
        let s4 = evaluate(&p, &s3, &spend(0.0), day("2024-10-02"), None);
        assert_eq!(s4.tier.as_deref(), Some("bronze"));
        assert_eq!(s4.next_review, Some(day("2025-01-01")));
    }

    #[test]
    fn reviews_missed_while_the_app_was_closed_still_happen_one_level_each() {
        let p = metals();
        let gold = TierState { tier: Some("gold".into()), next_review: Some(day("2025-01-01")), ..Default::default() };
        let later = evaluate(&p, &gold, &spend(0.0), day("2025-05-15"), None);
        assert_eq!(later.tier.as_deref(), Some("bronze"));
        let dates: Vec<_> = later.history.iter().map(|c| c.date.to_string()).collect();
        assert_eq!(dates, vec!["2025-01-01", "2025-04-01"]);
        assert_eq!(later.next_review, Some(day("2025-07-01")));
        let mut graceful = p.clone();
        graceful.grace_days = 10;
        let waiting = evaluate(&graceful, &gold, &spend(0.0), day("2025-05-15"), None);
        assert_eq!(waiting.tier.as_deref(), Some("gold"), "with a grace period the clock starts when the drop is seen");
        assert_eq!(evaluate(&graceful, &waiting, &spend(0.0), day("2025-07-01"), None).tier.as_deref(), Some("silver"));
    }

    #[test]
    fn a_carried_over_tier_holds_until_its_next_review_unless_the_customer_rises() {
        let p = metals();
        let mut state = TierState::default();
        let carried = CarriedOver {
            balance: Some(OpeningBalance {
                as_of: day("2024-05-31"),
                spend_cents: 1_200_000,
                purchases: 30,
                points: 900,
            }),
            tier: Some("gold".into()),
            last_review: Some(day("2024-01-01")),
            next_review: Some(day("2024-12-31")),
        };
        state.carry_over(carried.clone(), day("2024-06-01"));
        assert_eq!(state.history[0].reason, Reason::Imported);
        assert_eq!(state.carried_over(), carried);
        // Their sheet said gold; the rules say silver now, but the tier holds until the review.
        let held = evaluate(&p, &state, &spend(4_000.0), day("2024-07-01"), None);
        assert_eq!(held.tier.as_deref(), Some("gold"));
        let reviewed = evaluate(&p, &held, &spend(4_000.0), day("2024-12-31"), None);
        assert_eq!(reviewed.tier.as_deref(), Some("silver"));
        // A customer who qualifies higher rises at once.
        let risen = evaluate(&p, &state, &spend(40_000.0), day("2024-07-01"), None);
        assert_eq!(risen.tier.as_deref(), Some("platinum"));
    }

    #[test]
    fn the_grace_period_delays_a_downgrade() {
        let mut p = metals();
        p.grace_days = 30;
        let gold = TierState { tier: Some("gold".into()), next_review: Some(day("2024-04-01")), ..Default::default() };
        let below = evaluate(&p, &gold, &spend(0.0), day("2024-03-20"), None);
        assert_eq!(below.below_since, Some(day("2024-03-20")));
        let review = evaluate(&p, &below, &spend(0.0), day("2024-04-01"), None);
        assert_eq!(review.tier.as_deref(), Some("gold"), "12 days below is within the grace period");
        let next = evaluate(&p, &review, &spend(0.0), day("2024-07-01"), None);
        assert_eq!(next.tier.as_deref(), Some("silver"));
        // Recovering clears the clock.
        let recovered = evaluate(&p, &below, &spend(10_000.0), day("2024-03-25"), None);
        assert_eq!(recovered.below_since, None);
    }

    #[test]
    fn unlimited_drop_goes_straight_to_the_qualified_tier() {
        let mut p = metals();
        p.max_drop = 0;
        let platinum =
            TierState { tier: Some("platinum".into()), next_review: Some(day("2024-04-01")), ..Default::default() };
        assert_eq!(evaluate(&p, &platinum, &spend(0.0), day("2024-04-01"), None).tier.as_deref(), Some("bronze"));
    }

    #[test]
    fn a_manual_tier_holds_until_its_date() {
        let p = metals();
        let manual = TierState {
            tier: Some("platinum".into()),
            next_review: Some(day("2024-04-01")),
            manual: Some(TierOverride {
                tier: "platinum".into(),
                reason: "VIP partner".into(),
                until: day("2024-06-30"),
            }),
            ..Default::default()
        };
        let held = evaluate(&p, &manual, &spend(0.0), day("2024-06-30"), None);
        assert_eq!((held.tier.as_deref(), &held.history), (Some("platinum"), &manual.history), "the override holds");
        assert_eq!((held.last_review, held.next_review), (Some(day("2024-04-01")), Some(day("2024-07-01"))));
        let ended = evaluate(&p, &manual, &spend(0.0), day("2024-07-01"), None);
        assert!(ended.manual.is_none());
        assert_eq!(
            ended.history.last().unwrap().reason,
            Reason::Downgrade(vec![
                Evidence { metric: Metric::Spend, value: 0.0, min: 30_000.0 },
                Evidence { metric: Metric::Purchases, value: 0.0, min: 50.0 },
            ])
        );
        assert_eq!(ended.tier.as_deref(), Some("gold"), "the overdue review drops one level");
    }

    #[test]
    fn evaluating_twice_gives_the_same_result() {
        let p = metals();
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..500 {
            let mut state = TierState::default();
            let mut as_of = day("2024-01-01");
            for _ in 0..8 {
                as_of = as_of.plus_days(rng.i32(0..120));
                let m = Metrics { spend: rng.f64() * 40_000.0, purchases: rng.u32(0..60) as f64, ..Default::default() };
                state = evaluate(&p, &state, &m, as_of, None);
                assert_eq!(evaluate(&p, &state, &m, as_of, None), state);
            }
        }
    }

    #[test]
    fn more_purchases_never_lower_a_tier_before_the_review() {
        let p = metals();
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..2_000 {
            let start = TierState {
                tier: Some(p.tiers[rng.usize(..4)].id.clone()),
                next_review: Some(day("2024-04-01")),
                ..Default::default()
            };
            let as_of = day("2024-01-01").plus_days(rng.i32(0..90));
            let m = Metrics { spend: rng.f64() * 40_000.0, purchases: rng.u32(0..60) as f64, ..Default::default() };
            let more = Metrics { spend: m.spend + rng.f64() * 5_000.0, purchases: m.purchases + 1.0, ..m };
            let rank = |s: &TierState| p.index_of(s.tier.as_deref().unwrap()).unwrap();
            let without = evaluate(&p, &start, &m, as_of, None);
            let with = evaluate(&p, &start, &more, as_of, None);
            assert!(rank(&with) >= rank(&without));
            assert!(rank(&with) >= rank(&start), "no downgrade before the review");
        }
    }

    #[test]
    fn progress_names_what_is_missing() {
        let p = metals();
        let (fraction, mode, missing) =
            progress(&p, 1, &Metrics { spend: 7_700.0, purchases: 22.0, ..Default::default() }).unwrap();
        assert_eq!(mode, RuleMode::Any);
        assert!((fraction - 0.88).abs() < 1e-9, "22 of 25 purchases is the closest");
        assert_eq!(missing.len(), 2);
        assert_eq!(10_000.0 - missing[0].value, 2_300.0);
        assert!(progress(&p, 3, &Metrics::default()).is_none(), "nothing above the top tier");
    }

    #[test]
    fn evaluate_all_returns_only_the_customers_that_changed() {
        let p = metals();
        let today = day("2026-11-24");
        let records = crate::domain::demo::generate(1, 200, 3_000, today, 8);
        let first = evaluate_all(&p, records.iter(), today, false);
        assert_eq!(first.len(), 200, "everyone gets a first rating");
        let mut rated = records.clone();
        for (r, (id, state)) in rated.iter_mut().zip(first) {
            assert_eq!(r.customer.id, id);
            r.tier = state;
        }
        assert!(evaluate_all(&p, rated.iter(), today, false).is_empty());
        let tiers: std::collections::HashSet<_> = rated.iter().map(|r| r.tier.tier.clone().unwrap()).collect();
        assert!(tiers.len() >= 3, "demo data spreads over the tiers: {tiers:?}");
    }

    #[test]
    fn what_if_counts_moves_against_a_candidate_policy() {
        let p = metals();
        let mut records: Vec<CustomerRecord> = [(1, 200_000), (2, 500_000), (3, 1_200_000)]
            .iter()
            .map(|&(id, cents)| {
                let mut r = record(&[("2024-05-01", cents)]);
                r.customer.id = id;
                r
            })
            .collect();
        for r in records.iter_mut() {
            let m = metrics(r, &p, &[], day("2024-06-01"));
            r.tier = rerate(&p, &r.tier, &m, day("2024-06-01"), None);
        }
        let tiers: Vec<_> = records.iter().map(|r| r.tier.tier.clone().unwrap()).collect();
        assert_eq!(tiers, vec!["bronze", "silver", "gold"]);
        let mut cheaper = p.clone();
        cheaper.tiers[1].thresholds[0].min = 1_500.0;
        cheaper.tiers[2].thresholds[0].min = 13_000.0;
        let w = what_if(&p, &cheaper, records.iter(), day("2024-06-01"));
        assert_eq!((w.up, w.down, w.stay), (1, 1, 1));
        assert_eq!(w.after.get("silver"), Some(&3));
        assert_eq!(w.before.get("gold"), Some(&1));
        assert_eq!(
            w.movers,
            vec![(1, Some("bronze".into()), "silver".into()), (3, Some("gold".into()), "silver".into())]
        );
    }
}
