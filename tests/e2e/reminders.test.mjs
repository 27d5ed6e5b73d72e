// End-to-end: the Today view shows a birthday three days ahead and a follow-up due today, puts
// them in the .ics file, fills a greeting, and remembers what was done with each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openApp, byId } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** A local date `days` from today as YYYY-MM-DD. */
function dayFromToday(days, yearsBack = 0) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  d.setFullYear(d.getFullYear() - yearsBack);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

test('a birthday in 3 days and a follow-up due today are on the Today view and in the calendar file', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openApp(context, server.url);
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), '生日客户');
  await page.fill(byId('field-birthday'), dayFromToday(3, 30));
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  await page.click(byId('add-interaction'));
  await page.fill(byId('interaction-date'), dayFromToday(-7));
  await page.selectOption(byId('interaction-kind'), 'call');
  await page.fill(byId('interaction-summary'), '回访新品试饮');
  await page.fill(byId('interaction-follow-up'), dayFromToday(0));
  await page.click(byId('save-interaction'));
  await page.waitForSelector(byId('interaction-row'));

  await page.click(byId('nav-reminders'));
  const birthday = `${byId('reminder-row')}[data-kind="birthday"]`;
  const followUp = `${byId('reminder-row')}[data-kind="follow-up"]`;
  await page.waitForSelector(birthday);
  assert.match(await page.textContent(birthday), new RegExp(`${dayFromToday(3)}.*生日客户.*30`));
  assert.match(await page.textContent(followUp), new RegExp(`${dayFromToday(0)}.*生日客户.*回访新品试饮`));

  const [download] = await Promise.all([page.waitForEvent('download'), page.click(byId('export-ics'))]);
  assert.equal(download.suggestedFilename(), 'tierbook-reminders.ics');
  const ics = await readFile(await download.path(), 'utf8');
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.ok(ics.includes(`DTSTART;VALUE=DATE:${dayFromToday(3).replaceAll('-', '')}\r\n`), 'the birthday is an all-day event on its day');
  assert.ok(ics.includes(`DTSTART;VALUE=DATE:${dayFromToday(0).replaceAll('-', '')}\r\n`), 'so is the follow-up');
  assert.ok(ics.replaceAll('\r\n ', '').includes('生日客户'));
  assert.equal((ics.match(/BEGIN:VEVENT/g) || []).length, 2);

  // A greeting filled in for the customer.
  await page.click(`${birthday} ${byId('reminder-greeting')}`);
  assert.match(await page.textContent(byId('greeting-text')), /^生日客户，您好！/);
  assert.doesNotMatch(await page.textContent(byId('greeting-text')), /\{name\}|\{points\}/);

  // Done and snoozed are remembered across a reload.
  await page.click(`${followUp} ${byId('reminder-done')}`);
  await page.waitForSelector(followUp, { state: 'detached' });
  await page.click(`${birthday} ${byId('reminder-snooze')}`);
  await page.waitForSelector(birthday, { state: 'detached' });
  await page.reload();
  // The reload stays on the Today view.
  await page.waitForSelector(`${byId('nav-reminders')}[aria-current="page"]`);
  await page.waitForSelector(byId('storage-status'));
  await page.waitForFunction((sel) => /MB/.test(document.querySelector(sel).textContent), byId('storage-status'));
  assert.equal(await page.locator(followUp).count(), 0);
  assert.equal(await page.locator(birthday).count(), 0);
  assert.ok(await page.isVisible(byId('backup-reminder')), 'no backup yet: the Today view says so');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});
