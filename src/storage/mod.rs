//! IndexedDB behind a narrow API. The workbook is stored as `SHARD_COUNT` packed shards (see
//! `domain::workbook`), so 100,000 customers and 1,000,000 purchases are ~128 records, not
//! 1.1 million. Every write is one readwrite transaction that reads the shards it touches,
//! applies the changes and writes them back: atomic, and it never overwrites a newer change
//! made by another tab in the meantime.

use std::collections::HashMap;
use std::future::IntoFuture;

use idb::request::futures::GetAllStoreRequestFuture;
use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, Transaction, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};

use crate::domain::backup::Conflict as MergeConflict;
use crate::domain::codec::{
    decode_row_group, decode_shard, decode_summaries, encode_row_group, encode_shard, encode_summaries, DecodeError,
    SHARDS_PER_ROW_GROUP,
};
use crate::domain::customer_list::CustomerSummary;
use crate::domain::model::CustomerId;
use crate::domain::model::{CustomFieldDef, CustomerRecord};
use crate::domain::reminders::Handled;
use crate::domain::replication::{SyncShard, SyncedDoc};
use crate::domain::sealed::{self, LockInfo};
use crate::domain::tiers::TierPolicy;
use crate::domain::workbook::{
    apply_to_shard, changes_by_shard, shard_of, touched_shards, Change, Conflict, Shard, Workbook, SHARD_COUNT,
};
use crate::domain::write_path::StoredShard;

pub mod settings;

/// Version 1 held only `shards`; version 2 added `meta` for workbook-wide definitions;
/// version 3 `summaries`, the shards' list rows in groups (`codec::encode_row_group`, keyed by
/// shard / `SHARDS_PER_ROW_GROUP`), written in the same transaction as the shards;
/// version 4 `sync`: per shard the team-sync state of its customers and the customers deleted
/// here (`replication::SyncShard`), and by name the sync checkpoint and this browser's id;
/// version 5 `shard_groups`: the shards stored `SHARDS_PER_ROW_GROUP` to a value, as their list
/// rows are (an import's write of 44 MB took Chromium ~250–430 ms as 1,024 values and
/// ~100–130 ms as 64; reading them back ~450–500 ms against ~150–180 ms).
pub const SCHEMA_VERSION: u32 = 5;
/// Shards written one by one since their group was (loose shards): a small write puts only the
/// shards it changed (~40 KB each at the largest scale), not their group (~700 KB, which
/// Chromium stores as a separate blob: an edit's save took ~40 ms instead of ~25). A shard
/// here stands in for its entry in its group; an empty array marks a shard emptied since.
/// Up to version 4 every shard was here; the upgrade moves them into their groups.
pub const SHARDS: &str = "shards";
/// The shards by group (shard / `SHARDS_PER_ROW_GROUP`): an array with one entry per shard of
/// the group, its stored bytes or null where it holds no customer. A write that changes many
/// shards of a group puts the whole group (the other entries as they were, never decoded) and
/// clears the group's loose shards.
pub const SHARD_GROUPS: &str = "shard_groups";
/// A write puts a whole group when it changes this many of its shards, or when the group would
/// otherwise hold twice this many loose ones (`puts_whole`).
const WHOLE_GROUP_AT: usize = 4;
pub const META: &str = "meta";
pub const SUMMARIES: &str = "summaries";
pub const SYNC: &str = "sync";
const CUSTOM_FIELDS_KEY: &str = "custom_fields";
const TIER_POLICY_KEY: &str = "tier_policy";
const CONFLICTS_KEY: &str = "merge_conflicts";
const REMINDERS_KEY: &str = "reminders_handled";
const ERASURES_KEY: &str = "erasures";
/// The lock's salt, iterations and check value: the one meta value never sealed.
const LOCK_KEY: &str = "lock";

/// What the erasure log keeps of an erased customer: nothing that identifies them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ErasureNote {
    /// When (ms since 1970).
    pub at: i64,
    /// How many records went with the customer file (purchases, feedback, contacts, …).
    pub records: usize,
}

#[derive(Debug)]
pub enum StoreError {
    /// IndexedDB refused (quota exceeded, blocked, aborted, unavailable…).
    Idb(String),
    Damaged {
        shard: usize,
        error: DecodeError,
    },
    Conflict(Conflict),
    /// The workbook is locked and this tab does not have the key.
    Locked,
}

impl From<Conflict> for StoreError {
    fn from(conflict: Conflict) -> Self {
        StoreError::Conflict(conflict)
    }
}

/// The write path (`domain::write_path`) writes through IndexedDB here, one transaction a call.
impl crate::domain::write_path::ShardStore for Store {
    type Error = StoreError;

    async fn write(
        &self,
        changes: Vec<Change>,
        now: i64,
        settle: &dyn Fn(&mut CustomerRecord),
        definitions: Option<(&TierPolicy, &[CustomFieldDef])>,
    ) -> Result<Vec<StoredShard>, StoreError> {
        self.commit_with_definitions(changes, now, settle, definitions).await
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Idb(why) => write!(f, "{why}"),
            StoreError::Damaged { shard, error } => write!(f, "shard {shard}: {error}"),
            StoreError::Conflict(c) => write!(f, "{c:?}"),
            StoreError::Locked => write!(f, "the workbook is locked"),
        }
    }
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        StoreError::Idb(e.to_string())
    }
}

/// The stored shard groups, requested in one read transaction, not yet decoded: the caller
/// takes them a group at a time (`Store::decode_next`: ~16,000 purchases at the largest scale,
/// some 20 ms) and lets the page handle input between groups.
pub struct StoredShards {
    groups: std::collections::VecDeque<(usize, GetAllStoreRequestFuture)>,
    loose: std::collections::BTreeMap<usize, JsValue>,
}

/// Each shard's list rows as stored, by shard: None where they are missing or unreadable.
pub type StoredSummaries = Vec<Option<Vec<CustomerSummary>>>;

pub struct Store {
    db: Database,
    /// The same database as the browser type, for transaction options idb does not expose.
    raw: web_sys::IdbDatabase,
    /// The workbook lock's key once unlocked: every value written is sealed with it.
    key: std::cell::Cell<Option<[u8; 32]>>,
}

/// Fresh random bytes from the browser's CSPRNG (`crypto.getRandomValues`).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let array = Uint8Array::new_with_length(N as u32);
    if let Some(crypto) = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"crypto".into()).ok()) {
        if let Ok(get) = js_sys::Reflect::get(&crypto, &"getRandomValues".into()) {
            if let Some(get) = get.dyn_ref::<js_sys::Function>() {
                let _ = get.call1(&crypto, &array);
            }
        }
    }
    let mut out = [0u8; N];
    array.copy_to(&mut out);
    out
}

fn shard_key(shard: usize) -> JsValue {
    JsValue::from(shard as u32)
}

fn to_bytes(value: &JsValue) -> Vec<u8> {
    value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).unwrap_or_default()
}

fn group_of(shard: usize) -> usize {
    shard / SHARDS_PER_ROW_GROUP
}

/// A new group value: every shard empty.
fn empty_group() -> js_sys::Array {
    (0..SHARDS_PER_ROW_GROUP).map(|_| JsValue::NULL).collect()
}

/// A stored group value as an array to change (a new empty one where there was none).
fn group_array(stored: Option<JsValue>) -> js_sys::Array {
    stored.and_then(|value| value.dyn_into::<js_sys::Array>().ok()).unwrap_or_else(empty_group)
}

/// The stored bytes of `shard` in its group's array, if it holds any.
fn part_of(group: &js_sys::Array, shard: usize) -> Option<JsValue> {
    Some(group.get((shard % SHARDS_PER_ROW_GROUP) as u32))
        .filter(|part| part.dyn_ref::<Uint8Array>().is_some_and(|bytes| bytes.length() > 0))
}

/// The loose shards of a group (shard → stored value), written into its array in their places.
fn with_loose(group: &js_sys::Array, loose: &std::collections::BTreeMap<usize, JsValue>, index: usize) {
    let first = index * SHARDS_PER_ROW_GROUP;
    for (shard, value) in loose.range(first..first + SHARDS_PER_ROW_GROUP) {
        let emptied = value.dyn_ref::<Uint8Array>().is_none_or(|bytes| bytes.length() == 0);
        group.set((shard % SHARDS_PER_ROW_GROUP) as u32, if emptied { JsValue::NULL } else { value.clone() });
    }
}

/// The keys of the loose shards of a group, as a range.
fn loose_range(group: usize) -> Result<idb::KeyRange, idb::Error> {
    let first = group * SHARDS_PER_ROW_GROUP;
    idb::KeyRange::bound(&shard_key(first), &shard_key(first + SHARDS_PER_ROW_GROUP), None, Some(true))
}

/// Whether a write putting `changed` shards of a group puts the whole group: when it changes
/// many of them, or when it would leave the group with many loose ones (`loose`: the group's
/// loose shards now; `new`: changed shards not among them). Only with a new loose shard does a
/// write need the group's own value otherwise, so it is read then.
fn puts_whole(changed: usize, loose: usize, new: usize) -> bool {
    changed >= WHOLE_GROUP_AT || (new > 0 && loose + new >= 2 * WHOLE_GROUP_AT)
}

/// Loose shards as read: keys and values, by shard.
fn loose_map(keys: Vec<JsValue>, values: Vec<JsValue>) -> std::collections::BTreeMap<usize, JsValue> {
    keys.iter()
        .zip(values)
        .filter_map(|(k, v)| Some((k.as_f64().map(|k| k as usize).filter(|k| *k < SHARD_COUNT)?, v)))
        .collect()
}

/// The shards a group's array holds, with their stored bytes.
fn parts(group: usize, value: &JsValue) -> Vec<(usize, JsValue)> {
    let Some(array) = value.dyn_ref::<js_sys::Array>() else { return Vec::new() };
    let first = group * SHARDS_PER_ROW_GROUP;
    (first..first + SHARDS_PER_ROW_GROUP).filter_map(|shard| Some((shard, part_of(array, shard)?))).collect()
}

/// Version 5's upgrade: the shards of the `shards` store put into their groups, then that store
/// cleared (it keeps loose shards from now on), inside the upgrade transaction. The bytes are
/// moved as they are (sealed or not), never decoded.
fn move_shards_into_groups(tx: &web_sys::IdbTransaction) -> Result<(), JsValue> {
    let old = tx.object_store(SHARDS)?;
    let keys = old.get_all_keys()?;
    let values = old.get_all()?;
    let (tx, keys_request, values_request) = (tx.clone(), keys.clone(), values.clone());
    let moved = wasm_bindgen::closure::Closure::once_into_js(move || {
        let put = || -> Result<(), JsValue> {
            let (keys, values): (js_sys::Array, js_sys::Array) =
                (keys_request.result()?.dyn_into()?, values_request.result()?.dyn_into()?);
            let mut groups: std::collections::BTreeMap<usize, js_sys::Array> = Default::default();
            for (key, value) in keys.iter().zip(values.iter()) {
                let Some(shard) = key.as_f64().map(|k| k as usize).filter(|k| *k < SHARD_COUNT) else { continue };
                let group = groups.entry(group_of(shard)).or_insert_with(empty_group);
                group.set((shard % SHARDS_PER_ROW_GROUP) as u32, value);
            }
            let store = tx.object_store(SHARD_GROUPS)?;
            for (group, array) in groups {
                store.put_with_key(&array, &shard_key(group))?;
            }
            tx.object_store(SHARDS)?.clear().map(drop)
        };
        if put().is_err() {
            let _ = tx.abort();
        }
    });
    values.set_onsuccess(Some(moved.unchecked_ref()));
    Ok(())
}

impl Store {
    /// Opens (creating or upgrading) the workbook database called `name`.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        let factory = Factory::new()?;
        let mut request = factory.open(name, Some(SCHEMA_VERSION))?;
        request.on_upgrade_needed(|event| {
            let (Ok(db), Ok(old)) = (event.database(), event.old_version()) else { return };
            // Each step creates what its version added; data in earlier stores stays as it is.
            if old < 1 {
                let _ = db.create_object_store(SHARDS, ObjectStoreParams::new());
            }
            if old < 2 {
                let _ = db.create_object_store(META, ObjectStoreParams::new());
            }
            if old < 3 {
                let _ = db.create_object_store(SUMMARIES, ObjectStoreParams::new());
            }
            if old < 4 {
                let _ = db.create_object_store(SYNC, ObjectStoreParams::new());
            }
            if old < 5 {
                let _ = db.create_object_store(SHARD_GROUPS, ObjectStoreParams::new());
                // The upgrade is one transaction: if moving the shards fails, the database
                // stays at its old version with every shard where it was.
                let upgrade =
                    idb::Event::target(&event).ok().and_then(|request| idb::request::Request::transaction(&request));
                if let (true, Some(tx)) = (old >= 1, upgrade) {
                    let tx = web_sys::IdbTransaction::from(tx);
                    if move_shards_into_groups(&tx).is_err() {
                        let _ = tx.abort();
                    }
                }
            }
        });
        let raw = web_sys::IdbDatabase::from(request.await?);
        let mut db = Database::from(raw.clone());
        // A newer version of the app opened in another tab needs this connection closed to
        // upgrade the schema; this tab's later writes then fail with a message (nothing half-
        // written) instead of blocking the upgrade.
        let closing = raw.clone();
        db.on_version_change(move |_| closing.close());
        Ok(Store { db, raw, key: std::cell::Cell::new(None) })
    }

    /// A readwrite transaction with relaxed durability: still all-or-nothing, but it completes
    /// once the data is with the operating system instead of waiting for the disk flush, ~4x
    /// faster for the small writes of everyday editing.
    fn write_transaction(&self, stores: &[&str]) -> Result<Transaction, StoreError> {
        let names: js_sys::Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let options = js_sys::Object::new();
        let js_error = |e: JsValue| StoreError::Idb(format!("{e:?}"));
        js_sys::Reflect::set(&options, &"durability".into(), &"relaxed".into()).map_err(js_error)?;
        let open: js_sys::Function =
            js_sys::Reflect::get(&self.raw, &"transaction".into()).map_err(js_error)?.unchecked_into();
        let tx = open.call3(&self.raw, &names, &"readwrite".into(), &options).map_err(js_error)?;
        Ok(Transaction::from(tx.unchecked_into::<web_sys::IdbTransaction>()))
    }

    /// Bytes as stored: sealed when the workbook is locked.
    fn seal_bytes(&self, plain: Vec<u8>) -> Vec<u8> {
        match self.key.get() {
            Some(key) => sealed::seal(&key, random_bytes(), &plain),
            None => plain,
        }
    }

    /// Stored bytes opened; plain bytes pass through.
    fn unseal_bytes(&self, stored: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        if !sealed::is_sealed(&stored) {
            return Ok(stored);
        }
        let key = self.key.get().ok_or(StoreError::Locked)?;
        sealed::open(&key, &stored).map_err(|_| StoreError::Locked)
    }

    fn decode(&self, value: &JsValue, shard: usize) -> Result<Shard, StoreError> {
        decode_shard(&self.unseal_bytes(to_bytes(value))?).map_err(|error| StoreError::Damaged { shard, error })
    }

    /// A meta value as stored: JSON text, sealed into bytes when locked.
    fn meta_value(&self, json: String) -> JsValue {
        match self.key.get() {
            Some(_) => Uint8Array::from(self.seal_bytes(json.into_bytes()).as_slice()).into(),
            None => JsValue::from_str(&json),
        }
    }

    fn meta_json(&self, value: &JsValue) -> Result<Option<String>, StoreError> {
        if let Some(text) = value.as_string() {
            return Ok(Some(text));
        }
        if value.is_instance_of::<Uint8Array>() {
            return Ok(String::from_utf8(self.unseal_bytes(to_bytes(value))?).ok());
        }
        Ok(None)
    }

    pub fn close(&self) {
        self.db.close();
    }

    /// Reads the whole workbook.
    pub async fn load(&self) -> Result<Workbook, StoreError> {
        let (_, mut stored) = self.read(|_| {}).await?;
        let mut workbook = Workbook::default();
        while !self.decode_next(&mut stored, &mut workbook).await? {}
        Ok(workbook)
    }

    /// Reads every shard's list rows and then every shard, in one read transaction (so both are
    /// of the same moment). `listed` gets the rows as soon as they are read, if every stored
    /// shard has readable ones (a workbook from before version 3 has none): the list can be
    /// used while the shards are taken in with `decode_next`. Also says whether rows were complete.
    pub async fn read(
        &self,
        listed: impl FnOnce(Vec<Vec<CustomerSummary>>),
    ) -> Result<(bool, StoredShards), StoreError> {
        let tx = self.db.transaction(&[SUMMARIES, SHARD_GROUPS, SHARDS], TransactionMode::ReadOnly)?;
        let summaries = tx.object_store(SUMMARIES)?;
        let shards = tx.object_store(SHARD_GROUPS)?;
        let loose = tx.object_store(SHARDS)?;
        // Every request is placed now; IndexedDB answers them in this order, so the rows (and
        // whether every shard has them) are known before the shards' bytes arrive.
        let group_keys = shards.get_all_keys(None, None)?.into_future();
        let loose_keys = loose.get_all_keys(None, None)?.into_future();
        let loose_values = loose.get_all(None, None)?.into_future();
        let summary_values = summaries.get_all(None, None)?.into_future();
        let mut groups = std::collections::VecDeque::new();
        for group in 0..SHARD_COUNT / SHARDS_PER_ROW_GROUP {
            groups.push_back((group, shards.get_all(Some(idb::Query::Key(shard_key(group))), None)?.into_future()));
        }
        let group_keys = group_keys.await?;
        let loose = loose_map(loose_keys.await?, loose_values.await?);
        let summary_values = summary_values.await?;
        crate::files::mark("open:rows-read");
        let (rows, readable) = self.summaries_of(summary_values);
        // A stored group (or loose shard) has a customer, and list rows are written in the same
        // transaction as shards: they are complete if the group's rows read back.
        let emptied = |value: &JsValue| value.dyn_ref::<Uint8Array>().is_none_or(|bytes| bytes.length() == 0);
        let complete = group_keys
            .iter()
            .filter_map(|key| key.as_f64().map(|k| k as usize))
            .chain(loose.iter().filter(|(_, v)| !emptied(v)).map(|(s, _)| group_of(*s)))
            .all(|group| readable.get(group).copied().unwrap_or(false));
        if complete {
            listed(rows.into_iter().map(Option::unwrap_or_default).collect());
            crate::files::mark("open:listed");
        }
        Ok((complete, StoredShards { groups, loose }))
    }

    /// Every stored group, its loose shards put in their places (a group may be only loose shards).
    async fn all_groups(
        &self,
        tx: &Transaction,
    ) -> Result<std::collections::BTreeMap<usize, js_sys::Array>, StoreError> {
        let (groups, loose) = (tx.object_store(SHARD_GROUPS)?, tx.object_store(SHARDS)?);
        let group_keys = groups.get_all_keys(None, None)?.into_future();
        let group_values = groups.get_all(None, None)?.into_future();
        let loose_keys = loose.get_all_keys(None, None)?.into_future();
        let loose_values = loose.get_all(None, None)?.into_future();
        let mut all: std::collections::BTreeMap<usize, js_sys::Array> = group_keys
            .await?
            .iter()
            .zip(group_values.await?)
            .filter_map(|(k, v)| Some((k.as_f64().map(|k| k as usize)?, group_array(Some(v)))))
            .collect();
        let loose = loose_map(loose_keys.await?, loose_values.await?);
        for group in loose.keys().map(|s| group_of(*s)).collect::<std::collections::BTreeSet<_>>() {
            with_loose(all.entry(group).or_insert_with(empty_group), &loose, group);
        }
        Ok(all)
    }

    /// The rows of every shard whose row group reads back, and which row groups read back whole.
    /// Rows that cannot be read are left out: they are derived data, recomputed from the shards.
    fn summaries_of(&self, values: Vec<JsValue>) -> (StoredSummaries, Vec<bool>) {
        let mut rows: StoredSummaries = vec![None; SHARD_COUNT];
        let mut readable = vec![false; SHARD_COUNT / SHARDS_PER_ROW_GROUP];
        for value in &values {
            let Ok(parts) = self.row_group(value) else { continue };
            let Some(group) = parts.first().map(|(shard, _)| group_of(*shard)).filter(|g| *g < readable.len()) else {
                continue;
            };
            let mut whole = true;
            for (shard, bytes) in parts {
                let decoded = decode_summaries(&bytes).ok().filter(|_| group_of(shard) == group);
                whole &= decoded.is_some();
                if let Some(decoded) = decoded {
                    rows[shard] = Some(decoded);
                }
            }
            readable[group] = whole;
        }
        (rows, readable)
    }

    /// A stored row group's parts: (shard, packed rows).
    fn row_group(&self, value: &JsValue) -> Result<Vec<(usize, Vec<u8>)>, StoreError> {
        let bytes = self.unseal_bytes(to_bytes(value))?;
        decode_row_group(&bytes).map_err(|error| StoreError::Damaged { shard: usize::MAX, error })
    }

    /// A row group as stored: packed, and sealed when the workbook is locked.
    fn row_group_value(&self, parts: &[(usize, Vec<u8>)]) -> Uint8Array {
        Uint8Array::from(self.seal_bytes(encode_row_group(parts)).as_slice())
    }

    /// Takes the next group of the stored shards into `workbook`. True when none are left.
    pub async fn decode_next(&self, stored: &mut StoredShards, workbook: &mut Workbook) -> Result<bool, StoreError> {
        if let Some((group, values)) = stored.groups.pop_front() {
            let array = group_array(values.await?.pop());
            with_loose(&array, &stored.loose, group);
            for (shard, part) in parts(group, &array) {
                workbook.shards[shard] = self.decode(&part, shard)?;
            }
        }
        if stored.groups.is_empty() {
            crate::files::mark("open:decoded");
        }
        Ok(stored.groups.is_empty())
    }

    /// Writes every shard's list rows from the shards as stored, in one transaction: for a
    /// workbook from before version 3, or one whose stored rows could not be read.
    pub async fn rewrite_summaries(&self) -> Result<(), StoreError> {
        let tx = self.write_transaction(&[SHARD_GROUPS, SHARDS, SUMMARIES])?;
        let summaries = tx.object_store(SUMMARIES)?;
        let stored = self.all_groups(&tx).await?;
        let mut groups: std::collections::BTreeMap<usize, Vec<(usize, Vec<u8>)>> = Default::default();
        for (group, array) in stored {
            for (shard, part) in parts(group, &array) {
                match self.decode(&part, shard) {
                    Ok(decoded) => groups
                        .entry(group)
                        .or_default()
                        .push((shard, encode_summaries(&CustomerSummary::of_shard(&decoded)))),
                    Err(e) => {
                        let _ = tx.abort();
                        return Err(e);
                    }
                }
            }
        }
        summaries.clear()?;
        for (group, parts) in groups {
            summaries.put(&self.row_group_value(&parts), Some(&shard_key(group)))?;
        }
        if !tx.commit()?.await?.is_committed() {
            return Err(StoreError::Idb("the transaction was aborted".into()));
        }
        Ok(())
    }

    /// Puts the touched shards' new rows into their row groups (inside the write's transaction),
    /// given the groups as stored.
    fn write_summaries(
        &self,
        summaries: &idb::ObjectStore,
        written: &[StoredShard],
        mut stored_groups: std::collections::BTreeMap<usize, Option<JsValue>>,
    ) -> Result<(), StoreError> {
        let mut by_group: std::collections::BTreeMap<usize, Vec<&StoredShard>> = Default::default();
        for stored in written {
            by_group.entry(stored.index / SHARDS_PER_ROW_GROUP).or_default().push(stored);
        }
        for (group, changed) in by_group {
            let key = shard_key(group);
            // A group that cannot be read is started again: its other shards' rows are then
            // missing, and the next open recomputes them from the shards.
            let stored = stored_groups.remove(&group).flatten();
            let mut parts = stored.and_then(|value| self.row_group(&value).ok()).unwrap_or_default();
            for shard in changed {
                parts.retain(|(s, _)| *s != shard.index);
                if !shard.rows.is_empty() {
                    parts.push((shard.index, encode_summaries(&shard.rows)));
                }
            }
            parts.sort_by_key(|(s, _)| *s);
            if parts.is_empty() {
                summaries.delete(key)?;
            } else {
                summaries.put(&self.row_group_value(&parts), Some(&key))?;
            }
        }
        Ok(())
    }

    /// Reads some shards (after another tab said it changed them).
    pub async fn read_shards(&self, shards: &[usize]) -> Result<Vec<(usize, Shard)>, StoreError> {
        let tx = self.db.transaction(&[SHARD_GROUPS, SHARDS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(SHARD_GROUPS)?;
        let loose = tx.object_store(SHARDS)?;
        let mut out = Vec::new();
        for &shard in shards {
            let group = group_array(store.get(shard_key(group_of(shard)))?.await?);
            if let Some(value) = loose.get(shard_key(shard))?.await? {
                with_loose(&group, &[(shard, value)].into_iter().collect(), group_of(shard));
            }
            let decoded = match part_of(&group, shard) {
                Some(part) => self.decode(&part, shard)?,
                None => Shard::default(),
            };
            out.push((shard, decoded));
        }
        Ok(out)
    }

    /// Applies `changes` in one readwrite transaction. All of them are written, or, on a
    /// conflict or a failure, none. Returns the new contents of every shard touched.
    /// `settle` updates each changed customer's tier inside the same transaction.
    pub async fn commit(
        &self,
        changes: Vec<Change>,
        now: i64,
        settle: &dyn Fn(&mut CustomerRecord),
    ) -> Result<Vec<StoredShard>, StoreError> {
        self.commit_with_definitions(changes, now, settle, None).await
    }

    /// `commit`, also replacing the tier policy and custom fields in the same transaction
    /// (restoring a backup, or undoing that).
    pub async fn commit_with_definitions(
        &self,
        changes: Vec<Change>,
        now: i64,
        settle: &dyn Fn(&mut CustomerRecord),
        definitions: Option<(&TierPolicy, &[CustomFieldDef])>,
    ) -> Result<Vec<StoredShard>, StoreError> {
        let json = |r: serde_json::Result<String>| r.map_err(|e| StoreError::Idb(e.to_string()));
        let mut meta = Vec::new();
        if let Some((policy, defs)) = definitions {
            meta.push((TIER_POLICY_KEY, json(serde_json::to_string(policy))?));
            meta.push((CUSTOM_FIELDS_KEY, json(serde_json::to_string(defs))?));
        }
        self.commit_with_meta(changes, now, settle, meta, Vec::new()).await
    }

    /// Erases customers: their files and, in the same transaction, every other stored trace
    /// (merge conflicts naming them, what was done with their reminders), adding an anonymous
    /// note to the erasure log.
    pub async fn erase(
        &self,
        changes: Vec<Change>,
        now: i64,
        settle: &dyn Fn(&mut CustomerRecord),
        conflicts: &[MergeConflict],
        handled: &HashMap<String, Handled>,
        note: ErasureNote,
    ) -> Result<Vec<StoredShard>, StoreError> {
        let json = |r: serde_json::Result<String>| r.map_err(|e| StoreError::Idb(e.to_string()));
        let mut log = self.erasures().await?;
        log.push(note);
        let meta = vec![
            (CONFLICTS_KEY, json(serde_json::to_string(conflicts))?),
            (REMINDERS_KEY, json(serde_json::to_string(handled))?),
            (ERASURES_KEY, json(serde_json::to_string(&log))?),
        ];
        self.commit_with_meta(changes, now, settle, meta, Vec::new()).await
    }

    /// Writes what a sync pulled: the customer files, their sync state and the conflicts to
    /// show, in one transaction (files are stored as given: nothing is settled or stamped).
    pub async fn commit_pulled(
        &self,
        changes: Vec<Change>,
        synced: Vec<(CustomerId, SyncedDoc)>,
        conflicts: Option<&[MergeConflict]>,
    ) -> Result<Vec<StoredShard>, StoreError> {
        let mut meta = Vec::new();
        if let Some(conflicts) = conflicts {
            meta.push((CONFLICTS_KEY, serde_json::to_string(conflicts).map_err(|e| StoreError::Idb(e.to_string()))?));
        }
        self.commit_with_meta(changes, crate::state::now_millis(), &|_| {}, meta, synced).await
    }

    /// Every shard's sync state (`SHARD_COUNT` of them) and the named sync values (JSON).
    pub async fn sync_state(&self) -> Result<(Vec<SyncShard>, HashMap<String, String>), StoreError> {
        let tx = self.db.transaction(&[SYNC], TransactionMode::ReadOnly)?;
        let store = tx.object_store(SYNC)?;
        let keys = store.get_all_keys(None, None)?.into_future();
        let values = store.get_all(None, None)?.await?;
        let keys = keys.await?;
        let mut shards = vec![SyncShard::default(); SHARD_COUNT];
        let mut named = HashMap::new();
        for (key, value) in keys.iter().zip(values.iter()) {
            if let Some(shard) = key.as_f64().map(|k| k as usize).filter(|k| *k < SHARD_COUNT) {
                shards[shard] = self.sync_shard(Some(value))?;
            } else if let (Some(name), Some(json)) = (key.as_string(), self.meta_json(value)?) {
                named.insert(name, json);
            }
        }
        Ok((shards, named))
    }

    /// Puts a named sync value (JSON): the checkpoint, this browser's id.
    pub async fn save_sync_value(&self, name: &str, json: String) -> Result<(), StoreError> {
        let tx = self.write_transaction(&[SYNC])?;
        tx.object_store(SYNC)?.put(&self.meta_value(json), Some(&JsValue::from_str(name)))?;
        if !tx.commit()?.await?.is_committed() {
            return Err(StoreError::Idb("the transaction was aborted".into()));
        }
        Ok(())
    }

    /// Writes the sync state of customers the server now has as given (after a push).
    pub async fn save_synced(&self, synced: Vec<(CustomerId, SyncedDoc)>) -> Result<(), StoreError> {
        self.commit_with_meta(Vec::new(), crate::state::now_millis(), &|_| {}, Vec::new(), synced).await.map(drop)
    }

    fn sync_shard(&self, value: Option<&JsValue>) -> Result<SyncShard, StoreError> {
        let Some(value) = value else { return Ok(SyncShard::default()) };
        let bytes = self.unseal_bytes(to_bytes(value))?;
        postcard::from_bytes(&bytes).map_err(|e| StoreError::Damaged {
            shard: usize::MAX,
            error: DecodeError::Corrupt(format!("sync state: {e}")),
        })
    }

    /// The anonymous notes of customers erased.
    pub async fn erasures(&self) -> Result<Vec<ErasureNote>, StoreError> {
        Ok(self.meta(ERASURES_KEY).await?.unwrap_or_default())
    }

    /// `commit`, also putting these (key, JSON) values in the meta store, all in one transaction.
    async fn commit_with_meta(
        &self,
        changes: Vec<Change>,
        now: i64,
        settle: &dyn Fn(&mut CustomerRecord),
        meta_values: Vec<(&str, String)>,
        synced: Vec<(CustomerId, SyncedDoc)>,
    ) -> Result<Vec<StoredShard>, StoreError> {
        crate::files::mark("commit:start");
        let tx = self.write_transaction(&[SHARD_GROUPS, SHARDS, SUMMARIES, META, SYNC])?;
        // A customer deleted here is remembered with the time (a tombstone for sync and backups).
        let deleted: Vec<CustomerId> = changes
            .iter()
            .filter_map(|c| match c {
                Change::DeleteCustomer { id } | Change::Pulled { id, record: None, .. } => Some(*id),
                _ => None,
            })
            .collect();
        let sync_shards: std::collections::BTreeSet<usize> =
            deleted.iter().chain(synced.iter().map(|(id, _)| id)).map(|id| shard_of(*id)).collect();
        let sync_store = tx.object_store(SYNC)?;
        let mut sync_requests = Vec::with_capacity(sync_shards.len());
        for s in sync_shards {
            sync_requests.push((s, sync_store.get(shard_key(s))?.into_future()));
        }
        if !meta_values.is_empty() {
            let meta = tx.object_store(META)?;
            for (key, value) in meta_values {
                meta.put(&self.meta_value(value), Some(&JsValue::from_str(key)))?;
            }
        }
        let store = tx.object_store(SHARD_GROUPS)?;
        let loose_store = tx.object_store(SHARDS)?;
        let summaries = tx.object_store(SUMMARIES)?;
        let wanted = touched_shards(&changes);
        // A shard that loses a customer or a record is put in its whole group, never loose: a
        // loose shard leaves its older bytes in the group, and what the user deleted or erased
        // must leave no trace in storage.
        let forgetting: std::collections::BTreeSet<usize> = changes
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    Change::DeleteCustomer { .. }
                        | Change::DeleteRelated { .. }
                        | Change::ForgetReferrer { .. }
                        | Change::Pulled { record: None, .. }
                )
            })
            .map(Change::shard)
            .collect();
        let forgets = |in_group: &[usize]| in_group.iter().any(|s| forgetting.contains(s));
        // Shards and their list rows are grouped alike: the groups the write rewrites.
        let mut shards_by_group: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for &s in &wanted {
            shards_by_group.entry(group_of(s)).or_default().push(s);
        }
        // The row groups are asked for now, beside the shards, rather than one round trip later;
        // a group whose every shard the write changes (an import) is written afresh, unread.
        let mut group_requests = Vec::with_capacity(shards_by_group.len());
        for (&group, in_group) in &shards_by_group {
            if in_group.len() < SHARDS_PER_ROW_GROUP {
                group_requests.push((group, summaries.get(shard_key(group))?.into_future()));
            }
        }
        // A batch touching many groups (an import) reads them all with one request each.
        let (mut stored, loose) = if shards_by_group.len() > 8 {
            let keys = store.get_all_keys(None, None)?.into_future();
            let values = store.get_all(None, None)?.into_future();
            let loose_keys = loose_store.get_all_keys(None, None)?.into_future();
            let loose_values = loose_store.get_all(None, None)?.into_future();
            let stored: std::collections::BTreeMap<usize, JsValue> = keys
                .await?
                .iter()
                .zip(values.await?)
                .map(|(k, v)| (k.as_f64().map_or(usize::MAX, |k| k as usize), v))
                .collect();
            (stored, loose_map(loose_keys.await?, loose_values.await?))
        } else {
            // The groups' loose shards first: a group (~700 KB at the largest scale) is read
            // only if a shard the write changes is not loose, or if it is to be put whole.
            let mut requests = Vec::with_capacity(shards_by_group.len());
            for &group in shards_by_group.keys() {
                let range = || loose_range(group).map(idb::Query::KeyRange);
                requests.push((
                    loose_store.get_all_keys(Some(range()?), None)?.into_future(),
                    loose_store.get_all(Some(range()?), None)?.into_future(),
                ));
            }
            let mut loose = std::collections::BTreeMap::new();
            for (loose_keys, loose_values) in requests {
                loose.extend(loose_map(loose_keys.await?, loose_values.await?));
            }
            let mut requests = Vec::new();
            for (&group, in_group) in &shards_by_group {
                // The group is needed to put it whole, or to read a changed shard not loose
                // (`puts_whole` asks for the group only in those cases).
                let not_loose = in_group.iter().any(|s| !loose.contains_key(s));
                if in_group.len() >= WHOLE_GROUP_AT || not_loose || forgets(in_group) {
                    requests.push((group, store.get(shard_key(group))?.into_future()));
                }
            }
            let mut stored = std::collections::BTreeMap::new();
            for (group, request) in requests {
                if let Some(value) = request.await? {
                    stored.insert(group, value);
                }
            }
            (stored, loose)
        };
        crate::files::mark("commit:read");
        // Shard by shard: decoded, changed, encoded. A group of which the write changes many
        // shards (or that would hold many loose ones) is put whole, its loose shards cleared;
        // otherwise the changed shards are put loose. An import touching every shard so holds
        // one shard's stored contents at a time beside the changes, not all of them.
        let mut by_shard = changes_by_shard(changes);
        let mut touched = Vec::with_capacity(wanted.len());
        for (group, in_group) in shards_by_group {
            let array = group_array(stored.remove(&group));
            with_loose(&array, &loose, group);
            let first = group * SHARDS_PER_ROW_GROUP;
            let loose_count = loose.range(first..first + SHARDS_PER_ROW_GROUP).count();
            let whole = forgets(&in_group)
                || puts_whole(in_group.len(), loose_count, in_group.iter().filter(|s| !loose.contains_key(s)).count());
            for s in in_group {
                let current = match part_of(&array, s) {
                    Some(part) => self.decode(&part, s),
                    None => Ok(Shard::default()),
                };
                let changes = by_shard.remove(&s).unwrap_or_default();
                let shard = match current {
                    Ok(current) => apply_to_shard(current, changes, now, settle).map_err(StoreError::Conflict),
                    Err(e) => Err(e),
                };
                let shard = match shard {
                    Ok(shard) => shard,
                    Err(e) => {
                        let _ = tx.abort();
                        return Err(e);
                    }
                };
                let bytes = (!shard.records.is_empty())
                    .then(|| Uint8Array::from(self.seal_bytes(encode_shard(&shard)).as_slice()));
                if whole {
                    array.set((s % SHARDS_PER_ROW_GROUP) as u32, bytes.map_or(JsValue::NULL, JsValue::from));
                } else {
                    // An emptied shard is marked as such: its group may still hold it.
                    let value = bytes.unwrap_or_else(|| Uint8Array::new_with_length(0));
                    loose_store.put(&value, Some(&shard_key(s)))?;
                }
                touched.push((s, shard));
            }
            if whole {
                if array.iter().any(|part| part.is_instance_of::<Uint8Array>()) {
                    store.put(&array, Some(&shard_key(group)))?;
                } else {
                    store.delete(shard_key(group))?;
                }
                if loose_count > 0 {
                    loose_store.delete(loose_range(group)?)?;
                }
            }
        }
        // Decoded, changed and put shard by shard: one step for the benches.
        crate::files::mark("commit:shards-put");
        // The list rows, worked out once: stored here and handed to the page with the shards.
        let written: Vec<StoredShard> = touched.into_iter().map(|(s, shard)| StoredShard::of(s, shard)).collect();
        let rows_written = async {
            let mut stored_groups = std::collections::BTreeMap::new();
            for (group, request) in group_requests {
                stored_groups.insert(group, request.await?);
            }
            self.write_summaries(&summaries, &written, stored_groups)
        };
        if let Err(e) = rows_written.await {
            let _ = tx.abort();
            return Err(e);
        }
        let sync_written = async {
            for (s, request) in sync_requests {
                let mut state = self.sync_shard(request.await?.as_ref())?;
                for id in deleted.iter().filter(|id| shard_of(**id) == s) {
                    state.deleted.insert(*id, now);
                }
                for (id, doc) in synced.iter().filter(|(id, _)| shard_of(*id) == s) {
                    state.docs.insert(*id, doc.clone());
                }
                let bytes = postcard::to_stdvec(&state).map_err(|e| StoreError::Idb(e.to_string()))?;
                sync_store.put(&Uint8Array::from(self.seal_bytes(bytes).as_slice()), Some(&shard_key(s)))?;
            }
            Ok::<(), StoreError>(())
        };
        if let Err(e) = sync_written.await {
            let _ = tx.abort();
            return Err(e);
        }
        crate::files::mark("commit:rows-put");
        let result = tx.commit()?.await?;
        crate::files::mark("commit:committed");
        if !result.is_committed() {
            return Err(StoreError::Idb("the transaction was aborted".into()));
        }
        Ok(written)
    }

    /// Deletes every customer file in one transaction.
    pub async fn clear(&self) -> Result<(), StoreError> {
        let tx = self.write_transaction(&[SHARD_GROUPS, SHARDS, SUMMARIES])?;
        tx.object_store(SHARD_GROUPS)?.clear()?;
        tx.object_store(SHARDS)?.clear()?;
        tx.object_store(SUMMARIES)?.clear()?;
        if !tx.commit()?.await?.is_committed() {
            return Err(StoreError::Idb("the transaction was aborted".into()));
        }
        Ok(())
    }

    /// A workbook-wide definition kept as JSON in `meta`; None if never saved.
    async fn meta<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let Some(value) = tx.object_store(META)?.get(JsValue::from_str(key))?.await? else { return Ok(None) };
        Ok(self.meta_json(&value)?.and_then(|json| serde_json::from_str(&json).ok()))
    }

    async fn save_meta<T: serde::Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Idb(e.to_string()))?;
        let tx = self.write_transaction(&[META])?;
        tx.object_store(META)?.put(&self.meta_value(json), Some(&JsValue::from_str(key)))?;
        if !tx.commit()?.await?.is_committed() {
            return Err(StoreError::Idb("the transaction was aborted".into()));
        }
        Ok(())
    }

    /// The workbook lock, if one is set (stored unsealed: salt, iterations, check value).
    pub async fn lock_info(&self) -> Result<Option<LockInfo>, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let value = tx.object_store(META)?.get(JsValue::from_str(LOCK_KEY))?.await?;
        Ok(value.and_then(|v| v.as_string()).and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Takes the key of a passphrase. False (and nothing changes) if it does not open the lock.
    pub fn unlock(&self, info: &LockInfo, key: [u8; 32]) -> bool {
        let right = sealed::open(&key, &info.check).is_ok_and(|text| text == sealed::CHECK_TEXT);
        if right {
            self.key.set(Some(key));
        }
        right
    }

    pub fn is_unlocked(&self) -> bool {
        self.key.get().is_some()
    }

    /// Seals every stored value with a new key (`Some`: lock or change the passphrase) or
    /// opens them all (`None`: remove the lock), in one transaction: all or nothing.
    pub async fn reseal(&self, new: Option<([u8; 32], LockInfo)>) -> Result<(), StoreError> {
        let tx = self.write_transaction(&[SHARD_GROUPS, SHARDS, SUMMARIES, META, SYNC])?;
        let shards = tx.object_store(SHARD_GROUPS)?;
        let summaries = tx.object_store(SUMMARIES)?;
        let meta = tx.object_store(META)?;
        let sync = tx.object_store(SYNC)?;
        let sync_keys = sync.get_all_keys(None, None)?.await?;
        let sync_values = sync.get_all(None, None)?.await?;
        // The loose shards are folded into their groups, written whole below.
        let groups = self.all_groups(&tx).await?;
        let summary_keys = summaries.get_all_keys(None, None)?.await?;
        let summary_values = summaries.get_all(None, None)?.await?;
        let meta_keys = meta.get_all_keys(None, None)?.await?;
        let meta_values = meta.get_all(None, None)?.await?;
        // Open everything with the current key first: a failure leaves the store untouched.
        let mut plain_shards = Vec::new();
        for (group, array) in groups {
            let mut plain = Vec::new();
            for (shard, part) in parts(group, &array) {
                plain.push((shard, self.unseal_bytes(to_bytes(&part))?));
            }
            plain_shards.push((shard_key(group), plain));
        }
        let mut plain_summaries = Vec::new();
        for (k, v) in summary_keys.iter().zip(summary_values.iter()) {
            plain_summaries.push((k.clone(), self.unseal_bytes(to_bytes(v))?));
        }
        let mut plain_sync = Vec::new();
        for (k, v) in sync_keys.iter().zip(sync_values.iter()) {
            // Named values are JSON like meta's; shard states are packed bytes.
            if k.as_string().is_some() {
                if let Some(json) = self.meta_json(v)? {
                    plain_sync.push((k.clone(), Err(json)));
                }
            } else {
                plain_sync.push((k.clone(), Ok(self.unseal_bytes(to_bytes(v))?)));
            }
        }
        let mut plain_meta = Vec::new();
        for (k, v) in meta_keys.iter().zip(meta_values.iter()) {
            if k.as_string().as_deref() != Some(LOCK_KEY) {
                if let Some(json) = self.meta_json(v)? {
                    plain_meta.push((k.clone(), json));
                }
            }
        }
        let previous = self.key.get();
        self.key.set(new.as_ref().map(|(key, _)| *key));
        let write = || -> Result<(), StoreError> {
            tx.object_store(SHARDS)?.clear()?;
            for (k, plain) in plain_shards {
                if plain.is_empty() {
                    // Only emptied shards: the group goes.
                    shards.delete(k)?;
                    continue;
                }
                let group = empty_group();
                for (shard, bytes) in plain {
                    let sealed = Uint8Array::from(self.seal_bytes(bytes).as_slice());
                    group.set((shard % SHARDS_PER_ROW_GROUP) as u32, sealed.into());
                }
                shards.put(&group, Some(&k))?;
            }
            for (k, bytes) in plain_summaries {
                summaries.put(&Uint8Array::from(self.seal_bytes(bytes).as_slice()), Some(&k))?;
            }
            for (k, json) in plain_meta {
                meta.put(&self.meta_value(json), Some(&k))?;
            }
            for (k, value) in plain_sync {
                match value {
                    Ok(bytes) => sync.put(&Uint8Array::from(self.seal_bytes(bytes).as_slice()), Some(&k))?,
                    Err(json) => sync.put(&self.meta_value(json), Some(&k))?,
                };
            }
            match &new {
                Some((_, info)) => {
                    let json = serde_json::to_string(info).map_err(|e| StoreError::Idb(e.to_string()))?;
                    meta.put(&JsValue::from_str(&json), Some(&JsValue::from_str(LOCK_KEY)))?;
                }
                None => {
                    meta.delete(JsValue::from_str(LOCK_KEY))?;
                }
            }
            Ok(())
        };
        let written = write();
        let committed = match written {
            Ok(()) => tx.commit()?.await.map(|r| r.is_committed()).unwrap_or(false),
            Err(_) => {
                let _ = tx.abort();
                false
            }
        };
        if !committed {
            self.key.set(previous);
            return Err(StoreError::Idb("the transaction was aborted".into()));
        }
        Ok(())
    }

    pub async fn custom_fields(&self) -> Result<Vec<CustomFieldDef>, StoreError> {
        Ok(self.meta(CUSTOM_FIELDS_KEY).await?.unwrap_or_default())
    }

    pub async fn save_custom_fields(&self, defs: &[CustomFieldDef]) -> Result<(), StoreError> {
        self.save_meta(CUSTOM_FIELDS_KEY, defs).await
    }

    pub async fn tier_policy(&self) -> Result<Option<TierPolicy>, StoreError> {
        self.meta(TIER_POLICY_KEY).await
    }

    pub async fn save_tier_policy(&self, policy: &TierPolicy) -> Result<(), StoreError> {
        self.save_meta(TIER_POLICY_KEY, policy).await
    }

    /// Values replaced by merges, kept until the user dismisses them.
    /// What the user did with each reminder (done, snoozed, dismissed), by reminder key.
    pub async fn handled_reminders(&self) -> Result<HashMap<String, Handled>, StoreError> {
        Ok(self.meta(REMINDERS_KEY).await?.unwrap_or_default())
    }

    pub async fn save_handled_reminders(&self, handled: &HashMap<String, Handled>) -> Result<(), StoreError> {
        self.save_meta(REMINDERS_KEY, handled).await
    }

    pub async fn conflicts(&self) -> Result<Vec<MergeConflict>, StoreError> {
        Ok(self.meta(CONFLICTS_KEY).await?.unwrap_or_default())
    }

    pub async fn save_conflicts(&self, conflicts: &[MergeConflict]) -> Result<(), StoreError> {
        self.save_meta(CONFLICTS_KEY, conflicts).await
    }
}

/// Asks the browser not to evict the workbook, and reports (used bytes, quota, persisted).
pub async fn storage_status(ask_to_persist: bool) -> Option<(f64, f64, bool)> {
    let manager = web_sys::window()?.navigator().storage();
    let persisted = if ask_to_persist {
        wasm_bindgen_futures::JsFuture::from(manager.persist().ok()?).await.ok()?
    } else {
        wasm_bindgen_futures::JsFuture::from(manager.persisted().ok()?).await.ok()?
    };
    let estimate = wasm_bindgen_futures::JsFuture::from(manager.estimate().ok()?).await.ok()?;
    let get = |name: &str| js_sys::Reflect::get(&estimate, &JsValue::from_str(name)).ok().and_then(|v| v.as_f64());
    Some((get("usage").unwrap_or(0.0), get("quota").unwrap_or(0.0), persisted.as_bool().unwrap_or(false)))
}
