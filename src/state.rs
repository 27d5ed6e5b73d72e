//! Shared UI state: a small `Copy` struct of signals, provided as context. The in-memory
//! workbook only ever takes what storage committed, so it always equals what is stored.

use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::domain::codes::CodeIndex;
use crate::domain::customer_list::CustomerSummary;
use crate::domain::day::Day;
use crate::domain::model::{CustomFieldDef, CustomerId};
use crate::domain::tiers::{preset, TierPolicy};
use crate::domain::workbook::{Change, Conflict, Shard, Workbook, SHARD_COUNT};
use crate::domain::write_path::{self, ImportUndo, PlannedUndo, ReferralIndex, StoredShard};
use crate::i18n::{tr, Lang};
use crate::storage::{Store, StoreError};
use crate::sync::TabSync;

pub use crate::route::Page;

#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    /// Where the user is (the URL); also its own context for components that need only that.
    pub nav: crate::router::Navigator,
    pub workbook: RwSignal<Workbook>,
    /// One list row per customer, per shard.
    pub summaries: RwSignal<Vec<Vec<CustomerSummary>>>,
    pub custom_fields: RwSignal<Vec<CustomFieldDef>>,
    pub policy: RwSignal<TierPolicy>,
    /// The last import: what it did and how to undo it, kept while the user looks elsewhere.
    pub last_import: RwSignal<Option<LastImport>>,
    /// Values replaced by merging a colleague's backup, until the user dismisses them.
    pub conflicts: RwSignal<Vec<crate::domain::backup::Conflict>>,
    /// Milliseconds the last evaluation of every customer took (computing only, not writing).
    pub last_evaluation_ms: RwSignal<Option<f64>>,
    /// Counts changes to the workbook, so analyses know when they are out of date.
    pub revision: RwSignal<u64>,
    /// The date every analytics figure is computed as of (`analysis-as-of`).
    pub as_of: RwSignal<Day>,
    /// The latest analysis (Dashboard, Analytics, segment on the card and in the list).
    pub analysis: RwSignal<Option<std::sync::Arc<crate::analysis::Analysis>>>,
    /// Which customers the analysis covers: a tier id, or "" for everyone.
    pub scope: RwSignal<String>,
    /// The (date, revision, scope) being analysed right now, so a second request waits for it.
    pub(crate) analysing: StoredValue<Option<crate::analysis::Key>>,
    /// Where opening the workbook is: the pages show only once it is `Ready`.
    pub lifecycle: RwSignal<Lifecycle>,
    /// What `error-message` shows; None hides it.
    pub error: RwSignal<Option<String>>,
    /// True while a write is on its way to storage (buttons wait for it).
    pub saving: RwSignal<bool>,
    /// Team sync: what Settings → Sync shows, and whether to keep syncing.
    pub sync_status: RwSignal<crate::replicator::SyncStatus>,
    pub sync_live: RwSignal<bool>,
    /// Per shard, how many times memory took in a new version of it: what lets a sync look
    /// only at the shards that changed since it last found them all sent.
    pub shard_versions: StoredValue<Vec<u64>>,
    /// Successful referrals per referrer, kept up to date with the shards (shared with a write
    /// in progress, so it is swapped rather than changed in place while one runs).
    referrals: StoredValue<Rc<ReferralIndex>, LocalStorage>,
    /// Who holds each customer code, kept up to date with the list rows once built (at the
    /// first lookup, not while the workbook opens).
    codes: StoredValue<Option<CodeIndex>, LocalStorage>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    sync: StoredValue<Option<Rc<TabSync>>, LocalStorage>,
}

/// Opening the workbook, one state at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum Lifecycle {
    /// Storage is being opened and read.
    Opening,
    /// The workbook is sealed and waits for its passphrase.
    Locked(crate::domain::sealed::LockInfo),
    /// The stored list rows are read and the customers list can be used; the customer files
    /// are still being decoded (other pages wait for `Ready`).
    Listing,
    /// Loaded: the pages can be used.
    Ready,
    /// Storage could not be opened (`error-message` says why).
    Failed,
}

/// What the last import did, and the changes that put the workbook back as it was before it.
#[derive(Clone, Debug, PartialEq)]
pub struct LastImport {
    pub counts: crate::domain::import::Counts,
    /// None once undone.
    pub undo: Option<ImportUndo>,
    /// The policy and custom fields before a restore, put back by the undo too.
    pub definitions_before: Option<(TierPolicy, Vec<CustomFieldDef>)>,
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// Today in the user's time zone.
pub fn today() -> Day {
    let now = js_sys::Date::new_0();
    Day::from_ymd(now.get_full_year() as i32, now.get_month() + 1, now.get_date()).unwrap_or_default()
}

pub fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

/// A seed from the browser's cryptographic random source (for internal ids that must not
/// collide across browsers).
pub fn random_seed() -> u64 {
    u64::from_le_bytes(crate::storage::random_bytes::<8>())
}

impl AppState {
    pub fn new(lang: Lang) -> AppState {
        let lang = RwSignal::new(lang);
        AppState {
            lang,
            nav: crate::router::Navigator::start(lang),
            workbook: RwSignal::new(Workbook::default()),
            summaries: RwSignal::new(vec![Vec::new(); SHARD_COUNT]),
            custom_fields: RwSignal::new(Vec::new()),
            policy: RwSignal::new(default_policy()),
            conflicts: RwSignal::new(Vec::new()),
            last_import: RwSignal::new(None),
            last_evaluation_ms: RwSignal::new(None),
            revision: RwSignal::new(0),
            as_of: RwSignal::new(today()),
            analysis: RwSignal::new(None),
            analysing: StoredValue::new(None),
            scope: RwSignal::new(String::new()),
            lifecycle: RwSignal::new(Lifecycle::Opening),
            error: RwSignal::new(None),
            saving: RwSignal::new(false),
            sync_status: RwSignal::new(Default::default()),
            sync_live: RwSignal::new(false),
            shard_versions: StoredValue::new(vec![0; SHARD_COUNT]),
            referrals: StoredValue::new_local(Rc::new(ReferralIndex::default())),
            codes: StoredValue::new_local(None),
            store: StoredValue::new_local(None),
            sync: StoredValue::new_local(None),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        tr(self.lang.get(), key)
    }

    /// The words after a count of `n` ("1 customer", "2 customers").
    pub fn t_count(&self, key: &str, n: u64) -> &'static str {
        crate::texts::tr_count(self.lang.get(), key, n)
    }

    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.get_value()
    }

    pub fn go(&self, page: Page) {
        self.error.set(None);
        self.nav.go(page);
    }

    pub fn show_error(&self, message: String) {
        self.error.set(Some(message));
    }

    /// Opens storage, loads the workbook and starts listening to other tabs. A locked workbook
    /// waits for its passphrase (`unlock`) first.
    pub async fn start(self, db_name: &str) {
        let store = match Store::open(db_name).await {
            Ok(store) => Rc::new(store),
            Err(e) => {
                self.show_error(format!("{}: {e}", tr(self.lang.get_untracked(), "error.open")));
                self.lifecycle.set(Lifecycle::Failed);
                return;
            }
        };
        if let Ok(Some(info)) = store.lock_info().await {
            self.store.set_value(Some(store));
            self.lifecycle.set(Lifecycle::Locked(info));
            return;
        }
        self.load(store, db_name.to_string()).await;
    }

    /// Tries a passphrase on the locked workbook. A wrong one changes nothing and shows why.
    pub async fn unlock(self, passphrase: String) {
        let (Some(store), Lifecycle::Locked(info)) = (self.store(), self.lifecycle.get_untracked()) else { return };
        self.saving.set(true);
        let key = crate::lock::derive_key(&passphrase, &info.salt, info.iterations).await;
        self.saving.set(false);
        match key {
            Ok(key) if store.unlock(&info, key) => {
                self.lifecycle.set(Lifecycle::Opening);
                self.error.set(None);
                self.load(store, crate::app::DB_NAME.to_string()).await;
            }
            _ => self.show_error(self.t("lock.wrong").to_string()),
        }
    }

    /// Locks the workbook with a passphrase (or, with None, removes the lock): every stored
    /// value is sealed again in one transaction.
    pub async fn set_lock(self, passphrase: Option<String>) -> bool {
        let Some(store) = self.store() else { return false };
        let new = match passphrase {
            Some(passphrase) => {
                let salt: [u8; 16] = crate::storage::random_bytes();
                let iterations = crate::domain::sealed::ITERATIONS;
                let Ok(key) = crate::lock::derive_key(&passphrase, &salt, iterations).await else { return false };
                let check = crate::domain::sealed::seal(
                    &key,
                    crate::storage::random_bytes(),
                    crate::domain::sealed::CHECK_TEXT,
                );
                Some((key, crate::domain::sealed::LockInfo { salt: salt.to_vec(), iterations, check }))
            }
            None => None,
        };
        self.saving.set(true);
        let result = store.reseal(new).await;
        self.saving.set(false);
        match result {
            Ok(()) => true,
            Err(e) => {
                self.show_error(format!("{}: {e}", self.t("error.storage")));
                false
            }
        }
    }

    async fn load(self, store: Rc<Store>, db_name: String) {
        crate::files::mark("open:start");
        let db_name = db_name.as_str();
        let open_error =
            move |e: StoreError| self.show_error(format!("{}: {e}", tr(self.lang.get_untracked(), "error.open")));
        // The small workbook-wide values first: the list's tier chips need the policy.
        if let Ok(defs) = store.custom_fields().await {
            self.custom_fields.set(defs);
        }
        if let Ok(conflicts) = store.conflicts().await {
            self.conflicts.set(conflicts);
        }
        match store.tier_policy().await {
            Ok(Some(policy)) => self.policy.set(policy),
            // A first-time workbook starts with a sensible default, saved so it stays put.
            Ok(None) => {
                let _ = store.save_tier_policy(&self.policy.get_untracked()).await;
            }
            Err(e) => open_error(e),
        }
        crate::files::mark("open:meta");
        // The stored list rows come first and the list can be used at once; the customer files
        // are decoded after, a few shards at a time so that typing in the search stays smooth.
        let listed = move |rows| {
            self.set_summaries(rows);
            self.lifecycle.set(Lifecycle::Listing);
        };
        let mut rows_complete = true;
        match store.read(listed).await {
            Ok((complete, mut stored)) => {
                rows_complete = complete;
                let mut workbook = Workbook::default();
                let decoded = loop {
                    match store.decode_next(&mut stored, &mut workbook).await {
                        Ok(true) => break Ok(workbook),
                        Ok(false) if complete => next_task().await,
                        Ok(false) => {}
                        Err(e) => break Err(e),
                    }
                };
                match decoded {
                    Ok(workbook) => {
                        if !complete {
                            self.set_summaries(workbook.shards.iter().map(CustomerSummary::of_shard).collect());
                        }
                        self.referrals.set_value(Rc::new(ReferralIndex::of(&workbook)));
                        self.workbook.set(workbook);
                        self.revision.update(|r| *r += 1);
                    }
                    Err(e) => {
                        // Nothing listed that cannot be opened.
                        self.set_summaries(vec![Vec::new(); SHARD_COUNT]);
                        open_error(e);
                    }
                }
            }
            Err(e) => open_error(e),
        }
        self.store.set_value(Some(store.clone()));
        // Ask once at start that the browser never evicts the workbook; Settings shows the answer.
        leptos::task::spawn_local(async {
            crate::storage::storage_status(true).await;
        });
        self.sync.set_value(TabSync::listen(db_name, move |shards| {
            leptos::task::spawn_local(self.reload_shards(shards));
        }));
        self.lifecycle.set(Lifecycle::Ready);
        crate::files::mark("open:ready");
        if crate::storage::settings::sync_settings().live {
            self.sync_live.set(true);
            leptos::task::spawn_local(crate::replicator::run_live(self));
        }
        // Periodic re-evaluation (reviews that came due since the last visit, first ratings),
        // once the list has been painted: it takes ~0.1 s at 100,000 customers.
        after_next_paint().await;
        self.evaluate_everyone(false).await;
        if !rows_complete && self.workbook.with_untracked(|wb| wb.shards.iter().any(|s| !s.records.is_empty())) {
            // A workbook from before stored list rows (or with unreadable ones) gets them once.
            if let Err(e) = store.rewrite_summaries().await {
                open_error(e);
            }
        }
    }

    /// First-purchase days of the customers this one referred (successful referrals).
    pub fn referral_dates(&self, id: CustomerId) -> Vec<Day> {
        self.referrals.with_value(|index| index.dates(id))
    }

    /// Evaluates every customer as of today (or re-rates them under the current policy) and
    /// writes the tiers that changed, in one transaction.
    pub async fn evaluate_everyone(self, rerate: bool) -> usize {
        let policy = self.policy.get_untracked();
        let started = js_sys::Date::now();
        let changes = self.workbook.with_untracked(|wb| write_path::evaluation(&policy, wb, today(), rerate));
        self.last_evaluation_ms.set(Some(js_sys::Date::now() - started));
        let count = changes.len();
        if count > 0 {
            self.commit(changes).await;
        }
        count
    }

    /// Validates, saves and applies a tier policy, re-rating everyone. False if refused.
    pub async fn apply_policy(self, policy: TierPolicy) -> Option<usize> {
        let started = js_sys::Date::now();
        let rated = self.workbook.with_untracked(|wb| write_path::policy_changes(&policy, wb, today()));
        // The re-rating's own time (the page showed the last start's evaluation instead).
        self.last_evaluation_ms.set(Some(js_sys::Date::now() - started));
        let changes = match rated {
            Ok(changes) => changes,
            Err(e) => {
                self.show_error(crate::i18n::policy_error(self.lang.get_untracked(), &e, &policy));
                return None;
            }
        };
        let store = self.store()?;
        if let Err(e) = store.save_tier_policy(&policy).await {
            self.show_error(format!("{}: {e}", self.t("error.storage")));
            return None;
        }
        self.policy.set(policy);
        let count = changes.len();
        if count > 0 {
            self.commit(changes).await;
        }
        Some(count)
    }

    /// Every shard's list rows at once (the workbook opened).
    fn set_summaries(&self, rows: Vec<Vec<CustomerSummary>>) {
        self.codes.set_value(None);
        self.summaries.set(rows);
    }

    /// The customer, other than `except`, who holds this code.
    pub fn code_holder(&self, code: &str, except: Option<CustomerId>) -> Option<CustomerId> {
        if self.codes.with_value(Option::is_none) {
            let index = self.summaries.with_untracked(|rows| CodeIndex::of(rows));
            self.codes.set_value(Some(index));
        }
        self.codes.with_value(|index| index.as_ref().and_then(|index| index.holder(code, except)))
    }

    /// Takes in shards as storage holds them now, with their list rows.
    fn take_shards(&self, shards: Vec<StoredShard>) {
        self.take_shards_keeping(shards, false);
    }

    /// `take_shards`, handing back the shards replaced if `keep` (the files as they were
    /// before a write, for its undo); otherwise they are dropped.
    fn take_shards_keeping(&self, mut shards: Vec<StoredShard>, keep: bool) -> BTreeMap<usize, Shard> {
        self.touch_shards(shards.iter().map(|s| s.index));
        let mut old_rows = Vec::with_capacity(shards.len());
        self.summaries.update(|all| {
            for stored in &mut shards {
                old_rows.push(std::mem::replace(&mut all[stored.index], std::mem::take(&mut stored.rows)));
            }
            let changed: Vec<(usize, &[CustomerSummary])> =
                shards.iter().map(|s| (s.index, all[s.index].as_slice())).collect();
            self.codes.update_value(|index| {
                if let Some(index) = index {
                    index.update(&changed);
                }
            });
        });
        self.referrals.update_value(|index| Rc::make_mut(index).update(&shards));
        let mut replaced = BTreeMap::new();
        self.workbook.update(|wb| {
            for stored in shards {
                let old = std::mem::replace(&mut wb.shards[stored.index], stored.shard);
                if keep {
                    replaced.insert(stored.index, old);
                }
            }
        });
        self.revision.update(|r| *r += 1);
        // Freed once the result is on screen: 100,000 rows' strings took ~45 ms to free.
        leptos::task::spawn_local(async move {
            after_next_paint().await;
            drop(old_rows);
        });
        replaced
    }

    fn touch_shards(&self, shards: impl Iterator<Item = usize>) {
        self.shard_versions.update_value(|versions| {
            for s in shards {
                versions[s] += 1;
            }
        });
    }

    async fn reload_shards(self, shards: Vec<usize>) {
        let Some(store) = self.store() else { return };
        match store.read_shards(&shards).await {
            Ok(fresh) => self.take_shards(fresh.into_iter().map(|(s, shard)| StoredShard::of(s, shard)).collect()),
            Err(e) => self.show_error(format!("{}: {e}", self.t("error.open"))),
        }
    }

    /// Erases a customer and every trace of them, in one transaction: their file, the note of
    /// them as referrer, merge conflicts naming them and what was done with their reminders;
    /// the undo of the last import (it may hold their file) and the analysis are dropped.
    pub async fn erase(self, id: CustomerId) -> bool {
        let Some(store) = self.store() else { return false };
        let handled = store.handled_reminders().await.unwrap_or_default();
        let plan = self.conflicts.with_untracked(|conflicts| {
            self.workbook.with_untracked(|wb| write_path::erasure_of(wb, id, conflicts, handled))
        });
        let shards: Vec<usize> = crate::domain::workbook::touched_shards(&plan.changes).into_iter().collect();
        let note = crate::storage::ErasureNote { at: now_millis(), records: plan.records };
        let policy = self.policy.get_untracked();
        let referrals = self.referrals.get_value();
        let conflicts = plan.conflicts;
        self.saving.set(true);
        let result = {
            let settle = write_path::tier_settler(&policy, &referrals, today(), plan.changes.len());
            store.erase(plan.changes, now_millis(), &settle, &conflicts, &plan.handled, note).await
        };
        drop(referrals);
        self.saving.set(false);
        match result {
            Ok(written) => {
                self.conflicts.set(conflicts);
                self.last_import.set(None);
                self.analysis.set(None);
                self.take_shards(written);
                if let Some(sync) = self.sync.get_value() {
                    sync.announce(&shards);
                }
                true
            }
            Err(e) => {
                self.show_error(format!("{}: {e}", self.t("error.storage")));
                false
            }
        }
    }

    /// Writes `changes` as one transaction. On success memory takes the stored result and
    /// other tabs are told; on failure `error-message` says why and memory is untouched.
    pub async fn commit(self, changes: Vec<Change>) -> bool {
        self.commit_with_definitions(changes, None).await
    }

    /// `commit`, also replacing the tier policy and custom fields in the same transaction
    /// (a backup restored as it is, or that undone): nothing is re-rated.
    pub async fn commit_with_definitions(
        self,
        changes: Vec<Change>,
        definitions: Option<(TierPolicy, Vec<CustomFieldDef>)>,
    ) -> bool {
        self.commit_keeping(changes, definitions, false).await.is_some()
    }

    /// `commit_with_definitions` of an import, handing back what undoing it puts back (with the
    /// files it changed as the workbook had them, if the plan asks for them: `PlannedUndo`).
    /// None if nothing was written.
    pub async fn commit_import(
        self,
        changes: Vec<Change>,
        definitions: Option<(TierPolicy, Vec<CustomFieldDef>)>,
        undo: PlannedUndo,
    ) -> Option<ImportUndo> {
        let keep = undo.needs_replaced();
        let replaced = self.commit_keeping(changes, definitions, keep).await?;
        Some(undo.written(replaced))
    }

    /// The shards the write replaced in the page's workbook if `keep` (else none); None if
    /// nothing was written.
    async fn commit_keeping(
        self,
        changes: Vec<Change>,
        definitions: Option<(TierPolicy, Vec<CustomFieldDef>)>,
        keep: bool,
    ) -> Option<BTreeMap<usize, Shard>> {
        let store = self.store()?;
        let shards: Vec<usize> = crate::domain::workbook::touched_shards(&changes).into_iter().collect();
        // Tiers of the customers a change touches are settled in the same transaction.
        let policy = self.policy.get_untracked();
        let referrals = self.referrals.get_value();
        self.saving.set(true);
        let definitions_ref = definitions.as_ref().map(|(p, d)| (p, d.as_slice()));
        let result =
            write_path::commit(&*store, &policy, &referrals, changes, definitions_ref, today(), now_millis()).await;
        drop(referrals);
        self.saving.set(false);
        match result {
            Ok(written) => {
                if let Some((policy, defs)) = definitions {
                    self.policy.set(policy);
                    self.custom_fields.set(defs);
                }
                let replaced = self.take_shards_keeping(written, keep);
                crate::files::mark("commit:taken");
                if let Some(sync) = self.sync.get_value() {
                    sync.announce(&shards);
                }
                self.error.set(None);
                Some(replaced)
            }
            Err(StoreError::Conflict(conflict)) => {
                let key = match conflict {
                    Conflict::ChangedElsewhere => "error.changed-elsewhere",
                    Conflict::CustomerMissing => "error.customer-missing",
                    Conflict::NumberTaken(_) => "error.number-taken",
                };
                self.reload_shards(shards).await;
                self.show_error(self.t(key).to_string());
                None
            }
            Err(e) => {
                self.show_error(format!("{}: {e}", self.t("error.storage")));
                None
            }
        }
    }

    /// Writes what a sync pulled (files as given, their sync state, new conflicts beside the
    /// ones not yet dismissed) in one transaction; memory and other tabs follow.
    pub async fn take_pulled(
        self,
        changes: Vec<Change>,
        synced: Vec<(CustomerId, crate::domain::replication::SyncedDoc)>,
        new_conflicts: Vec<crate::domain::backup::Conflict>,
    ) -> Result<(), StoreError> {
        let Some(store) = self.store() else { return Err(StoreError::Idb("no storage".into())) };
        let shards: Vec<usize> = crate::domain::workbook::touched_shards(&changes).into_iter().collect();
        let conflicts = (!new_conflicts.is_empty()).then(|| {
            let mut all = self.conflicts.get_untracked();
            all.extend(new_conflicts);
            all
        });
        let synced_shards: Vec<usize> = synced.iter().map(|(id, _)| crate::domain::workbook::shard_of(*id)).collect();
        let written = store.commit_pulled(changes, synced, conflicts.as_deref()).await?;
        // A changed sync state can leave a file to send (a deletion lost to a newer edit here).
        self.touch_shards(synced_shards.into_iter());
        if let Some(conflicts) = conflicts {
            self.conflicts.set(conflicts);
        }
        if !written.is_empty() {
            self.analysis.set(None);
            self.take_shards(written);
            if let Some(sync) = self.sync.get_value() {
                sync.announce(&shards);
            }
        }
        Ok(())
    }

    /// Customers deleted in this browser, with when (for backups and their merges).
    pub async fn deletions(self) -> crate::domain::backup::Deletions {
        let Some(store) = self.store() else { return Default::default() };
        match store.sync_state().await {
            Ok((shards, _)) => shards.into_iter().flat_map(|s| s.deleted).collect(),
            Err(_) => Default::default(),
        }
    }

    /// Empties the workbook (one transaction) and tells other tabs.
    pub async fn clear(self) {
        let Some(store) = self.store() else { return };
        match store.clear().await {
            Ok(()) => {
                self.take_shards((0..SHARD_COUNT).map(|index| StoredShard { index, ..Default::default() }).collect());
                if let Some(sync) = self.sync.get_value() {
                    sync.announce(&(0..SHARD_COUNT).collect::<Vec<_>>());
                }
            }
            Err(e) => self.show_error(format!("{}: {e}", self.t("error.storage"))),
        }
    }

    /// Keeps the merge conflicts the user has not dismissed yet.
    pub async fn save_conflicts(self, conflicts: Vec<crate::domain::backup::Conflict>) {
        let Some(store) = self.store() else { return };
        match store.save_conflicts(&conflicts).await {
            Ok(()) => self.conflicts.set(conflicts),
            Err(e) => self.show_error(format!("{}: {e}", self.t("error.storage"))),
        }
    }

    pub async fn save_custom_fields(self, defs: Vec<CustomFieldDef>) {
        let Some(store) = self.store() else { return };
        match store.save_custom_fields(&defs).await {
            Ok(()) => self.custom_fields.set(defs),
            Err(e) => self.show_error(format!("{}: {e}", self.t("error.storage"))),
        }
    }
}

/// Lets the browser handle input and paint before going on: `scheduler.yield()` where there
/// is one (a chain of `setTimeout(0)` is held back 4 ms a step after the fifth), else a timeout.
async fn next_task() {
    let scheduler = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"scheduler".into()).ok());
    let yielded = scheduler.filter(|s| !s.is_undefined()).and_then(|scheduler| {
        let give_way = js_sys::Reflect::get(&scheduler, &"yield".into()).ok()?;
        give_way.dyn_ref::<js_sys::Function>()?.call0(&scheduler).ok()?.dyn_into::<js_sys::Promise>().ok()
    });
    let promise = yielded.unwrap_or_else(|| {
        js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback(&resolve);
            }
        })
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves after the browser has painted the next frame.
pub(crate) async fn after_next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(window) = web_sys::window() else { return };
        let after_frame = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback(resolve.unchecked_ref());
            }
        });
        let _ = window.request_animation_frame(after_frame.unchecked_ref());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn default_policy() -> TierPolicy {
    preset("metals").expect("the metals preset exists")
}
