//! Storage in a real browser (headless Chromium): atomic writes, stale-edit refusal,
//! the schema upgrade path and damaged data. Run by `make wasm-test`.
#![cfg(target_arch = "wasm32")]

use idb::{Factory, ObjectStoreParams, TransactionMode};
use js_sys::Uint8Array;
use tierbook::domain::codec::encode_shard;
use tierbook::domain::customer_list::CustomerSummary;
use tierbook::domain::day::Day;
use tierbook::domain::demo;
use tierbook::domain::model::{CustomFieldDef, CustomFieldKind, Customer, CustomerRecord, Purchase};
use tierbook::domain::workbook::{shard_of, Change, Conflict, Put, Related, Workbook};
use tierbook::storage::{Store, StoreError, SCHEMA_VERSION, SHARDS, SHARD_GROUPS, SUMMARIES};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A database of its own for each test.
fn db_name(test: &str) -> String {
    format!("tierbook-test-{test}-{}", js_sys::Math::random())
}

fn new_customer(id: u64, name: &str) -> Change {
    Change::SaveCustomer { customer: Box::new(Customer { id, name: name.into(), ..Default::default() }), base: None }
}

/// Each record as a new customer file.
fn inserts(records: &[CustomerRecord]) -> Vec<Change> {
    records.iter().cloned().map(|r| Change::InsertRecord(Box::new(r))).collect()
}

#[wasm_bindgen_test]
async fn what_is_committed_is_what_loads() {
    let name = db_name("roundtrip");
    let store = Store::open(&name).await.unwrap();
    let records = demo::generate(1, 400, 3_000, Day(20_000), 9);
    let written = store.commit(inserts(&records), 1_000, &|_| {}).await.unwrap();
    assert!(written.len() > 100, "400 customers spread over the shards");
    store.close();

    let reopened = Store::open(&name).await.unwrap();
    let loaded = reopened.load().await.unwrap();
    assert_eq!(loaded.customer_count(), 400);
    for mut expected in records.clone() {
        expected.customer.updated_at = 1_000;
        expected.audit =
            vec![tierbook::domain::model::AuditEntry { at: 1_000, what: "created".into(), ..Default::default() }];
        assert_eq!(loaded.get(expected.customer.id), Some(&expected));
    }
    assert_eq!(list_rows(&reopened).await, Some(rows_of(&loaded)), "the stored list rows are the files' rows");

    // Deleting a customer takes their row out in the same write; deleting a shard's only
    // customer leaves no rows for that shard.
    let gone = records[0].customer.id;
    reopened.commit(vec![Change::DeleteCustomer { id: gone }], 2_000, &|_| {}).await.unwrap();
    let after = reopened.load().await.unwrap();
    assert_eq!(after.customer_count(), 399);
    let rows = list_rows(&reopened).await.expect("complete rows");
    assert_eq!(rows, rows_of(&after));
    assert!(rows.iter().flatten().all(|r| r.id != gone));
}

/// The list rows `Store::read` hands over before the files, if they are complete.
async fn list_rows(store: &Store) -> Option<Vec<Vec<CustomerSummary>>> {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(None));
    let keep = seen.clone();
    let (complete, _) = store.read(move |rows| *keep.borrow_mut() = Some(rows)).await.unwrap();
    let rows = seen.borrow_mut().take();
    assert_eq!(complete, rows.is_some(), "rows are handed over exactly when they are complete");
    rows
}

fn rows_of(workbook: &Workbook) -> Vec<Vec<CustomerSummary>> {
    workbook.shards.iter().map(CustomerSummary::of_shard).collect()
}

#[wasm_bindgen_test]
async fn a_locked_store_opens_only_with_the_key_of_its_passphrase() {
    use tierbook::domain::sealed::{seal, LockInfo, CHECK_TEXT};
    let name = db_name("lock");
    let store = Store::open(&name).await.unwrap();
    store.commit(vec![new_customer(1, "Ann")], 1_000, &|_| {}).await.unwrap();
    let salt = [5u8; 16];
    let key = tierbook::lock::derive_key("a long passphrase", &salt, 1_000).await.unwrap();
    let info = LockInfo { salt: salt.to_vec(), iterations: 1_000, check: seal(&key, [1; 12], CHECK_TEXT) };
    store.reseal(Some((key, info))).await.unwrap();
    store.commit(vec![new_customer(2, "Bo")], 2_000, &|_| {}).await.unwrap();
    store.close();

    let reopened = Store::open(&name).await.unwrap();
    let info = reopened.lock_info().await.unwrap().expect("the lock is stored");
    assert!(matches!(reopened.load().await, Err(StoreError::Locked)), "no key, no data");
    let wrong = tierbook::lock::derive_key("another passphrase", &info.salt, info.iterations).await.unwrap();
    assert!(!reopened.unlock(&info, wrong));
    assert!(matches!(reopened.load().await, Err(StoreError::Locked)));
    let right = tierbook::lock::derive_key("a long passphrase", &info.salt, info.iterations).await.unwrap();
    assert_eq!(right, key, "the same passphrase and salt give the same key");
    assert!(reopened.unlock(&info, right));
    let loaded = reopened.load().await.unwrap();
    assert_eq!(loaded.customer_count(), 2);
    assert_eq!(loaded.get(2).unwrap().customer.name, "Bo");
    // The list rows (names, phones) are sealed with the files: with the key they read back.
    assert_eq!(list_rows(&reopened).await, Some(rows_of(&loaded)));
    reopened.close();
    let without_key = Store::open(&name).await.unwrap();
    let shown = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = shown.clone();
    assert!(matches!(without_key.read(move |_| flag.set(true)).await, Ok((false, _))));
    assert!(!shown.get(), "no rows without the key");
}

#[wasm_bindgen_test]
async fn a_batch_that_fails_part_way_writes_nothing() {
    let store = Store::open(&db_name("atomic")).await.unwrap();
    store.commit(vec![new_customer(5, "Ann")], 1_000, &|_| {}).await.unwrap();
    let before = store.load().await.unwrap();

    // Two good inserts, then one whose number is taken: the whole transaction is aborted. The
    // good ones' shards come first, so they are already put when the bad one is refused.
    assert!(shard_of(2) < shard_of(5) && shard_of(3) < shard_of(5));
    let batch = vec![new_customer(2, "Bob"), new_customer(3, "Cai"), new_customer(5, "Dup")];
    let result = store.commit(batch, 2_000, &|_| {}).await;
    assert!(matches!(result, Err(StoreError::Conflict(Conflict::NumberTaken(5)))), "{result:?}");
    assert_eq!(store.load().await.unwrap(), before);
}

#[wasm_bindgen_test]
async fn a_stale_edit_from_another_tab_is_refused() {
    let name = db_name("tabs");
    let tab_a = Store::open(&name).await.unwrap();
    let tab_b = Store::open(&name).await.unwrap();
    tab_a.commit(vec![new_customer(7, "Ann")], 1_000, &|_| {}).await.unwrap();
    let seen_by_b = tab_b.load().await.unwrap().get(7).unwrap().customer.clone();

    // Tab A saves a newer version; tab B then saves from its older copy.
    let a_edit = Customer { name: "Ann (A)".into(), ..seen_by_b.clone() };
    tab_a
        .commit(vec![Change::SaveCustomer { customer: Box::new(a_edit), base: Some(1_000) }], 2_000, &|_| {})
        .await
        .unwrap();
    let b_edit = Customer { name: "Ann (B)".into(), ..seen_by_b };
    let result = tab_b
        .commit(vec![Change::SaveCustomer { customer: Box::new(b_edit), base: Some(1_000) }], 3_000, &|_| {})
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(Conflict::ChangedElsewhere))), "{result:?}");
    assert_eq!(tab_b.load().await.unwrap().get(7).unwrap().customer.name, "Ann (A)");

    // Different customers in the same shard: both changes survive.
    let other = 7 + tierbook::domain::workbook::SHARD_COUNT as u64;
    assert_eq!(shard_of(other), shard_of(7));
    tab_b.commit(vec![new_customer(other, "Bob")], 4_000, &|_| {}).await.unwrap();
    let purchase = Purchase {
        id: 1,
        date: Day(20_000),
        product: "tea".into(),
        quantity: 1.0,
        amount_cents: 500,
        ..Default::default()
    };
    tab_a
        .commit(
            vec![Change::SaveRelated { customer_id: 7, item: Related::Purchase(purchase), base: None }],
            5_000,
            &|_| {},
        )
        .await
        .unwrap();
    let both = tab_b.load().await.unwrap();
    assert_eq!(both.get(other).unwrap().customer.name, "Bob");
    assert_eq!(both.get(7).unwrap().purchases.len(), 1);
}

/// A database written by schema version 1 (only the `shards` store) opens under the current
/// version with every record intact, the stores later versions added, and its shards moved into
/// version 5's groups (the `shards` store left empty, for loose shards).
#[wasm_bindgen_test]
async fn a_version_1_database_upgrades_with_every_record() {
    assert_eq!(SCHEMA_VERSION, 5);
    let name = db_name("upgrade");
    let mut workbook = Workbook::default();
    workbook.insert_records(demo::generate(1, 250, 1_500, Day(20_000), 3));
    {
        let mut request = Factory::new().unwrap().open(&name, Some(1)).unwrap();
        request.on_upgrade_needed(|event| {
            use idb::DatabaseEvent;
            event.database().unwrap().create_object_store(SHARDS, ObjectStoreParams::new()).unwrap();
        });
        let v1 = request.await.unwrap();
        let tx = v1.transaction(&[SHARDS], TransactionMode::ReadWrite).unwrap();
        let store = tx.object_store(SHARDS).unwrap();
        for (s, shard) in workbook.shards.iter().enumerate().filter(|(_, s)| !s.records.is_empty()) {
            let bytes = Uint8Array::from(encode_shard(shard).as_slice());
            store.put(&bytes, Some(&JsValue::from(s as u32))).unwrap();
        }
        assert!(tx.commit().unwrap().await.unwrap().is_committed());
        v1.close();
    }

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.load().await.unwrap(), workbook);
    assert_eq!(list_rows(&store).await, None, "a version 1 database has no list rows yet");
    store.close();
    {
        let db = Factory::new().unwrap().open(&name, Some(SCHEMA_VERSION)).unwrap().await.unwrap();
        let names = db.store_names();
        assert!(names.contains(&SHARD_GROUPS.to_string()) && names.contains(&SHARDS.to_string()), "{names:?}");
        let tx = db.transaction(&[SHARD_GROUPS, SHARDS], TransactionMode::ReadOnly).unwrap();
        let loose = tx.object_store(SHARDS).unwrap().count(None).unwrap().await.unwrap();
        assert_eq!(loose, 0, "every shard moved into its group");
        let groups = tx.object_store(SHARD_GROUPS).unwrap().count(None).unwrap().await.unwrap();
        let expected = workbook.shards.chunks(16).filter(|group| group.iter().any(|s| !s.records.is_empty())).count();
        assert_eq!(groups as usize, expected, "one value per group of 16 shards with a customer");
        db.close();
    }
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.load().await.unwrap(), workbook, "and it opens again as it was");
    store.rewrite_summaries().await.unwrap();
    assert_eq!(list_rows(&store).await, Some(rows_of(&workbook)));
    // Damaged rows are not trusted: the files still load, and the rows are written again.
    store.close();
    {
        let db = Factory::new().unwrap().open(&name, Some(SCHEMA_VERSION)).unwrap().await.unwrap();
        let tx = db.transaction(&[SUMMARIES], TransactionMode::ReadWrite).unwrap();
        let garbage = Uint8Array::from(&[1u8, 200, 200][..]);
        tx.object_store(SUMMARIES).unwrap().put(&garbage, Some(&JsValue::from(0u32))).unwrap();
        tx.commit().unwrap().await.unwrap();
        db.close();
    }
    let store = Store::open(&name).await.unwrap();
    assert_eq!(list_rows(&store).await, None);
    assert_eq!(store.load().await.unwrap(), workbook);
    store.rewrite_summaries().await.unwrap();
    assert_eq!(list_rows(&store).await, Some(rows_of(&workbook)));
    let defs = vec![CustomFieldDef { id: "size".into(), label: "Size".into(), kind: CustomFieldKind::Text }];
    store.save_custom_fields(&defs).await.unwrap();
    assert_eq!(store.custom_fields().await.unwrap(), defs);
    // Version 4's sync store is there, empty.
    assert!(store.sync_state().await.unwrap().0.iter().all(|s| s.docs.is_empty() && s.deleted.is_empty()));
}

/// Small writes put the shards they change loose; a write changing many shards of a group puts
/// the group whole and clears its loose shards; what loads is the same either way.
#[wasm_bindgen_test]
async fn small_writes_put_loose_shards_and_a_big_write_folds_them_into_their_group() {
    let name = db_name("loose");
    let store = Store::open(&name).await.unwrap();
    // 2,000 customers: every group of 16 shards gets several of them.
    let records = demo::generate(1, 2_000, 4_000, Day(20_000), 5);
    store.commit(inserts(&records), 1_000, &|_| {}).await.unwrap();
    let loose_keys = || async {
        let db = Factory::new().unwrap().open(&name, Some(SCHEMA_VERSION)).unwrap().await.unwrap();
        let tx = db.transaction(&[SHARDS], TransactionMode::ReadOnly).unwrap();
        let keys = tx.object_store(SHARDS).unwrap().get_all_keys(None, None).unwrap().await.unwrap();
        db.close();
        keys.iter().map(|k| k.as_f64().unwrap() as usize).collect::<Vec<_>>()
    };
    assert_eq!(loose_keys().await, Vec::<usize>::new(), "an import-sized write puts whole groups");

    // One customer renamed: their shard alone is put, loose.
    let loaded = store.load().await.unwrap();
    let renamed = records[1].customer.id;
    let edit = Customer { name: "改过的名字".into(), ..loaded.get(renamed).unwrap().customer.clone() };
    let base = Some(edit.updated_at);
    store.commit(vec![Change::SaveCustomer { customer: Box::new(edit), base }], 2_000, &|_| {}).await.unwrap();
    assert_eq!(loose_keys().await, vec![shard_of(renamed)]);
    // A shard's only customer deleted (in another group): that group is put whole, so no
    // older bytes of them stay behind in it.
    let alone = loaded
        .shards
        .iter()
        .find(|s| s.records.len() == 1 && shard_of(*s.records.keys().next().unwrap()) / 16 != shard_of(renamed) / 16)
        .expect("a shard with one customer");
    let gone = *alone.records.keys().next().unwrap();
    store.commit(vec![Change::DeleteCustomer { id: gone }], 3_000, &|_| {}).await.unwrap();
    assert_eq!(loose_keys().await, vec![shard_of(renamed)], "a deletion is never loose");
    {
        let db = Factory::new().unwrap().open(&name, Some(SCHEMA_VERSION)).unwrap().await.unwrap();
        let tx = db.transaction(&[SHARD_GROUPS], TransactionMode::ReadOnly).unwrap();
        let group = tx.object_store(SHARD_GROUPS).unwrap().get(JsValue::from((shard_of(gone) / 16) as u32)).unwrap();
        let group: js_sys::Array = group.await.unwrap().unwrap().into();
        assert!(group.get((shard_of(gone) % 16) as u32).is_null(), "the emptied shard's entry is gone");
        db.close();
    }
    let mut expected = store.load().await.unwrap();
    assert_eq!(expected.get(renamed).unwrap().customer.name, "改过的名字");
    assert!(expected.get(gone).is_none() && expected.shards[shard_of(gone)].records.is_empty());
    assert_eq!(expected.customer_count(), 1_999);
    store.close();
    let reopened = Store::open(&name).await.unwrap();
    assert_eq!(reopened.load().await.unwrap(), expected, "loose shards read back in their groups' places");
    assert_eq!(list_rows(&reopened).await, Some(rows_of(&expected)));

    // A write touching every shard of the renamed customer's group puts the group whole.
    let group = shard_of(renamed) / 16;
    let new_ids: Vec<u64> = (1..)
        .map(|n: u64| n * 1_000_003)
        .filter(|id| shard_of(*id) / 16 == group && expected.get(*id).is_none())
        .take(16)
        .collect();
    let batch: Vec<Change> = new_ids.iter().map(|id| new_customer(*id, "批量")).collect();
    let written = reopened.commit(batch, 4_000, &|_| {}).await.unwrap();
    for stored in written {
        expected.shards[stored.index] = stored.shard;
    }
    assert!(loose_keys().await.iter().all(|s| s / 16 != group), "the group's loose shards are folded in");
    reopened.close();
    let again = Store::open(&name).await.unwrap();
    let back = again.load().await.unwrap();
    assert_eq!(back, expected);
    assert_eq!(back.get(renamed).unwrap().customer.name, "改过的名字", "the loose edit went into the group");
    assert_eq!(list_rows(&again).await, Some(rows_of(&back)));
}

#[wasm_bindgen_test]
async fn a_damaged_shard_is_reported_not_dropped() {
    let name = db_name("damaged");
    let store = Store::open(&name).await.unwrap();
    let record =
        CustomerRecord { customer: Customer { id: 5, name: "Ann".into(), ..Default::default() }, ..Default::default() };
    store.commit(vec![Change::InsertRecord(Box::new(record))], 1, &|_| {}).await.unwrap();
    store.close();
    {
        let db = Factory::new().unwrap().open(&name, Some(SCHEMA_VERSION)).unwrap().await.unwrap();
        // A write of one customer put shard 5 loose (by itself, not in its group).
        let tx = db.transaction(&[SHARDS], TransactionMode::ReadWrite).unwrap();
        let store = tx.object_store(SHARDS).unwrap();
        assert!(store.get(JsValue::from(5u32)).unwrap().await.unwrap().is_some(), "shard 5 is loose");
        store.put(&Uint8Array::from(&[1u8, 200, 200, 200][..]), Some(&JsValue::from(5u32))).unwrap();
        tx.commit().unwrap().await.unwrap();
        db.close();
    }
    let store = Store::open(&name).await.unwrap();
    let result = store.load().await;
    assert!(matches!(result, Err(StoreError::Damaged { shard: 5, .. })), "{result:?}");
    // A write to the damaged shard is refused too, and leaves the bytes for recovery.
    let write =
        store.commit(vec![new_customer(5 + tierbook::domain::workbook::SHARD_COUNT as u64, "Bob")], 2, &|_| {}).await;
    assert!(matches!(write, Err(StoreError::Damaged { shard: 5, .. })), "{write:?}");
}

/// The tier engine's hook runs inside the write: what loads is the settled tier, and a batch that
/// fails leaves no settled tier behind either.
#[wasm_bindgen_test]
async fn tiers_are_settled_in_the_same_transaction_and_the_policy_is_kept() {
    use tierbook::domain::tiers::{evaluate, metrics, preset};
    let store = Store::open(&db_name("tiers")).await.unwrap();
    assert_eq!(store.tier_policy().await.unwrap(), None);
    let policy = preset("metals").unwrap();
    store.save_tier_policy(&policy).await.unwrap();
    assert_eq!(store.tier_policy().await.unwrap(), Some(policy.clone()));

    let as_of = Day::parse_iso("2026-11-24").unwrap();
    let settle = |r: &mut CustomerRecord| {
        let m = metrics(r, &policy, &[], as_of);
        r.tier = evaluate(&policy, &r.tier, &m, as_of, None);
    };
    store.commit(vec![new_customer(1, "Ann")], 1, &settle).await.unwrap();
    let spend = |id, cents| {
        let p = Purchase {
            id,
            date: as_of,
            product: "tea".into(),
            quantity: 1.0,
            amount_cents: cents,
            ..Default::default()
        };
        Change::SaveRelated { customer_id: 1, item: Related::Purchase(p), base: None }
    };
    store.commit(vec![spend(1, 350_000)], 2, &settle).await.unwrap();
    let ann = store.load().await.unwrap().get(1).unwrap().clone();
    assert_eq!(ann.tier.tier.as_deref(), Some("silver"));
    assert_eq!(ann.tier.history.len(), 2);

    let failing = vec![spend(2, 1_000_000), new_customer(1, "Duplicate")];
    assert!(store.commit(failing, 3, &settle).await.is_err());
    assert_eq!(store.load().await.unwrap().get(1), Some(&ann));
}

#[wasm_bindgen_test]
async fn sync_state_is_written_with_the_files_it_describes_and_deletions_are_remembered() {
    use tierbook::domain::replication::SyncedDoc;
    let store = Store::open(&db_name("sync")).await.unwrap();
    let (shards, named) = store.sync_state().await.unwrap();
    assert_eq!(shards.len(), tierbook::domain::workbook::SHARD_COUNT);
    assert!(named.is_empty());
    store.commit(vec![new_customer(7, "Ann"), new_customer(8, "Bo")], 1_000, &|_| {}).await.unwrap();
    // A customer deleted here is remembered with the time of the deletion.
    store.commit(vec![Change::DeleteCustomer { id: 8 }], 2_000, &|_| {}).await.unwrap();
    let (shards, _) = store.sync_state().await.unwrap();
    assert_eq!(shards[shard_of(8)].deleted.get(&8), Some(&2_000));
    // What a pull writes: the file and its sync state together...
    let pulled =
        CustomerRecord { customer: Customer { id: 9, name: "Cy".into(), ..Default::default() }, ..Default::default() };
    let doc = SyncedDoc { rev: "1-abc".into(), digest: 5, stamp: 3, deleted: false, losers: vec![] };
    store
        .commit_pulled(
            vec![Change::PutRecord { record: Box::new(pulled.clone()), put: Put::AsGiven }],
            vec![(9, doc.clone())],
            None,
        )
        .await
        .unwrap();
    let (shards, _) = store.sync_state().await.unwrap();
    assert_eq!(shards[shard_of(9)].docs.get(&9), Some(&doc));
    assert_eq!(store.load().await.unwrap().get(9), Some(&pulled));
    // ...or neither: a batch that fails leaves the sync state as it was.
    let other = SyncedDoc { rev: "2-def".into(), ..doc.clone() };
    let failing = vec![new_customer(7, "taken")];
    assert!(store.commit_pulled(failing, vec![(9, other)], None).await.is_err());
    let (shards, _) = store.sync_state().await.unwrap();
    assert_eq!(shards[shard_of(9)].docs.get(&9), Some(&doc));
    store.save_sync_value("browser-id", "\"b1\"".into()).await.unwrap();
    assert_eq!(store.sync_state().await.unwrap().1.get("browser-id").map(String::as_str), Some("\"b1\""));
}
