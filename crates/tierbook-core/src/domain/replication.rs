//! The pure half of team sync over CouchDB's replication protocol: documents, revision ids,
//! the winning revision, folding two versions of a customer file field by field, and what a
//! pull or a push does with one document given what this browser has. The browser half
//! (`crate::replicator`) only moves JSON over HTTP and writes what these functions decide.
//!
//! Revision tree kept per document: the revision this browser last agreed with the server on
//! (`SyncedDoc::rev`), a digest of the body it had then, and the other open leaves the server
//! showed (to be closed on the next push). A local edit is a pending child of `rev`; a remote
//! descendant of `rev` with local edits pending is folded with them, and the fold is pushed as
//! the child of the remote revision, so the server's tree stays one branch in the usual case.

use std::collections::{BTreeMap, BTreeSet};

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::backup::Conflict;
use super::model::{CustomerId, CustomerRecord, Removed};

/// What the sync state of one customer document records (see the module comment).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncedDoc {
    /// `N-hash` as the server knows it.
    pub rev: String,
    /// Digest of the body of `rev` as this browser stores it (0 for a deletion).
    pub digest: u64,
    /// The latest change time inside that body: changes after it were made since.
    pub stamp: i64,
    pub deleted: bool,
    /// Other live leaves on the server, folded into the local file and closed on the next push.
    pub losers: Vec<String>,
}

/// The sync state of one shard's customers, stored beside the shard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncShard {
    pub docs: BTreeMap<CustomerId, SyncedDoc>,
    /// Customers deleted in this browser, with when: a deletion travels as a tombstone and
    /// loses to edits made after it.
    pub deleted: BTreeMap<CustomerId, i64>,
}

pub const CUSTOMER_PREFIX: &str = "customer-";

pub fn customer_doc_id(id: CustomerId) -> String {
    format!("{CUSTOMER_PREFIX}{id}")
}

pub fn customer_of_doc(doc_id: &str) -> Option<CustomerId> {
    doc_id.strip_prefix(CUSTOMER_PREFIX)?.parse().ok().filter(|id| *id > 0)
}

fn md5_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A revision id as CouchDB forms them: generation, dash, 32 hex digits. Ours are the MD5 of
/// the parent revision and the body, so two browsers writing the same fold get the same id.
pub fn next_rev(parent: Option<&str>, body: &str) -> String {
    let generation = parent.and_then(rev_generation).unwrap_or(0) + 1;
    let parent = parent.unwrap_or("");
    format!("{generation}-{}", md5_hex(&[parent.as_bytes(), b"\n", body.as_bytes()]))
}

pub fn rev_generation(rev: &str) -> Option<u64> {
    rev.split_once('-')?.0.parse().ok()
}

fn rev_hash(rev: &str) -> &str {
    rev.split_once('-').map_or(rev, |(_, hash)| hash)
}

/// `_revisions` of a new revision whose parent the server has.
fn revisions(rev: &str, parent: Option<&str>) -> Value {
    let mut ids = vec![rev_hash(rev).to_string()];
    ids.extend(parent.map(|p| rev_hash(p).to_string()));
    json!({ "start": rev_generation(rev).unwrap_or(1), "ids": ids })
}

/// CouchDB's winning revision: live before deleted, then the higher generation, then the
/// higher revision id.
pub fn winner_order(a: &RemoteLeaf, b: &RemoteLeaf) -> std::cmp::Ordering {
    let key = |l: &RemoteLeaf| (!l.deleted, rev_generation(&l.rev).unwrap_or(0), rev_hash(&l.rev).to_string());
    key(b).cmp(&key(a))
}

/// A digest of a customer file as stored (its packed bytes): tells a file changed since sync.
pub fn digest(record: &CustomerRecord) -> u64 {
    let bytes = postcard::to_stdvec(record).unwrap_or_default();
    let sum = Md5::digest(&bytes);
    u64::from_le_bytes([sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7]]).max(1)
}

/// The latest change time anywhere in a customer file.
pub fn stamp(r: &CustomerRecord) -> i64 {
    let items = r
        .purchases
        .iter()
        .map(|p| p.updated_at)
        .chain(r.feedback.iter().map(|f| f.updated_at))
        .chain(r.interactions.iter().map(|i| i.updated_at))
        .chain(r.campaigns.iter().map(|c| c.updated_at))
        .chain(r.marks.fields.values().copied())
        .chain(r.marks.removed.iter().map(|m| m.at))
        .chain(r.audit.iter().map(|a| a.at));
    items.fold(r.customer.updated_at, i64::max)
}

/// One leaf revision of a document as the server sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteLeaf {
    pub rev: String,
    pub deleted: bool,
    /// The revision hashes from this one back (`_revisions.ids`), newest first.
    pub ancestry: Vec<String>,
    /// The customer file (None for a deletion).
    pub record: Option<CustomerRecord>,
    /// When the customer was deleted (a tombstone's `deleted_at`; 0 if another tool deleted it).
    pub deleted_at: i64,
}

/// Why a document from the server was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocProblem {
    NotACustomer(String),
    Invalid { id: String, message: String },
}

/// One document as `_bulk_get` sends it, read without building a JSON tree of the record.
#[derive(Deserialize)]
struct RawDoc<'a> {
    #[serde(rename = "_id", default)]
    id: String,
    #[serde(rename = "_rev", default)]
    rev: Option<String>,
    #[serde(rename = "_deleted", default)]
    deleted: bool,
    #[serde(rename = "_revisions", default)]
    revisions: Option<RawRevisions>,
    #[serde(borrow, default)]
    record: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    deleted_at: Option<i64>,
}

#[derive(Deserialize)]
struct RawRevisions {
    ids: Vec<String>,
}

/// Reads one `ok` document of `_bulk_get` (or `open_revs`).
pub fn parse_leaf(doc: &Value) -> Result<(CustomerId, RemoteLeaf), DocProblem> {
    parse_leaf_text(&doc.to_string())
}

/// Reads one document from its JSON text, checked like an imported backup's customer.
pub fn parse_leaf_text(text: &str) -> Result<(CustomerId, RemoteLeaf), DocProblem> {
    let doc: RawDoc =
        serde_json::from_str(text).map_err(|e| DocProblem::Invalid { id: String::new(), message: e.to_string() })?;
    let doc_id = doc.id.as_str();
    let id = customer_of_doc(doc_id).ok_or_else(|| DocProblem::NotACustomer(doc_id.to_string()))?;
    let invalid = |message: String| DocProblem::Invalid { id: doc_id.to_string(), message };
    let rev = doc.rev.clone().ok_or_else(|| invalid("no _rev".into()))?;
    let ancestry = doc.revisions.map(|r| r.ids).unwrap_or_else(|| vec![rev_hash(&rev).to_string()]);
    let record = if doc.deleted {
        None
    } else {
        let raw = doc.record.ok_or_else(|| invalid("no record".into()))?;
        let mut record: CustomerRecord = serde_json::from_str(raw.get()).map_err(|e| invalid(e.to_string()))?;
        if record.customer.id != id {
            return Err(invalid(format!("record of customer {} in document {doc_id}", record.customer.id)));
        }
        super::backup::check_values(&record).map_err(|(field, problem)| invalid(format!("{field}: {problem:?}")))?;
        record.audit.truncate(super::workbook::AUDIT_LIMIT);
        Some(record)
    };
    Ok((id, RemoteLeaf { rev, deleted: doc.deleted, ancestry, record, deleted_at: doc.deleted_at.unwrap_or(0) }))
}

/// The body of a customer document (without `_rev`), as pushed: JSON text.
pub fn customer_body(record: &CustomerRecord) -> String {
    #[derive(Serialize)]
    struct Body<'a> {
        _id: String,
        #[serde(rename = "type")]
        kind: &'static str,
        record: &'a CustomerRecord,
    }
    let body = Body { _id: customer_doc_id(record.customer.id), kind: "customer", record };
    serde_json::to_string(&body).unwrap_or_default()
}

fn tombstone_body(id: CustomerId, deleted_at: i64) -> String {
    json!({ "_id": customer_doc_id(id), "_deleted": true, "deleted_at": deleted_at }).to_string()
}

/// A document ready for `_bulk_docs` with `new_edits: false`: id, revision and JSON text.
#[derive(Clone, Debug, PartialEq)]
pub struct OutDoc {
    pub id: String,
    pub rev: String,
    pub json: String,
}

impl OutDoc {
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }
}

/// The body (JSON text of an object whose first key is `_id`) with its revision and
/// `_revisions` put in front.
fn with_rev(id: String, body: String, parent: Option<&str>) -> OutDoc {
    let rev = next_rev(parent, &body);
    let head = format!("{{\"_rev\":{},\"_revisions\":{},", json!(rev), revisions(&rev, parent));
    let json = head + body.strip_prefix('{').unwrap_or(&body);
    OutDoc { id, rev, json }
}

/// Whether this browser holds a change of the customer not yet on the server.
pub fn is_dirty(local: Option<&CustomerRecord>, synced: Option<&SyncedDoc>) -> bool {
    match (local, synced) {
        (Some(r), Some(s)) => s.deleted || digest(r) != s.digest,
        (Some(_), None) => true,
        (None, Some(s)) => !s.deleted,
        (None, None) => false,
    }
}

/// What a pull does to the local copy of one customer.
#[derive(Clone, Debug, PartialEq)]
pub enum LocalAction {
    Keep,
    /// Store this file exactly (the server's version, or the fold of it with local changes).
    Put(Box<CustomerRecord>),
    Delete,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PullOutcome {
    pub action: LocalAction,
    /// The file put is a fold of versions (its tier is then worked out again from it).
    pub folded: bool,
    pub synced: SyncedDoc,
    pub conflicts: Vec<Conflict>,
}

/// What pulling these leaves (every leaf the server listed for the document, with bodies)
/// does here. Deletions win over edits made before them and lose to edits made after.
pub fn pull_customer(
    local: Option<&CustomerRecord>,
    local_deleted_at: Option<i64>,
    synced: Option<&SyncedDoc>,
    mut leaves: Vec<RemoteLeaf>,
) -> PullOutcome {
    let keep = |synced: Option<&SyncedDoc>| PullOutcome {
        action: LocalAction::Keep,
        folded: false,
        synced: synced.cloned().unwrap_or_default(),
        conflicts: Vec::new(),
    };
    leaves.sort_by(winner_order);
    let Some(winner) = leaves.first() else { return keep(synced) };
    let live: Vec<&RemoteLeaf> = leaves.iter().filter(|l| !l.deleted && l.record.is_some()).collect();
    let losers: Vec<String> = live.iter().skip(1).map(|l| l.rev.clone()).collect();
    if synced.is_some_and(|s| s.rev == winner.rev && s.losers == losers) {
        return keep(synced);
    }
    let dirty = is_dirty(local, synced);
    let base = synced.map_or(0, |s| s.stamp);
    let mut conflicts = Vec::new();
    let Some(first) = live.first() else {
        // Deleted on the server.
        let gone = SyncedDoc { rev: winner.rev.clone(), deleted: true, ..Default::default() };
        let action = match local {
            Some(l) if dirty && stamp(l) > winner.deleted_at => LocalAction::Keep,
            Some(_) => LocalAction::Delete,
            None => LocalAction::Keep,
        };
        return PullOutcome { action, folded: false, synced: gone, conflicts };
    };
    let winner_record = first.record.clone().unwrap_or_default();
    let mut remote = winner_record.clone();
    for other in live.iter().skip(1) {
        let (folded, clashes) = fold(&remote, other.record.as_ref().unwrap_or(&remote), base);
        remote = folded;
        conflicts.extend(clashes);
    }
    let now_synced = SyncedDoc {
        rev: first.rev.clone(),
        digest: digest(&winner_record),
        stamp: stamp(&winner_record),
        deleted: false,
        losers,
    };
    let folded = live.len() > 1 || (dirty && local.is_some());
    let action = match local {
        Some(l) if dirty => {
            let (folded, clashes) = fold(l, &remote, base);
            conflicts.extend(clashes);
            if &folded == l {
                LocalAction::Keep
            } else {
                LocalAction::Put(Box::new(folded))
            }
        }
        None if dirty && local_deleted_at.is_some_and(|at| at >= stamp(&remote)) => LocalAction::Keep,
        Some(l) if *l == remote => LocalAction::Keep,
        _ => LocalAction::Put(Box::new(remote)),
    };
    PullOutcome { action, folded, synced: now_synced, conflicts }
}

/// What a push sends for one customer: the documents for `_bulk_docs` (`new_edits: false`)
/// and the sync state once the server has them. None when the server has it all already.
pub fn push_customer(
    id: CustomerId,
    local: Option<&CustomerRecord>,
    deleted_at: Option<i64>,
    synced: Option<&SyncedDoc>,
    now: i64,
) -> Option<(Vec<OutDoc>, SyncedDoc)> {
    let losers = synced.map(|s| s.losers.as_slice()).unwrap_or_default();
    // The digest once: it is most of what a push costs for a file that did not change.
    let local_digest = local.map(digest);
    let dirty = match (local_digest, synced) {
        (Some(d), Some(s)) => s.deleted || d != s.digest,
        (Some(_), None) => true,
        (None, Some(s)) => !s.deleted,
        (None, None) => false,
    };
    if !dirty && losers.is_empty() {
        return None;
    }
    let parent = synced.map(|s| s.rev.as_str());
    let doc_id = customer_doc_id(id);
    let mut docs = Vec::new();
    let state = match (local, dirty) {
        (Some(record), true) => {
            let doc = with_rev(doc_id.clone(), customer_body(record), parent);
            let state = SyncedDoc {
                rev: doc.rev.clone(),
                digest: local_digest.unwrap_or_default(),
                stamp: stamp(record),
                deleted: false,
                losers: Vec::new(),
            };
            docs.push(doc);
            state
        }
        (None, true) => {
            let doc = with_rev(doc_id.clone(), tombstone_body(id, deleted_at.unwrap_or(now)), parent);
            let state = SyncedDoc { rev: doc.rev.clone(), deleted: true, ..Default::default() };
            docs.push(doc);
            state
        }
        _ => SyncedDoc { losers: Vec::new(), ..synced.cloned().unwrap_or_default() },
    };
    // The other branches are closed with a deletion each, so every browser sees one winner.
    for loser in losers {
        docs.push(with_rev(doc_id.clone(), tombstone_body(id, 0), Some(loser)));
    }
    Some((docs, state))
}

/// Folds two versions of one customer file. Card fields: the later change wins (ties go to the
/// larger value, so the result is the same in any order); related records: joined by id, the
/// later version of one both have wins, deletion marks remove records not edited after them.
/// A field changed on both sides since `base` (the last version both sides had) is listed.
pub fn fold(a: &CustomerRecord, b: &CustomerRecord, base: i64) -> (CustomerRecord, Vec<Conflict>) {
    let mut conflicts = Vec::new();
    let card = |r: &CustomerRecord| match serde_json::to_value(&r.customer) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (card_a, card_b) = (card(a), card(b));
    let mut merged_card = card_a.clone();
    let mut fields = a.marks.fields.clone();
    let keys: BTreeSet<&String> = card_a.keys().chain(card_b.keys()).collect();
    for key in keys {
        if key == "updated_at" || key == "id" {
            continue;
        }
        let (va, vb) = (card_a.get(key).unwrap_or(&Value::Null), card_b.get(key).unwrap_or(&Value::Null));
        let (ta, tb) = (a.marks.fields.get(key).copied().unwrap_or(0), b.marks.fields.get(key).copied().unwrap_or(0));
        if va == vb {
            fields.insert(key.clone(), ta.max(tb));
            continue;
        }
        // Unmarked changes (older files, other tools) count as made when the card last changed.
        let (ua, ub) = (a.customer.updated_at, b.customer.updated_at);
        let b_wins = (tb, ub, vb.to_string()) > (ta, ua, va.to_string());
        let (kept, replaced) = if b_wins { (vb, va) } else { (va, vb) };
        if ta > base && tb > base {
            conflicts.push(Conflict {
                customer_id: a.customer.id,
                customer: String::new(),
                what: key.clone(),
                kept: value_text(kept),
                replaced: value_text(replaced),
            });
        }
        merged_card.insert(key.clone(), kept.clone());
        fields.insert(key.clone(), ta.max(tb));
    }
    fields.retain(|_, t| *t > 0);
    merged_card.insert("updated_at".into(), json!(a.customer.updated_at.max(b.customer.updated_at)));
    let mut merged =
        if (b.customer.updated_at, digest(b)) > (a.customer.updated_at, digest(a)) { b.clone() } else { a.clone() };
    merged.customer = serde_json::from_value(Value::Object(merged_card)).unwrap_or_else(|_| merged.customer.clone());
    for c in &mut conflicts {
        c.customer = merged.customer.name.clone();
    }
    let mut removed: Vec<Removed> = a.marks.removed.iter().chain(&b.marks.removed).cloned().collect();
    removed.sort();
    removed.dedup_by(|later, earlier| later.kind == earlier.kind && later.id == earlier.id);
    let removed_at = |kind: &str, id: u64| removed.iter().find(|m| m.kind == kind && m.id == id).map(|m| m.at);
    merged.purchases = join(&a.purchases, &b.purchases, |p| (p.id, p.updated_at, p.date), "purchase", &removed_at);
    merged.feedback = join(&a.feedback, &b.feedback, |f| (f.id, f.updated_at, f.date), "feedback", &removed_at);
    merged.interactions =
        join(&a.interactions, &b.interactions, |i| (i.id, i.updated_at, i.date), "interaction", &removed_at);
    merged.campaigns = join(&a.campaigns, &b.campaigns, |c| (c.id, c.updated_at, c.date), "campaign", &removed_at);
    // Points spent on either side stay spent; tier history and the audit trail are joined.
    let mut redemptions = a.tier.redemptions.clone();
    redemptions.extend(b.tier.redemptions.iter().filter(|r| !a.tier.redemptions.iter().any(|x| x.id == r.id)).cloned());
    redemptions.sort_by_key(|r| (r.date, r.id));
    merged.tier.redemptions = redemptions;
    merged.tier.history = union_sorted(&a.tier.history, &b.tier.history, |h| (h.date, json!(h).to_string()));
    merged.audit = union_sorted(&a.audit, &b.audit, |e| (e.at, json!(e).to_string()));
    let excess = merged.audit.len().saturating_sub(super::workbook::AUDIT_LIMIT);
    merged.audit.drain(..excess);
    merged.marks = super::model::ChangeMarks { fields, removed };
    (merged, conflicts)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Related records of both sides by id: the later version of each (ties: the larger JSON),
/// without those deleted after their last edit, in date order.
fn join<T: Clone + Serialize>(
    a: &[T],
    b: &[T],
    key: impl Fn(&T) -> (u64, i64, super::day::Day),
    kind: &str,
    removed_at: &dyn Fn(&str, u64) -> Option<i64>,
) -> Vec<T> {
    let same = a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json!(x) == json!(y));
    let mut by_id: BTreeMap<u64, &T> = BTreeMap::new();
    for item in a.iter().chain(b) {
        let (id, at, _) = key(item);
        match by_id.get(&id) {
            Some(held) if (key(held).1, json!(held).to_string()) >= (at, json!(item).to_string()) => {}
            _ => {
                by_id.insert(id, item);
            }
        }
    }
    let kept = by_id.into_values().filter(|item| {
        let (id, at, _) = key(item);
        removed_at(kind, id).is_none_or(|removed| at > removed)
    });
    if same && a.iter().all(|item| removed_at(kind, key(item).0).is_none_or(|removed| key(item).1 > removed)) {
        return a.to_vec();
    }
    let mut out: Vec<T> = kept.cloned().collect();
    out.sort_by_key(|item| (key(item).2, key(item).0));
    out
}

fn union_sorted<T: Clone, K: Ord>(a: &[T], b: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut all: Vec<(K, &T)> = a.iter().chain(b).map(|item| (key(item), item)).collect();
    all.sort_by(|x, y| x.0.cmp(&y.0));
    all.dedup_by(|x, y| x.0 == y.0);
    all.into_iter().map(|(_, item)| item.clone()).collect()
}

/// The workbook-wide documents: the tier policy and the custom field definitions.
pub const SETTING_DOCS: [&str; 2] = ["settings-tier-policy", "settings-custom-fields"];

/// What this browser last agreed with the server on for a workbook-wide document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncedSetting {
    pub rev: String,
    /// MD5 of the value's JSON as synced.
    pub digest: String,
}

pub fn value_digest(value: &Value) -> String {
    md5_hex(&[value.to_string().as_bytes()])
}

/// A pulled workbook-wide document: the server's value is taken unless it changed here too,
/// in which case this browser's value stays and is pushed on top (the later sync wins).
pub fn pull_setting(
    local: &Value,
    synced: Option<&SyncedSetting>,
    rev: &str,
    remote: &Value,
) -> (Option<Value>, SyncedSetting) {
    let changed_here = synced.is_none_or(|s| s.digest != value_digest(local));
    let take = (!changed_here || synced.is_none()) && remote != local;
    let keep_local_pending = changed_here && synced.is_some();
    let digest = if keep_local_pending { String::new() } else { value_digest(remote) };
    (take.then(|| remote.clone()), SyncedSetting { rev: rev.to_string(), digest })
}

/// The document to push for a workbook-wide value changed here, and the state after.
pub fn push_setting(doc_id: &str, local: &Value, synced: Option<&SyncedSetting>) -> Option<(OutDoc, SyncedSetting)> {
    let digest = value_digest(local);
    if synced.is_some_and(|s| s.digest == digest) {
        return None;
    }
    let body = json!({ "_id": doc_id, "type": "settings", "value": local }).to_string();
    let doc = with_rev(doc_id.to_string(), body, synced.map(|s| s.rev.as_str()).filter(|r| !r.is_empty()));
    let rev = doc.rev.clone();
    Some((doc, SyncedSetting { rev, digest }))
}

/// The replication checkpoint kept in `_local/<id>` on the server and beside the workbook.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub session_id: String,
    /// The server's opaque sequence value: a string from CouchDB, a number from PouchDB.
    pub last_seq: Value,
}

/// The replication id of this browser's pull from `url`.
pub fn replication_id(browser_id: &str, url: &str) -> String {
    md5_hex(&[browser_id.as_bytes(), b"\n", url.trim_end_matches('/').as_bytes(), b"\npull"])
}

/// Where to resume: the checkpoint both sides agree on, else from the start (safe: a batch
/// pulled twice changes nothing the second time).
pub fn resume_from(local: Option<&Checkpoint>, remote: Option<&Checkpoint>) -> Value {
    match (local, remote) {
        (Some(l), Some(r)) if l.session_id == r.session_id => l.last_seq.clone(),
        _ => json!(0),
    }
}

#[cfg(test)]
#[path = "replication_tests.rs"]
mod tests;
