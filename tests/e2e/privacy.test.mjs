// End-to-end: consent withdrawn in one click and recorded; a customer's own data exported;
// erasing a customer removes every trace from the stored data (read raw from IndexedDB) and
// from every export, leaving only an anonymous note.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openApp, byId, loadDemo, rawStore } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const NAME = '抹除测试客户';
const PHONE = '13912345678';
const EMAIL = 'erase.me@example.cn';

/** Every value in every object store of the workbook database, as text. */
async function rawStoredText(page) {
  return Object.values(await rawStore(page)).flat().map((v) => v.text).join('\n');
}

async function downloadText(page, testid) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(byId(testid))]);
  return (await readFile(await download.path(), 'utf8'));
}

test('consent is withdrawn in one click; erasing a customer leaves no trace in storage or exports', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openApp(context, server.url);
  await loadDemo(page);
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), NAME);
  await page.fill(byId('field-phone'), PHONE);
  await page.fill(byId('field-email'), EMAIL);
  await page.fill(byId('field-notes'), '喜欢靠窗');
  await page.check(byId('field-marketing-consent'));
  await page.fill(byId('field-consent-source'), '门店纸质登记表');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  await page.click(byId('add-purchase'));
  await page.fill(byId('purchase-date'), '2026-06-01');
  await page.fill(byId('purchase-product'), '独特产品X');
  await page.fill(byId('purchase-quantity'), '1');
  await page.fill(byId('purchase-amount'), '88');
  await page.click(byId('save-purchase'));
  await page.waitForSelector(byId('purchase-row'));
  await page.click(byId('add-interaction'));
  await page.fill(byId('interaction-date'), '2026-06-02');
  await page.fill(byId('interaction-summary'), '特别回访记录');
  await page.fill(byId('interaction-follow-up'), '2026-06-03');
  await page.click(byId('save-interaction'));
  await page.waitForSelector(byId('interaction-row'));

  // The audit trail shows what was done, with before and after.
  await page.click(`${byId('audit-trail')} summary`);
  const whats = await page.$$eval(byId('audit-row'), (rows) => rows.map((r) => r.dataset.what));
  assert.ok(whats.includes('created') && whats.includes('purchase') && whats.includes('interaction'), whats.join());

  // Consent: given on the form, withdrawn in one click, and the change is on the trail.
  assert.equal(await page.getAttribute(byId('consent-status'), 'data-consent'), 'true');
  assert.match(await page.textContent(byId('consent-status')), /门店纸质登记表/, 'with its date and source');
  await page.click(byId('withdraw-consent'));
  await page.waitForSelector(`${byId('consent-status')}[data-consent="false"]`);
  await page.waitForSelector(`${byId('audit-row')}[data-what="field:marketing_consent"]`, { state: 'attached' });

  // The customer's own data, as JSON.
  const own = JSON.parse(await downloadText(page, 'export-customer'));
  assert.equal(own.customer.name, NAME);
  assert.equal(own.purchases.length, 1);
  assert.ok(own.audit.length >= 3);

  // Before erasing, the stored data does hold them (so the check below can fail).
  assert.ok((await rawStoredText(page)).includes(PHONE));

  await page.click(byId('erase-customer'));
  await page.click(byId('confirm-erase'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '300', byId('customer-count'));

  const stored = await rawStoredText(page);
  for (const trace of [NAME, PHONE, EMAIL, '独特产品X', '特别回访记录', '喜欢靠窗']) {
    assert.ok(!stored.includes(trace), `stored data still holds ${trace}`);
  }
  assert.match(stored, /\[\{"at":\d+,"records":4\}\]/, 'an anonymous note: when, and how many records went (file, purchase, contact, tier rating)');

  await page.click(byId('nav-import-export'));
  const exports = [
    await downloadText(page, 'export-json'),
    await downloadText(page, 'export-csv-customers'),
    await downloadText(page, 'export-csv-purchases'),
    await downloadText(page, 'export-csv-interactions'),
  ].join('\n');
  for (const trace of [NAME, PHONE, EMAIL, '独特产品X', '特别回访记录']) {
    assert.ok(!exports.includes(trace), `an export still holds ${trace}`);
  }
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('a printed card shows the card alone, without navigation or buttons', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await loadDemo(page);
  await page.click(`${byId('customer-row')} >> nth=0`);
  await page.waitForSelector(byId('print-card'));
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('.topbar'), false);
  assert.equal(await page.isVisible(byId('print-card')), false);
  assert.equal(await page.isVisible(byId('card-name')), true);
  const breakAfter = await page.$eval(byId('customer-card'), (el) => getComputedStyle(el).breakAfter);
  assert.equal(breakAfter, 'page', 'one card per page');
  await page.emulateMedia({ media: 'screen' });
  assert.equal(await page.isVisible('.topbar'), true);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});
