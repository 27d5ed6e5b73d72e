use super::*;
use crate::domain::day::Day;
use crate::domain::model::{Customer, Purchase};
use crate::domain::workbook::{Change, Related, RelatedKind, Shard};

fn customer(id: CustomerId) -> CustomerRecord {
    CustomerRecord {
        customer: Customer {
            id,
            code: format!("C{id:05}"),
            name: "王芳".into(),
            phone: "13800000000".into(),
            city: "杭州".into(),
            updated_at: 1_000,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn purchase(id: u64, day: i32, cents: i64) -> Purchase {
    Purchase { id, date: Day(day), product: "茶".into(), quantity: 1.0, amount_cents: cents, ..Default::default() }
}

/// A customer file edited through the workbook's own write path at `now`.
fn edited(record: &CustomerRecord, now: i64, change: impl FnOnce(&mut Customer)) -> CustomerRecord {
    let mut shard = Shard { records: [(record.customer.id, record.clone())].into_iter().collect() };
    let mut card = record.customer.clone();
    change(&mut card);
    let save = Change::SaveCustomer { customer: Box::new(card), base: Some(record.customer.updated_at) };
    shard.apply(save, now).unwrap();
    shard.records.remove(&record.customer.id).unwrap()
}

fn with_change(record: &CustomerRecord, now: i64, change: Change) -> CustomerRecord {
    let mut shard = Shard { records: [(record.customer.id, record.clone())].into_iter().collect() };
    shard.apply(change, now).unwrap();
    shard.records.remove(&record.customer.id).unwrap()
}

#[test]
fn revision_ids_look_like_couchdbs_and_depend_on_parent_and_body() {
    let body = customer_body(&customer(7));
    let first = next_rev(None, &body);
    let (generation, hash) = first.split_once('-').unwrap();
    assert_eq!(generation, "1");
    assert!(hash.len() == 32 && hash.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(next_rev(None, &body), first, "the same body and parent give the same id");
    let second = next_rev(Some(&first), &body);
    assert!(second.starts_with("2-") && second != first);
    assert_ne!(next_rev(None, &customer_body(&customer(8))), first);
    assert_eq!(rev_generation("12-abc"), Some(12));
}

#[test]
fn the_winner_is_chosen_as_couchdb_chooses_it() {
    let leaf = |rev: &str, deleted| RemoteLeaf {
        rev: rev.into(),
        deleted,
        ancestry: vec![],
        record: (!deleted).then(|| customer(1)),
        deleted_at: 0,
    };
    let mut leaves = [leaf("3-aaa", true), leaf("2-bbb", false), leaf("2-ccc", false), leaf("1-fff", false)];
    leaves.sort_by(winner_order);
    let order: Vec<&str> = leaves.iter().map(|l| l.rev.as_str()).collect();
    assert_eq!(order, ["2-ccc", "2-bbb", "1-fff", "3-aaa"], "live first, then generation, then id");
}

#[test]
fn edits_of_different_fields_are_both_kept_and_the_fold_is_the_same_in_any_order() {
    let base = customer(1);
    let phone = edited(&base, 2_000, |c| c.phone = "13900000000".into());
    let city = edited(&base, 3_000, |c| c.city = "上海".into());
    let (ab, clashes) = fold(&phone, &city, stamp(&base));
    let (ba, _) = fold(&city, &phone, stamp(&base));
    assert_eq!(ab, ba);
    assert_eq!(ab.customer.phone, "13900000000");
    assert_eq!(ab.customer.city, "上海");
    assert!(clashes.is_empty(), "{clashes:?}");
    assert_eq!(ab.marks.fields.get("phone"), Some(&2_000));
    assert_eq!(ab.marks.fields.get("city"), Some(&3_000));
    // A third version: any order of folding reaches the same file.
    let notes = edited(&base, 2_500, |c| c.notes = "喜欢绿茶".into());
    let one = fold(&fold(&phone, &city, 0).0, &notes, 0).0;
    let two = fold(&notes, &fold(&city, &phone, 0).0, 0).0;
    let three = fold(&fold(&notes, &phone, 0).0, &city, 0).0;
    assert_eq!(one, two);
    assert_eq!(two, three);
    assert_eq!(one.customer.notes, "喜欢绿茶");
}

#[test]
fn the_later_change_of_one_field_wins_and_the_replaced_value_is_listed() {
    let base = customer(1);
    let early = edited(&base, 2_000, |c| c.phone = "111".into());
    let late = edited(&base, 5_000, |c| c.phone = "222".into());
    for (a, b) in [(&early, &late), (&late, &early)] {
        let (merged, clashes) = fold(a, b, stamp(&base));
        assert_eq!(merged.customer.phone, "222");
        assert_eq!(clashes.len(), 1, "{clashes:?}");
        assert_eq!(
            (clashes[0].what.as_str(), clashes[0].kept.as_str(), clashes[0].replaced.as_str()),
            ("phone", "222", "111")
        );
        assert_eq!(clashes[0].customer, "王芳");
    }
    // A field only one side changed is no conflict: the other side still had the old value.
    let (_, clashes) = fold(&base, &late, stamp(&base));
    assert!(clashes.is_empty());
}

#[test]
fn records_added_on_both_sides_are_kept_and_deletions_win_only_over_older_edits() {
    let mut base = customer(1);
    base.purchases = vec![purchase(1, 20_000, 100), purchase(2, 20_001, 200)];
    let add_a = with_change(
        &base,
        2_000,
        Change::SaveRelated { customer_id: 1, item: Related::Purchase(purchase(3, 20_002, 300)), base: None },
    );
    let add_b = with_change(
        &base,
        2_100,
        Change::SaveRelated { customer_id: 1, item: Related::Purchase(purchase(4, 20_003, 400)), base: None },
    );
    let (merged, _) = fold(&add_a, &add_b, stamp(&base));
    let ids: Vec<u64> = merged.purchases.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    // Purchase 1 deleted at 3,000 on one side; edited at 2,500 on the other: the deletion wins.
    let deleted =
        with_change(&base, 3_000, Change::DeleteRelated { customer_id: 1, kind: RelatedKind::Purchase, id: 1 });
    let older_edit = with_change(
        &base,
        2_500,
        Change::SaveRelated { customer_id: 1, item: Related::Purchase(purchase(1, 20_000, 150)), base: Some(0) },
    );
    let (merged, _) = fold(&older_edit, &deleted, stamp(&base));
    assert!(merged.purchases.iter().all(|p| p.id != 1), "{:?}", merged.purchases);
    assert_eq!(fold(&deleted, &older_edit, stamp(&base)).0, merged);
    // Edited after the deletion: the edit wins.
    let newer_edit = with_change(
        &base,
        4_000,
        Change::SaveRelated { customer_id: 1, item: Related::Purchase(purchase(1, 20_000, 175)), base: Some(0) },
    );
    let (merged, _) = fold(&deleted, &newer_edit, stamp(&base));
    assert_eq!(merged.purchases.iter().find(|p| p.id == 1).map(|p| p.amount_cents), Some(175));
    // And a deleted record never comes back from a copy that still has it unedited.
    let (merged, _) = fold(&deleted, &base, stamp(&base));
    assert!(merged.purchases.iter().all(|p| p.id != 1));
}

fn leaf_of(record: &CustomerRecord, parent: Option<&str>) -> RemoteLeaf {
    let rev = next_rev(parent, &customer_body(record));
    RemoteLeaf { rev, deleted: false, ancestry: vec![], record: Some(record.clone()), deleted_at: 0 }
}

fn synced_at(record: &CustomerRecord, rev: &str) -> SyncedDoc {
    SyncedDoc { rev: rev.into(), digest: digest(record), stamp: stamp(record), deleted: false, losers: vec![] }
}

#[test]
fn a_pull_takes_the_servers_version_when_nothing_changed_here_and_folds_when_something_did() {
    let base = customer(1);
    let v1 = leaf_of(&base, None);
    let remote = edited(&base, 5_000, |c| c.city = "上海".into());
    let v2 = leaf_of(&remote, Some(&v1.rev));
    // Clean here: take it.
    let out = pull_customer(Some(&base), None, Some(&synced_at(&base, &v1.rev)), vec![v2.clone()]);
    assert_eq!(out.action, LocalAction::Put(Box::new(remote.clone())));
    assert_eq!(out.synced.rev, v2.rev);
    assert!(!is_dirty(Some(&remote), Some(&out.synced)));
    // Changed here too: folded, and the fold is then a pending change on top of v2.
    let local = edited(&base, 4_000, |c| c.phone = "13900000000".into());
    let out = pull_customer(Some(&local), None, Some(&synced_at(&base, &v1.rev)), vec![v2.clone()]);
    let LocalAction::Put(folded) = &out.action else { panic!("{:?}", out.action) };
    assert_eq!((folded.customer.city.as_str(), folded.customer.phone.as_str()), ("上海", "13900000000"));
    assert!(is_dirty(Some(folded), Some(&out.synced)));
    let (docs, state) = push_customer(1, Some(folded), None, Some(&out.synced), 9_000).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].value()["_revisions"]["ids"][1], json!(v2.rev.split_once('-').unwrap().1));
    assert!(state.rev.starts_with("3-"));
    // Already agreed: nothing to do.
    let out = pull_customer(Some(&remote), None, Some(&synced_at(&remote, &v2.rev)), vec![v2]);
    assert_eq!(out.action, LocalAction::Keep);
}

#[test]
fn a_deletion_on_the_server_loses_to_a_later_edit_here_and_wins_over_an_earlier_one() {
    let base = customer(1);
    let v1 = leaf_of(&base, None);
    let tombstone =
        |at| RemoteLeaf { rev: "2-dead".into(), deleted: true, ancestry: vec![], record: None, deleted_at: at };
    let synced = synced_at(&base, &v1.rev);
    // Unchanged here: deleted here too.
    assert_eq!(pull_customer(Some(&base), None, Some(&synced), vec![tombstone(3_000)]).action, LocalAction::Delete);
    // Edited here at 4,000, deleted there at 3,000: the edit stays and will be pushed.
    let local = edited(&base, 4_000, |c| c.notes = "还在".into());
    let out = pull_customer(Some(&local), None, Some(&synced), vec![tombstone(3_000)]);
    assert_eq!(out.action, LocalAction::Keep);
    assert!(out.synced.deleted && is_dirty(Some(&local), Some(&out.synced)));
    let (docs, _) = push_customer(1, Some(&local), None, Some(&out.synced), 9_000).unwrap();
    assert!(docs[0].value()["_rev"].as_str().unwrap().starts_with("3-"));
    assert_eq!(docs[0].value()["record"]["customer"]["notes"], json!("还在"));
    // Deleted there after the edit here: the deletion wins.
    assert_eq!(pull_customer(Some(&local), None, Some(&synced), vec![tombstone(5_000)]).action, LocalAction::Delete);
}

#[test]
fn a_deletion_here_travels_as_a_tombstone_and_loses_to_a_later_edit_there() {
    let base = customer(1);
    let v1 = leaf_of(&base, None);
    let synced = synced_at(&base, &v1.rev);
    let (docs, state) = push_customer(1, None, Some(6_000), Some(&synced), 9_000).unwrap();
    assert_eq!(docs[0].value()["_deleted"], json!(true));
    assert_eq!(docs[0].value()["deleted_at"], json!(6_000));
    assert_eq!(docs[0].value()["_id"], json!("customer-1"));
    assert!(state.deleted && state.rev.starts_with("2-"));
    // Pulled before pushing: an edit there made after the deletion brings the customer back.
    let later = leaf_of(&edited(&base, 7_000, |c| c.notes = "回来了".into()), Some(&v1.rev));
    let out = pull_customer(None, Some(6_000), Some(&synced), vec![later.clone()]);
    assert!(matches!(&out.action, LocalAction::Put(r) if r.customer.notes == "回来了"));
    // One made before it does not.
    let earlier = leaf_of(&edited(&base, 5_000, |c| c.notes = "旧".into()), Some(&v1.rev));
    let out = pull_customer(None, Some(6_000), Some(&synced), vec![earlier]);
    assert_eq!(out.action, LocalAction::Keep);
    assert!(is_dirty(None, Some(&out.synced)), "the tombstone is still to be pushed");
}

#[test]
fn conflicting_leaves_on_the_server_are_folded_and_the_losers_closed() {
    let base = customer(1);
    let v1 = leaf_of(&base, None);
    let a = leaf_of(&edited(&base, 2_000, |c| c.phone = "111".into()), Some(&v1.rev));
    let b = leaf_of(&edited(&base, 3_000, |c| c.city = "北京".into()), Some(&v1.rev));
    let synced = synced_at(&base, &v1.rev);
    let one = pull_customer(Some(&base), None, Some(&synced), vec![a.clone(), b.clone()]);
    let two = pull_customer(Some(&base), None, Some(&synced), vec![b.clone(), a.clone()]);
    assert_eq!(one, two);
    let LocalAction::Put(folded) = &one.action else { panic!() };
    assert_eq!((folded.customer.phone.as_str(), folded.customer.city.as_str()), ("111", "北京"));
    assert_eq!(one.synced.losers.len(), 1);
    let (docs, state) = push_customer(1, Some(folded), None, Some(&one.synced), 9_000).unwrap();
    assert_eq!(docs.len(), 2, "the fold and a tombstone on the losing branch");
    assert_eq!(docs[1].value()["_deleted"], json!(true));
    assert!(state.losers.is_empty());
    // Two browsers resolving the same leaves push the same revisions.
    let (again, _) = push_customer(1, Some(folded), None, Some(&two.synced), 9_999).unwrap();
    assert_eq!(docs, again);
}

#[test]
fn documents_from_the_server_are_checked_before_they_are_taken() {
    let mut doc: Value = serde_json::from_str(&customer_body(&customer(5))).unwrap();
    doc["_rev"] = json!("1-abc");
    let (id, leaf) = parse_leaf(&doc).unwrap();
    assert_eq!(id, 5);
    assert_eq!(leaf.record.unwrap().customer.code, "C00005");
    doc["record"]["customer"]["name"] = json!("  ");
    assert!(matches!(parse_leaf(&doc), Err(DocProblem::Invalid { .. })));
    doc["_id"] = json!("_design/x");
    assert!(matches!(parse_leaf(&doc), Err(DocProblem::NotACustomer(_))));
    let mut other: Value = serde_json::from_str(&customer_body(&customer(5))).unwrap();
    other["_id"] = json!("customer-6");
    other["_rev"] = json!("1-abc");
    assert!(matches!(parse_leaf(&other), Err(DocProblem::Invalid { .. })), "a file under another customer's id");
}

#[test]
fn a_pull_resumes_from_the_checkpoint_both_sides_agree_on() {
    let at = |session: &str, seq: Value| Checkpoint { session_id: session.into(), last_seq: seq };
    assert_eq!(
        resume_from(Some(&at("s1", json!("12-g1AAAA"))), Some(&at("s1", json!("12-g1AAAA")))),
        json!("12-g1AAAA")
    );
    assert_eq!(resume_from(Some(&at("s1", json!(40))), Some(&at("s1", json!(40)))), json!(40));
    assert_eq!(resume_from(Some(&at("s1", json!(40))), Some(&at("s2", json!(90)))), json!(0));
    assert_eq!(resume_from(None, Some(&at("s1", json!(40)))), json!(0));
    assert_ne!(replication_id("browser-a", "http://h/db"), replication_id("browser-b", "http://h/db"));
    assert_eq!(replication_id("a", "http://h/db/"), replication_id("a", "http://h/db"));
}

/// A server with CouchDB's rules for `new_edits: false`: every revision kept with its parent,
/// leaves are revisions nobody descends from.
#[derive(Default)]
struct Server {
    revs: BTreeMap<String, BTreeMap<String, (Option<String>, Value)>>,
}

impl Server {
    fn bulk_docs(&mut self, docs: Vec<OutDoc>) {
        for doc in docs.iter().map(OutDoc::value) {
            let id = doc["_id"].as_str().unwrap().to_string();
            let rev = doc["_rev"].as_str().unwrap().to_string();
            let ids = doc["_revisions"]["ids"].as_array().unwrap();
            let parent = ids.get(1).map(|h| format!("{}-{}", rev_generation(&rev).unwrap() - 1, h.as_str().unwrap()));
            self.revs.entry(id).or_default().insert(rev, (parent, doc));
        }
    }

    fn leaves(&self, id: &str) -> Vec<RemoteLeaf> {
        let Some(revs) = self.revs.get(id) else { return vec![] };
        let parents: BTreeSet<&String> = revs.values().filter_map(|(p, _)| p.as_ref()).collect();
        revs.iter().filter(|(rev, _)| !parents.contains(rev)).map(|(_, (_, doc))| parse_leaf(doc).unwrap().1).collect()
    }
}

/// One browser: its files, deletions and sync state.
#[derive(Default)]
struct Browser {
    files: BTreeMap<CustomerId, CustomerRecord>,
    deleted: BTreeMap<CustomerId, i64>,
    synced: BTreeMap<CustomerId, SyncedDoc>,
}

impl Browser {
    fn sync(&mut self, server: &mut Server, now: i64) {
        let ids: BTreeSet<CustomerId> = server.revs.keys().filter_map(|d| customer_of_doc(d)).collect();
        for id in ids {
            let out = pull_customer(
                self.files.get(&id),
                self.deleted.get(&id).copied(),
                self.synced.get(&id),
                server.leaves(&customer_doc_id(id)),
            );
            match out.action {
                LocalAction::Keep => {}
                LocalAction::Put(r) => {
                    self.files.insert(id, *r);
                }
                LocalAction::Delete => {
                    self.files.remove(&id);
                }
            }
            self.synced.insert(id, out.synced);
        }
        let ids: BTreeSet<CustomerId> = self.files.keys().chain(self.synced.keys()).copied().collect();
        for id in ids {
            if let Some((docs, state)) =
                push_customer(id, self.files.get(&id), self.deleted.get(&id).copied(), self.synced.get(&id), now)
            {
                server.bulk_docs(docs);
                self.synced.insert(id, state);
            }
        }
    }
}

#[test]
fn two_browsers_converge_after_offline_edits_deletions_and_a_race() {
    let mut server = Server::default();
    let (mut a, mut b) = (Browser::default(), Browser::default());
    for id in [1, 2, 3] {
        a.files.insert(id, customer(id));
    }
    a.sync(&mut server, 1_500);
    b.sync(&mut server, 1_600);
    assert_eq!(a.files, b.files);
    // Offline: A edits the phone of 1 and deletes 2; B edits the city of 1 and adds a purchase to 3.
    let one = a.files[&1].clone();
    a.files.insert(1, edited(&one, 2_000, |c| c.phone = "111".into()));
    a.files.remove(&2);
    a.deleted.insert(2, 2_100);
    b.files.insert(1, edited(&one, 2_200, |c| c.city = "成都".into()));
    let three = b.files[&3].clone();
    let item = Related::Purchase(purchase(9, 20_100, 990));
    b.files.insert(3, with_change(&three, 2_300, Change::SaveRelated { customer_id: 3, item, base: None }));
    b.files.insert(4, customer(4));
    // Both push before either pulls the other's change: the server holds two branches of 1.
    let pushes = |browser: &mut Browser, server: &mut Server| {
        let ids: Vec<CustomerId> = browser.files.keys().chain(browser.synced.keys()).copied().collect();
        for id in ids {
            let local = browser.files.get(&id);
            if let Some((docs, state)) =
                push_customer(id, local, browser.deleted.get(&id).copied(), browser.synced.get(&id), 3_000)
            {
                server.bulk_docs(docs);
                browser.synced.insert(id, state);
            }
        }
    };
    pushes(&mut a, &mut server);
    pushes(&mut b, &mut server);
    assert_eq!(server.leaves("customer-1").len(), 2);
    a.sync(&mut server, 4_000);
    b.sync(&mut server, 4_100);
    a.sync(&mut server, 4_200);
    assert_eq!(a.files, b.files);
    assert_eq!(a.files[&1].customer.phone, "111");
    assert_eq!(a.files[&1].customer.city, "成都");
    assert!(!a.files.contains_key(&2), "the deletion stays a deletion");
    assert_eq!(a.files[&3].purchases.len(), 1);
    assert!(a.files.contains_key(&4));
    let live: Vec<RemoteLeaf> = server.leaves("customer-1").into_iter().filter(|l| !l.deleted).collect();
    assert_eq!(live.len(), 1, "one live branch left on the server");
    assert!(server.leaves("customer-2").iter().all(|l| l.deleted));
}

#[test]
fn a_workbook_setting_is_taken_unless_it_changed_here_too() {
    let (local, remote) = (json!({"preset": "metals"}), json!({"preset": "stars"}));
    // Never synced: the server's value is the team's.
    let (take, state) = pull_setting(&local, None, "1-a", &remote);
    assert_eq!(take, Some(remote.clone()));
    assert_eq!(state.digest, value_digest(&remote));
    assert_eq!(push_setting("settings-tier-policy", &remote, Some(&state)), None, "nothing left to push");
    // Unchanged here since the last sync: taken.
    let synced = SyncedSetting { rev: "1-a".into(), digest: value_digest(&local) };
    assert_eq!(pull_setting(&local, Some(&synced), "2-b", &remote).0, Some(remote.clone()));
    // Changed here as well: kept, and pushed as the child of the server's revision.
    let old = SyncedSetting { rev: "1-a".into(), digest: value_digest(&json!({"preset": "old"})) };
    let (take, state) = pull_setting(&local, Some(&old), "2-b", &remote);
    assert_eq!(take, None);
    let (doc, after) = push_setting("settings-tier-policy", &local, Some(&state)).unwrap();
    assert!(after.rev.starts_with("3-"));
    assert_eq!(doc.value()["value"], local);
    assert_eq!(doc.value()["_revisions"]["ids"][1], json!("b"));
}

#[test]
fn a_pulled_file_is_not_written_over_an_edit_made_since_the_pull_looked() {
    let base = customer(1);
    let mut shard = Shard { records: [(1, base.clone())].into_iter().collect() };
    let remote = edited(&base, 5_000, |c| c.city = "上海".into());
    let seen = Some(stamp(&base));
    // Edited here in the meantime: the pull's write is refused and the edit stays.
    let local_edit = edited(&base, 6_000, |c| c.phone = "1".into());
    shard.records.insert(1, local_edit.clone());
    let pulled = Change::Pulled { id: 1, record: Some(Box::new(remote.clone())), seen };
    assert_eq!(shard.apply(pulled.clone(), 7_000), Err(crate::domain::workbook::Conflict::ChangedElsewhere));
    assert_eq!(shard.records[&1], local_edit);
    // As the pull saw it: written exactly; a pulled deletion likewise.
    shard.records.insert(1, base.clone());
    shard.apply(pulled, 7_000).unwrap();
    assert_eq!(shard.records[&1], remote);
    shard.apply(Change::Pulled { id: 1, record: None, seen: Some(stamp(&remote)) }, 8_000).unwrap();
    assert!(shard.records.is_empty());
    shard.apply(Change::Pulled { id: 2, record: Some(Box::new(customer(2))), seen: None }, 8_000).unwrap();
    assert!(shard.records.contains_key(&2));
}
