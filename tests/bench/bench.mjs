// `make bench`: storage and UI figures at 100,000 customers and 1,000,000 purchases, in headless
// Chromium against the release build. Prints medians (and every run) as Markdown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, openApp, byId } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';
import { openUntilUsable, saveEdits, searchKeystrokes, untilLoaded, writeScaleWorkbook } from './measure.mjs';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS || 100000);
const PURCHASES = Number(process.env.BENCH_PURCHASES || 1000000);
const WRITE_RUNS = 3, OPEN_RUNS = 5, SAVE_RUNS = 7;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (xs) => `${median(xs).toFixed(1)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;

const server = await serveDist();
const browser = await launch();
const results = {};

// 1. Writing the whole workbook in one transaction (the app times its own commit).
results.write = [];
let context;
for (let run = 0; run < WRITE_RUNS; run++) {
  await context?.close();
  context = await browser.newContext();
  const page = await openApp(context, server.url);
  results.write.push(await writeScaleWorkbook(page, CUSTOMERS, PURCHASES));
  await page.close();
}

// 2. Opening the app with that data until the list is interactive (count shown, rows rendered).
// Then until every customer file is decoded as well (the other pages wait for that).
results.open = [];
results.loaded = [];
const page = await context.newPage();
for (let run = 0; run < OPEN_RUNS; run++) {
  results.open.push(await openUntilUsable(page, server.url, CUSTOMERS));
  results.loaded.push(await untilLoaded(page));
}

// 2b. The tier engine: the periodic evaluation of everyone that runs at each start, and a
// re-rating of everyone when a policy is applied (computing only; the app times it).
results.evaluate = [];
results.rerate = [];
for (let run = 0; run < OPEN_RUNS; run++) {
  await page.goto(server.url);
  await page.waitForSelector(byId('customer-row'), { timeout: 120000 });
  await page.click(byId('nav-tiers'));
  await page.waitForSelector(byId('tier-eval-ms'), { timeout: 120000 });
  results.evaluate.push(Number(await page.textContent(byId('tier-eval-ms'))));
  await page.click(byId('apply-tier-policy'));
  await page.waitForSelector(byId('policy-applied'), { timeout: 120000 });
  results.rerate.push(Number(await page.textContent(byId('tier-eval-ms'))));
}
await page.click(byId('nav-customers'));

// 3. A search keystroke: from the input event to the updated count in the DOM.
results.search = await searchKeystrokes(page);

// 4. Saving one edited customer: from the click on save to the card showing the change.
results.save = await saveEdits(page, SAVE_RUNS);
await browser.close();
await server.close();

// 5. What a visitor downloads.
const dist = path.resolve('dist');
const files = fs.readdirSync(dist).filter((f) => fs.statSync(path.join(dist, f)).isFile()).map((f) => {
  const bytes = fs.readFileSync(path.join(dist, f));
  return { f, raw: bytes.length, gz: zlib.gzipSync(bytes, { level: 9 }).length };
});
const sum = (list, k) => list.reduce((a, x) => a + x[k], 0);
// The spreadsheet worker (tierbook-sheets*) is fetched only when a spreadsheet is read or
// written, the charts' echarts.min.js only by the first chart: neither is part of the page as loaded.
const worker = (x) => x.f.startsWith('tierbook-sheets');
const wasm = files.filter((x) => /^tierbook-web-[0-9a-f]+_bg\.wasm$/.test(x.f));
// The pieces scripts/split_wasm.mjs cut out of the page's wasm, fetched when first needed.
const pieces = files.filter((x) => x.f.endsWith('.wasm') && !worker(x) && !wasm.includes(x));
const workerFiles = files.filter(worker);
const pageNow = files.filter((x) => x.f !== 'echarts.min.js' && !worker(x) && !pieces.includes(x));
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

const cpu = os.cpus()[0]?.model || 'unknown CPU';
console.log(`\n### ${new Date().toISOString().slice(0, 10)} — ${CUSTOMERS} customers, ${PURCHASES} purchases`);
console.log(`Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, headless Chromium via playwright-core.\n`);
console.log('| figure | target | median (all runs) |');
console.log('| --- | --- | --- |');
console.log(`| write ${CUSTOMERS} customers + ${PURCHASES} purchases (one transaction) | ≤ 3000 ms | ${fmt(results.write)} |`);
console.log(`| open the app until the list is interactive | ≤ 1000 ms | ${fmt(results.open)} |`);
console.log(`| open the app until every customer file is decoded | — | ${fmt(results.loaded)} |`);
console.log(`| search keystroke to updated list | ≤ 50 ms | ${fmt(results.search)} |`);
console.log(`| save one edited customer (click to card updated) | ≤ 20 ms | ${fmt(results.save)} |`);
console.log(`| evaluate every customer's tier (periodic, at start) | ≤ 200 ms | ${fmt(results.evaluate)} |`);
console.log(`| re-rate every customer under an applied policy | ≤ 200 ms | ${fmt(results.rerate)} |`);
console.log(`| page wasm size | — | ${kb(sum(wasm, 'raw'))} raw, ${kb(sum(wasm, 'gz'))} gzip |`);
console.log(`| the ${pieces.length} lazily loaded pieces of the page's wasm (other pages, sync, analysis), fetched when first needed | — | ${kb(sum(pieces, 'raw'))} raw, ${kb(sum(pieces, 'gz'))} gzip |`);
console.log(`| dist/ without the worker, echarts and the pieces (html, js, wasm, css, icons, manifest, sw.js; first_load.mjs counts what a visit fetches) | — | ${kb(sum(pageNow, 'raw'))} raw, ${kb(sum(pageNow, 'gz'))} gzip |`);
console.log(`| spreadsheet worker (js, loader, wasm), fetched when a spreadsheet is read or written | — | ${kb(sum(workerFiles, 'raw'))} raw, ${kb(sum(workerFiles, 'gz'))} gzip |`);
console.log(`| dist/ in all, with echarts.min.js for the charts | — | ${kb(sum(files, 'raw'))} raw, ${kb(sum(files, 'gz'))} gzip |`);
