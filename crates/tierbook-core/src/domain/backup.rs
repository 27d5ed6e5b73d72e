//! The JSON backup: the whole workbook in one versioned document, and merging a colleague's
//! backup into a workbook that has moved on since. Records match by their stable ids; where
//! both sides changed a record the newer change wins and every value it replaced is listed as
//! a conflict, so nothing is lost without the user seeing it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::columns::{columns, customer_cell, related_cell, related_of, Kind};
use super::forms::Problem;
use super::import::{get_related, related_position, Counts};
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
    /// Customers deleted in the exporting browser, so a merge does not bring them back (older
    /// backups have none).
    #[serde(default)]
    pub deleted: Vec<Tombstone>,
}

/// A customer deleted, and when (ms since 1970).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    pub id: CustomerId,
    pub at: i64,
}

/// Customers deleted in this browser, by id, with when.
pub type Deletions = std::collections::BTreeMap<CustomerId, i64>;

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
    #[serde(serialize_with = "serialize_deleted")]
    deleted: &'a Deletions,
}

fn serialize_deleted<S: serde::Serializer>(deleted: &&Deletions, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(deleted.iter().map(|(id, at)| Tombstone { id: *id, at: *at }))
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
    deleted: &Deletions,
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
        deleted,
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
            deleted: Vec::new(),
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
    /// Customers the backup deleted after their last change here.
    pub deletions: Vec<CustomerId>,
    /// Each of those customers as they were before (None: new from the backup).
    pub before: Vec<(CustomerId, Option<CustomerRecord>)>,
    pub counts: Counts,
    pub conflicts: Vec<Conflict>,
}

/// Merges a backup into the workbook. Customers only in the backup are added; customers on
/// both sides keep, field by field, the values of the side changed last, and related records
/// are joined by id (the newer version of a record both sides have wins).
/// Deletions follow team sync's rule on both sides: a deletion wins over changes made before
/// it and loses to changes made after.
pub fn merge(wb: &Workbook, backup: &Backup, lang: Lang, policy: &TierPolicy, deleted_here: &Deletions) -> MergePlan {
    let mut plan = MergePlan {
        records: Vec::new(),
        deletions: Vec::new(),
        before: Vec::new(),
        counts: Counts::default(),
        conflicts: Vec::new(),
    };
    for gone in &backup.deleted {
        if let Some(ours) = wb.get(gone.id).filter(|ours| super::replication::stamp(ours) <= gone.at) {
            plan.deletions.push(gone.id);
            plan.before.push((gone.id, Some(ours.clone())));
            plan.counts.updated += 1;
        }
    }
    for theirs in &backup.customers {
        let id = theirs.customer.id;
        if plan.deletions.contains(&id) {
            continue;
        }
        if deleted_here.get(&id).is_some_and(|at| super::replication::stamp(theirs) <= *at) {
            plan.counts.unchanged += 1;
            continue;
        }
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
    // The same fold as team sync; every value it replaced is listed (a backup has no common
    // version to tell one side's edit from the other's: base -1 lists every difference).
    let (merged, _) = super::replication::fold(ours, theirs, -1);
    let mut conflicts = Vec::new();
    let conflict = |what: String, kept: String, replaced: String| Conflict {
        customer_id: ours.customer.id,
        customer: merged.customer.name.clone(),
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
        let kept = customer_cell(&merged, &key, lang, policy);
        for side in [ours, theirs] {
            let replaced = customer_cell(side, &key, lang, policy);
            if kept != replaced && !replaced.is_empty() {
                conflicts.push(conflict(heading.clone(), kept.clone(), replaced));
            }
        }
    }
    // Related records both sides have in different versions: the one kept and the other.
    for kind in [Kind::Purchases, Kind::Feedback, Kind::Interactions, Kind::Campaigns] {
        for item in related_of(ours, kind) {
            let Some(other) = related_position(theirs, &item).map(|at| get_related(theirs, kind, at)) else { continue };
            if other == item {
                continue;
            }
            let Some(kept) = related_position(&merged, &item).map(|at| get_related(&merged, kind, at)) else {
                continue;
            };
            let lost = if kept == item { other } else { item };
            let describe = |r: &Related| describe_related(&merged.customer, r, kind, lang);
            let what = format!("{} #{}", kind_label(kind, lang), lost.id());
            conflicts.push(conflict(what, describe(&kept), describe(&lost)));
        }
    }
    (merged, conflicts)
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
        let json = backup_json(&wb, "Shop", &policy, &[], &Default::default(), 9);
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
        let plan = merge(&wb, &backup, Lang::En, &policy, &Default::default());
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
        let second = merge(&again, &backup, Lang::En, &policy, &Default::default());
        assert!(
            second.records.is_empty(),
            "{:?} {:?}",
            second.counts,
            second.records.iter().map(|r| r.customer.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_backups_deletions_win_over_older_changes_and_lose_to_newer_ones() {
        let policy = preset("metals").unwrap();
        let mut records = generate(1, 3, 6, today(), 5);
        for (i, r) in records.iter_mut().enumerate() {
            r.customer.updated_at = 1_000 + i as i64;
            r.audit.clear();
            r.purchases.iter_mut().for_each(|p| p.updated_at = 0);
        }
        let wb = workbook(records.clone());
        let (one, two) = (records[0].customer.id, records[1].customer.id);
        // Their backup deleted customer 1 after our last change, customer 2 before it.
        let mut backup = Backup::of(&workbook(records[2..].to_vec()), "Colleague", &policy, &[], 1);
        backup.deleted = vec![Tombstone { id: one, at: 5_000 }, Tombstone { id: two, at: 500 }];
        let text = backup.to_json();
        let parsed = Backup::parse(&text).unwrap();
        assert_eq!(parsed.deleted.len(), 2, "tombstones travel in the file");
        let plan = merge(&wb, &parsed, Lang::En, &policy, &Default::default());
        assert_eq!(plan.deletions, vec![one]);
        // And a customer we deleted after their copy's last change is not brought back.
        let mut ours = wb.clone();
        ours.shards[crate::domain::workbook::shard_of(one)].records.remove(&one);
        let theirs = Backup::of(&workbook(records.clone()), "Colleague", &policy, &[], 1);
        let deleted_here: Deletions = [(one, 9_000)].into_iter().collect();
        let plan = merge(&ours, &theirs, Lang::En, &policy, &deleted_here);
        assert!(plan.records.iter().all(|r| r.customer.id != one));
        let plan = merge(&ours, &theirs, Lang::En, &policy, &[(one, 10)].into_iter().collect());
        assert!(plan.records.iter().any(|r| r.customer.id == one), "deleted before their last change: back");
        // The written backup carries our tombstones; an older backup without any still reads.
        let json = backup_json(&wb, "Shop", &policy, &[], &deleted_here, 9);
        let back = Backup::parse(std::str::from_utf8(&json).unwrap()).unwrap();
        assert_eq!(back.deleted, vec![Tombstone { id: one, at: 9_000 }]);
        let old = text.replace(&format!(",\"deleted\":{}", serde_json::to_string(&parsed.deleted).unwrap()), "");
        assert!(!old.contains("\"deleted\""));
        assert!(Backup::parse(&old).unwrap().deleted.is_empty());
    }
}
