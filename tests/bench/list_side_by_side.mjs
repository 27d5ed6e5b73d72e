// Two builds side by side, rounds interleaved (this machine's speed drifts over minutes):
// opening a workbook of 100,000 customers / 1,000,000 purchases until the list is usable, and
// the search keystrokes and the saves of bench.mjs. Not in `make bench` (it needs a second build):
//   BEFORE=/tmp/base_dist AFTER=dist node tests/bench/list_side_by_side.mjs
import path from 'node:path';
import { launch, openApp } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';
import { openUntilUsable, saveEdits, searchKeystrokes, untilLoaded, writeScaleWorkbook } from './measure.mjs';

const ROUNDS = Number(process.env.ROUNDS || 2);
const builds = { before: process.env.BEFORE, after: process.env.AFTER || 'dist' };
if (!builds.before) throw new Error('BEFORE=<dist folder of the other build> is needed');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fresh = () => ({ open: [], loaded: [], search: [], searchEarly: [], save: [] });
const results = { before: fresh(), after: fresh() };

async function measure(dir, into) {
  const server = await serveDist({ dir: path.resolve(dir) });
  const browser = await launch();
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await writeScaleWorkbook(page);
  for (let run = 0; run < 3; run++) {
    into.open.push(await openUntilUsable(page, server.url, 100000));
    // Typed at once, while the customer files may still be decoding behind the list.
    if (run === 2) into.searchEarly.push(...await searchKeystrokes(page));
    into.loaded.push(await untilLoaded(page));
  }
  into.search.push(...await searchKeystrokes(page));
  if (!process.env.NO_SAVE) into.save.push(...await saveEdits(page, 5));
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
console.log(row('open until every customer file is decoded, median', 'loaded', median));
console.log(row('search keystroke to updated list, median', 'search', median));
console.log(row('search keystroke typed right after the list shows, median', 'searchEarly', median));
console.log(row('search keystroke typed right after the list shows, slowest', 'searchEarly', (xs) => Math.max(...xs)));
console.log(row('search keystroke, slowest', 'search', (xs) => Math.max(...xs)));
if (!process.env.NO_SAVE) console.log(row('save one edited customer (click to card updated), median', 'save', median));
