//! The JSON backup: the whole workbook in one versioned document, and merging a colleague's
//! backup into a workbook that has moved on since. Records match by their stable ids; where
//! both sides changed a record the newer change wins and every value it replaced is listed as
//! a conflict, so nothing is lost without the user seeing it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::columns::{columns, customer_cell, related_cell, related_of, Kind};
use super::forms::Problem;
use super::import::{get_related, push_related, related_position, replace_related, Counts};
use super::model::*;
use super::tiers::TierPolicy;
use super::workbook::{Related, Workbook};
use crate::texts::Lang;

pub const BACKUP_FORMAT: &str = "tierbook-backup";
/// 1: customers known by number. 2: customers with a code apart from their internal id,
/// purchases with order numbers, unit prices and lines (version 1 still reads: numbers become codes).
pub const BACKUP_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    /// Milliseconds since the epoch.
    pub exported_at: i64,
    pub workbook: String,
    pub policy: TierPolicy,
    pub custom_fields: Vec<CustomFieldDef>,
    /// Every customer's whole file: card, related records, tier state, history and points.
    pub customers: Vec<CustomerRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupProblem {
    /// Not JSON at all, or cut short.
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a Tierbook backup.
    NotABackup,
    OtherVersion(u32),
    /// A Tierbook backup with something missing or of the wrong type.
    Invalid {
        line: usize,
        column: usize,
        message: String,
    },
    DuplicateCustomer(CustomerId),
    /// A value no form would accept (a negative amount, a score of 9…): the file was edited
    /// or damaged, and is refused whole rather than half-trusted.
    InvalidValue {
        customer: CustomerId,
        field: &'static str,
        problem: Problem,
    },
    /// The tier policy inside is one the Tiers page would refuse.
    InvalidPolicy,
}

/// The first value in a customer's file that the forms would refuse.
pub(crate) fn check_values(r: &CustomerRecord) -> Result<(), (&'static str, Problem)> {
    let in_range = |d: super::day::Day| (1900..=2200).contains(&chrono::Datelike::year(&d.to_date()));
    let c = &r.customer;
    let dates = [c.birthday, c.customer_since, c.consent_date];
    if c.name.trim().is_empty() {
        return Err(("name", Problem::Required));
    }
    if c.influence > 5 {
        return Err(("influence", Problem::OutOfRange(0, 5)));
    }
    if dates.iter().flatten().any(|d| !in_range(*d)) {
        return Err(("date", Problem::InvalidDate));
    }
    if c.code.trim().is_empty() || !super::codes::is_valid_code(&c.code) {
        return Err(("code", Problem::Required));
    }
    for p in &r.purchases {
        if !(p.quantity.is_finite() && p.quantity > 0.0) {
            return Err(("quantity", Problem::NotPositive));
        }
        if !in_range(p.date) {
            return Err(("date", Problem::InvalidDate));
        }
    }
    for f in &r.feedback {
        if !(1..=5).contains(&f.score) {
            return Err(("score", Problem::OutOfRange(1, 5)));
        }
        if f.nps.is_some_and(|n| n > 10) {
            return Err(("nps", Problem::OutOfRange(0, 10)));
        }
    }
    let other_dates = r
        .feedback
        .iter()
        .map(|f| f.date)
        .chain(r.interactions.iter().map(|i| i.date))
        .chain(r.campaigns.iter().map(|c| c.date));
    if other_dates.into_iter().any(|d| !in_range(d)) {
        return Err(("date", Problem::InvalidDate));
    }
    Ok(())
}

/// The same document as `Backup`, written straight from the workbook without copying it.
#[derive(Serialize)]
struct BackupView<'a> {
    format: &'a str,
    version: u32,
    exported_at: i64,
    workbook: &'a str,
    policy: &'a TierPolicy,
    custom_fields: &'a [CustomFieldDef],
    #[serde(serialize_with = "serialize_records")]
    customers: &'a Workbook,
}

fn serialize_records<S: serde::Serializer>(wb: &&Workbook, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(wb.records())
}

/// The JSON backup of a workbook.
pub fn backup_json(
    wb: &Workbook,
    name: &str,
    policy: &TierPolicy,
    custom_fields: &[CustomFieldDef],
    now: i64,
) -> Vec<u8> {
    let view = BackupView {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        exported_at: now,
        workbook: name,
        policy,
        custom_fields,
        customers: wb,
    };
    serde_json::to_vec(&view).unwrap_or_default()
}

impl Backup {
    pub fn of(wb: &Workbook, name: &str, policy: &TierPolicy, custom_fields: &[CustomFieldDef], now: i64) -> Backup {
        Backup {
            format: BACKUP_FORMAT.into(),
            version: BACKUP_VERSION,
            exported_at: now,
            workbook: name.into(),
            policy: policy.clone(),
            custom_fields: custom_fields.to_vec(),
            customers: wb.records().cloned().collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn parse(text: &str) -> Result<Backup, BackupProblem> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let mut backup = match serde_json::from_str::<Backup>(text) {
            Ok(backup) => backup,
            Err(e) if e.is_syntax() || e.is_eof() => {
                return Err(BackupProblem::NotJson { line: e.line(), column: e.column(), message: e.to_string() })
            }
            Err(e) => {
                // Say what kind of file it is before saying what is wrong inside it.
                let header = serde_json::from_str::<Header>(text).ok();
                return Err(match header {
                    Some(Header { format: Some(f), version: Some(v) }) if f == BACKUP_FORMAT && v > BACKUP_VERSION => {
                        BackupProblem::OtherVersion(v)
                    }
                    Some(Header { format: Some(f), .. }) if f == BACKUP_FORMAT => {
                        BackupProblem::Invalid { line: e.line(), column: e.column(), message: e.to_string() }
                    }
                    _ => BackupProblem::NotABackup,
                });
            }
        };
        if backup.format != BACKUP_FORMAT {
            return Err(BackupProblem::NotABackup);
        }
        if backup.version == 0 || backup.version > BACKUP_VERSION {
            return Err(BackupProblem::OtherVersion(backup.version));
        }
        if backup.version == 1 {
            // Before codes, the customer number was the code.
            for r in &mut backup.customers {
                r.customer.code = r.customer.id.to_string();
            }
            backup.version = BACKUP_VERSION;
        }
        if backup.policy.validate().is_err() {
            return Err(BackupProblem::InvalidPolicy);
        }
        for r in &backup.customers {
            check_values(r).map_err(|(field, problem)| BackupProblem::InvalidValue {
                customer: r.customer.id,
                field,
                problem,
            })?;
        }
        let mut seen = HashSet::new();
        if let Some(c) = backup.customers.iter().find(|r| r.customer.id == 0 || !seen.insert(r.customer.id)) {
            return Err(BackupProblem::DuplicateCustomer(c.customer.id));
        }
        let mut codes = HashSet::new();
        if let Some(c) = backup.customers.iter().find(|r| !codes.insert(r.customer.code.as_str())) {
            return Err(BackupProblem::DuplicateCustomer(c.customer.id));
        }
        Ok(backup)
    }
}

/// A value replaced by a merge, kept for the user to review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub customer_id: CustomerId,
    pub customer: String,
    /// The field's heading, or the related record (`Purchase 2026-01-05`).
    pub what: String,
    pub kept: String,
    pub replaced: String,
}

pub struct MergePlan {
    /// The merged version of every customer that changes.
    pub records: Vec<CustomerRecord>,
    /// Each of those customers as they were before (None: new from the backup).
    pub before: Vec<(CustomerId, Option<CustomerRecord>)>,
    pub counts: Counts,
    pub conflicts: Vec<Conflict>,
}

/// Merges a backup into the workbook. Customers only in the backup are added; customers on
/// both sides keep, field by field, the values of the side changed last, and related records
/// are joined by id (the newer version of a record both sides have wins).
pub fn merge(wb: &Workbook, backup: &Backup, lang: Lang, policy: &TierPolicy) -> MergePlan {
    let mut plan =
        MergePlan { records: Vec::new(), before: Vec::new(), counts: Counts::default(), conflicts: Vec::new() };
    for theirs in &backup.customers {
        let id = theirs.customer.id;
        let Some(ours) = wb.get(id) else {
            plan.records.push(theirs.clone());
            plan.before.push((id, None));
            plan.counts.created += 1;
            continue;
        };
        let (merged, conflicts) = merge_record(ours, theirs, lang, policy);
        if merged == *ours {
            plan.counts.unchanged += 1;
        } else {
            plan.counts.updated += 1;
            plan.records.push(merged);
            plan.before.push((id, Some(ours.clone())));
        }
        plan.conflicts.extend(conflicts);
    }
    plan
}

fn merge_record(
    ours: &CustomerRecord,
    theirs: &CustomerRecord,
    lang: Lang,
    policy: &TierPolicy,
) -> (CustomerRecord, Vec<Conflict>) {
    let theirs_newer = theirs.customer.updated_at > ours.customer.updated_at;
    let (winner, loser) = if theirs_newer { (theirs, ours) } else { (ours, theirs) };
    let mut merged = winner.clone();
    let mut conflicts = Vec::new();
    let conflict = |what: String, kept: String, replaced: String| Conflict {
        customer_id: ours.customer.id,
        customer: winner.customer.name.clone(),
        what,
        kept,
        replaced,
    };
    let mut keys: Vec<(String, String)> = columns(Kind::Customers)
        .iter()
        .filter(|c| !c.export_only && c.key != "tenure" && c.key != "customer-id")
        .map(|c| (c.key.to_string(), c.heading(lang).to_string()))
        .collect();
    let custom_ids: std::collections::BTreeSet<&String> =
        ours.customer.custom.keys().chain(theirs.customer.custom.keys()).collect();
    keys.extend(custom_ids.into_iter().map(|id| (format!("custom-{id}"), id.clone())));
    for (key, heading) in keys {
        let kept = customer_cell(winner, &key, lang, policy);
        let replaced = customer_cell(loser, &key, lang, policy);
        if kept != replaced && !replaced.is_empty() {
            conflicts.push(conflict(heading, kept, replaced));
        }
    }
    // Related records: joined by id; where both have one, the newer version stays. The
    // winner's order is kept and the other side's extra records follow.
    for kind in [Kind::Purchases, Kind::Feedback, Kind::Interactions, Kind::Campaigns] {
        for item in related_of(loser, kind) {
            match related_position(&merged, &item) {
                None => push_related(&mut merged, item),
                Some(at) => {
                    let existing = get_related(&merged, kind, at);
                    if existing == item {
                        continue;
                    }
                    let loser_newer = updated_at(&item) > updated_at(&existing);
                    let (keep, lose) = if loser_newer { (&item, &existing) } else { (&existing, &item) };
                    let describe = |r: &Related| describe_related(&winner.customer, r, kind, lang);
                    let what = format!("{} #{}", kind_label(kind, lang), item.id());
                    conflicts.push(conflict(what, describe(keep), describe(lose)));
                    if loser_newer {
                        replace_related(&mut merged, at, item);
                    }
                }
            }
        }
    }
    // Points spent on either side stay spent; tier history is joined in date order.
    for r in &loser.tier.redemptions {
        if !merged.tier.redemptions.iter().any(|m| m.id == r.id) {
            merged.tier.redemptions.push(r.clone());
        }
    }
    merged.tier.redemptions.sort_by_key(|r| (r.date, r.id));
    for change in &loser.tier.history {
        if !merged.tier.history.contains(change) {
            merged.tier.history.push(change.clone());
        }
    }
    merged.tier.history.sort_by_key(|c| c.date);
    (merged, conflicts)
}

fn updated_at(r: &Related) -> i64 {
    match r {
        Related::Purchase(x) => x.updated_at,
        Related::Feedback(x) => x.updated_at,
        Related::Interaction(x) => x.updated_at,
        Related::Campaign(x) => x.updated_at,
    }
}

fn kind_label(kind: Kind, lang: Lang) -> &'static str {
    let key = match kind {
        Kind::Purchases => "import.kind.purchases",
        Kind::Feedback => "import.kind.feedback",
        Kind::Interactions => "import.kind.interactions",
        Kind::Campaigns | Kind::Customers => "import.kind.campaigns",
    };
    crate::texts::tr(lang, key)
}

/// A related record in one line: its cells after the customer columns.
fn describe_related(owner: &Customer, r: &Related, kind: Kind, lang: Lang) -> String {
    columns(kind)
        .iter()
        .filter(|c| !matches!(c.key, "customer-id" | "name" | "phone" | "row-id"))
        .map(|c| related_cell(owner, r, c.key, lang))
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::day::Day;
    use crate::domain::demo::generate;
    use crate::domain::tiers::preset;
    use std::collections::BTreeMap;

    fn today() -> Day {
        Day::parse_iso("2026-11-24").unwrap()
    }

    fn workbook(records: Vec<CustomerRecord>) -> Workbook {
        let mut wb = Workbook::default();
        wb.insert_records(records);
        wb
    }

    #[test]
    fn the_backup_written_from_the_workbook_is_the_backup_document() {
        let wb = workbook(generate(1, 20, 100, today(), 4));
        let policy = preset("metals").unwrap();
        let json = backup_json(&wb, "Shop", &policy, &[], 9);
        assert_eq!(
            Backup::parse(std::str::from_utf8(&json).unwrap()).unwrap(),
            Backup::of(&wb, "Shop", &policy, &[], 9)
        );
    }

    #[test]
    fn a_backup_round_trips_every_record_exactly() {
        let wb = workbook(generate(1, 50, 400, today(), 3));
        let policy = preset("hotel").unwrap();
        let defs = vec![CustomFieldDef { id: "vip".into(), label: "VIP".into(), kind: CustomFieldKind::Text }];
        let backup = Backup::of(&wb, "Shop", &policy, &defs, 42);
        let back = Backup::parse(&backup.to_json()).unwrap();
        assert_eq!(back, backup);
        assert_eq!(workbook(back.customers), wb);
    }

    #[test]
    fn a_backup_of_version_1_migrates_its_numbers_to_codes() {
        let wb = workbook(generate(1, 3, 5, today(), 3));
        let json = Backup::of(&wb, "Shop", &preset("metals").unwrap(), &[], 1).to_json();
        let v1 = json.replacen("\"version\":2", "\"version\":1", 1).replace("\"code\":\"C0000", "\"code\":\"x");
        let old = v1.replace(",\"code\":\"x1\"", "").replace(",\"code\":\"x2\"", "").replace(",\"code\":\"x3\"", "");
        assert!(!old.contains("\"code\""), "a version-1 backup has no codes");
        let back = Backup::parse(&old).unwrap();
        let codes: Vec<&str> = back.customers.iter().map(|r| r.customer.code.as_str()).collect();
        assert_eq!(codes, ["1", "2", "3"]);
        assert_eq!(back.version, BACKUP_VERSION);
        assert_eq!(back.customers.iter().map(|r| r.purchases.len()).sum::<usize>(), 5, "nothing is lost");
    }

    #[test]
    fn bad_backups_say_what_is_wrong() {
        let wb = workbook(generate(1, 2, 5, today(), 3));
        let json = Backup::of(&wb, "Shop", &preset("metals").unwrap(), &[], 1).to_json();
        assert!(matches!(Backup::parse(&json[..json.len() / 2]), Err(BackupProblem::NotJson { line: 1, .. })));
        assert!(matches!(Backup::parse("not json"), Err(BackupProblem::NotJson { .. })));
        assert_eq!(Backup::parse(r#"{"name": "x"}"#), Err(BackupProblem::NotABackup));
        let newer = json.replacen("\"version\":2", "\"version\":7", 1);
        assert_eq!(Backup::parse(&newer), Err(BackupProblem::OtherVersion(7)));
        let missing = json.replacen("\"name\":", "\"nom\":", 1);
        match Backup::parse(&missing) {
            Err(BackupProblem::Invalid { message, .. }) => {
                assert!(message.contains("missing field `name`"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        let no_code = json.replacen("\"code\":\"C00001\"", "\"code\":\"\"", 1);
        assert!(matches!(
            Backup::parse(&no_code),
            Err(BackupProblem::InvalidValue { field: "code", problem: Problem::Required, .. })
        ));
        let same_code = json.replacen("\"code\":\"C00002\"", "\"code\":\"C00001\"", 1);
        assert!(matches!(Backup::parse(&same_code), Err(BackupProblem::DuplicateCustomer(_))));
        let mut twice = Backup::parse(&json).unwrap();
        twice.customers.push(twice.customers[0].clone());
        assert_eq!(
            Backup::parse(&twice.to_json()),
            Err(BackupProblem::DuplicateCustomer(twice.customers[0].customer.id))
        );
    }

    #[test]
    fn merging_keeps_the_newer_side_lists_what_it_replaced_and_loses_no_record() {
        let policy = preset("metals").unwrap();
        let base = generate(1, 3, 6, today(), 9);
        let mut ours = base.clone();
        let mut theirs = base.clone();
        // Customer 1: both changed the city; theirs later. Customer 2: we changed it later.
        ours[0].customer.city = "杭州".into();
        ours[0].customer.updated_at = 100;
        theirs[0].customer.city = "苏州".into();
        theirs[0].customer.updated_at = 200;
        ours[1].customer.notes = "ours".into();
        ours[1].customer.updated_at = 300;
        theirs[1].customer.notes = "theirs".into();
        theirs[1].customer.updated_at = 250;
        // Each side added a purchase to customer 3; a new customer only they have.
        let p = |id, at| Purchase {
            id,
            date: today(),
            product: "茶".into(),
            quantity: 1.0,
            amount_cents: 500,
            updated_at: at,
            ..Default::default()
        };
        ours[2].purchases.push(p(901, 10));
        theirs[2].purchases.push(p(902, 10));
        let mut newcomer = base[0].clone();
        newcomer.customer.id = 99;
        theirs.push(newcomer);
        let wb = workbook(ours.clone());
        let backup = Backup::of(&workbook(theirs), "Colleague", &policy, &[], 1);
        let plan = merge(&wb, &backup, Lang::En, &policy);
        assert_eq!(plan.counts, Counts { created: 1, updated: 2, unchanged: 1, rejected: 0, ..Default::default() });
        let merged: BTreeMap<u64, &CustomerRecord> = plan.records.iter().map(|r| (r.customer.id, r)).collect();
        assert_eq!(merged[&1].customer.city, "苏州");
        assert!(!merged.contains_key(&2), "our newer version stays as it is");
        let ids: Vec<u64> = merged[&3].purchases.iter().map(|p| p.id).filter(|id| *id > 900).collect();
        assert_eq!(ids, [901, 902]);
        assert!(merged.contains_key(&99));
        let c: Vec<(u64, &str, &str, &str)> = plan
            .conflicts
            .iter()
            .map(|c| (c.customer_id, c.what.as_str(), c.kept.as_str(), c.replaced.as_str()))
            .collect();
        assert_eq!(c, [(1, "City", "苏州", "杭州"), (2, "Notes", "ours", "theirs")]);
        // Merging the same backup again changes nothing more.
        let mut again = wb.clone();
        again.insert_records(plan.records);
        let second = merge(&again, &backup, Lang::En, &policy);
        assert!(
            second.records.is_empty(),
            "{:?} {:?}",
            second.counts,
            second.records.iter().map(|r| r.customer.id).collect::<Vec<_>>()
        );
    }
}
