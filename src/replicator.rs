//! One sync with a CouchDB-API database: pull (`_changes` with `style=all_docs` from the
//! checkpoint, `_bulk_get` of the leaves not yet here, each document decided by
//! `domain::replication::pull_customer`, written in one transaction per batch, then the
//! checkpoint), then push (every customer changed here since it was last synced, `_revs_diff`,
//! `_bulk_docs` with `new_edits: false`, then the sync state). Either half resumes after an
//! interruption: the pull from its checkpoint, the push from what is still unsynced.

use std::collections::BTreeMap;

use leptos::prelude::*;

use serde_json::{json, Value};

use crate::couch::{seq_param, Couch, CouchError};
use crate::domain::model::CustomerId;
use crate::domain::replication::{
    customer_doc_id, customer_of_doc, parse_leaf_text, pull_customer, pull_setting, push_customer, push_setting,
    replication_id, resume_from, stamp, Checkpoint, LocalAction, OutDoc, RemoteLeaf, SyncShard, SyncedDoc,
    SyncedSetting, SETTING_DOCS,
};
use crate::domain::tiers::{evaluate, metrics};
use crate::domain::workbook::{shard_of, Change};
use crate::state::AppState;

/// Changes asked for at a time.
const CHANGES_BATCH: usize = 1_000;
/// Documents pulled before they are written (one transaction) and the checkpoint moves on.
const PULL_COMMIT: usize = 25_000;
/// Customers sent per `_bulk_docs`.
const PUSH_BATCH: usize = 500;

#[derive(Clone, Debug, PartialEq)]
pub enum SyncError {
    /// A locked workbook does not sync: the server would see its customers in clear.
    Locked,
    Couch(CouchError),
    Storage(String),
    /// A file changed here between the pull's look at it and its write: nothing was written.
    EditedMeanwhile,
}

impl From<CouchError> for SyncError {
    fn from(e: CouchError) -> Self {
        SyncError::Couch(e)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub sent: usize,
    pub received: usize,
    /// Documents on the server that are not Tierbook customers or did not pass the checks.
    pub skipped: usize,
    /// Where the pull got to (for the live poll).
    pub last_seq: Value,
}

fn storage(e: crate::storage::StoreError) -> SyncError {
    SyncError::Storage(e.to_string())
}

/// Pulls, then pushes. `progress(done, total)` follows the documents handled.
pub async fn sync_once(app: AppState, couch: &Couch, progress: &dyn Fn(usize, usize)) -> Result<Report, SyncError> {
    let store = app.store().ok_or_else(|| SyncError::Storage("no storage".into()))?;
    if store.is_unlocked() {
        return Err(SyncError::Locked);
    }
    let (_, info) = couch.get("").await?;
    let total = info["doc_count"].as_u64().unwrap_or(0) as usize;
    let (mut shards, named) = store.sync_state().await.map_err(storage)?;
    let browser_id = match named.get("browser-id").and_then(|j| serde_json::from_str::<String>(j).ok()) {
        Some(id) => id,
        None => {
            let id: String = crate::storage::random_bytes::<16>().iter().map(|b| format!("{b:02x}")).collect();
            store.save_sync_value("browser-id", json!(id).to_string()).await.map_err(storage)?;
            id
        }
    };
    let rep_id = replication_id(&browser_id, &couch.url);
    let local_key = format!("checkpoint:{rep_id}");
    let local_checkpoint: Option<Checkpoint> = named.get(&local_key).and_then(|j| serde_json::from_str(j).ok());
    let (status, remote) = couch.get(&format!("_local/{rep_id}")).await?;
    let remote_checkpoint: Option<Checkpoint> =
        (status != 404).then(|| serde_json::from_value(remote.clone()).ok()).flatten();
    let mut remote_rev = remote["_rev"].as_str().map(str::to_string);
    let mut since = resume_from(local_checkpoint.as_ref(), remote_checkpoint.as_ref());
    let session_id: String = crate::storage::random_bytes::<8>().iter().map(|b| format!("{b:02x}")).collect();
    let mut report = Report::default();

    // Pull.
    let mut pending = Pending::default();
    loop {
        let path = format!("_changes?style=all_docs&since={}&limit={CHANGES_BATCH}", seq_param(&since));
        let (_, changes) = couch.get(&path).await?;
        let results = changes["results"].as_array().cloned().unwrap_or_default();
        let last_seq = changes["last_seq"].clone();
        let mut wanted: Vec<Value> = Vec::new();
        let mut settings_wanted: Vec<Value> = Vec::new();
        for row in &results {
            if let Some(doc_id) = row["id"].as_str().filter(|d| SETTING_DOCS.contains(d)) {
                for change in row["changes"].as_array().into_iter().flatten() {
                    settings_wanted.push(json!({ "id": doc_id, "rev": change["rev"] }));
                }
                continue;
            }
            let Some(id) = row["id"].as_str().and_then(customer_of_doc) else {
                report.skipped += usize::from(!row["id"].as_str().unwrap_or("_").starts_with('_'));
                continue;
            };
            let revs: Vec<String> = row["changes"]
                .as_array()
                .map(|c| c.iter().filter_map(|r| r["rev"].as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let known = shards[shard_of(id)].docs.get(&id);
            if known.is_some_and(|s| s.losers.is_empty() && revs == [s.rev.clone()]) {
                continue;
            }
            for rev in revs {
                wanted.push(json!({ "id": customer_doc_id(id), "rev": rev }));
            }
        }
        if !wanted.is_empty() {
            let leaves = fetch_leaves(couch, wanted, &mut report).await?;
            decide(app, &shards, leaves, &mut pending);
        }
        if !settings_wanted.is_empty() {
            pull_settings(app, couch, settings_wanted, &named).await?;
        }
        let done = results.is_empty() || last_seq.is_null() || last_seq == since;
        since = if last_seq.is_null() { since } else { last_seq };
        progress(report.received + pending.count, total);
        if pending.count >= PULL_COMMIT || done {
            report.received += pending.count;
            let written = std::mem::take(&mut pending);
            if !written.changes.is_empty() || !written.synced.is_empty() {
                for (id, doc) in &written.synced {
                    shards[shard_of(*id)].docs.insert(*id, doc.clone());
                }
                app.take_pulled(written.changes, written.synced, written.conflicts).await.map_err(|e| match e {
                    // A file edited here while it was being pulled: pulled again, decided again.
                    crate::storage::StoreError::Conflict(_) => SyncError::EditedMeanwhile,
                    other => storage(other),
                })?;
            }
            let checkpoint = Checkpoint { session_id: session_id.clone(), last_seq: since.clone() };
            let mut doc = json!({ "session_id": checkpoint.session_id, "last_seq": checkpoint.last_seq });
            if let Some(rev) = &remote_rev {
                doc["_rev"] = json!(rev);
            }
            // A server that refuses the checkpoint only costs a longer next pull.
            if let Ok(saved) = couch.put(&format!("_local/{rep_id}"), &doc).await {
                remote_rev = saved["rev"].as_str().map(str::to_string);
                let json = serde_json::to_string(&checkpoint).unwrap_or_default();
                store.save_sync_value(&local_key, json).await.map_err(storage)?;
            }
        }
        if done {
            break;
        }
    }
    report.last_seq = since;

    // Push: deletions recorded since the pull started are in storage, not in `shards` yet.
    let (fresh, _) = store.sync_state().await.map_err(storage)?;
    for (s, state) in fresh.into_iter().enumerate() {
        shards[s].deleted = state.deleted;
    }
    let versions = app.shard_versions.get_value();
    let clean = CLEAN.with(|c| c.borrow().as_ref().filter(|(url, _)| *url == couch.url).map(|(_, v)| v.clone()));
    // Shard by shard, sent in batches as they fill: the documents of a large first push are
    // never all in memory at once.
    let mut batch: Vec<(CustomerId, Vec<OutDoc>, SyncedDoc)> = Vec::new();
    let now = crate::state::now_millis();
    for (s, state) in shards.iter().enumerate() {
        if clean.as_ref().is_none_or(|clean| clean[s] != versions[s]) {
            batch.extend(outgoing(app, s, state, now));
        }
        if batch.len() >= PUSH_BATCH || (s + 1 == shards.len() && !batch.is_empty()) {
            let docs: Vec<&OutDoc> = batch.iter().flat_map(|(_, docs, _)| docs).collect();
            bulk_docs(couch, &docs).await?;
            let states: Vec<(CustomerId, SyncedDoc)> = batch.drain(..).map(|(id, _, state)| (id, state)).collect();
            report.sent += states.len();
            store.save_synced(states).await.map_err(storage)?;
            progress(s + 1, shards.len());
        }
    }
    report.sent += push_settings(app, couch).await?;
    // Every shard as it was when scanned is on the server now.
    CLEAN.with(|c| *c.borrow_mut() = Some((couch.url.clone(), versions)));
    Ok(report)
}

/// This browser's value of a workbook-wide document, as JSON.
fn setting_value(app: AppState, doc_id: &str) -> Value {
    match doc_id {
        "settings-tier-policy" => serde_json::to_value(app.policy.get_untracked()).unwrap_or(Value::Null),
        _ => serde_json::to_value(app.custom_fields.get_untracked()).unwrap_or(Value::Null),
    }
}

fn setting_key(doc_id: &str) -> String {
    format!("setting:{doc_id}")
}

/// Takes in the tier policy and custom fields from the server, unless they changed here too.
/// A policy is checked and everyone re-rated under it, as when it is set on the Tiers page.
async fn pull_settings(
    app: AppState,
    couch: &Couch,
    wanted: Vec<Value>,
    named: &std::collections::HashMap<String, String>,
) -> Result<(), SyncError> {
    let store = app.store().ok_or_else(|| SyncError::Storage("no storage".into()))?;
    let answer = couch.post("_bulk_get?revs=true", &json!({ "docs": wanted })).await?;
    let mut winners: BTreeMap<String, (u64, String, Value)> = BTreeMap::new();
    for doc in
        answer["results"].as_array().into_iter().flatten().flat_map(|r| r["docs"].as_array().into_iter().flatten())
    {
        let Some(ok) = doc.get("ok").filter(|d| !d["_deleted"].as_bool().unwrap_or(false)) else { continue };
        let (Some(id), Some(rev)) = (ok["_id"].as_str(), ok["_rev"].as_str()) else { continue };
        let key = (crate::domain::replication::rev_generation(rev).unwrap_or(0), rev.to_string());
        if winners.get(id).is_none_or(|(g, r, _)| (*g, r.clone()) < key) {
            winners.insert(id.to_string(), (key.0, key.1, ok["value"].clone()));
        }
    }
    for (doc_id, (_, rev, remote)) in winners {
        // Read as the app reads it, so that `1` and `1.0` from another writer are one value.
        let remote = match doc_id.as_str() {
            "settings-tier-policy" => serde_json::from_value::<crate::domain::tiers::TierPolicy>(remote)
                .ok()
                .and_then(|p| serde_json::to_value(p).ok()),
            _ => serde_json::from_value::<Vec<crate::domain::model::CustomFieldDef>>(remote)
                .ok()
                .and_then(|d| serde_json::to_value(d).ok()),
        };
        let Some(remote) = remote else { continue };
        let synced: Option<SyncedSetting> = named.get(&setting_key(&doc_id)).and_then(|j| serde_json::from_str(j).ok());
        let (take, state) = pull_setting(&setting_value(app, &doc_id), synced.as_ref(), &rev, &remote);
        if let Some(value) = take {
            if doc_id == "settings-tier-policy" {
                if let Ok(policy) = serde_json::from_value::<crate::domain::tiers::TierPolicy>(value) {
                    app.apply_policy(policy).await;
                }
            } else if let Ok(defs) = serde_json::from_value(value) {
                app.save_custom_fields(defs).await;
            }
        }
        let json = serde_json::to_string(&state).unwrap_or_default();
        store.save_sync_value(&setting_key(&doc_id), json).await.map_err(storage)?;
    }
    Ok(())
}

/// Sends the tier policy and custom fields if they changed here. Returns how many went.
async fn push_settings(app: AppState, couch: &Couch) -> Result<usize, SyncError> {
    let store = app.store().ok_or_else(|| SyncError::Storage("no storage".into()))?;
    let (_, named) = store.sync_state().await.map_err(storage)?;
    let mut sent = 0;
    for doc_id in SETTING_DOCS {
        let synced: Option<SyncedSetting> = named.get(&setting_key(doc_id)).and_then(|j| serde_json::from_str(j).ok());
        let Some((doc, state)) = push_setting(doc_id, &setting_value(app, doc_id), synced.as_ref()) else { continue };
        bulk_docs(couch, &[&doc]).await?;
        store
            .save_sync_value(&setting_key(doc_id), serde_json::to_string(&state).unwrap_or_default())
            .await
            .map_err(storage)?;
        sent += 1;
    }
    Ok(sent)
}

/// Sends documents the server does not have yet (`_revs_diff`, then `_bulk_docs` with
/// `new_edits: false`); a refusal of any is an error.
async fn bulk_docs(couch: &Couch, docs: &[&OutDoc]) -> Result<(), SyncError> {
    let mut asked = serde_json::Map::new();
    for doc in docs {
        if let Some(revs) = asked.entry(doc.id.clone()).or_insert_with(|| json!([])).as_array_mut() {
            revs.push(json!(doc.rev));
        }
    }
    let diff = couch.post("_revs_diff", &Value::Object(asked)).await?;
    let missing: Vec<&str> = docs
        .iter()
        .filter(|d| diff[&d.id]["missing"].as_array().is_some_and(|m| m.iter().any(|r| r.as_str() == Some(&d.rev))))
        .map(|d| d.json.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let body = format!("{{\"new_edits\":false,\"docs\":[{}]}}", missing.join(","));
    let answer: Value = serde_json::from_str(&couch.post_text("_bulk_docs", body).await?).unwrap_or(Value::Null);
    if let Some(error) = answer.as_array().and_then(|a| a.iter().find(|r| r.get("error").is_some())) {
        let reason = error["reason"].as_str().unwrap_or_default().to_string();
        return Err(SyncError::Couch(match error["error"].as_str() {
            Some("forbidden") | Some("unauthorized") => CouchError::Forbidden(reason),
            _ => CouchError::Other(0, reason),
        }));
    }
    Ok(())
}

/// `_bulk_get`'s answer, each document kept as text until it is read as a customer file.
#[derive(serde::Deserialize)]
struct BulkGet<'a> {
    #[serde(borrow)]
    results: Vec<BulkGetResult<'a>>,
}

#[derive(serde::Deserialize)]
struct BulkGetResult<'a> {
    #[serde(borrow)]
    docs: Vec<BulkGetDoc<'a>>,
}

#[derive(serde::Deserialize)]
struct BulkGetDoc<'a> {
    #[serde(borrow, default)]
    ok: Option<&'a serde_json::value::RawValue>,
}

/// Every leaf asked for, by customer, with bodies and `_revisions`.
async fn fetch_leaves(
    couch: &Couch,
    wanted: Vec<Value>,
    report: &mut Report,
) -> Result<BTreeMap<CustomerId, Vec<RemoteLeaf>>, SyncError> {
    let text = couch.post_text("_bulk_get?revs=true", json!({ "docs": wanted }).to_string()).await?;
    let answer: BulkGet =
        serde_json::from_str(&text).map_err(|e| SyncError::Couch(CouchError::BadAnswer(e.to_string())))?;
    let mut leaves: BTreeMap<CustomerId, Vec<RemoteLeaf>> = BTreeMap::new();
    for doc in answer.results.iter().flat_map(|r| &r.docs) {
        match doc.ok.map(|raw| parse_leaf_text(raw.get())) {
            Some(Ok((id, leaf))) => leaves.entry(id).or_default().push(leaf),
            _ => report.skipped += 1,
        }
    }
    Ok(leaves)
}

/// What a pull will write, gathered until the next commit.
#[derive(Default)]
struct Pending {
    changes: Vec<Change>,
    synced: Vec<(CustomerId, SyncedDoc)>,
    conflicts: Vec<crate::domain::backup::Conflict>,
    count: usize,
}

fn decide(app: AppState, shards: &[SyncShard], leaves: BTreeMap<CustomerId, Vec<RemoteLeaf>>, pending: &mut Pending) {
    let policy = app.policy.get_untracked();
    let today = crate::state::today();
    app.workbook.with_untracked(|wb| {
        for (id, leaves) in leaves {
            let state = &shards[shard_of(id)];
            let local = wb.get(id);
            let seen = local.map(stamp);
            let outcome = pull_customer(local, state.deleted.get(&id).copied(), state.docs.get(&id), leaves);
            match outcome.action {
                LocalAction::Keep => {}
                LocalAction::Put(mut record) => {
                    // A fold's tier is worked out from the folded file, never merged as a value.
                    if outcome.folded {
                        let m = metrics(&record, &policy, &app.referral_dates(id), today);
                        record.tier = evaluate(&policy, &record.tier, &m, today, record.customer.customer_since);
                    }
                    pending.changes.push(Change::Pulled { id, record: Some(record), seen })
                }
                LocalAction::Delete => pending.changes.push(Change::Pulled { id, record: None, seen }),
            }
            pending.synced.push((id, outcome.synced));
            pending.conflicts.extend(outcome.conflicts);
            pending.count += 1;
        }
    });
}

/// The customers of one shard with something the server does not have yet: (id, documents,
/// sync state once sent).
fn outgoing(app: AppState, s: usize, state: &SyncShard, now: i64) -> Vec<(CustomerId, Vec<OutDoc>, SyncedDoc)> {
    app.workbook.with_untracked(|wb| {
        let records = &wb.shards[s].records;
        let mut out = Vec::new();
        for (id, record) in records {
            if let Some((docs, after)) = push_customer(*id, Some(record), None, state.docs.get(id), now) {
                out.push((*id, docs, after));
            }
        }
        let gone = state.docs.iter().filter(|(id, _)| !records.contains_key(id));
        for (id, synced) in gone {
            let deleted_at = state.deleted.get(id).copied();
            if let Some((docs, after)) = push_customer(*id, None, deleted_at, Some(synced), now) {
                out.push((*id, docs, after));
            }
        }
        out
    })
}

/// The message for a failed sync, in the page's language.
pub fn error_key(error: &SyncError) -> &'static str {
    match error {
        SyncError::Locked => "sync.error.locked",
        SyncError::Couch(CouchError::Unreachable) => "sync.error.unreachable",
        SyncError::Couch(CouchError::Unauthorized) => "sync.error.unauthorized",
        SyncError::Couch(CouchError::Forbidden(_)) => "sync.error.forbidden",
        SyncError::Couch(CouchError::DatabaseMissing) => "sync.error.missing",
        SyncError::Couch(CouchError::TooLarge) => "sync.error.too-large",
        SyncError::Couch(CouchError::Other(..)) | SyncError::Couch(CouchError::BadAnswer(_)) => "sync.error.server",
        SyncError::Storage(_) | SyncError::EditedMeanwhile => "error.storage",
    }
}

/// Details worth showing after the message (the server's reason).
pub fn error_detail(error: &SyncError) -> String {
    match error {
        SyncError::Couch(CouchError::Forbidden(reason)) => reason.clone(),
        SyncError::Couch(CouchError::Other(status, reason)) => format!("{status} {reason}").trim().to_string(),
        SyncError::Couch(CouchError::BadAnswer(why)) | SyncError::Storage(why) => why.clone(),
        _ => String::new(),
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncPhase {
    #[default]
    Off,
    Syncing,
    Synced,
    Error,
}

impl SyncPhase {
    /// `sync-state`'s `data-state`.
    pub fn code(self) -> &'static str {
        match self {
            SyncPhase::Off => "off",
            SyncPhase::Syncing => "syncing",
            SyncPhase::Synced => "synced",
            SyncPhase::Error => "error",
        }
    }
}

/// What Settings → Sync shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncStatus {
    pub phase: SyncPhase,
    /// The failure, in words (empty unless `Error`).
    pub message: String,
    /// When the last sync succeeded (ms since 1970).
    pub last_ok: Option<i64>,
    pub sent: usize,
    pub received: usize,
    /// Documents on the server left alone: not Tierbook customers, or refused by the checks.
    pub skipped: usize,
    /// Documents handled of how many, while a sync runs.
    pub progress: Option<(usize, usize)>,
    /// Syncs finished (either way) since the page opened.
    pub runs: u64,
}

thread_local! {
    /// The password of this page's session, when the user did not ask to keep it.
    static PASSWORD: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    /// Shard versions (`AppState::shard_versions`) whose files were all on the server at the
    /// end of the last push to this URL.
    static CLEAN: std::cell::RefCell<Option<(String, Vec<u64>)>> = const { std::cell::RefCell::new(None) };
    /// The live loop: where the pull got to, and whether the server said it changed since.
    static LIVE_SINCE: std::cell::RefCell<Option<Value>> = const { std::cell::RefCell::new(None) };
    static SERVER_CHANGED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// One sync at a time; a request during one runs once more after it.
    static RUNNING: std::cell::Cell<(bool, bool)> = const { std::cell::Cell::new((false, false)) };
}

pub fn session_password() -> String {
    PASSWORD.with(|p| p.borrow().clone())
}

pub fn set_session_password(password: &str) {
    PASSWORD.with(|p| *p.borrow_mut() = password.to_string());
}

fn client() -> Option<Couch> {
    let settings = crate::storage::settings::sync_settings();
    if settings.url.trim().is_empty() {
        return None;
    }
    let password = settings.password.clone().unwrap_or_else(|| PASSWORD.with(|p| p.borrow().clone()));
    Some(Couch::new(&settings.url, &settings.user, &password))
}

/// Runs one sync now (or once more after the one running), showing it in `app.sync_status`.
/// Returns where the pull got to, if it succeeded.
pub async fn run_now(app: AppState) -> Option<Value> {
    let (running, _) = RUNNING.with(|r| r.get());
    if running {
        RUNNING.with(|r| r.set((true, true)));
        return None;
    }
    let last = loop {
        RUNNING.with(|r| r.set((true, false)));
        let last = run_one(app).await;
        let (_, again) = RUNNING.with(|r| r.get());
        if !again {
            break last;
        }
    };
    RUNNING.with(|r| r.set((false, false)));
    last
}

async fn run_one(app: AppState) -> Option<Value> {
    let lang = app.lang.get_untracked();
    let Some(couch) = client() else {
        app.sync_status.update(|s| {
            s.phase = SyncPhase::Error;
            s.message = crate::i18n::tr(lang, "sync.error.no-url").to_string();
            s.runs += 1;
        });
        return None;
    };
    app.sync_status.update(|s| {
        s.phase = SyncPhase::Syncing;
        s.progress = None;
    });
    let progress = move |done: usize, total: usize| {
        app.sync_status.update(|s| s.progress = Some((done, total.max(done))));
    };
    let mut result = sync_once(app, &couch, &progress).await;
    for _ in 0..3 {
        if result != Err(SyncError::EditedMeanwhile) {
            break;
        }
        result = sync_once(app, &couch, &progress).await;
    }
    match result {
        Ok(report) => {
            LIVE_SINCE.with(|s| *s.borrow_mut() = Some(report.last_seq.clone()));
            app.sync_status.update(|s| {
                s.phase = SyncPhase::Synced;
                s.message.clear();
                s.last_ok = Some(crate::state::now_millis());
                s.sent += report.sent;
                s.received += report.received;
                s.skipped += report.skipped;
                s.progress = None;
                s.runs += 1;
            });
            Some(report.last_seq)
        }
        Err(error) => {
            let detail = error_detail(&error);
            let text = crate::i18n::tr(lang, error_key(&error));
            app.sync_status.update(|s| {
                s.phase = SyncPhase::Error;
                s.message = if detail.is_empty() { text.to_string() } else { format!("{text} ({detail})") };
                s.progress = None;
                s.runs += 1;
            });
            None
        }
    }
}

/// Keeps syncing while `app.sync_live` is on: a sync whenever this workbook changed or the
/// server's changes feed (a longpoll, `watch_server`) said it did; after a failure it waits
/// longer each time (2 s, 4 s, … up to a minute). Team sync's code is a piece of the wasm of its
/// own (`#[lazy]`), fetched when sync is switched on, not with the list.
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn run_live(app: AppState) {
    leptos::task::spawn_local(watch_server(app));
    let mut synced_revision = None;
    let mut backoff = 0;
    while app.sync_live.get_untracked() {
        let revision = app.revision.get_untracked();
        if SERVER_CHANGED.with(|c| c.get()) || synced_revision != Some(revision) {
            SERVER_CHANGED.with(|c| c.set(false));
            match run_now(app).await {
                Some(_) => {
                    synced_revision = Some(app.revision.get_untracked());
                    backoff = 0;
                }
                None if app.sync_status.get_untracked().phase == SyncPhase::Error => {
                    backoff = (backoff * 2).clamp(2_000, 60_000);
                    crate::state::sleep(backoff).await;
                }
                None => {}
            }
        }
        crate::state::sleep(200).await;
    }
}

/// Waits on the server's changes feed (`feed=longpoll`) from where the last pull got to and
/// raises `SERVER_CHANGED` when something arrives. PouchDB servers ignore the feed's own
/// `timeout`, so the request is ended here after 25 s and asked again.
async fn watch_server(app: AppState) {
    while app.sync_live.get_untracked() {
        let since = LIVE_SINCE.with(|s| s.borrow().clone());
        let (Some(since), Some(couch)) = (since, client()) else {
            crate::state::sleep(500).await;
            continue;
        };
        let path = format!("_changes?feed=longpoll&since={}&limit=1&timeout=20000", seq_param(&since));
        match couch.request("GET", &path, None, 25_000).await {
            Ok((_, changes)) if changes["results"].as_array().is_some_and(|r| !r.is_empty()) => {
                SERVER_CHANGED.with(|c| c.set(true));
                // Asked again once a sync has moved past what this answer reported (or after
                // 5 s, should that sync have failed).
                for _ in 0..50 {
                    if !app.sync_live.get_untracked() || LIVE_SINCE.with(|s| s.borrow().as_ref() != Some(&since)) {
                        break;
                    }
                    crate::state::sleep(100).await;
                }
            }
            Ok(_) => {}
            Err(_) => crate::state::sleep(2_000).await,
        }
    }
}
