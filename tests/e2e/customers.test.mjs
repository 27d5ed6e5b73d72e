// End-to-end: customers, their records, validation, escaping, reloads — through the UI contract.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, byId, text } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function fillCustomer(page, fields) {
  for (const [id, value] of Object.entries(fields)) {
    if (id === 'field-gender') await page.selectOption(byId(id), value);
    else await page.fill(byId(id), value);
  }
}

async function waitForCount(page, n) {
  await page.waitForFunction(([sel, n]) => document.querySelector(sel)?.textContent.trim() === String(n), [byId('customer-count'), n]);
}

test('an empty workbook explains the first steps, in the language chosen, after a reload', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  assert.equal(await text(page, 'customer-count'), '0');
  assert.match(await text(page, 'empty-workbook'), /新建客户/);
  await page.click(byId('lang-toggle'));
  await page.waitForSelector(`${byId('nav-customers')}:has-text("Customers")`);
  assert.match(await text(page, 'empty-workbook'), /New customer/);
  await page.reload();
  await page.waitForSelector(byId('customer-count'));
  assert.equal(await text(page, 'nav-customers'), 'Customers');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('create, edit, search and delete a customer with purchases, feedback and contacts; all survives reloads', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('new-customer'));
  await fillCustomer(page, {
    'field-name': '王小明', 'field-gender': 'male', 'field-birthday': '1990-05-17', 'field-phone': '13800138000',
    'field-email': 'xm.wang@example.cn', 'field-city': '杭州', 'field-occupation': '设计师', 'field-hobbies': '咖啡, 摄影',
    'field-special-needs': '无麸质', 'field-notes': '喜欢靠窗的位置', 'field-tags': 'VIP, 老客户', 'field-customer-since': '2021-03-01',
    'field-influence': '4',
  });
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  assert.equal(await text(page, 'card-name'), '王小明');
  const id = await page.getAttribute(byId('customer-card'), 'data-customer-id');

  // A purchase, then an edit of it; feedback; a contact.
  await page.click(byId('add-purchase'));
  await page.fill(byId('purchase-date'), '2025-06-01');
  await page.fill(byId('purchase-product'), '手冲咖啡豆');
  await page.fill(byId('purchase-quantity'), '2');
  await page.fill(byId('purchase-amount'), '￥1,280.50');
  await page.fill(byId('purchase-payment'), '微信支付');
  await page.click(byId('save-purchase'));
  await page.waitForSelector(byId('purchase-row'));
  assert.equal(await text(page, 'card-spend'), '1280.50', 'a plain number, as the UI contract asks');
  await page.locator(byId('purchase-row')).getByRole('button', { name: '编辑' }).click();
  await page.fill(byId('purchase-amount'), '300');
  await page.click(byId('save-purchase'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '300.00', byId('card-spend'));
  await page.click(byId('add-purchase'));
  await page.fill(byId('purchase-product'), '拿铁');
  await page.fill(byId('purchase-amount'), '32');
  await page.click(byId('save-purchase'));
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, byId('purchase-row'));

  await page.click(byId('add-feedback'));
  await page.fill(byId('feedback-date'), '2025-06-02');
  await page.fill(byId('feedback-score'), '5');
  await page.fill(byId('feedback-nps'), '9');
  await page.fill(byId('feedback-comment'), '豆子很新鲜');
  await page.click(byId('save-feedback'));
  await page.waitForSelector(byId('feedback-row'));

  await page.click(byId('add-interaction'));
  await page.fill(byId('interaction-date'), '2025-06-03');
  await page.selectOption(byId('interaction-kind'), 'complaint');
  await page.fill(byId('interaction-summary'), '外卖送达延误');
  await page.fill(byId('interaction-follow-up'), '2025-06-05');
  await page.click(byId('save-interaction'));
  await page.waitForSelector(byId('interaction-row'));

  // Edit the customer.
  await page.click(byId('edit-customer'));
  await page.fill(byId('field-city'), '上海');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  assert.match(await page.textContent(byId('customer-card')), /上海/);

  // Reload: the card stays open, and everything is still there.
  await page.reload();
  await page.waitForSelector(byId('customer-card'));
  await page.click(byId('nav-customers'));
  await page.waitForSelector(byId('customer-count'));
  await page.fill(byId('customer-search'), '13800138000');
  await waitForCount(page, 1);
  assert.equal(await page.getAttribute(byId('customer-row'), 'data-customer-id'), id);
  for (const q of ['王小明', 'XM.WANG@', '老客户', '上海']) {
    await page.fill(byId('customer-search'), q);
    await waitForCount(page, 1);
  }
  await page.fill(byId('customer-search'), '杭州');
  await waitForCount(page, 0);
  await page.fill(byId('customer-search'), '王小明');
  await waitForCount(page, 1);
  await page.click(byId('customer-row'));
  await page.waitForSelector(byId('customer-card'));
  assert.equal(await page.locator(byId('purchase-row')).count(), 2);
  assert.equal(await page.locator(byId('feedback-row')).count(), 1);
  assert.equal(await page.locator(byId('interaction-row')).count(), 1);
  assert.equal(await text(page, 'card-spend'), '332.00');
  const card = await page.textContent(byId('customer-card'));
  for (const s of ['13800138000', 'xm.wang@example.cn', '1990-05-17', '设计师', '无麸质', '喜欢靠窗的位置', 'VIP', '豆子很新鲜', '外卖送达延误', '2025-06-05']) {
    assert.ok(card.includes(s), `card shows ${s}`);
  }

  // Delete a purchase, then the customer (with confirmation); both stay gone after a reload.
  await page.locator(byId('purchase-row')).filter({ hasText: '拿铁' }).getByRole('button', { name: '删除' }).click();
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, byId('purchase-row'));
  await page.click(byId('delete-customer'));
  await page.click(byId('confirm-delete'));
  await waitForCount(page, 0);
  await page.reload();
  await page.waitForSelector(byId('customer-count'));
  assert.equal(await text(page, 'customer-count'), '0');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('invalid input shows error-message and saves nothing', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('lang-toggle'));
  await page.click(byId('new-customer'));
  await fillCustomer(page, { 'field-name': '', 'field-email': 'not-an-email', 'field-phone': '12', 'field-influence': '9' });
  await page.click(byId('save-customer'));
  const message = await text(page, 'error-message');
  for (const expected of ['Name: is required', 'Email: is not an email address', 'Phone: is not a phone number', 'Influence score (0–5): must be between 0–5']) {
    assert.ok(message.includes(expected), `${expected} in ${message}`);
  }
  assert.equal(await page.locator(byId('customer-form')).count(), 1, 'the form stays open');

  // Fix it and save; then a bad purchase is refused and the card keeps no purchase.
  await fillCustomer(page, { 'field-name': 'Ann Lee', 'field-email': 'ann@example.com', 'field-phone': '', 'field-influence': '3' });
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  assert.equal(await page.locator(byId('error-message')).count(), 0);
  await page.click(byId('add-purchase'));
  await page.fill(byId('purchase-product'), 'Tea');
  await page.fill(byId('purchase-amount'), '-5');
  await page.click(byId('save-purchase'));
  assert.match(await text(page, 'error-message'), /Amount: cannot be negative/);
  await page.click(byId('add-feedback'));
  await page.fill(byId('feedback-score'), '7');
  await page.click(byId('save-feedback'));
  assert.match(await text(page, 'error-message'), /Satisfaction \(1–5\): must be between 1–5/);
  await page.reload();
  await page.click(byId('nav-customers'));
  await page.waitForSelector(byId('customer-row'));
  assert.equal(await text(page, 'customer-count'), '1');
  await page.click(byId('customer-row'));
  await page.waitForSelector(byId('customer-card'));
  assert.equal(await page.locator(byId('purchase-row')).count(), 0);
  assert.equal(await page.locator(byId('feedback-row')).count(), 0);
  await context.close();
});

test('a name made of HTML is shown as text, never run', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  const evil = '<img src=x onerror=alert(1)>';
  await page.click(byId('new-customer'));
  await fillCustomer(page, { 'field-name': evil, 'field-notes': '<script>alert(2)</script>', 'field-tags': '<b>bold</b>' });
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  assert.equal(await text(page, 'card-name'), evil);
  assert.equal(await text(page, 'card-notes'), '<script>alert(2)</script>');
  assert.equal(await page.locator(`${byId('customer-card')} img, ${byId('customer-card')} script, ${byId('customer-card')} b`).count(), 0);
  await page.click(byId('nav-customers'));
  await page.waitForSelector(byId('customer-row'));
  assert.ok((await text(page, 'customer-row')).includes(evil));
  assert.equal(await page.locator(`${byId('customer-row')} img`).count(), 0);
  assert.deepEqual(page.pageErrors, [], 'no dialog opened and no script ran');
  await context.close();
});

test('demo data fills the list; sorting and filters work on it', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('load-demo'));
  await waitForCount(page, 300);
  await page.click('[data-sort=Spend]');
  await page.click('[data-sort=Spend]');
  const spends = await page.$$eval(byId('customer-row'), (rows) => rows.slice(0, 10).map((r) => Number(r.children[4].textContent.replace(/,/g, ''))));
  assert.deepEqual(spends, [...spends].sort((a, b) => b - a), 'highest spend first');
  const city = await page.$eval(`${byId('filter-city')} option:nth-child(2)`, (o) => o.value);
  await page.selectOption(byId('filter-city'), city);
  const count = Number(await text(page, 'customer-count'));
  assert.ok(count > 0 && count < 300);
  const cities = await page.$$eval(byId('customer-row'), (rows) => rows.map((r) => r.children[3].textContent));
  assert.ok(cities.every((c) => c === city));
  // Tier chips in the rows follow the language at once, like the rest of the page.
  const chip = `${byId('customer-row')} .tier-chip`;
  await page.waitForSelector(chip);
  assert.match(await page.textContent(chip), /[\u4e00-\u9fff]/);
  await page.click(byId('lang-toggle'));
  await page.waitForFunction((sel) => /^[A-Za-z][A-Za-z ]*$/.test(document.querySelector(sel)?.textContent ?? ''), chip);
  await context.close();
});

test('custom fields defined in settings appear on the form, are checked, and are kept', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('lang-toggle'));
  await page.click(byId('nav-settings'));
  await page.fill(byId('custom-field-label'), 'Shoe size');
  await page.selectOption(byId('custom-field-kind'), 'number');
  await page.click(byId('add-custom-field'));
  await page.fill(byId('custom-field-label'), 'Membership');
  await page.selectOption(byId('custom-field-kind'), 'choice');
  await page.fill(byId('custom-field-options'), 'Basic, Plus');
  await page.click(byId('add-custom-field'));
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, byId('custom-field-def'));

  await page.click(byId('nav-customers'));
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), 'Grace Young');
  const inputs = page.locator('[data-testid^="field-custom-"]');
  assert.equal(await inputs.count(), 2);
  assert.equal(await inputs.nth(0).getAttribute('type'), 'number');
  await inputs.nth(0).fill('38');
  await inputs.nth(1).selectOption('Plus');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  await page.reload();
  await page.waitForSelector(byId('customer-card'));
  const card = await page.textContent(byId('customer-card'));
  assert.ok(card.includes('Shoe size') && card.includes('38') && card.includes('Plus'), card);
  await context.close();
});

test('a customer with many purchases shows the latest ten until asked for all', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('load-demo'));
  await waitForCount(page, 300);
  await page.click(`[data-customer-code="C00001"]`);
  await page.waitForSelector(byId('customer-card'));
  const total = Number(await text(page, 'card-purchase-count'));
  assert.ok(total > 10, `demo customer 1 is a regular (${total} purchases)`);
  assert.equal(await page.locator(byId('purchase-row')).count(), 10);
  const dates = await page.$$eval(byId('purchase-row'), (rows) => rows.map((r) => r.children[0].textContent));
  assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
  await page.locator(`.history-section:has(${byId('add-purchase')}) ${byId('show-all')}`).click();
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [byId('purchase-row'), total]);
  await context.close();
});

test('a reopened workbook lists its stored rows, and rows that are missing are made again from the files', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('load-demo'));
  await waitForCount(page, 300);
  await page.click('[data-sort=Spend]');
  const firstRows = async () => page.$$eval(byId('customer-row'), (rows) => rows.slice(0, 5).map((r) => r.textContent));
  const shown = await firstRows();
  // The rows as stored beside the files (groups of shards), counted in IndexedDB itself.
  const storedRows = () => page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('tierbook');
    open.onsuccess = () => {
      const db = open.result;
      const get = db.transaction(['summaries']).objectStore('summaries').count();
      get.onsuccess = () => { db.close(); resolve(get.result); };
      get.onerror = () => reject(get.error);
    };
  }));
  assert.ok(await storedRows() > 0, 'the list rows are stored with the files');
  await page.reload();
  await waitForCount(page, 300);
  await page.waitForSelector('#main[aria-busy="false"]');
  assert.deepEqual(await firstRows(), shown, 'the same rows, in the order of the URL');

  // A workbook written before rows were stored (or with rows lost) opens from its files and
  // gets its rows again.
  await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('tierbook');
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['summaries'], 'readwrite');
      tx.objectStore('summaries').clear();
      tx.oncomplete = () => { db.close(); resolve(); };
    };
  }));
  assert.equal(await storedRows(), 0);
  await page.reload();
  await waitForCount(page, 300);
  assert.deepEqual(await firstRows(), shown);
  await page.waitForFunction(() => document.querySelector('#main')?.getAttribute('aria-busy') === 'false');
  await page.waitForFunction(async () => {
    const db = await new Promise((r) => { const o = indexedDB.open('tierbook'); o.onsuccess = () => r(o.result); });
    const n = await new Promise((r) => { const q = db.transaction(['summaries']).objectStore('summaries').count(); q.onsuccess = () => r(q.result); });
    db.close();
    return n > 0;
  }, null, { polling: 100 });
  await page.click(`${byId('customer-row')} >> nth=0`);
  await page.waitForSelector(byId('customer-card'));
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});
