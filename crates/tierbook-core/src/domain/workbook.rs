//! The workbook in memory, split into shards by customer number.
//!
//! A shard is the unit of storage: one IndexedDB record holding the whole files of the
//! customers whose number falls in it. A user action rewrites one shard in one transaction,
//! an import rewrites the shards it touches in one transaction, and loading reads every shard
//! with one `getAll`. 1024 shards keep each one small enough to rewrite in a few milliseconds
//! at 100,000 customers and 1,000,000 purchases (about 100 customers and 1,000 purchases, ~40 KB
//! a shard), and under the ~64 KB above which Chrome stores an IndexedDB value as a separate file.

use std::collections::BTreeMap;

use super::model::*;

pub const SHARD_COUNT: usize = 1024;

pub fn shard_of(id: CustomerId) -> usize {
    (id % SHARD_COUNT as u64) as usize
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shard {
    pub records: BTreeMap<CustomerId, CustomerRecord>,
}

/// A related record that lives in a customer's file.
#[derive(Clone, Debug, PartialEq)]
pub enum Related {
    Purchase(Purchase),
    Feedback(Feedback),
    Interaction(Interaction),
    Campaign(CampaignEntry),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelatedKind {
    Purchase,
    Feedback,
    Interaction,
    Campaign,
}

impl RelatedKind {
    pub fn code(self) -> &'static str {
        match self {
            RelatedKind::Purchase => "purchase",
            RelatedKind::Feedback => "feedback",
            RelatedKind::Interaction => "interaction",
            RelatedKind::Campaign => "campaign",
        }
    }
}

impl Related {
    pub fn id(&self) -> u64 {
        match self {
            Related::Purchase(r) => r.id,
            Related::Feedback(r) => r.id,
            Related::Interaction(r) => r.id,
            Related::Campaign(r) => r.id,
        }
    }

    fn updated_at_mut(&mut self) -> &mut i64 {
        match self {
            Related::Purchase(r) => &mut r.updated_at,
            Related::Feedback(r) => &mut r.updated_at,
            Related::Interaction(r) => &mut r.updated_at,
            Related::Campaign(r) => &mut r.updated_at,
        }
    }
}

/// Finds, replaces or removes one related record inside a customer's file.
fn related_slot(record: &mut CustomerRecord, kind: RelatedKind, id: u64) -> Option<(usize, i64)> {
    fn find<T>(list: &[T], id: u64, key: impl Fn(&T) -> (u64, i64)) -> Option<(usize, i64)> {
        list.iter().position(|r| key(r).0 == id).map(|i| (i, key(&list[i]).1))
    }
    match kind {
        RelatedKind::Purchase => find(&record.purchases, id, |r| (r.id, r.updated_at)),
        RelatedKind::Feedback => find(&record.feedback, id, |r| (r.id, r.updated_at)),
        RelatedKind::Interaction => find(&record.interactions, id, |r| (r.id, r.updated_at)),
        RelatedKind::Campaign => find(&record.campaigns, id, |r| (r.id, r.updated_at)),
    }
}

/// Puts an item at `at` (an edit) or at the end (new); returns where it now is.
fn put_related(record: &mut CustomerRecord, item: Related, at: Option<usize>) -> usize {
    fn put<T>(list: &mut Vec<T>, item: T, at: Option<usize>) -> usize {
        match at {
            Some(i) => {
                list[i] = item;
                i
            }
            None => {
                list.push(item);
                list.len() - 1
            }
        }
    }
    match item {
        Related::Purchase(r) => put(&mut record.purchases, r, at),
        Related::Feedback(r) => put(&mut record.feedback, r, at),
        Related::Interaction(r) => put(&mut record.interactions, r, at),
        Related::Campaign(r) => put(&mut record.campaigns, r, at),
    }
}

/// One related item as the audit trail records it: its fields as compact JSON, without the
/// internal number and stamp.
fn related_text(record: &CustomerRecord, kind: RelatedKind, at: usize) -> String {
    let value = match kind {
        RelatedKind::Purchase => serde_json::to_value(&record.purchases[at]),
        RelatedKind::Feedback => serde_json::to_value(&record.feedback[at]),
        RelatedKind::Interaction => serde_json::to_value(&record.interactions[at]),
        RelatedKind::Campaign => serde_json::to_value(&record.campaigns[at]),
    };
    match value {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields.remove("id");
            fields.remove("updated_at");
            serde_json::Value::Object(fields).to_string()
        }
        _ => String::new(),
    }
}

/// The most entries a customer's audit trail keeps; older ones give way.
pub const AUDIT_LIMIT: usize = 500;

fn audit(record: &mut CustomerRecord, at: i64, what: &str, before: String, after: String) {
    if record.audit.len() >= AUDIT_LIMIT {
        record.audit.remove(0);
    }
    // Room for just this line, not the four (or twice the length) a push makes: the write
    // trims every changed trail again, 100,000 of them in an import.
    record.audit.reserve_exact(1);
    record.audit.push(AuditEntry { at, what: what.to_string(), before, after });
}

/// The card fields that differ between two versions: (field, before, after), values as text.
pub fn customer_changes(old: &Customer, new: &Customer) -> Vec<(String, String, String)> {
    let as_fields = |c: &Customer| match serde_json::to_value(c) {
        Ok(serde_json::Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    let text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let (before, after) = (as_fields(old), as_fields(new));
    after
        .iter()
        .filter(|(field, value)| field.as_str() != "updated_at" && before.get(*field) != Some(*value))
        .map(|(field, value)| (field.clone(), text(before.get(field)), text(Some(value))))
        .collect()
}

fn remove_related(record: &mut CustomerRecord, kind: RelatedKind, at: usize) {
    match kind {
        RelatedKind::Purchase => drop(record.purchases.remove(at)),
        RelatedKind::Feedback => drop(record.feedback.remove(at)),
        RelatedKind::Interaction => drop(record.interactions.remove(at)),
        RelatedKind::Campaign => drop(record.campaigns.remove(at)),
    }
}

/// Moves what a card edit leaves alone from the stored file into the new version: its records,
/// trail and deletion marks (field marks: the later of each).
fn keep_stored_records(record: &mut CustomerRecord, stored: &mut CustomerRecord) {
    record.purchases = std::mem::take(&mut stored.purchases);
    record.feedback = std::mem::take(&mut stored.feedback);
    record.interactions = std::mem::take(&mut stored.interactions);
    record.campaigns = std::mem::take(&mut stored.campaigns);
    record.audit = std::mem::take(&mut stored.audit);
    record.marks.removed = std::mem::take(&mut stored.marks.removed);
    for (field, at) in std::mem::take(&mut stored.marks.fields) {
        let mark = record.marks.fields.entry(field).or_insert(at);
        *mark = (*mark).max(at);
    }
}

/// Stamps a file an import added records to after its stored version, and notes it in its trail.
fn note_imported(record: &mut CustomerRecord, now: i64) {
    record.customer.updated_at = now.max(record.customer.updated_at + 1);
    audit(record, now, "imported", String::new(), String::new());
}

/// How a `Change::PutRecord` is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    /// Exactly as given (a backup restored, an import undone): not stamped, not re-settled.
    AsGiven,
    /// A new version made now (a customers file): stamped, its card's changes noted, its tier
    /// settled. It edits the card and carried-over figures only: the records, the trail and the
    /// change marks stay as stored when written, so anything saved meanwhile elsewhere is kept.
    Fresh,
    /// `Fresh`, from a file that adds records but never edits cards (purchases, feedback…).
    FreshRecordsOnly,
}

/// One user action. `base` is the `updated_at` the user started editing from (None: new),
/// so an edit made on a stale copy is refused instead of overwriting a newer change.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    SaveCustomer {
        customer: Box<Customer>,
        base: Option<i64>,
    },
    DeleteCustomer {
        id: CustomerId,
    },
    /// A whole customer file at once (demo data, imports); refused if the number is taken.
    InsertRecord(Box<CustomerRecord>),
    /// A whole customer file replacing whatever has its number (an import, a merge, an undo).
    PutRecord {
        record: Box<CustomerRecord>,
        put: Put,
    },
    /// A file as a sync pulled it (None: deleted on the server), stored exactly as given —
    /// unless the stored file changed since the sync looked at it: `seen` is its change stamp
    /// then (`replication::stamp`; None: there was no file), and a later one refuses the write.
    Pulled {
        id: CustomerId,
        record: Option<Box<CustomerRecord>>,
        seen: Option<i64>,
    },
    SaveRelated {
        customer_id: CustomerId,
        item: Related,
        base: Option<i64>,
    },
    /// Records an import adds to a customer's file (purchases, or feedback, interactions,
    /// campaign entries in `others`), after whatever the stored file holds (so records or card
    /// edits saved meanwhile elsewhere stay); refused if the customer is gone. Stamped and
    /// noted like an import.
    AddRecords {
        customer_id: CustomerId,
        purchases: Vec<Purchase>,
        others: Vec<Related>,
    },
    /// Records a file with record ids changes or adds in a customer's file: each replaces the
    /// stored record with its id, or goes after what the stored file holds. Like `AddRecords`,
    /// the card and the other records stay as stored; refused if the customer is gone.
    PutRecords {
        customer_id: CustomerId,
        items: Vec<Related>,
    },
    DeleteRelated {
        customer_id: CustomerId,
        kind: RelatedKind,
        id: u64,
    },
    /// The tier engine's verdict. Derived state: written without a stale check, and skipped if
    /// the customer is gone.
    SetTier {
        customer_id: CustomerId,
        state: Box<crate::domain::tiers::TierState>,
    },
    /// Points spent; the ledger takes them from the oldest lots.
    Redeem {
        customer_id: CustomerId,
        redemption: crate::domain::points::Redemption,
    },
    /// Figures, tier and rating dates carried over from a previous spreadsheet.
    CarryOver {
        customer_id: CustomerId,
        carried: crate::domain::tiers::CarriedOver,
        date: crate::domain::day::Day,
    },
    /// A tier set by hand (with its reason and end date), or None to hand back to the rules.
    SetManualTier {
        customer_id: CustomerId,
        manual: Option<crate::domain::tiers::TierOverride>,
        date: crate::domain::day::Day,
    },
    /// The customer who referred this one was erased: forget who it was.
    ForgetReferrer {
        customer_id: CustomerId,
    },
}

impl Change {
    pub fn customer_id(&self) -> CustomerId {
        match self {
            Change::SaveCustomer { customer, .. } => customer.id,
            Change::DeleteCustomer { id } | Change::Pulled { id, .. } => *id,
            Change::InsertRecord(record) | Change::PutRecord { record, .. } => record.customer.id,
            Change::SaveRelated { customer_id, .. }
            | Change::AddRecords { customer_id, .. }
            | Change::PutRecords { customer_id, .. }
            | Change::DeleteRelated { customer_id, .. }
            | Change::SetTier { customer_id, .. }
            | Change::Redeem { customer_id, .. }
            | Change::CarryOver { customer_id, .. }
            | Change::SetManualTier { customer_id, .. }
            | Change::ForgetReferrer { customer_id } => *customer_id,
        }
    }

    pub fn shard(&self) -> usize {
        shard_of(self.customer_id())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Someone (another tab, another window) saved this record after the user opened it.
    ChangedElsewhere,
    /// The customer this record belongs to no longer exists.
    CustomerMissing,
    /// A new customer was given a number that is already taken.
    NumberTaken(CustomerId),
}

impl Shard {
    /// A whole file about to replace whatever has its number (`Change::PutRecord`): stamped,
    /// and (unless put as given) its trail noting what the import or merge changed.
    fn stamp_put(&mut self, record: &mut CustomerRecord, put: Put, now: i64) {
        if put != Put::AsGiven {
            let previous = self.records.get(&record.customer.id);
            // A card the import left as it was (a purchases file touches 100,000 of them)
            // has no field changes to list. A file that never edits cards need not even
            // compare them, while the stored card is the version it was read against.
            let card_unchanged = previous.is_some_and(|p| {
                if put == Put::FreshRecordsOnly && p.customer.updated_at == record.customer.updated_at {
                    return true;
                }
                let stamp = std::mem::replace(&mut record.customer.updated_at, p.customer.updated_at);
                let same = p.customer == record.customer;
                record.customer.updated_at = stamp;
                same
            });
            record.customer.updated_at = now.max(previous.map_or(0, |r| r.customer.updated_at) + 1);
            // An import or merge: the file's own trail goes on, noting what the import did.
            let changes = match previous {
                Some(p) if !card_unchanged => customer_changes(&p.customer, &record.customer),
                _ => Vec::new(),
            };
            if let (Put::Fresh, Some(stored)) = (put, self.records.get_mut(&record.customer.id)) {
                keep_stored_records(record, stored);
            }
            for (field, _, _) in &changes {
                record.marks.fields.insert(field.clone(), record.customer.updated_at);
            }
            let after = changes.iter().map(|(f, _, a)| format!("{f}={a}")).collect::<Vec<_>>().join("; ");
            audit(record, now, "imported", String::new(), after);
        }
    }

    /// Applies one change to this shard, stamping it with `now` (ms). On a conflict the shard
    /// is left exactly as it was.
    pub fn apply(&mut self, change: Change, now: i64) -> Result<(), Conflict> {
        match change {
            Change::SaveCustomer { mut customer, base } => match (self.records.get_mut(&customer.id), base) {
                (None, None) => {
                    customer.updated_at = now;
                    let mut record = CustomerRecord { customer: *customer, ..Default::default() };
                    audit(&mut record, now, "created", String::new(), String::new());
                    self.records.insert(record.customer.id, record);
                }
                (Some(_), None) => return Err(Conflict::NumberTaken(customer.id)),
                (None, Some(_)) => return Err(Conflict::CustomerMissing),
                (Some(record), Some(base)) => {
                    if record.customer.updated_at != base {
                        return Err(Conflict::ChangedElsewhere);
                    }
                    customer.updated_at = now.max(base + 1);
                    for (field, before, after) in customer_changes(&record.customer, &customer) {
                        record.marks.fields.insert(field.clone(), customer.updated_at);
                        audit(record, now, &format!("field:{field}"), before, after);
                    }
                    record.customer = *customer;
                }
            },
            Change::DeleteCustomer { id } => {
                self.records.remove(&id);
            }
            Change::Pulled { id, record, seen } => {
                if self.records.get(&id).map(super::replication::stamp) != seen {
                    return Err(Conflict::ChangedElsewhere);
                }
                match record {
                    Some(record) => drop(self.records.insert(id, *record)),
                    None => drop(self.records.remove(&id)),
                }
            }
            Change::InsertRecord(mut record) => {
                let id = record.customer.id;
                if self.records.contains_key(&id) {
                    return Err(Conflict::NumberTaken(id));
                }
                record.customer.updated_at = now;
                audit(&mut record, now, "created", String::new(), String::new());
                self.records.insert(id, *record);
            }
            Change::PutRecord { mut record, put } => {
                self.stamp_put(&mut record, put, now);
                self.records.insert(record.customer.id, *record);
            }
            Change::AddRecords { customer_id, purchases, others } => {
                let record = self.records.get_mut(&customer_id).ok_or(Conflict::CustomerMissing)?;
                // A file with no purchases yet (every customer of a first purchases import)
                // takes the list as it comes, sized by the import: a million purchases are not
                // copied into fresh memory a second time.
                if record.purchases.is_empty() {
                    record.purchases = purchases;
                } else {
                    record.purchases.reserve_exact(purchases.len());
                    record.purchases.extend(purchases);
                }
                for item in others {
                    put_related(record, item, None);
                }
                note_imported(record, now);
            }
            Change::PutRecords { customer_id, items } => {
                let record = self.records.get_mut(&customer_id).ok_or(Conflict::CustomerMissing)?;
                for item in items {
                    let at = related_slot(record, item.kind(), item.id()).map(|(i, _)| i);
                    put_related(record, item, at);
                }
                note_imported(record, now);
            }
            Change::SaveRelated { customer_id, mut item, base } => {
                let record = self.records.get_mut(&customer_id).ok_or(Conflict::CustomerMissing)?;
                let kind = item.kind();
                let slot = related_slot(record, kind, item.id());
                match (slot, base) {
                    (Some((_, stored)), Some(base)) if stored != base => return Err(Conflict::ChangedElsewhere),
                    (None, Some(_)) => return Err(Conflict::ChangedElsewhere),
                    (Some(_), None) => return Err(Conflict::ChangedElsewhere),
                    _ => {}
                }
                *item.updated_at_mut() = now.max(base.unwrap_or(0) + 1);
                let before = slot.map(|(i, _)| related_text(record, kind, i)).unwrap_or_default();
                let at = put_related(record, item, slot.map(|(i, _)| i));
                let after = related_text(record, kind, at);
                audit(record, now, kind.code(), before, after);
            }
            Change::SetTier { customer_id, state } => {
                if let Some(record) = self.records.get_mut(&customer_id) {
                    record.tier = *state;
                }
            }
            Change::CarryOver { customer_id, carried, date } => {
                let record = self.records.get_mut(&customer_id).ok_or(Conflict::CustomerMissing)?;
                record.tier.carry_over(carried, date);
            }
            Change::Redeem { customer_id, redemption } => {
                let record = self.records.get_mut(&customer_id).ok_or(Conflict::CustomerMissing)?;
                if record.tier.redemptions.iter().any(|r| r.id == redemption.id) {
                    return Err(Conflict::ChangedElsewhere);
                }
                let after = format!("{} ({})", redemption.points, redemption.note);
                record.tier.redemptions.push(redemption);
                audit(record, now, "redeemed", String::new(), after);
            }
            Change::SetManualTier { customer_id, manual, date } => {
                use crate::domain::tiers::{Reason, TierChange};
                let record = self.records.get_mut(&customer_id).ok_or(Conflict::CustomerMissing)?;
                let state = &mut record.tier;
                match manual {
                    Some(manual) => {
                        state.history.push(TierChange {
                            date,
                            from: state.tier.clone(),
                            to: manual.tier.clone(),
                            reason: Reason::Override(manual.reason.clone()),
                        });
                        state.tier = Some(manual.tier.clone());
                        state.below_since = None;
                        state.manual = Some(manual);
                    }
                    // The rules take over again when the change is settled.
                    None => state.manual = None,
                }
            }
            Change::ForgetReferrer { customer_id } => {
                if let Some(record) = self.records.get_mut(&customer_id) {
                    if record.customer.referred_by.take().is_some() {
                        record.customer.updated_at = now.max(record.customer.updated_at + 1);
                        record.marks.fields.insert("referred_by".into(), record.customer.updated_at);
                        audit(record, now, "field:referred_by", "(erased)".into(), String::new());
                    }
                }
            }
            Change::DeleteRelated { customer_id, kind, id } => {
                if let Some(record) = self.records.get_mut(&customer_id) {
                    if let Some((at, _)) = related_slot(record, kind, id) {
                        let before = related_text(record, kind, at);
                        remove_related(record, kind, at);
                        record.marks.removed.push(Removed { kind: kind.code().into(), id, at: now });
                        audit(record, now, kind.code(), before, String::new());
                    }
                }
            }
        }
        Ok(())
    }
}

impl Related {
    pub fn kind(&self) -> RelatedKind {
        match self {
            Related::Purchase(_) => RelatedKind::Purchase,
            Related::Feedback(_) => RelatedKind::Feedback,
            Related::Interaction(_) => RelatedKind::Interaction,
            Related::Campaign(_) => RelatedKind::Campaign,
        }
    }
}

/// The changes that erase a customer: their file, and the note of them as referrer in the
/// files of the customers they referred. With how many records go with the file.
pub fn erasure(workbook: &Workbook, id: CustomerId) -> (Vec<Change>, usize) {
    let records = workbook.get(id).map_or(0, |r| {
        1 + r.purchases.len() + r.feedback.len() + r.interactions.len() + r.campaigns.len() + r.tier.history.len()
    });
    let mut changes = vec![Change::DeleteCustomer { id }];
    changes.extend(
        workbook
            .records()
            .filter(|r| r.customer.referred_by == Some(id))
            .map(|r| Change::ForgetReferrer { customer_id: r.customer.id }),
    );
    (changes, records)
}

/// The shards a batch of changes needs: read these, then `apply_batch`.
pub fn touched_shards(changes: &[Change]) -> std::collections::BTreeSet<usize> {
    changes.iter().map(Change::shard).collect()
}

/// Applies a batch to the current contents of the shards it touches, all or nothing, then lets
/// `settle` bring each changed customer's derived state (the tier) up to date in the same step.
pub fn apply_batch(
    mut shards: BTreeMap<usize, Shard>,
    changes: Vec<Change>,
    now: i64,
    settle: &dyn Fn(&mut CustomerRecord),
) -> Result<BTreeMap<usize, Shard>, Conflict> {
    let mut applied = BTreeMap::new();
    for (s, changes) in changes_by_shard(changes) {
        let shard = shards.remove(&s).unwrap_or_default();
        applied.insert(s, apply_to_shard(shard, changes, now, settle)?);
    }
    applied.extend(shards);
    Ok(applied)
}

/// A batch's changes by the shard they touch, each shard's in the batch's order. A change
/// touches one customer, so shards can be changed one after the other (a big batch then never
/// holds every shard's stored contents at once).
pub fn changes_by_shard(changes: Vec<Change>) -> BTreeMap<usize, Vec<Change>> {
    const _: () = assert!(SHARD_COUNT <= 1 << 16, "a shard number fits a u16");
    // Counted first, so each shard's list is sized once and found by index, not searched for.
    // A change's shard is worked out once: for a whole file it is read from the file itself,
    // one of 100,000 scattered on the heap in an import.
    let shards: Vec<u16> = changes.iter().map(|change| change.shard() as u16).collect();
    let mut counts = vec![0usize; SHARD_COUNT];
    for &s in &shards {
        counts[usize::from(s)] += 1;
    }
    let mut by_shard: Vec<Vec<Change>> = counts.into_iter().map(Vec::with_capacity).collect();
    for (change, s) in changes.into_iter().zip(shards) {
        by_shard[usize::from(s)].push(change);
    }
    by_shard.into_iter().enumerate().filter(|(_, changes)| !changes.is_empty()).collect()
}

/// `apply_batch` for one shard: its changes, in order, on its current contents, then each
/// changed customer settled.
pub fn apply_to_shard(
    mut shard: Shard,
    changes: Vec<Change>,
    now: i64,
    settle: &dyn Fn(&mut CustomerRecord),
) -> Result<Shard, Conflict> {
    let mut changed = std::collections::BTreeSet::new();
    let mut touched = std::collections::BTreeSet::new();
    let had = shard.records.len();
    // Whole new files (an import's new customers) with no other change here stay boxed and
    // go into the map together at the end: put in one by one and then rebuilt, each ~800-byte
    // file was moved five or six times.
    let mut fresh: Vec<Box<CustomerRecord>> = Vec::new();
    let mut changes = by_customer(changes).peekable();
    while let Some(change) = changes.next() {
        let id = change.customer_id();
        let alone = changes.peek().is_none_or(|next| next.customer_id() != id);
        // Whether the customer's tier is settled after the change (not for a tier set or a
        // file stored exactly as given).
        let settles = !matches!(
            change,
            Change::SetTier { .. } | Change::PutRecord { put: Put::AsGiven, .. } | Change::Pulled { .. }
        );
        match change {
            Change::PutRecord { mut record, put } if alone && !shard.records.contains_key(&id) => {
                shard.stamp_put(&mut record, put, now);
                if settles {
                    settle(&mut record);
                }
                trim(&mut record);
                fresh.push(record);
            }
            change => {
                touched.insert(id);
                if settles {
                    changed.insert(id);
                }
                shard.apply(change, now)?;
            }
        }
    }
    for id in changed {
        if let Some(record) = shard.records.get_mut(&id) {
            settle(record);
        }
    }
    for id in touched {
        if let Some(record) = shard.records.get_mut(&id) {
            trim(record);
        }
    }
    // A map that took new customers one by one has nodes about half full; built from its
    // sorted files at once they are full, as a shard read back from storage is. A file is a
    // few hundred bytes inline: ~30 MB over 100,000 new customers. (`fresh` is in key order.)
    if !fresh.is_empty() || shard.records.len() > had {
        let stored = std::mem::take(&mut shard.records);
        let mut files = Vec::with_capacity(stored.len() + fresh.len());
        files.extend(merge_by_key(stored.into_iter(), fresh.into_iter().map(|record| (record.customer.id, *record))));
        shard.records = files.into_iter().collect();
    }
    Ok(shard)
}

/// A trail or tier history a change pushed to may keep spare room (`audit` grows by one, other
/// pushes double); a file read back from storage has room for what it holds. Trimmed so a
/// write keeps what a reopen would (~30 MB over 100,000 new customers).
fn trim(record: &mut CustomerRecord) {
    record.audit.shrink_to_fit();
    record.tier.history.shrink_to_fit();
}

/// Two lists of files in key order, with no key in both, as one list in key order (a map
/// collected from it finds its keys already sorted and moves no file to sort them).
fn merge_by_key<T>(
    a: impl Iterator<Item = (CustomerId, T)>,
    b: impl Iterator<Item = (CustomerId, T)>,
) -> impl Iterator<Item = (CustomerId, T)> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some((x, _)), Some((y, _))) if y < x => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// The changes in the order of their customers' ids, each customer's in the order given. A
/// change touches one customer, so changes to different customers do not depend on one
/// another; in key order, the new files of an import (random ids) go into the shard's map at
/// its end instead of each shifting half a node of ~800-byte files aside. Only the indexes
/// are sorted: each change is moved once.
fn by_customer(changes: Vec<Change>) -> impl Iterator<Item = Change> {
    let mut order: Vec<(CustomerId, u32)> =
        changes.iter().enumerate().map(|(i, change)| (change.customer_id(), i as u32)).collect();
    order.sort_unstable();
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    order.into_iter().filter_map(move |(_, i)| slots[i as usize].take())
}

/// All shards of a workbook, always `SHARD_COUNT` of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Workbook {
    pub shards: Vec<Shard>,
}

impl Default for Workbook {
    fn default() -> Self {
        Workbook { shards: vec![Shard::default(); SHARD_COUNT] }
    }
}

impl Workbook {
    pub fn customer_count(&self) -> usize {
        self.shards.iter().map(|s| s.records.len()).sum()
    }

    pub fn get(&self, id: CustomerId) -> Option<&CustomerRecord> {
        self.shards[shard_of(id)].records.get(&id)
    }

    pub fn records(&self) -> impl Iterator<Item = &CustomerRecord> + Clone {
        self.shards.iter().flat_map(|s| s.records.values())
    }

    /// A fresh internal id for a new customer (random, never one in use).
    pub fn new_customer_id(&self, rng: &mut fastrand::Rng) -> CustomerId {
        random_customer_id(rng, |id| self.get(id).is_some())
    }

    /// Adds many customer files at once, replacing any with the same number.
    /// Returns the shards that changed.
    pub fn insert_records(&mut self, records: Vec<CustomerRecord>) -> Vec<usize> {
        let mut touched = [false; SHARD_COUNT];
        for record in records {
            let shard = shard_of(record.customer.id);
            touched[shard] = true;
            self.shards[shard].records.insert(record.customer.id, record);
        }
        touched.iter().enumerate().filter(|(_, t)| **t).map(|(i, _)| i).collect()
    }

    /// Applies a batch of changes all-or-nothing, as storage does inside one transaction:
    /// on a conflict nothing changes. Returns the shards that changed.
    pub fn apply_all(&mut self, changes: Vec<Change>, now: i64) -> Result<Vec<usize>, Conflict> {
        let current = touched_shards(&changes).into_iter().map(|s| (s, self.shards[s].clone())).collect();
        let updated = apply_batch(current, changes, now, &|_| {})?;
        let ids = updated.keys().copied().collect();
        for (s, shard) in updated {
            self.shards[s] = shard;
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::day::Day;

    fn customer(id: u64, name: &str) -> Customer {
        Customer { id, name: name.into(), ..Default::default() }
    }

    fn purchase(id: u64, cents: i64) -> Purchase {
        Purchase {
            id,
            date: Day(20_000),
            product: "tea".into(),
            quantity: 1.0,
            amount_cents: cents,
            ..Default::default()
        }
    }

    #[test]
    fn a_batch_is_split_by_shard_keeping_each_shards_changes_in_order() {
        let k = SHARD_COUNT as u64;
        let save = |id: u64, name: &str| Change::SaveCustomer { customer: Box::new(customer(id, name)), base: None };
        let batch = vec![save(3, "a"), save(5, "b"), save(3 + k, "c"), save(3 + 2 * k, "d"), save(5 + k, "e")];
        let names = |changes: &[Change]| -> Vec<String> {
            changes
                .iter()
                .map(|c| match c {
                    Change::SaveCustomer { customer, .. } => customer.name.clone(),
                    _ => unreachable!(),
                })
                .collect()
        };
        let by_shard = changes_by_shard(batch);
        assert_eq!(by_shard.keys().copied().collect::<Vec<_>>(), vec![3, 5]);
        assert_eq!(names(&by_shard[&3]), ["a", "c", "d"]);
        assert_eq!(names(&by_shard[&5]), ["b", "e"]);
        assert!(changes_by_shard(Vec::new()).is_empty());
    }

    fn shard_with(id: u64) -> Shard {
        let mut shard = Shard::default();
        shard.apply(Change::SaveCustomer { customer: Box::new(customer(id, "Ann")), base: None }, 1_000).unwrap();
        shard
    }

    #[test]
    fn the_audit_trail_records_what_changed_from_what_to_what() {
        let mut shard = shard_with(5);
        let mut edited = shard.records[&5].customer.clone();
        edited.phone = "13800138000".into();
        edited.name = "Ann Lee".into();
        shard.apply(Change::SaveCustomer { customer: Box::new(edited), base: Some(1_000) }, 2_000).unwrap();
        let add = Change::SaveRelated { customer_id: 5, item: Related::Purchase(purchase(9, 500)), base: None };
        shard.apply(add, 3_000).unwrap();
        shard.apply(Change::DeleteRelated { customer_id: 5, kind: RelatedKind::Purchase, id: 9 }, 4_000).unwrap();
        let trail: Vec<(i64, &str, &str, &str)> = shard.records[&5]
            .audit
            .iter()
            .map(|e| (e.at, e.what.as_str(), e.before.as_str(), e.after.as_str()))
            .collect();
        assert_eq!(trail[0], (1_000, "created", "", ""));
        assert!(trail.contains(&(2_000, "field:name", "Ann", "Ann Lee")));
        assert!(trail.contains(&(2_000, "field:phone", "", "13800138000")));
        assert_eq!(trail.len(), 5, "nothing but the fields that changed: {trail:?}");
        assert_eq!((trail[3].0, trail[3].1, trail[3].2), (3_000, "purchase", ""));
        assert!(trail[3].3.contains("\"amount_cents\":500") && !trail[3].3.contains("updated_at"));
        assert_eq!((trail[4].1, trail[4].2 == trail[3].3, trail[4].3), ("purchase", true, ""));
    }

    #[test]
    fn erasing_a_customer_leaves_no_trace_in_other_files() {
        let mut wb = Workbook::default();
        let mut referred = CustomerRecord { customer: customer(2, "Bo"), ..Default::default() };
        referred.customer.referred_by = Some(1);
        wb.insert_records(vec![CustomerRecord { customer: customer(1, "Ann"), ..Default::default() }, referred]);
        let (changes, records) = erasure(&wb, 1);
        assert_eq!(records, 1);
        wb.apply_all(changes, 5_000).unwrap();
        assert!(wb.get(1).is_none());
        let bo = wb.get(2).unwrap();
        assert_eq!(bo.customer.referred_by, None);
        let text = serde_json::to_string(bo).unwrap();
        assert!(!text.contains("Ann") && !text.contains("\"1\""), "{text}");
    }

    #[test]
    fn new_customers_are_stamped_and_numbers_are_never_reused() {
        let mut shard = shard_with(5);
        assert_eq!(shard.records[&5].customer.updated_at, 1_000);
        let again = Change::SaveCustomer { customer: Box::new(customer(5, "Bob")), base: None };
        assert_eq!(shard.apply(again, 2_000), Err(Conflict::NumberTaken(5)));
        assert_eq!(shard.records[&5].customer.name, "Ann");
    }

    #[test]
    fn an_edit_from_a_stale_copy_is_refused_and_changes_nothing() {
        let mut shard = shard_with(5);
        let edit = |name: &str, base| Change::SaveCustomer { customer: Box::new(customer(5, name)), base: Some(base) };
        shard.apply(edit("Ann B.", 1_000), 2_000).unwrap();
        assert_eq!(shard.records[&5].customer.updated_at, 2_000);
        let before = shard.clone();
        assert_eq!(shard.apply(edit("Ann C.", 1_000), 3_000), Err(Conflict::ChangedElsewhere));
        assert_eq!(shard, before);
    }

    #[test]
    fn timestamps_only_move_forward_even_if_the_clock_goes_back() {
        let mut shard = shard_with(5);
        shard.apply(Change::SaveCustomer { customer: Box::new(customer(5, "X")), base: Some(1_000) }, 500).unwrap();
        assert_eq!(shard.records[&5].customer.updated_at, 1_001);
    }

    #[test]
    fn related_records_are_added_edited_and_deleted_in_their_customers_file() {
        let mut shard = shard_with(5);
        let save = |p: Purchase, base| Change::SaveRelated { customer_id: 5, item: Related::Purchase(p), base };
        shard.apply(save(purchase(1, 100), None), 2_000).unwrap();
        shard.apply(save(purchase(2, 200), None), 2_000).unwrap();
        shard.apply(save(purchase(1, 150), Some(2_000)), 3_000).unwrap();
        let amounts: Vec<i64> = shard.records[&5].purchases.iter().map(|p| p.amount_cents).collect();
        assert_eq!(amounts, vec![150, 200]);
        assert_eq!(shard.apply(save(purchase(1, 999), Some(2_000)), 4_000), Err(Conflict::ChangedElsewhere));
        shard.apply(Change::DeleteRelated { customer_id: 5, kind: RelatedKind::Purchase, id: 1 }, 5_000).unwrap();
        assert_eq!(shard.records[&5].purchases.len(), 1);
        assert_eq!(shard.records[&5].purchases[0].id, 2);
    }

    #[test]
    fn related_records_need_their_customer() {
        let mut shard = shard_with(5);
        let orphan = Change::SaveRelated { customer_id: 6, item: Related::Purchase(purchase(1, 1)), base: None };
        assert_eq!(shard.apply(orphan, 1), Err(Conflict::CustomerMissing));
        let fb = Feedback { id: 3, score: 4, ..Default::default() };
        shard.apply(Change::SaveRelated { customer_id: 5, item: Related::Feedback(fb), base: None }, 1).unwrap();
        shard.apply(Change::DeleteCustomer { id: 5 }, 2).unwrap();
        assert!(shard.records.is_empty(), "deleting a customer removes the whole file");
    }

    #[test]
    fn a_batch_with_one_conflict_changes_nothing() {
        let mut wb = Workbook::default();
        let insert =
            |id| Change::InsertRecord(Box::new(CustomerRecord { customer: customer(id, "x"), ..Default::default() }));
        assert_eq!(wb.apply_all(vec![insert(1), insert(2)], 10), Ok(vec![1, 2]));
        let before = wb.clone();
        assert_eq!(wb.apply_all(vec![insert(3), insert(4), insert(1)], 20), Err(Conflict::NumberTaken(1)));
        assert_eq!(wb, before);
        assert_eq!(wb.get(1).unwrap().customer.updated_at, 10);
    }

    #[test]
    fn a_written_file_keeps_no_spare_room_in_its_audit_or_tier_history() {
        let save = |id, name: &str, base| Change::SaveCustomer { customer: Box::new(customer(id, name)), base };
        let settle = |r: &mut CustomerRecord| {
            r.tier.history.push(crate::domain::tiers::TierChange {
                date: crate::domain::day::Day(0),
                from: None,
                to: "silver".into(),
                reason: crate::domain::tiers::Reason::Initial(Vec::new()),
            })
        };
        let shard =
            apply_to_shard(Shard::default(), vec![save(1, "Ann", None), save(1025, "Bo", None)], 10, &settle).unwrap();
        let shard = apply_to_shard(shard, vec![save(1, "Ann Li", Some(10))], 20, &settle).unwrap();
        assert_eq!(shard.records.len(), 2);
        for r in shard.records.values() {
            assert!(!r.audit.is_empty() && !r.tier.history.is_empty());
            assert_eq!((r.audit.capacity(), r.tier.history.capacity()), (r.audit.len(), r.tier.history.len()));
        }
    }

    #[test]
    fn a_batch_comes_out_as_its_changes_applied_one_by_one_in_the_order_given() {
        // One shard: customers already there, and a batch that interleaves new files alone,
        // a new file with purchases after it, a file put back as given, a changed file and a
        // new card, in no order of their ids.
        let k = SHARD_COUNT as u64;
        let file = |id: u64, name: &str| CustomerRecord { customer: customer(id, name), ..Default::default() };
        let put = |id, name: &str, put| Change::PutRecord { record: Box::new(file(id, name)), put };
        let mut stored = Shard::default();
        for id in [7 + 3 * k, 7 + 9 * k] {
            stored.apply(Change::InsertRecord(Box::new(file(id, "old"))), 5).unwrap();
        }
        let batch = vec![
            put(7 + 20 * k, "new alone", Put::Fresh),
            put(7 + 9 * k, "changed", Put::Fresh),
            put(7 + 2 * k, "new, then purchases", Put::FreshRecordsOnly),
            Change::SaveCustomer { customer: Box::new(customer(7 + 11 * k, "typed in")), base: None },
            put(7 + k, "as given", Put::AsGiven),
            Change::AddRecords { customer_id: 7 + 2 * k, purchases: vec![purchase(1, 100)], others: Vec::new() },
            put(7, "new alone too", Put::Fresh),
        ];
        let settled = std::cell::RefCell::new(std::collections::BTreeSet::new());
        let settle = |r: &mut CustomerRecord| {
            settled.borrow_mut().insert(r.customer.id);
            r.tier.history.push(crate::domain::tiers::TierChange {
                date: Day(0),
                from: None,
                to: format!("t{}", r.customer.name.len()),
                reason: crate::domain::tiers::Reason::Initial(Vec::new()),
            });
        };
        // Applied one by one, in the order given, then each changed customer settled once.
        let mut expected = stored.clone();
        let mut changed = std::collections::BTreeSet::new();
        for change in batch.clone() {
            if !matches!(change, Change::PutRecord { put: Put::AsGiven, .. }) {
                changed.insert(change.customer_id());
            }
            expected.apply(change, 30).unwrap();
        }
        for id in &changed {
            settle(expected.records.get_mut(id).unwrap());
        }
        settled.borrow_mut().clear();
        let out = apply_to_shard(stored, batch, 30, &settle).unwrap();
        assert_eq!(out, expected);
        assert_eq!(*settled.borrow(), changed, "every changed customer settled, once each");
        assert_eq!(out.records.keys().copied().collect::<Vec<_>>(), {
            let mut ids: Vec<u64> = expected.records.keys().copied().collect();
            ids.sort();
            ids
        });
        for r in out.records.values() {
            assert_eq!((r.audit.capacity(), r.tier.history.capacity()), (r.audit.len(), r.tier.history.len()));
        }
        assert_eq!(out.records[&(7 + 2 * k)].purchases.len(), 1);
        assert_eq!(out.records[&(7 + k)].customer.updated_at, 0, "put back as given");
    }

    #[test]
    fn settle_sees_every_changed_customer_once_and_only_those() {
        let mut wb = Workbook::default();
        let insert =
            |id| Change::InsertRecord(Box::new(CustomerRecord { customer: customer(id, "x"), ..Default::default() }));
        wb.apply_all(vec![insert(1), insert(2), insert(3)], 1).unwrap();
        let current = [1usize, 2].iter().map(|&s| (s, wb.shards[s].clone())).collect();
        let p = Purchase { id: 9, ..purchase(9, 100) };
        let changes = vec![
            Change::SaveRelated { customer_id: 1, item: Related::Purchase(p), base: None },
            Change::SaveCustomer { customer: Box::new(customer(1, "y")), base: Some(1) },
            Change::SetTier { customer_id: 2, state: Box::default() },
        ];
        let seen = std::cell::RefCell::new(Vec::new());
        let out = apply_batch(current, changes, 5, &|r| {
            seen.borrow_mut().push(r.customer.id);
            r.tier.tier = Some("settled".into());
        })
        .unwrap();
        assert_eq!(*seen.borrow(), vec![1]);
        assert_eq!(out[&1].records[&1].tier.tier.as_deref(), Some("settled"));
        assert_eq!(out[&1].records[&1].purchases.len(), 1);
    }

    #[test]
    fn added_records_go_after_what_the_stored_file_holds_now_and_a_missing_customer_refuses_the_batch() {
        let file = |id| CustomerRecord { customer: customer(id, "Cy"), ..Default::default() };
        // Since the import read Ann's file, another tab renamed her and added a purchase.
        let mut stored =
            CustomerRecord { customer: Customer { updated_at: 40, ..customer(4, "Ann Li") }, ..Default::default() };
        stored.purchases.push(purchase(1, 100));
        let current = [(4usize, Shard { records: [(4, stored)].into_iter().collect() })].into_iter().collect();
        let add = |id, ids: &[u64]| Change::AddRecords {
            customer_id: id,
            purchases: ids.iter().map(|&i| purchase(i, 10 * i as i64)).collect(),
            others: vec![Related::Feedback(Feedback { id: 5, ..Default::default() })],
        };
        let seen = std::cell::RefCell::new(Vec::new());
        let out = apply_batch(current, vec![add(4, &[7, 8])], 30, &|r| seen.borrow_mut().push(r.customer.id)).unwrap();
        let ann = &out[&4].records[&4];
        assert_eq!(ann.customer.name, "Ann Li");
        assert_eq!(ann.purchases.iter().map(|p| p.id).collect::<Vec<_>>(), [1, 7, 8]);
        assert_eq!(ann.feedback.iter().map(|f| f.id).collect::<Vec<_>>(), [5]);
        assert_eq!(ann.customer.updated_at, 41, "stamped after the stored card");
        assert_eq!(ann.audit.last().map(|a| a.what.as_str()), Some("imported"));
        assert_eq!(*seen.borrow(), vec![4], "settled");
        // A file with no purchases yet takes the added ones as they come.
        let current = [(6usize, Shard { records: [(6, file(6))].into_iter().collect() })].into_iter().collect();
        let out = apply_batch(current, vec![add(6, &[8, 7])], 30, &|_| {}).unwrap();
        assert_eq!(out[&6].records[&6].purchases.iter().map(|p| p.id).collect::<Vec<_>>(), [8, 7]);
        assert_eq!(out[&6].records[&6].feedback.len(), 1);
        // Bob was deleted meanwhile: nothing of the batch is applied.
        let current = [(5usize, Shard::default())].into_iter().collect();
        assert_eq!(apply_batch(current, vec![add(5, &[9])], 30, &|_| {}).err(), Some(Conflict::CustomerMissing));
    }

    #[test]
    fn put_records_replace_the_stored_record_with_their_id_and_add_the_others_after_it() {
        // A file with record ids changes purchase 1 and adds 9; meanwhile Ann was renamed and
        // purchase 2 saved elsewhere.
        let mut stored =
            CustomerRecord { customer: Customer { updated_at: 40, ..customer(4, "Ann Li") }, ..Default::default() };
        stored.purchases.extend([purchase(1, 100), purchase(2, 200)]);
        let current = [(4usize, Shard { records: [(4, stored)].into_iter().collect() })].into_iter().collect();
        let put = |id| Change::PutRecords {
            customer_id: id,
            items: vec![Related::Purchase(purchase(1, 150)), Related::Purchase(purchase(9, 900))],
        };
        let seen = std::cell::RefCell::new(Vec::new());
        let out = apply_batch(current, vec![put(4)], 30, &|r| seen.borrow_mut().push(r.customer.id)).unwrap();
        let ann = &out[&4].records[&4];
        assert_eq!(ann.customer.name, "Ann Li");
        let purchases: Vec<(u64, i64)> = ann.purchases.iter().map(|p| (p.id, p.amount_cents)).collect();
        assert_eq!(purchases, [(1, 150), (2, 200), (9, 900)]);
        assert_eq!(ann.customer.updated_at, 41, "stamped after the stored card");
        assert_eq!(ann.audit.last().map(|a| a.what.as_str()), Some("imported"));
        assert_eq!(*seen.borrow(), vec![4], "settled");
        let current = [(5usize, Shard::default())].into_iter().collect();
        assert_eq!(apply_batch(current, vec![put(5)], 30, &|_| {}).err(), Some(Conflict::CustomerMissing));
    }

    #[test]
    fn a_put_record_replaces_the_file_fresh_ones_are_stamped_and_settled_restored_ones_kept_as_given() {
        let mut wb = Workbook::default();
        let record = |name: &str, at| CustomerRecord {
            customer: Customer { updated_at: at, ..customer(4, name) },
            ..Default::default()
        };
        wb.apply_all(vec![Change::InsertRecord(Box::new(record("a", 0)))], 100).unwrap();
        let seen = std::cell::RefCell::new(Vec::new());
        let put = |r, fresh| {
            let put = if fresh { Put::Fresh } else { Put::AsGiven };
            vec![Change::PutRecord { record: Box::new(r), put }]
        };
        let current = |wb: &Workbook| [(4usize, wb.shards[4].clone())].into_iter().collect();
        let out = apply_batch(current(&wb), put(record("b", 7), true), 50, &|r| seen.borrow_mut().push(r.customer.id))
            .unwrap();
        assert_eq!((out[&4].records[&4].customer.name.as_str(), out[&4].records[&4].customer.updated_at), ("b", 101));
        assert_eq!(*seen.borrow(), vec![4]);
        let out =
            apply_batch(current(&wb), put(record("c", 7), false), 500, &|r| seen.borrow_mut().push(r.customer.id))
                .unwrap();
        assert_eq!((out[&4].records[&4].customer.name.as_str(), out[&4].records[&4].customer.updated_at), ("c", 7));
        assert_eq!(seen.borrow().len(), 1, "a record put back as it was is not re-settled");
    }

    #[test]
    fn a_file_that_only_adds_records_skips_the_card_compare_only_while_the_stored_card_is_the_one_it_read() {
        let stored =
            CustomerRecord { customer: Customer { updated_at: 40, ..customer(4, "Ann") }, ..Default::default() };
        let shard = |record: &CustomerRecord| {
            let mut s = Shard::default();
            s.records.insert(4, record.clone());
            [(4usize, s)].into_iter().collect::<BTreeMap<_, _>>()
        };
        let put = |r: CustomerRecord| vec![Change::PutRecord { record: Box::new(r), put: Put::FreshRecordsOnly }];
        let marks = |out: &BTreeMap<usize, Shard>| out[&4].records[&4].marks.fields.clone();
        // Read against the stored card: taken as it is, no field noted as changed.
        let same = stored.clone();
        let out = apply_batch(shard(&stored), put(same), 50, &|_| {}).unwrap();
        assert!(marks(&out).is_empty());
        assert_eq!(out[&4].records[&4].customer.updated_at, 50);
        // The stored card changed since the file was read (another tab renamed Ann): compared,
        // and the file's older name is a change like any other.
        let renamed = CustomerRecord { customer: Customer { updated_at: 45, ..customer(4, "Anna") }, ..stored.clone() };
        let out = apply_batch(shard(&renamed), put(stored.clone()), 50, &|_| {}).unwrap();
        assert_eq!(marks(&out).get("name"), Some(&50));
    }

    #[test]
    fn a_manual_tier_is_recorded_with_its_reason_and_can_be_handed_back() {
        use crate::domain::tiers::{Reason, TierOverride};
        let mut shard = shard_with(5);
        let manual = TierOverride { tier: "gold".into(), reason: "VIP partner".into(), until: Day(20_100) };
        let set = Change::SetManualTier { customer_id: 5, manual: Some(manual.clone()), date: Day(20_000) };
        shard.apply(set, 2).unwrap();
        let state = &shard.records[&5].tier;
        assert_eq!((state.tier.as_deref(), state.manual.as_ref()), (Some("gold"), Some(&manual)));
        assert_eq!(state.history.last().unwrap().reason, Reason::Override("VIP partner".into()));
        shard.apply(Change::SetManualTier { customer_id: 5, manual: None, date: Day(20_001) }, 3).unwrap();
        assert!(shard.records[&5].tier.manual.is_none());
    }

    #[test]
    fn a_redemption_is_kept_once() {
        use crate::domain::points::Redemption;
        let mut shard = shard_with(5);
        let r = Redemption { id: 7, date: Day(20_000), points: 50, note: "券".into() };
        shard.apply(Change::Redeem { customer_id: 5, redemption: r.clone() }, 2).unwrap();
        assert_eq!(shard.apply(Change::Redeem { customer_id: 5, redemption: r }, 3), Err(Conflict::ChangedElsewhere));
        assert_eq!(shard.records[&5].tier.redemptions.len(), 1);
    }

    #[test]
    fn workbook_numbers_and_shards() {
        let mut wb = Workbook::default();
        let n = SHARD_COUNT as u64;
        let records = [3, n + 2, n + 3].map(|id| CustomerRecord { customer: customer(id, "x"), ..Default::default() });
        assert_eq!(wb.insert_records(records.to_vec()), vec![2, 3]);
        assert_eq!(wb.customer_count(), 3);
        let mut rng = fastrand::Rng::with_seed(1);
        let fresh = wb.new_customer_id(&mut rng);
        assert!((1 << 32..1 << 53).contains(&fresh) && wb.get(fresh).is_none());
        assert_eq!(wb.get(n + 2).unwrap().customer.id, n + 2);
        assert!(wb.get(4).is_none());
    }
}
