// End-to-end: import and export through the UI contract — Chinese Excel files (GBK, ￥ amounts),
// UTF-8 BOM files, files with errors (nothing written until the user says so), the bad-file
// corpus, a JSON backup restored into an empty profile, and two diverged backups merged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openApp, byId, text } from './browser.mjs';
import { serveDist } from './server.mjs';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function waitForCount(page, n) {
  await page.waitForFunction(([sel, n]) => document.querySelector(sel)?.textContent.trim() === String(n), [byId('customer-count'), n]);
}

async function customerCount(page) {
  await page.click(byId('nav-customers'));
  return Number(await text(page, 'customer-count'));
}

/** Chooses a file on the Import page and waits until it has been read (preview or error). */
async function choose(page, kind, file, encoding = 'auto') {
  await page.click(byId('nav-import-export'));
  await page.selectOption(byId('import-kind'), kind);
  await page.selectOption(byId('import-encoding'), encoding);
  await page.setInputFiles(byId('import-file'), file);
  const name = path.basename(file);
  await page.waitForFunction(([analysis, error, name]) =>
    document.querySelector(analysis)?.dataset.file === name || document.querySelector(error)?.textContent.includes(name),
  [byId('import-analysis'), byId('error-message'), name]);
}

async function commit(page) {
  await page.click(byId('import-commit'));
  await page.waitForSelector(byId('import-result'));
  const attr = (name) => page.getAttribute(`${byId('import-result')} [data-${name}]`, `data-${name}`).then(Number);
  return { created: await attr('created'), updated: await attr('updated'), skipped: await attr('skipped') };
}

async function exportBackup(page) {
  await page.click(byId('nav-import-export'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(byId('export-json'))]);
  assert.match(download.suggestedFilename(), /^Tierbook-backup-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();
  return { file, json: JSON.parse(await readFile(file, 'utf8')) };
}

async function openCustomer(page, query) {
  await page.click(byId('nav-customers'));
  await page.fill(byId('customer-search'), query);
  await waitForCount(page, 1);
  await page.click(byId('customer-row'));
  await page.waitForSelector(byId('customer-card'));
}

test('a GBK sheet from Chinese Excel lands in the right fields; purchases find their customer; undo restores', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await choose(page, 'customers', path.join(FIXTURES, 'customers-gbk.csv'));
  assert.match(await text(page, 'import-summary'), /GB18030/);
  assert.equal(await page.locator(byId('import-error')).count(), 0);
  // Analysed again from the text already read (another way of matching): still says how it was read.
  await page.$eval(byId('import-summary'), (el) => { el.stale = true; });
  await page.selectOption(byId('import-match'), 'phone-email');
  await page.waitForFunction((sel) => document.querySelector(sel) && !document.querySelector(sel).stale, byId('import-summary'));
  assert.match(await text(page, 'import-summary'), /GB18030/);
  const preview = await page.textContent(byId('import-preview'));
  assert.match(preview, /张伟/);
  assert.match(preview, /31200\.00/, 'the ￥31,200 amount was understood');
  assert.match(preview, /2026-12-31/, '2026年12月31日 was understood');
  assert.equal(await customerCount(page), 0, 'nothing is written before import-commit');

  await choose(page, 'customers', path.join(FIXTURES, 'customers-gbk.csv'));
  assert.deepEqual(await commit(page), { created: 3, updated: 0, skipped: 0 });
  await openCustomer(page, '13700003333');
  assert.equal(await text(page, 'card-name'), '王芳');
  assert.equal(await page.getAttribute(byId('tier-badge'), 'data-tier-id'), 'gold', 'the imported tier holds until its review');
  assert.equal(await text(page, 'next-review-date'), '2026-12-31');
  await openCustomer(page, '13800001111');
  assert.equal(await text(page, 'card-name'), '张伟');
  assert.equal(await page.getAttribute(byId('tier-badge'), 'data-tier-id'), 'platinum', '￥31,200 qualifies higher at once');

  // Importing the same sheet again updates nobody and creates nobody.
  await choose(page, 'customers', path.join(FIXTURES, 'customers-gbk.csv'));
  assert.match(await text(page, 'import-counts'), /0.*0.*3/);
  assert.equal(await page.locator(byId('import-commit')).count(), 0);

  // A purchase refers to its customer by phone and lifts her tier at once.
  await choose(page, 'purchases', path.join(FIXTURES, 'purchases-gbk.csv'));
  assert.deepEqual(await commit(page), { created: 1, updated: 0, skipped: 0 });
  await openCustomer(page, '李娜');
  assert.equal(await page.locator(byId('purchase-row')).count(), 1);
  assert.match(await page.textContent(byId('purchase-row')), /礼盒/);
  assert.notEqual(await page.getAttribute(byId('tier-badge'), 'data-tier-id'), 'silver');

  // Undo puts the workbook back exactly: no purchase, the tier she had.
  await page.click(byId('nav-import-export'));
  await page.click(byId('import-undo'));
  await page.waitForSelector(byId('import-undone'));
  await openCustomer(page, '李娜');
  assert.equal(await page.locator(byId('purchase-row')).count(), 0);
  assert.equal(await page.getAttribute(byId('tier-badge'), 'data-tier-id'), 'silver');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('a UTF-8 file with BOM and semicolons keeps accents and the numbers it gives', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await choose(page, 'customers', path.join(FIXTURES, 'customers-utf8-bom.csv'));
  assert.match(await text(page, 'import-summary'), /UTF-8/);
  assert.deepEqual(await commit(page), { created: 2, updated: 0, skipped: 0 });
  await openCustomer(page, 'Zoë');
  assert.equal(await text(page, 'card-name'), 'Zoë Ångström');
  assert.equal(await text(page, 'card-code'), '502', 'the number the file gives is the customer code');
  assert.match(await page.textContent(byId('customer-card')), /Uppsala/);
  assert.match(await page.textContent(byId('customer-card')), /2021-07-15/);
  await context.close();
});

test('a file with bad rows lists each problem by line and column and writes nothing until asked', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  const file = path.join(FIXTURES, 'customers-malformed.csv');
  await choose(page, 'customers', file);
  const problems = await page.locator(byId('import-error')).allTextContents();
  assert.ok(problems.some((p) => /customers-malformed\.csv 第 3 行 第 2 列“电话”/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /第 3 行 第 4 列“生日”/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /第 4 行 第 3 列“邮箱”/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /第 4 行 第 5 列“影响力评分”/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /第 5 行.*引号.*第 6 行/.test(p)), problems.join('\n'));
  await page.click(byId('import-cancel'));
  assert.equal(await customerCount(page), 0, 'importing nothing writes nothing');

  await choose(page, 'customers', file);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(byId('import-rejected-download'))]);
  const rejected = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
  assert.equal(rejected.split('\r\n').filter(Boolean).length, 4, 'header and the three refused rows');
  assert.match(rejected, /钱七/);
  assert.deepEqual(await commit(page), { created: 1, updated: 0, skipped: 3 });
  assert.equal(await customerCount(page), 1);
  await context.close();
});

test('every file of the bad corpus gets a clear message and changes nothing', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await choose(page, 'customers', path.join(FIXTURES, 'customers-utf8-bom.csv'));
  await commit(page);
  const bad = path.join(FIXTURES, 'bad');
  const dir = await mkdtemp(path.join(tmpdir(), 'tierbook-'));
  const oneLine = path.join(dir, 'one-line-100mb.csv');
  await writeFile(oneLine, Buffer.alloc(100 * 1024 * 1024, 'a'));
  const brokenXlsx = path.join(dir, 'broken.xlsx');
  await writeFile(brokenXlsx, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]));
  const cases = [
    ['customers', path.join(bad, 'empty.csv'), /empty\.csv：文件是空的/],
    ['customers', path.join(bad, 'header-only.csv'), /header-only\.csv：只有标题行/],
    ['customers', path.join(bad, 'binary.csv'), /binary\.csv：这不是文本文件/],
    ['customers', oneLine, /one-line-100mb\.csv：第 1 行不是列标题/],
    ['customers', brokenXlsx, /broken\.xlsx：无法读取此电子表格（.+）/],
    ['backup', path.join(bad, 'truncated.json'), /truncated\.json：第 1 行第 \d+ 列：不是有效的 JSON/],
    ['backup', path.join(bad, 'other-version.json'), /other-version\.json：这是另一版本的 Tierbook 备份（格式 9）/],
    ['backup', path.join(bad, 'not-a-backup.json'), /not-a-backup\.json：这不是 Tierbook 备份文件/],
    ['backup', path.join(bad, 'missing-field.json'), /missing-field\.json：第 1 行第 \d+ 列：missing field `name`/],
  ];
  for (const [kind, file, message] of cases) {
    await choose(page, kind, file);
    assert.match(await text(page, 'error-message'), message, file);
    assert.equal(await page.locator(byId('import-commit')).count(), 0, file);
  }
  for (const [name, message] of [['unbalanced-quotes.csv', /第 2 行.*引号/], ['truncated.csv', /第 3 行.*应有 3 个单元格，实际 2 个/]]) {
    await choose(page, 'customers', path.join(bad, name));
    assert.match((await page.locator(byId('import-error')).allTextContents()).join('\n'), message, name);
    await page.click(byId('import-cancel'));
  }
  // A GBK file read as UTF-8 is refused with the encoding named.
  await choose(page, 'customers', path.join(bad, 'wrong-encoding.csv'), 'utf-8');
  assert.match(await text(page, 'error-message'), /wrong-encoding\.csv：内容不是有效的 UTF-8 编码/);
  assert.equal(await customerCount(page), 2, 'the stored data is as it was');
  await rm(dir, { recursive: true });
  await context.close();
});

test('a JSON backup restores an identical workbook in an empty profile', async () => {
  const first = await browser.newContext();
  const a = await openApp(first, server.url);
  await a.click(byId('load-demo'));
  await waitForCount(a, 300);
  await a.click(byId('nav-tiers'));
  await a.selectOption(byId('tier-preset'), 'hotel');
  await a.click(byId('apply-tier-policy'));
  await a.waitForSelector(byId('policy-applied'));
  const original = await exportBackup(a);
  assert.equal(original.json.customers.length, 300);

  const second = await browser.newContext();
  const b = await openApp(second, server.url);
  await choose(b, 'backup', original.file);
  assert.deepEqual(await commit(b), { created: 300, updated: 0, skipped: 0 });
  await b.reload();
  await b.click(byId('nav-customers'));
  await b.waitForSelector(byId('customer-count'));
  await waitForCount(b, 300);
  const restored = await exportBackup(b);
  for (const backup of [original.json, restored.json]) delete backup.exported_at;
  assert.deepEqual(restored.json, original.json);
  await first.close();
  await second.close();
});

test('two diverged backups merge: nothing lost, the newer change kept, the replaced value listed', async () => {
  const first = await browser.newContext();
  const a = await openApp(first, server.url);
  await a.click(byId('load-demo'));
  await waitForCount(a, 300);
  const shared = await exportBackup(a);
  const id = String(shared.json.customers[0].customer.id);
  const name = shared.json.customers[0].customer.name;

  const second = await browser.newContext();
  const b = await openApp(second, server.url);
  await choose(b, 'backup', shared.file);
  await commit(b);

  // B edits the customer first, A later: A's change is the newer one. Neither city is one the
  // demo generates, so both edits are changes.
  for (const [page, city] of [[b, '苏州'], [a, '厦门']]) {
    await page.click(byId('nav-customers'));
    await page.fill(byId('customer-search'), name);
    await page.click(`${byId('customer-row')}[data-customer-id="${id}"]`);
    await page.click(byId('edit-customer'));
    await page.fill(byId('field-city'), city);
    await page.click(byId('save-customer'));
    await page.waitForSelector(byId('customer-card'));
  }
  // A also adds a customer B has never seen.
  await a.click(byId('nav-customers'));
  await a.click(byId('new-customer'));
  await a.fill(byId('field-name'), '新同事客户');
  await a.click(byId('save-customer'));
  await a.waitForSelector(byId('customer-card'));
  const fromA = await exportBackup(a);

  await choose(b, 'backup', fromA.file);
  assert.deepEqual(await commit(b), { created: 1, updated: 1, skipped: 299 });
  const rows = await b.locator(byId('conflict-row')).allTextContents();
  assert.equal(rows.length, 1, rows.join('\n'));
  assert.match(rows[0], new RegExp(`${id}.*城市.*厦门.*苏州`));
  await b.reload();
  await b.click(byId('nav-customers'));
  await b.waitForSelector(byId('customer-count'));
  await waitForCount(b, 301);
  await b.click(byId('nav-import-export'));
  assert.equal(await b.locator(byId('conflict-row')).count(), 1, 'conflicts stay until dismissed');
  await b.click(byId('dismiss-conflict'));
  await b.waitForFunction((sel) => !document.querySelector(sel), byId('conflict-row'));
  await b.click(byId('nav-customers'));
  await b.fill(byId('customer-search'), name);
  await b.click(`${byId('customer-row')}[data-customer-id="${id}"]`);
  assert.match(await b.textContent(byId('customer-card')), /厦门/);
  await first.close();
  await second.close();
});
