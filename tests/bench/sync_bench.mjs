// Team sync at scale, against the CouchDB-API test server (express-pouchdb over in-memory
// PouchDB) on loopback: the first push of a workbook of CUSTOMERS customers and PURCHASES
// purchases (default 100,000 / 1,000,000), the first pull of it into an empty profile, and one
// changed customer reaching the other profile with sync-live on both (median of ROUNDS).
//   node tests/bench/sync_bench.mjs
import { launch, openApp, byId, text } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';
import { startCouch, WRITER } from '../sync/couch.mjs';
import { writeScaleWorkbook } from './measure.mjs';

const CUSTOMERS = Number(process.env.CUSTOMERS || 100000);
const PURCHASES = Number(process.env.PURCHASES || 1000000);
const ROUNDS = Number(process.env.ROUNDS || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launch();
const site = await serveDist();
const couch = await startCouch();
const db = await couch.createDb('bench');

async function configure(page) {
  await page.click(byId('nav-settings'));
  await page.fill(byId('sync-url'), db);
  await page.fill(byId('sync-user'), WRITER.user);
  await page.fill(byId('sync-password'), WRITER.password);
}

/** ms from sync-now to that sync's end (it must succeed). */
async function timedSync(page) {
  const runs = Number(await page.getAttribute(byId('sync-state'), 'data-runs'));
  const started = Date.now();
  await page.click(byId('sync-now'));
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.dataset.runs) > n,
    [byId('sync-state'), runs], { timeout: 900000, polling: 200 });
  const ms = Date.now() - started;
  const state = await page.getAttribute(byId('sync-state'), 'data-state');
  if (state !== 'synced') throw new Error(`sync ended ${state}: ${await text(page, 'sync-state')}`);
  return ms;
}

try {
  const a = await browser.newContext();
  const pageA = await openApp(a, site.url);
  await writeScaleWorkbook(pageA, CUSTOMERS, PURCHASES);
  await configure(pageA);
  const push = await timedSync(pageA);
  console.log(`first push of ${CUSTOMERS} customers / ${PURCHASES} purchases: ${push} ms (sent ${await text(pageA, 'sync-sent')})`);

  const b = await browser.newContext();
  const pageB = await openApp(b, site.url);
  await configure(pageB);
  const pull = await timedSync(pageB);
  await pageB.click(byId('nav-customers'));
  const count = await text(pageB, 'customer-count');
  if (count !== String(CUSTOMERS)) throw new Error(`pulled ${count} customers`);
  console.log(`first pull into an empty profile: ${pull} ms (received ${CUSTOMERS})`);

  for (const page of [pageA, pageB]) {
    await page.click(byId('nav-settings'));
    await page.check(byId('sync-live'));
  }
  await pageA.click(byId('nav-customers'));
  const code = await pageA.getAttribute(byId('customer-row'), 'data-customer-code');
  await pageB.click(byId('nav-customers'));
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const city = `Bench-${r}-${Date.now()}`;
    await pageB.fill(byId('customer-search'), city);
    await pageA.fill(byId('customer-search'), code);
    await pageA.click(`${byId('customer-row')}[data-customer-code="${code}"]`);
    await pageA.click(byId('edit-customer'));
    await pageA.fill(byId('field-city'), city);
    const started = Date.now();
    await pageA.click(byId('save-customer'));
    await pageB.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '1',
      byId('customer-count'), { timeout: 120000, polling: 50 });
    times.push(Date.now() - started);
    await pageA.click(byId('nav-customers'));
  }
  console.log(`one changed customer, save in A to shown in B (sync-live), median of ${ROUNDS}: ${median(times)} ms (${times.join(', ')})`);
} finally {
  await browser.close();
  await site.close();
  await couch.stop();
}
