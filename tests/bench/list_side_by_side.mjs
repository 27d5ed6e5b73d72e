// Two builds side by side, rounds interleaved (this machine's speed drifts over minutes):
// opening a workbook of 100,000 customers / 1,000,000 purchases until the list is usable, and
// the search keystrokes of bench.mjs. Not in `make bench` (it needs a second build):
//   BEFORE=/tmp/base_dist AFTER=dist node tests/bench/list_side_by_side.mjs
import path from 'node:path';
import { launch, openApp, byId } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';

const ROUNDS = Number(process.env.ROUNDS || 2);
const builds = { before: process.env.BEFORE, after: process.env.AFTER || 'dist' };
if (!builds.before) throw new Error('BEFORE=<dist folder of the other build> is needed');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const results = { before: { open: [], search: [] }, after: { open: [], search: [] } };

async function measure(dir, into) {
  const server = await serveDist({ dir: path.resolve(dir) });
  const browser = await launch();
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('nav-settings'));
  await page.fill(byId('scale-customers'), '100000');
  await page.fill(byId('scale-purchases'), '1000000');
  await page.click(byId('scale-run'));
  await page.waitForSelector(byId('scale-write-ms'), { timeout: 300000 });
  for (let run = 0; run < 3; run++) {
    await page.goto(server.url, { waitUntil: 'commit' });
    const ready = await page.waitForFunction(([count, row]) => {
      const c = document.querySelector(count);
      return c && c.textContent === '100000' && document.querySelector(row) ? performance.now() : false;
    }, [byId('customer-count'), byId('customer-row')], { polling: 'raf', timeout: 120000 });
    into.open.push(await ready.jsonValue());
  }
  into.search.push(...await page.evaluate(async ([input, count]) => {
    const box = document.querySelector(input), counter = document.querySelector(count);
    const times = [];
    for (const q of ['1', '13', '138', '1388', '', '王', '王伟', '', 's', 'sm', 'smi', '']) {
      const changed = new Promise((resolve) => {
        const obs = new MutationObserver(() => { obs.disconnect(); resolve(performance.now()); });
        obs.observe(counter, { characterData: true, childList: true, subtree: true });
      });
      const t0 = performance.now();
      box.value = q;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      const t1 = await Promise.race([changed, new Promise((resolve) => setTimeout(() => resolve(null), 5000))]);
      if (t1 !== null) times.push(t1 - t0);
    }
    return times;
  }, [byId('customer-search'), byId('customer-count')]));
  await browser.close();
  await server.close();
}

for (let round = 0; round < ROUNDS; round++) {
  for (const name of ['before', 'after']) await measure(builds[name], results[name]);
}
const row = (label, key, reduce) => `| ${label} | ${reduce(results.before[key]).toFixed(1)} ms | ${reduce(results.after[key]).toFixed(1)} ms |`;
console.log(`| figure | before (${builds.before}) | after (${builds.after}) |`);
console.log('| --- | --- | --- |');
console.log(row('open until the list is usable, median', 'open', median));
console.log(row('search keystroke to updated list, median', 'search', median));
console.log(row('search keystroke, slowest', 'search', (xs) => Math.max(...xs)));
