//! The write path as plain Rust: what a change needs besides the change itself (tiers settled
//! in the same transaction, referrals counted, an erasure's traces removed, a policy checked
//! before anyone is re-rated), written through a small storage trait. The browser writes
//! through IndexedDB (`storage::Store`), the tests here through `MemoryStore`.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use super::backup::{merge, Backup, Conflict as MergeConflict};
use super::customer_list::CustomerSummary;
use super::day::Day;
use super::import::Counts;
use super::model::{CustomFieldDef, CustomerId, CustomerRecord};
use super::reminders::Handled;
use super::tiers::{evaluate_all, evaluate_owned, metrics, referrals, PolicyError, TierPolicy};
use super::workbook::{
    apply_batch, erasure, shard_of, touched_shards, Change, Conflict, Put, Shard, Workbook, SHARD_COUNT,
};
use crate::texts::Lang;

/// A shard as a write stored it, with its list rows: worked out once, for storage and for the
/// page (100,000 of them after an import).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredShard {
    pub index: usize,
    pub shard: Shard,
    pub rows: Vec<CustomerSummary>,
}

impl StoredShard {
    pub fn of(index: usize, shard: Shard) -> StoredShard {
        let rows = CustomerSummary::of_shard(&shard);
        StoredShard { index, shard, rows }
    }
}

/// Where the workbook is kept. Each call is one atomic write: all of it is stored, or none.
#[allow(async_fn_in_trait)] // single-threaded (the browser's one thread): no Send bound wanted
pub trait ShardStore {
    type Error: From<Conflict>;

    /// Applies `changes` to the stored shards they touch, lets `settle` bring each changed
    /// customer's tier up to date, and with `definitions` also replaces the tier policy and
    /// custom fields. Returns the shards as stored now.
    async fn write(
        &self,
        changes: Vec<Change>,
        now: i64,
        settle: &dyn Fn(&mut CustomerRecord),
        definitions: Option<(&TierPolicy, &[CustomFieldDef])>,
    ) -> Result<Vec<StoredShard>, Self::Error>;
}

/// Per shard: the successful referrals each referrer got from that shard's customers (the
/// first-purchase days of those they referred), kept with the shards so that a save never
/// scans the whole workbook.
#[derive(Clone, Debug, Default)]
pub struct ReferralIndex {
    per_shard: Vec<HashMap<CustomerId, Vec<Day>>>,
}

impl ReferralIndex {
    pub fn of(workbook: &Workbook) -> ReferralIndex {
        ReferralIndex { per_shard: workbook.shards.iter().map(|s| referrals(s.records.values())).collect() }
    }

    /// Takes in shards as storage holds them now.
    pub fn update(&mut self, shards: &[StoredShard]) {
        self.per_shard.resize_with(SHARD_COUNT, HashMap::new);
        for stored in shards {
            self.per_shard[stored.index] = referrals(stored.shard.records.values());
        }
    }

    pub fn dates(&self, referrer: CustomerId) -> Vec<Day> {
        self.per_shard.iter().filter_map(|m| m.get(&referrer)).flatten().copied().collect()
    }

    fn merged(&self) -> HashMap<CustomerId, Vec<Day>> {
        let mut merged: HashMap<CustomerId, Vec<Day>> = HashMap::new();
        for (referrer, days) in self.per_shard.iter().flatten() {
            merged.entry(*referrer).or_default().extend(days);
        }
        merged
    }
}

/// Brings one customer's tier up to date as of `day`, inside the write that changed them.
/// A big batch (an import) looks referrals up in one merged map rather than in every shard's.
pub fn tier_settler<'a>(
    policy: &'a TierPolicy,
    referrals: &'a ReferralIndex,
    day: Day,
    batch_len: usize,
) -> impl Fn(&mut CustomerRecord) + 'a {
    let merged = (batch_len > 64).then(|| referrals.merged());
    move |record: &mut CustomerRecord| {
        let dates = match &merged {
            Some(merged) => merged.get(&record.customer.id).cloned().unwrap_or_default(),
            None => referrals.dates(record.customer.id),
        };
        let m = metrics(record, policy, &dates, day);
        let state = std::mem::take(&mut record.tier);
        record.tier = evaluate_owned(policy, state, &m, day, record.customer.customer_since);
    }
}

/// Writes `changes` with their tiers settled and returns the shards as stored, which the caller
/// puts in memory (and in its `ReferralIndex`); on failure nothing was written.
pub async fn commit<S: ShardStore>(
    store: &S,
    policy: &TierPolicy,
    referrals: &ReferralIndex,
    changes: Vec<Change>,
    definitions: Option<(&TierPolicy, &[CustomFieldDef])>,
    today: Day,
    now: i64,
) -> Result<Vec<StoredShard>, S::Error> {
    // Definitions replaced as they are (a backup restored) are settled under their own policy.
    let settle_policy = definitions.map_or(policy, |(p, _)| p);
    let settle = tier_settler(settle_policy, referrals, today, changes.len());
    store.write(changes, now, &settle, definitions).await
}

/// The tier changes of a periodic re-evaluation (reviews that came due, first ratings) or,
/// with `rerate`, of re-rating everyone under `policy` now.
pub fn evaluation(policy: &TierPolicy, workbook: &Workbook, today: Day, rerate: bool) -> Vec<Change> {
    evaluate_all(policy, workbook.records(), today, rerate)
        .into_iter()
        .map(|(customer_id, state)| Change::SetTier { customer_id, state: Box::new(state) })
        .collect()
}

/// A new policy is checked before anything is written; then everyone is re-rated under it.
pub fn policy_changes(policy: &TierPolicy, workbook: &Workbook, today: Day) -> Result<Vec<Change>, PolicyError> {
    policy.validate()?;
    Ok(evaluation(policy, workbook, today, true))
}

/// Everything that erasing a customer writes, in one transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct Erasure {
    /// The customer's file, and the note of them as referrer in the files they referred.
    pub changes: Vec<Change>,
    /// How many records went (for the anonymous erasure log).
    pub records: usize,
    /// Merge conflicts without the ones that name the customer.
    pub conflicts: Vec<MergeConflict>,
    /// What was done with reminders, without theirs.
    pub handled: HashMap<String, Handled>,
}

pub fn erasure_of(
    workbook: &Workbook,
    id: CustomerId,
    conflicts: &[MergeConflict],
    mut handled: HashMap<String, Handled>,
) -> Erasure {
    let (changes, records) = erasure(workbook, id);
    let conflicts = conflicts.iter().filter(|c| c.customer_id != id).cloned().collect();
    // Reminder keys name their customer as `kind:<id>:date`.
    let marker = format!(":{id}:");
    handled.retain(|key, _| !key.contains(&marker));
    Erasure { changes, records, conflicts, handled }
}

/// What a JSON backup writes (`import-commit`) and what undoing that puts back.
#[derive(Clone, Debug, PartialEq)]
pub struct BackupPlan {
    /// Into an empty workbook the backup is restored as it is, its tier policy and custom
    /// fields included; otherwise it is merged customer by customer.
    pub restore: bool,
    pub counts: Counts,
    pub changes: Vec<Change>,
    pub undo: Vec<Change>,
    pub definitions: Option<(TierPolicy, Vec<CustomFieldDef>)>,
    /// Values the merge replaced, for the merge-conflict list.
    pub conflicts: Vec<MergeConflict>,
}

pub fn backup_plan(
    workbook: &Workbook,
    backup: Backup,
    lang: Lang,
    policy: &TierPolicy,
    deleted_here: &super::backup::Deletions,
) -> BackupPlan {
    let put = |record: CustomerRecord| Change::PutRecord { record: Box::new(record), put: Put::AsGiven };
    if workbook.customer_count() == 0 {
        let undo = backup.customers.iter().map(|r| Change::DeleteCustomer { id: r.customer.id }).collect();
        return BackupPlan {
            restore: true,
            counts: Counts { created: backup.customers.len(), ..Default::default() },
            changes: backup.customers.into_iter().map(put).collect(),
            undo,
            definitions: Some((backup.policy, backup.custom_fields)),
            conflicts: Vec::new(),
        };
    }
    let plan = merge(workbook, &backup, lang, policy, deleted_here);
    let deletions = plan.deletions.into_iter().map(|id| Change::DeleteCustomer { id });
    BackupPlan {
        restore: false,
        counts: plan.counts,
        changes: plan.records.into_iter().map(put).chain(deletions).collect(),
        undo: undo_changes(plan.before),
        definitions: None,
        conflicts: plan.conflicts,
    }
}

/// The changes that put customers back as they were (None: they did not exist).
fn undo_changes(before: Vec<(CustomerId, Option<CustomerRecord>)>) -> Vec<Change> {
    before
        .into_iter()
        .map(|(id, old)| match old {
            Some(record) => Change::PutRecord { record: Box::new(record), put: Put::AsGiven },
            None => Change::DeleteCustomer { id },
        })
        .collect()
}

/// What undoing an import will put back, as its plan knows it before the write: the changes
/// themselves (a backup's, made with its plan), or each customer it changes and whether they
/// were there (their files are then the ones in the shards the write replaces).
#[derive(Clone, Debug, PartialEq)]
pub enum PlannedUndo {
    Changes(Vec<Change>),
    FromReplaced(Vec<(CustomerId, bool)>),
}

impl PlannedUndo {
    /// Whether the write must hand back the shards it replaces.
    pub fn needs_replaced(&self) -> bool {
        matches!(self, PlannedUndo::FromReplaced(_))
    }

    /// The undo of the written import, given the shards its write replaced.
    pub fn written(self, replaced: BTreeMap<usize, Shard>) -> ImportUndo {
        match self {
            PlannedUndo::Changes(changes) => ImportUndo::Changes(changes),
            PlannedUndo::FromReplaced(existed_before) => ImportUndo::Replaced { shards: replaced, existed_before },
        }
    }
}

/// What undoing an import puts back, as its write left it: the changes themselves (a backup's,
/// made with its plan), or the shards the write replaced in the page's workbook and whether
/// each changed customer was there before. The latter become changes only when the user asks
/// for the undo: taking 100,000 files out of their shards at the write cost the import's
/// result ~50 ms for an undo that is rarely used.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportUndo {
    Changes(Vec<Change>),
    Replaced { shards: BTreeMap<usize, Shard>, existed_before: Vec<(CustomerId, bool)> },
}

impl ImportUndo {
    /// The changes that undo the import. The undo itself is left as it is (the page keeps it
    /// until the undo is written, to try again if the write fails): only the changed files
    /// are copied, not the shards around them.
    pub fn changes(&self) -> Vec<Change> {
        match self {
            ImportUndo::Changes(changes) => changes.clone(),
            ImportUndo::Replaced { shards, existed_before } => undo_from_replaced(shards, existed_before),
        }
    }
}

/// What undoing an import puts back, taken from the shards its write replaced (the workbook's
/// as they were): each file it changed, or deleted if the import made it. A file said to exist
/// that the replaced shards lack is left as the import wrote it (cannot happen while the
/// page's workbook mirrors storage).
fn undo_from_replaced(replaced: &BTreeMap<usize, Shard>, existed_before: &[(CustomerId, bool)]) -> Vec<Change> {
    existed_before
        .iter()
        .filter_map(|&(id, existed)| {
            if !existed {
                return Some(Change::DeleteCustomer { id });
            }
            let record = replaced.get(&shard_of(id))?.records.get(&id)?.clone();
            Some(Change::PutRecord { record: Box::new(record), put: Put::AsGiven })
        })
        .collect()
}

/// A store in memory, all or nothing like IndexedDB's transactions: for tests and tools.
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub shards: RefCell<BTreeMap<usize, Shard>>,
    pub definitions: RefCell<Option<(TierPolicy, Vec<CustomFieldDef>)>>,
    /// How many writes were stored.
    pub writes: RefCell<usize>,
}

impl ShardStore for MemoryStore {
    type Error = Conflict;

    async fn write(
        &self,
        changes: Vec<Change>,
        now: i64,
        settle: &dyn Fn(&mut CustomerRecord),
        definitions: Option<(&TierPolicy, &[CustomFieldDef])>,
    ) -> Result<Vec<StoredShard>, Conflict> {
        let current: BTreeMap<usize, Shard> = touched_shards(&changes)
            .into_iter()
            .map(|s| (s, self.shards.borrow().get(&s).cloned().unwrap_or_default()))
            .collect();
        let written = apply_batch(current, changes, now, settle)?;
        self.shards.borrow_mut().extend(written.clone());
        if let Some((policy, defs)) = definitions {
            *self.definitions.borrow_mut() = Some((policy.clone(), defs.to_vec()));
        }
        *self.writes.borrow_mut() += 1;
        Ok(written.into_iter().map(|(index, shard)| StoredShard::of(index, shard)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{CustomFieldKind, Customer, Purchase};
    use crate::domain::tiers::preset;

    /// Runs a future that never waits (the memory store's) to its end.
    fn run<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the memory store never waits"),
        }
    }

    fn day(text: &str) -> Day {
        Day::parse_iso(text).unwrap()
    }

    fn record(id: CustomerId, code: &str, since: &str) -> CustomerRecord {
        CustomerRecord {
            customer: Customer {
                id,
                code: code.into(),
                name: code.into(),
                customer_since: Some(day(since)),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn purchase(id: u64, on: &str, cents: i64) -> Purchase {
        Purchase { id, date: day(on), amount_cents: cents, ..Default::default() }
    }

    /// Commits as the app does: the referral index follows what storage wrote.
    fn write(
        store: &MemoryStore,
        policy: &TierPolicy,
        referrals: &mut ReferralIndex,
        changes: Vec<Change>,
        today: Day,
        now: i64,
    ) -> Result<Vec<StoredShard>, Conflict> {
        let written = run(commit(store, policy, referrals, changes, None, today, now))?;
        referrals.update(&written);
        Ok(written)
    }

    /// Memory as the app keeps it: the workbook takes whatever storage wrote.
    fn take(workbook: &mut Workbook, written: Vec<StoredShard>) {
        for stored in written {
            workbook.shards[stored.index] = stored.shard;
        }
    }

    #[test]
    fn a_purchase_settles_the_customers_tier_in_the_same_write() {
        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::default();
        let mut workbook = Workbook::default();
        let today = day("2026-06-30");
        let insert = vec![Change::InsertRecord(Box::new(record(7, "C00007", "2024-01-01")))];
        take(&mut workbook, write(&store, &policy, &mut referrals, insert, today, 1).unwrap());
        let first = workbook.get(7).unwrap().tier.tier.clone();

        let big = Change::SaveRelated {
            customer_id: 7,
            item: crate::domain::workbook::Related::Purchase(purchase(1, "2026-06-01", 100_000_000)),
            base: None,
        };
        take(&mut workbook, write(&store, &policy, &mut referrals, vec![big], today, 2).unwrap());
        let top = policy.tiers.last().unwrap().id.clone();
        assert_eq!(workbook.get(7).unwrap().tier.tier.as_deref(), Some(top.as_str()), "from {first:?}");
        assert_eq!(*store.writes.borrow(), 2);
        assert_eq!(store.shards.borrow()[&crate::domain::workbook::shard_of(7)].records[&7], *workbook.get(7).unwrap());
    }

    #[test]
    fn a_refused_write_stores_nothing() {
        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::default();
        let today = day("2026-06-30");
        let one = vec![Change::InsertRecord(Box::new(record(1, "C00001", "2025-01-01")))];
        write(&store, &policy, &mut referrals, one, today, 1).unwrap();
        let before = store.shards.borrow().clone();
        // A second new customer and, in the same batch, one whose id is taken: all refused.
        let batch = vec![
            Change::InsertRecord(Box::new(record(2, "C00002", "2025-01-01"))),
            Change::InsertRecord(Box::new(record(1, "C00009", "2025-01-01"))),
        ];
        let result = write(&store, &policy, &mut referrals, batch, today, 2);
        assert_eq!(result, Err(Conflict::NumberTaken(1)));
        assert_eq!(*store.shards.borrow(), before);
        assert_eq!(*store.writes.borrow(), 1);
    }

    #[test]
    fn referrals_are_counted_for_the_referrer_after_the_write() {
        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::default();
        let today = day("2026-06-30");
        let mut friend = record(20, "C00020", "2026-01-01");
        friend.customer.referred_by = Some(10);
        friend.purchases.push(purchase(1, "2026-02-03", 5_000));
        let batch = vec![
            Change::InsertRecord(Box::new(record(10, "C00010", "2025-01-01"))),
            Change::InsertRecord(Box::new(friend)),
        ];
        write(&store, &policy, &mut referrals, batch, today, 1).unwrap();
        assert_eq!(referrals.dates(10), vec![day("2026-02-03")]);
        assert!(referrals.dates(20).is_empty());
    }

    #[test]
    fn a_policy_is_checked_before_anyone_is_re_rated() {
        let mut workbook = Workbook::default();
        workbook.insert_records(vec![record(1, "C00001", "2020-01-01"), record(2, "C00002", "2020-01-01")]);
        let today = day("2026-06-30");
        let mut broken = preset("metals").unwrap();
        broken.tiers.clear();
        assert!(policy_changes(&broken, &workbook, today).is_err());
        let changes = policy_changes(&preset("metals").unwrap(), &workbook, today).unwrap();
        assert_eq!(changes.len(), 2, "both first ratings: {changes:?}");
        assert!(changes.iter().all(|c| matches!(c, Change::SetTier { .. })));
    }

    #[test]
    fn an_erasure_takes_every_trace_of_the_customer() {
        let mut workbook = Workbook::default();
        let mut friend = record(2, "C00002", "2025-01-01");
        friend.customer.referred_by = Some(1);
        workbook.insert_records(vec![record(1, "C00001", "2025-01-01"), friend]);
        let conflict = |id| MergeConflict {
            customer_id: id,
            customer: format!("C{id}"),
            what: "phone".into(),
            kept: "1".into(),
            replaced: "2".into(),
        };
        let handled: HashMap<String, Handled> =
            ["birthday:1:2026-05-01", "birthday:2:2026-05-01", "review:11:2026-05-01"]
                .into_iter()
                .map(|k| (k.to_string(), Handled::Done(day("2026-05-01"))))
                .collect();
        let plan = erasure_of(&workbook, 1, &[conflict(1), conflict(2)], handled);
        assert_eq!(plan.changes, vec![Change::DeleteCustomer { id: 1 }, Change::ForgetReferrer { customer_id: 2 }]);
        assert_eq!(plan.conflicts, vec![conflict(2)]);
        let mut kept: Vec<&str> = plan.handled.keys().map(String::as_str).collect();
        kept.sort();
        assert_eq!(kept, ["birthday:2:2026-05-01", "review:11:2026-05-01"], "customer 11 is not customer 1");

        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::of(&workbook);
        let all =
            workbook.records().cloned().map(|r| Change::PutRecord { record: Box::new(r), put: Put::AsGiven }).collect();
        write(&store, &policy, &mut referrals, all, day("2026-06-30"), 1).unwrap();
        take(&mut workbook, write(&store, &policy, &mut referrals, plan.changes, day("2026-06-30"), 2).unwrap());
        assert!(workbook.get(1).is_none());
        assert_eq!(workbook.get(2).unwrap().customer.referred_by, None);
    }

    fn backup_of(customers: Vec<CustomerRecord>) -> Backup {
        Backup {
            format: "tierbook".into(),
            version: 2,
            exported_at: 0,
            workbook: "shop".into(),
            policy: preset("stars").unwrap(),
            custom_fields: Vec::new(),
            customers,
            deleted: Vec::new(),
        }
    }

    #[test]
    fn a_backup_restores_into_an_empty_workbook_and_its_undo_empties_it_again() {
        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::default();
        let mut workbook = Workbook::default();
        let backup = backup_of(vec![record(1, "C00001", "2024-01-01"), record(2, "C00002", "2024-01-01")]);
        let plan = backup_plan(&workbook, backup, Lang::Zh, &policy, &Default::default());
        assert!(plan.restore);
        assert_eq!(plan.counts.created, 2);
        assert_eq!(plan.definitions.as_ref().map(|(p, _)| p.preset.as_str()), Some("stars"));
        let today = day("2026-06-30");
        take(&mut workbook, write(&store, &policy, &mut referrals, plan.changes, today, 1).unwrap());
        assert_eq!(workbook.customer_count(), 2);
        take(&mut workbook, write(&store, &policy, &mut referrals, plan.undo, today, 2).unwrap());
        assert_eq!(workbook.customer_count(), 0);
    }

    #[test]
    fn a_backup_merges_into_a_workbook_in_use_and_its_undo_puts_ours_back() {
        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::default();
        let mut workbook = Workbook::default();
        let today = day("2026-06-30");
        let mut ours = record(1, "C00001", "2024-01-01");
        ours.customer.phone = "13800000001".into();
        ours.customer.updated_at = 10;
        let put = vec![Change::PutRecord { record: Box::new(ours.clone()), put: Put::AsGiven }];
        take(&mut workbook, write(&store, &policy, &mut referrals, put, today, 1).unwrap());
        let mut theirs = ours.clone();
        theirs.customer.phone = "13900000009".into();
        theirs.customer.updated_at = 20;
        let plan = backup_plan(
            &workbook,
            backup_of(vec![theirs, record(5, "C00005", "2024-01-01")]),
            Lang::Zh,
            &policy,
            &Default::default(),
        );
        assert!(!plan.restore);
        assert_eq!(plan.definitions, None, "a merge keeps our policy");
        assert_eq!((plan.counts.created, plan.counts.updated), (1, 1));
        assert_eq!(plan.conflicts.len(), 1, "{:?}", plan.conflicts);
        take(&mut workbook, write(&store, &policy, &mut referrals, plan.changes, today, 2).unwrap());
        assert_eq!(workbook.get(1).unwrap().customer.phone, "13900000009");
        take(&mut workbook, write(&store, &policy, &mut referrals, plan.undo, today, 3).unwrap());
        assert_eq!(workbook.get(1), Some(&ours));
        assert!(workbook.get(5).is_none());
    }

    #[test]
    fn restored_definitions_are_stored_in_the_same_write() {
        let store = MemoryStore::default();
        let current = preset("metals").unwrap();
        let restored = preset("stars").unwrap();
        let referrals = ReferralIndex::default();
        let defs = vec![CustomFieldDef { id: "vip".into(), label: "VIP".into(), kind: CustomFieldKind::Text }];
        let put = vec![Change::PutRecord { record: Box::new(record(3, "C00003", "2025-01-01")), put: Put::AsGiven }];
        run(commit(&store, &current, &referrals, put, Some((&restored, &defs)), day("2026-06-30"), 1)).unwrap();
        assert_eq!(*store.definitions.borrow(), Some((restored, defs)));
    }

    /// Reads `text` (a file of `kind` for Ann, C00003) against the workbook, then another tab
    /// renames Ann and records a purchase, then the import is written: Ann's file as stored.
    fn import_after_an_edit_elsewhere(kind: crate::domain::columns::Kind, text: &str) -> CustomerRecord {
        use crate::domain::columns::auto_map;
        use crate::domain::import::{ImportSettings, Importer};
        use crate::domain::sheet::RowReader;
        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::default();
        let mut workbook = Workbook::default();
        let today = day("2026-06-30");
        let put = vec![Change::PutRecord { record: Box::new(record(3, "C00003", "2024-01-01")), put: Put::AsGiven }];
        take(&mut workbook, write(&store, &policy, &mut referrals, put, today, 1).unwrap());
        let (mut rows, header) = RowReader::new(text, b',', 1).unwrap();
        let settings = ImportSettings::new(kind, auto_map(kind, &header, &[]), policy.clone(), today, 5);
        let mut importer = Importer::new(settings, &workbook, header.len());
        importer.take_rows(&mut rows, &workbook, usize::MAX);
        let mut plan = importer.finish();
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        let ann = workbook.get(3).unwrap().customer.clone();
        let elsewhere = vec![
            Change::SaveCustomer {
                customer: Box::new(Customer { name: "Ann Li".into(), ..ann.clone() }),
                base: Some(ann.updated_at),
            },
            Change::SaveRelated {
                customer_id: 3,
                item: crate::domain::workbook::Related::Purchase(purchase(8, "2026-02-01", 700)),
                base: None,
            },
        ];
        write(&store, &policy, &mut referrals, elsewhere, today, 3).unwrap();
        take(&mut workbook, write(&store, &policy, &mut referrals, plan.take_changes(), today, 5).unwrap());
        let stored = store.shards.borrow()[&crate::domain::workbook::shard_of(3)].records[&3].clone();
        assert_eq!(workbook.get(3), Some(&stored));
        stored
    }

    #[test]
    fn an_import_written_after_an_edit_elsewhere_keeps_that_edit_and_its_purchase() {
        use crate::domain::columns::Kind;
        let ann =
            import_after_an_edit_elsewhere(Kind::Purchases, "客户编号,日期,商品,金额\nC00003,2026-03-01,tea,10\n");
        assert_eq!(ann.customer.name, "Ann Li");
        assert_eq!(ann.purchases.iter().map(|p| p.amount_cents).collect::<Vec<_>>(), [700, 1_000]);
        let ann = import_after_an_edit_elsewhere(
            Kind::Feedback,
            "Customer ID,Date,Score,Comment\nC00003,2026-03-01,5,good\n",
        );
        assert_eq!(ann.customer.name, "Ann Li");
        assert_eq!(ann.purchases.iter().map(|p| p.amount_cents).collect::<Vec<_>>(), [700]);
        assert_eq!(ann.feedback.iter().map(|f| f.comment.as_str()).collect::<Vec<_>>(), ["good"]);
        // A file with record ids (an export brought back) sends only the records it changes.
        let ann = import_after_an_edit_elsewhere(
            Kind::Purchases,
            "记录编号,客户编号,日期,商品,金额\n77,C00003,2026-03-01,tea,10\n",
        );
        assert_eq!(ann.customer.name, "Ann Li");
        assert_eq!(ann.purchases.iter().map(|p| (p.id, p.amount_cents)).collect::<Vec<_>>(), [(8, 700), (77, 1_000)]);
        // A customers file edits the card: the card is the file's, the purchase stays.
        let ann = import_after_an_edit_elsewhere(Kind::Customers, "客户编号,客户名称,城市\nC00003,Ann Smith,Suzhou\n");
        assert_eq!((ann.customer.name.as_str(), ann.customer.city.as_str()), ("Ann Smith", "Suzhou"));
        assert_eq!(ann.purchases.iter().map(|p| p.amount_cents).collect::<Vec<_>>(), [700]);
        assert!(ann.audit.iter().any(|a| a.what == "field:name"), "the edit made elsewhere stays in the trail");
    }

    /// Imports `text` into a workbook of Ann (one purchase), Bob and Cy, writes it, takes the
    /// undo from the shards the write replaced, writes that: the workbook and the store must be
    /// as they were. Returns how many customers the import left.
    fn import_then_undo(kind: crate::domain::columns::Kind, text: &str) -> usize {
        use crate::domain::columns::auto_map;
        use crate::domain::import::{ImportSettings, Importer};
        use crate::domain::sheet::RowReader;
        let store = MemoryStore::default();
        let policy = preset("metals").unwrap();
        let mut referrals = ReferralIndex::default();
        let mut workbook = Workbook::default();
        let today = day("2026-06-30");
        let mut ann = record(3, "C00003", "2024-01-01");
        ann.purchases.push(purchase(1, "2026-01-04", 500));
        let put = [ann, record(4, "C00004", "2024-01-01"), record(5, "C00005", "2024-01-01")]
            .map(|r| Change::PutRecord { record: Box::new(r), put: Put::AsGiven });
        take(&mut workbook, write(&store, &policy, &mut referrals, put.into(), today, 1).unwrap());
        let before = workbook.clone();

        let (mut rows, header) = RowReader::new(text, b',', 1).unwrap();
        let mut settings = ImportSettings::new(kind, auto_map(kind, &header, &[]), policy.clone(), today, 2);
        settings.create_customers = true;
        let mut importer = Importer::new(settings, &workbook, header.len());
        importer.take_rows(&mut rows, &workbook, usize::MAX);
        let mut plan = importer.finish();
        assert_eq!(plan.existed_before.iter().filter(|(_, existed)| *existed).count(), 2, "Ann and Bob");
        assert_eq!(plan.existed_before.len(), 3, "and one new customer");
        let changes = plan.take_changes();
        let written = write(&store, &policy, &mut referrals, changes, today, 2).unwrap();
        let mut replaced = BTreeMap::new();
        for stored in written {
            replaced.insert(stored.index, std::mem::replace(&mut workbook.shards[stored.index], stored.shard));
        }
        assert_ne!(workbook, before);
        let after = workbook.customer_count();
        let planned = PlannedUndo::FromReplaced(plan.existed_before);
        assert!(planned.needs_replaced());
        let kept = planned.written(replaced);
        let undo = kept.changes();
        assert_eq!(undo.len(), 3);
        assert_eq!(kept.changes(), undo, "the undo is still there to try again");

        take(&mut workbook, write(&store, &policy, &mut referrals, undo, today, 3).unwrap());
        assert_eq!(workbook, before, "every file back as it was, the new customer gone");
        let stored: Vec<Shard> = store.shards.borrow().values().filter(|s| !s.records.is_empty()).cloned().collect();
        let kept: Vec<Shard> = before.shards.iter().filter(|s| !s.records.is_empty()).cloned().collect();
        assert_eq!(stored, kept);
        after
    }

    #[test]
    fn a_purchases_import_is_undone_from_the_files_its_write_replaced() {
        // Ann and Bob get a purchase each; an unknown code makes a new customer.
        let text = "customer_id,date,product,amount\nC00003,2026-02-05,tea,10\nC00004,2026-02-05,tea,10\nC00009,2026-02-06,cake,7\n";
        assert_eq!(import_then_undo(crate::domain::columns::Kind::Purchases, text), 4);
    }

    #[test]
    fn a_customers_import_is_undone_from_the_files_its_write_replaced() {
        // Ann's and Bob's cards edited, Cy's row as it is, one new customer.
        let text = "客户编号,客户名称,联系方式\nC00003,Ann,13800000003\nC00004,Bob B.,\nC00005,C00005,\nC00010,Dee,\n";
        assert_eq!(import_then_undo(crate::domain::columns::Kind::Customers, text), 4);
    }
}
