// End-to-end: team sync through a CouchDB-API server (express-pouchdb over in-memory PouchDB,
// started here on loopback). Two browser profiles converge after creating, editing (different
// fields of one customer while one profile is offline) and deleting; a deletion is a CouchDB
// deletion on the server; PouchDB's own replicator reads what Tierbook pushed and pushes back a
// change Tierbook takes in; failures say what failed and change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, openApp, byId, text } from './browser.mjs';
import { serveDist } from './server.mjs';
import { startCouch, WRITER, READER } from '../sync/couch.mjs';

const require = createRequire(import.meta.url);
let browser, site, couch;
before(async () => {
  browser = await launch();
  site = await serveDist();
  couch = await startCouch();
});
after(async () => {
  await browser?.close();
  await site?.close();
  await couch?.stop();
});

async function configure(page, dbUrl, who = WRITER) {
  await page.click(byId('nav-settings'));
  await page.fill(byId('sync-url'), dbUrl);
  await page.fill(byId('sync-user'), who.user);
  await page.fill(byId('sync-password'), who.password);
}

/** Clicks sync-now and waits for that sync to finish; returns its data-state. */
async function syncNow(page) {
  if (!(await page.locator(byId('sync-now')).isVisible())) await page.click(byId('nav-settings'));
  const runs = Number(await page.getAttribute(byId('sync-state'), 'data-runs'));
  await page.click(byId('sync-now'));
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.dataset.runs) > n, [byId('sync-state'), runs]);
  return page.getAttribute(byId('sync-state'), 'data-state');
}

/** Syncs and fails with the words `sync-state` shows unless the sync succeeded. */
async function synced(page) {
  const state = await syncNow(page);
  assert.equal(state, 'synced', await text(page, 'sync-state'));
}

async function createCustomer(page, name, code) {
  await page.click(byId('nav-customers'));
  await page.click(byId('new-customer'));
  await page.fill(byId('field-code'), code);
  await page.fill(byId('field-name'), name);
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
}

async function openCustomer(page, code) {
  await page.click(byId('nav-customers'));
  await page.click(`${byId('customer-row')}[data-customer-code="${code}"]`);
  await page.waitForSelector(byId('customer-card'));
}

async function editCustomer(page, code, field, value) {
  await openCustomer(page, code);
  await page.click(byId('edit-customer'));
  await page.fill(byId(field), value);
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
}

async function count(page) {
  await page.click(byId('nav-customers'));
  return text(page, 'customer-count');
}

test('two profiles converge: creates, offline edits of different fields, a same-field clash and a deletion', async () => {
  const db = await couch.createDb('team');
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await openApp(a, site.url);
  const pageB = await openApp(b, site.url);

  await createCustomer(pageA, '王芳', 'C00004');
  await createCustomer(pageA, 'Bo Li', 'VIP-0012');
  await configure(pageA, db);
  await synced(pageA);
  assert.equal(await text(pageA, 'sync-sent'), '4', 'two customers, the tier policy and the custom fields');
  await configure(pageB, db);
  await synced(pageB);
  assert.equal(await text(pageB, 'sync-received'), '2');
  assert.equal(await count(pageB), '2');

  // B goes offline and edits the city and the notes; A edits the phone and the notes, later.
  await b.setOffline(true);
  await editCustomer(pageB, 'C00004', 'field-city', '成都');
  await editCustomer(pageB, 'C00004', 'field-notes', 'B 的备注');
  assert.equal(await syncNow(pageB), 'error');
  assert.match(await text(pageB, 'sync-state'), /无法连接服务器/);
  await editCustomer(pageA, 'C00004', 'field-phone', '13900000000');
  await editCustomer(pageA, 'C00004', 'field-notes', 'A 的备注（更晚）');
  await synced(pageA);
  await b.setOffline(false);
  await synced(pageB);
  await synced(pageA);
  for (const page of [pageA, pageB]) {
    await openCustomer(page, 'C00004');
    await page.click(byId('edit-customer'));
    assert.equal(await page.inputValue(byId('field-city')), '成都');
    assert.equal(await page.inputValue(byId('field-phone')), '13900000000');
    assert.equal(await page.inputValue(byId('field-notes')), 'A 的备注（更晚）');
    await page.click(byId('nav-customers'));
  }
  // B folded both versions: its replaced note is listed until dismissed.
  await pageB.click(byId('nav-settings'));
  await pageB.waitForSelector(byId('merge-conflicts'));
  const rows = await pageB.locator(byId('conflict-row')).allTextContents();
  assert.equal(rows.length, 1, rows.join('\n'));
  assert.match(rows[0], /notes.*A 的备注（更晚）.*B 的备注/);

  // A deletes Bo Li: a CouchDB deletion on the server, and gone in B after its sync.
  const boId = await pageA.getAttribute(`${byId('customer-row')}[data-customer-code="VIP-0012"]`, 'data-customer-id');
  await openCustomer(pageA, 'VIP-0012');
  await pageA.click(byId('delete-customer'));
  await pageA.click(byId('confirm-delete'));
  await pageA.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '1', byId('customer-count'));
  await synced(pageA);
  const [status, body] = await couch.call('GET', `team/customer-${boId}`);
  assert.equal(status, 404, JSON.stringify(body));
  // A tombstone, not a document that never was: the changes feed lists it as deleted.
  const [, feed] = await couch.call('GET', 'team/_changes?style=all_docs');
  const change = feed.results.find((r) => r.id === `customer-${boId}`);
  assert.equal(change?.deleted, true, JSON.stringify(feed));
  assert.match(change.changes[0].rev, /^2-[0-9a-f]{32}$/);
  await synced(pageB);
  assert.equal(await count(pageB), '1');

  // Workbook-wide definitions travel too: a custom field added in A appears in B.
  await pageA.click(byId('nav-settings'));
  await pageA.fill(byId('custom-field-label'), '鞋码');
  await pageA.click(byId('add-custom-field'));
  await pageA.waitForSelector(byId('custom-field-def'));
  await synced(pageA);
  await synced(pageB);
  assert.match(await pageB.locator(byId('custom-field-def')).first().textContent(), /鞋码/);

  // Both end with the same workbook on the server and nothing left to send.
  const [, all] = await couch.call('GET', 'team/_all_docs?include_docs=true');
  assert.equal(all.rows.filter((r) => r.id.startsWith('customer-')).length, 1);
  assert.deepEqual(all.rows.filter((r) => r.id.startsWith('settings-')).map((r) => r.id).sort(), ['settings-custom-fields', 'settings-tier-policy']);
  await synced(pageA);
  assert.deepEqual(pageA.pageErrors, []);
  assert.deepEqual(pageB.pageErrors, []);
  await a.close();
  await b.close();
});

test("PouchDB's replicator reads what Tierbook pushed and Tierbook takes in what it pushes back", async () => {
  const db = await couch.createDb('interop');
  const context = await browser.newContext();
  const page = await openApp(context, site.url);
  await createCustomer(page, 'Ann Interop', 'P012345');
  await configure(page, db);
  await synced(page);

  const PouchDB = require('pouchdb-core').plugin(require('pouchdb-adapter-memory')).plugin(require('pouchdb-adapter-http'))
    .plugin(require('pouchdb-replication'));
  const local = new PouchDB('interop-local', { adapter: 'memory' });
  const remote = new PouchDB(db, { fetch: (url, opts) => {
    opts.headers.set('Authorization', 'Basic ' + Buffer.from('writer:writer-pass').toString('base64'));
    return PouchDB.fetch(url, opts);
  } });
  await PouchDB.replicate(remote, local);
  const { rows } = await local.allDocs({ include_docs: true });
  const doc = rows.map((r) => r.doc).find((d) => d.record?.customer?.code === 'P012345');
  assert.ok(doc, JSON.stringify(rows));
  assert.equal(doc.type, 'customer');
  assert.match(doc._rev, /^1-[0-9a-f]{32}$/);
  doc.record.customer.notes = 'set by PouchDB';
  await local.put(doc);
  // And a document of another tool, and a customer file no form would accept: left alone, counted.
  await local.put({ _id: 'invoice-17', total: 3 });
  await local.put({ ...doc, _id: 'customer-77', _rev: undefined, record: { ...doc.record, customer: { ...doc.record.customer, id: 77, name: ' ' } } });
  await PouchDB.replicate(local, remote);

  await synced(page);
  assert.equal(await text(page, 'sync-skipped'), '2');
  assert.equal(await count(page), '1');
  await openCustomer(page, 'P012345');
  assert.match(await page.textContent(byId('customer-card')), /set by PouchDB/);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('a wrong password, a read-only member, a missing database and a locked workbook each get a clear message and change nothing', async () => {
  const db = await couch.createDb('guarded');
  const context = await browser.newContext();
  const page = await openApp(context, site.url);
  await createCustomer(page, 'Queued Q', 'Q001');

  await configure(page, db, { user: 'writer', password: 'wrong' });
  assert.equal(await syncNow(page), 'error');
  assert.match(await text(page, 'sync-state'), /用户名或密码不正确/);
  await page.waitForSelector(byId('error-message'));
  assert.match(await text(page, 'error-message'), /同步失败.*用户名或密码不正确/);

  await configure(page, db, READER);
  assert.equal(await syncNow(page), 'error');
  assert.match(await text(page, 'sync-state'), /没有写入/);
  const [, empty] = await couch.call('GET', 'guarded/_all_docs');
  assert.equal(empty.rows.length, 0);
  assert.equal(await count(page), '1');

  await configure(page, `${couch.base}/no-such-db`);
  assert.equal(await syncNow(page), 'error');
  assert.match(await text(page, 'sync-state'), /数据库不存在/);

  // A locked workbook refuses to sync: the server would see its customers in clear.
  await page.fill(byId('lock-passphrase'), 'correct horse battery');
  await page.fill(byId('lock-confirm'), 'correct horse battery');
  await page.click(byId('lock-enable'));
  await page.waitForSelector(byId('lock-done'), { timeout: 60000 });
  await configure(page, db);
  assert.equal(await syncNow(page), 'error');
  assert.match(await text(page, 'sync-state'), /已加密的工作簿不会同步/);
  const [, none] = await couch.call('GET', 'guarded/_all_docs');
  assert.equal(none.rows.length, 0);
  await page.click(byId('lock-remove'));
  await page.waitForSelector(`${byId('lock-state')}[data-locked="false"]`);

  // With write permission the queued change goes out.
  await configure(page, db);
  await synced(page);
  const [, sent] = await couch.call('GET', 'guarded/_all_docs');
  assert.equal(sent.rows.filter((r) => r.id.startsWith('customer-')).length, 1);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('with sync-live a change in one profile reaches the other, and its other tabs, by itself', async () => {
  const db = await couch.createDb('live');
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await openApp(a, site.url);
  const pageB = await openApp(b, site.url);
  for (const page of [pageA, pageB]) {
    await configure(page, db);
    await page.check(byId('sync-live'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'synced', byId('sync-state'));
  }
  const otherTabB = await openApp(b, site.url);
  await createCustomer(pageA, 'Live Lin', 'L-001');
  for (const page of [pageB, otherTabB]) {
    await page.click(byId('nav-customers'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '1', byId('customer-count'))
      .catch(async (e) => {
        const states = [];
        for (const p of [pageA, pageB, otherTabB]) { await p.click(byId('nav-settings')); states.push(await text(p, 'sync-state')); }
        throw new Error(`${e.message}\n${states.join('\n')}\n${JSON.stringify((await couch.call('GET', 'live/_changes'))[1])}`);
      });
  }
  await editCustomer(pageB, 'L-001', 'field-city', '西安');
  await openCustomer(pageA, 'L-001');
  await pageA.waitForFunction((sel) => /西安/.test(document.querySelector(sel)?.textContent), byId('customer-card'));
  for (const page of [pageA, pageB, otherTabB]) assert.deepEqual(page.pageErrors, []);
  await a.close();
  await b.close();
});

test('an encrypted JSON export opens only with its passphrase; a wrong one or a changed file imports nothing', async () => {
  const { readFile, writeFile } = await import('node:fs/promises');
  const a = await browser.newContext();
  const pageA = await openApp(a, site.url);
  await createCustomer(pageA, '加密 王', 'S-0001');
  await pageA.click(byId('nav-import-export'));
  await pageA.fill(byId('export-passphrase'), 'correct horse battery');
  const [download] = await Promise.all([pageA.waitForEvent('download'), pageA.click(byId('export-json'))]);
  assert.match(download.suggestedFilename(), /backup-encrypted.*\.json$/);
  const file = await download.path();
  const sealed = await readFile(file, 'utf8');
  assert.match(sealed, /tierbook-sealed-backup/);
  assert.match(sealed, /"iterations":600000/);
  assert.doesNotMatch(sealed, /加密 王|S-0001/);

  const b = await browser.newContext();
  const pageB = await openApp(b, site.url);
  await pageB.click(byId('nav-import-export'));
  await pageB.setInputFiles(byId('import-file'), file);
  await pageB.waitForSelector(byId('import-passphrase'));
  assert.match(await text(pageB, 'error-message'), /已加密/);
  await pageB.fill(byId('import-passphrase'), 'wrong horse battery');
  await pageB.press(byId('import-passphrase'), 'Enter');
  await pageB.locator(byId('import-passphrase')).blur();
  await pageB.waitForFunction((sel) => /口令不正确/.test(document.querySelector(sel)?.textContent), byId('error-message'));
  assert.equal(await pageB.locator(byId('import-commit')).count(), 0);
  // A file changed by one character is refused the same way, even with the right passphrase.
  const json = JSON.parse(sealed);
  json.data = json.data.slice(0, 40) + (json.data[40] === 'A' ? 'B' : 'A') + json.data.slice(41);
  const tampered = file + '-tampered.json';
  await writeFile(tampered, JSON.stringify(json));
  await pageB.setInputFiles(byId('import-file'), tampered);
  await pageB.fill(byId('import-passphrase'), 'correct horse battery');
  await pageB.locator(byId('import-passphrase')).blur();
  await pageB.waitForFunction((sel) => /口令不正确/.test(document.querySelector(sel)?.textContent), byId('error-message'));
  assert.equal(await count(pageB), '0');

  await pageB.click(byId('nav-import-export'));
  await pageB.setInputFiles(byId('import-file'), file);
  await pageB.fill(byId('import-passphrase'), 'correct horse battery');
  await pageB.locator(byId('import-passphrase')).blur();
  await pageB.waitForSelector(byId('import-commit'));
  await pageB.click(byId('import-commit'));
  await pageB.waitForSelector(byId('import-result'));
  assert.equal(await count(pageB), '1');
  await openCustomer(pageB, 'S-0001');
  assert.match(await pageB.textContent(byId('customer-card')), /加密 王/);
  await a.close();
  await b.close();
});
