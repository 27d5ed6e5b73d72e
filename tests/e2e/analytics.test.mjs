// End-to-end: the Analytics page computes its figures as of the chosen date.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, byId, text, loadDemo } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function figures(page) {
  const ids = ['avg-satisfaction', 'nps-value', 'feedback-responses', 'bgnbd-r', 'bgnbd-alpha', 'bgnbd-a', 'bgnbd-b'];
  const out = {};
  for (const id of ids) out[id] = await text(page, id);
  return out;
}

test('feedback, NPS, the BG/NBD fit and RFM segments follow analysis-as-of', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await loadDemo(page);
  await page.click(byId('nav-analytics'));
  await page.waitForSelector(byId('bgnbd-r'));
  const now = await figures(page);
  for (const id of ['bgnbd-r', 'bgnbd-alpha', 'bgnbd-a', 'bgnbd-b', 'avg-satisfaction']) {
    assert.match(now[id], /^\d+\.\d+$/, `${id} is a plain decimal: ${now[id]}`);
  }
  assert.match(now['nps-value'], /^-?\d+\.\d$/);
  assert.ok(Number(now['avg-satisfaction']) >= 1 && Number(now['avg-satisfaction']) <= 5);
  assert.ok(await page.locator(byId('rfm-segment')).count() >= 3);

  const yearAgo = new Date();
  yearAgo.setFullYear(yearAgo.getFullYear() - 1);
  await page.fill(byId('analysis-as-of'), yearAgo.toISOString().slice(0, 10));
  await page.waitForFunction(([sel, r]) => document.querySelector(sel)?.textContent.trim() !== r, [byId('bgnbd-r'), now['bgnbd-r']]);
  const then = await figures(page);
  // The demo's feedback is spread evenly over time and drawn at random: two 12-month windows
  // can hold the same number of responses, so the feedback figures are compared together.
  const feedback = (f) => [f['feedback-responses'], f['nps-value'], f['avg-satisfaction']];
  assert.notDeepEqual(feedback(then), feedback(now));
  assert.notEqual(then['bgnbd-alpha'], now['bgnbd-alpha']);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});
