// End-to-end: a locked workbook cannot be read from IndexedDB without the passphrase (the
// raw stored values are inspected); a wrong passphrase reveals nothing and changes nothing;
// the right one opens it; removing the lock stores plain values again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, byId, loadDemo, rawStore } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('a locked workbook is sealed at rest and opens only with its passphrase', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await loadDemo(page);
  const name = (await page.textContent(`${byId('customer-row')} >> nth=0 >> .name`)).trim();
  assert.ok((await rawStore(page)).shard_groups.some((v) => v.text.includes(name)), 'before locking the name is readable');

  await page.click(byId('nav-settings'));
  await page.fill(byId('lock-passphrase'), 'short');
  await page.fill(byId('lock-confirm'), 'short');
  await page.click(byId('lock-enable'));
  await page.waitForSelector(byId('error-message'));
  await page.fill(byId('lock-passphrase'), 'correct horse battery');
  await page.fill(byId('lock-confirm'), 'correct horse battery');
  await page.click(byId('lock-enable'));
  await page.waitForSelector(byId('lock-done'), { timeout: 60000 });

  const sealed = await rawStore(page);
  assert.ok(sealed.shard_groups.length > 0);
  for (const v of sealed.shard_groups) {
    assert.equal(v.head, 'TBX1', `shard ${v.key} is sealed`);
    assert.ok(!v.text.includes(name), `shard ${v.key} does not show ${name}`);
  }
  for (const v of sealed.meta) {
    if (v.key === 'lock') {
      const lock = JSON.parse(v.text);
      assert.ok(lock.iterations >= 600000 && lock.salt.length === 16);
    } else {
      assert.equal(v.head, 'TBX1', `meta ${v.key} is sealed`);
    }
  }

  // Opening the page asks for the passphrase; nothing of the workbook is shown before.
  await page.reload();
  await page.waitForSelector(byId('unlock-passphrase'));
  assert.equal(await page.locator(byId('customer-row')).count(), 0);
  await page.fill(byId('unlock-passphrase'), 'wrong horse battery');
  await page.click(byId('unlock-submit'));
  await page.waitForSelector(byId('error-message'));
  assert.match(await page.textContent(byId('error-message')), /口令不正确|Wrong passphrase/);
  assert.equal(await page.locator(byId('customer-row')).count(), 0);
  assert.deepEqual(await rawStore(page), sealed, 'a wrong passphrase changes nothing');

  await page.fill(byId('unlock-passphrase'), 'correct horse battery');
  await page.click(byId('unlock-submit'));
  // The page reloaded was Settings, and Settings it is once unlocked.
  await page.waitForSelector(byId('lock-state'), { timeout: 30000 });
  await page.click(byId('nav-customers'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '300', byId('customer-count'));

  // Writing while unlocked keeps everything sealed.
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), '加密后新客户');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  const after = await rawStore(page);
  assert.ok(after.shard_groups.every((v) => v.head === 'TBX1' && !v.text.includes('加密后新客户')));

  // Removing the lock stores plain values again, and the page opens without asking.
  await page.click(byId('nav-settings'));
  await page.click(byId('lock-remove'));
  await page.waitForSelector(`${byId('lock-state')}[data-locked="false"]`);
  const plain = await rawStore(page);
  assert.ok(plain.shard_groups.some((v) => v.text.includes('加密后新客户')));
  assert.ok(!plain.meta.some((v) => v.key === 'lock'));
  await page.reload();
  await page.waitForSelector(byId('lock-state'));
  await page.click(byId('nav-customers'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '301', byId('customer-count'));
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});
