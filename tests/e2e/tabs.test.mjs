// End-to-end: two tabs on one workbook, and the built folder served under a sub-path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, byId, text } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a change in one tab appears in the other, and a stale edit does not overwrite it', async (t) => {
  const server = await serveDist();
  // Closed even when an assertion fails, so the test run never waits on an open server.
  t.after(() => server.close());
  const context = await browser.newContext();
  const tabA = await openApp(context, server.url);
  const tabB = await openApp(context, server.url);

  await tabA.click(byId('new-customer'));
  await tabA.fill(byId('field-name'), 'Shared Sam');
  await tabA.click(byId('save-customer'));
  await tabA.waitForSelector(byId('customer-card'));
  await tabB.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1', byId('customer-count'));

  // Both tabs open the edit form; A saves first, then B saves from its older copy.
  await tabB.click(byId('customer-row'));
  await tabB.click(byId('edit-customer'));
  await tabA.click(byId('edit-customer'));
  await tabA.fill(byId('field-city'), 'Shanghai');
  await tabA.click(byId('save-customer'));
  await tabA.waitForSelector(byId('customer-card'));
  await tabB.fill(byId('field-city'), 'Beijing');
  await tabB.click(byId('save-customer'));
  await tabB.waitForSelector(byId('error-message'));
  assert.match(await text(tabB, 'error-message'), /另一个标签页/);

  // The stored value is tab A's, and tab B has been brought up to date.
  const tabC = await openApp(context, server.url);
  await tabC.click(byId('customer-row'));
  assert.match(await tabC.textContent(byId('customer-card')), /Shanghai/);
  // B's refused input is still in its form: leaving asks first, and B chooses to leave.
  const asked = [];
  tabB.removeAllListeners('dialog');
  tabB.on('dialog', (d) => { asked.push(d.message()); d.accept(); });
  await tabB.click(byId('nav-customers'));
  assert.equal(asked.length, 1);
  await tabB.click(byId('customer-row'));
  assert.match(await tabB.textContent(byId('customer-card')), /Shanghai/);
  await context.close();
});

test('the built folder works under a sub-path', async () => {
  const server = await serveDist({ prefix: '/shops/tierbook/' });
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('load-demo'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '300', byId('customer-count'));
  assert.deepEqual(page.pageErrors, []);
  await context.close();
  await server.close();
});
