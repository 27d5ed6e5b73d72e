// `make bench`, part 4: a year of a web shop's sales export — 541,909 invoice lines (47 MB-class),
// about 4,400 customers of whom a few buy very often, ~18,500 invoices of 1–60 lines, 2% credit
// notes, a quarter of the lines without a customer — imported into an empty workbook with
// "create unknown customers": file chosen → preview → committed, timed in the page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, openApp, byId } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';

const LINES = Number(process.env.BENCH_SALES_LINES || 541909);
const RUNS = Number(process.env.BENCH_SALES_RUNS || 3);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (xs) => `${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tierbook-sales-'));
const file = path.join(dir, 'online-retail.csv');
{
  let seed = 99;
  // A 32-bit LCG in exact integer arithmetic (a float multiply would lose bits and repeat values).
  const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n');
  let written = 0, invoice = 536365, chunk = [];
  while (written < LINES) {
    invoice++;
    const u = rand();
    const customer = rand() < 0.25 ? '' : String(12346 + Math.floor(u * u * 4372));
    const credit = rand() < 0.02;
    const count = Math.min(1 + Math.floor(rand() * rand() * 85), LINES - written);
    const day = 1 + Math.floor(rand() * 28), hour = 8 + Math.floor(rand() * 10);
    for (let l = 0; l < count; l++) {
      const q = 1 + Math.floor(rand() * 24);
      const price = (Math.round(rand() * 2000) / 1000 + 0.1).toFixed(3);
      const no = credit ? `C${invoice}` : String(invoice);
      chunk.push(`${no},${20000 + Math.floor(rand() * 4000)},"PRODUCT ${Math.floor(rand() * 4000)}, BOXED",${credit ? -q : q},${1 + (invoice % 12)}/${day}/2011 ${hour}:${String(Math.floor(rand() * 60)).padStart(2, '0')},${price},${customer},United Kingdom`);
      written++;
    }
    if (chunk.length >= 50000) { fs.writeSync(out, chunk.join('\n') + '\n'); chunk = []; }
  }
  if (chunk.length) fs.writeSync(out, chunk.join('\n') + '\n');
  fs.closeSync(out);
}
const size = (fs.statSync(file).size / 1024 / 1024).toFixed(1);

const server = await serveDist();
const browser = await launch();
const preview = [], committed = [], remap = [], longestFrame = [];
let customers = 0;
const invoices = new Set(fs.readFileSync(file, 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]).filter(Boolean)).size;
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    const page = await openApp(context, server.url);
    await page.click(byId('nav-import-export'));
    await page.selectOption(byId('import-kind'), 'purchases');
    await page.check(byId('import-create-customers'));
    // File chosen → preview, timed from the input's change event.
    const toPreview = page.evaluate(([input, analysis, commit]) => new Promise((resolve) => {
      document.querySelector(input).addEventListener('change', () => {
        const t0 = performance.now();
        const poll = () => (document.querySelector(analysis) && document.querySelector(commit) ? resolve(performance.now() - t0) : requestAnimationFrame(poll));
        poll();
      }, { once: true });
    }), [byId('import-file'), byId('import-analysis'), byId('import-commit')]);
    await page.setInputFiles(byId('import-file'), file);
    preview.push(await toPreview);
    // A changed mapping (the Country column ignored): time to the new preview, and the longest
    // gap between two frames meanwhile (the page must keep painting).
    const [remapMs, frameMs] = await page.evaluate(([analysis, commit, mapping]) => new Promise((resolve) => {
      const old = document.querySelector(analysis);
      const select = document.querySelectorAll(mapping)[7];
      const t0 = performance.now();
      let last = t0, longest = 0;
      select.value = '';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      const poll = () => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        const fresh = document.querySelector(analysis);
        if (fresh && fresh !== old && document.querySelector(commit)) resolve([now - t0, longest]);
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }), [byId('import-analysis'), byId('import-commit'), byId('import-mapping')]);
    remap.push(remapMs);
    longestFrame.push(frameMs);
    // Commit: click → result.
    const commitMs = await page.evaluate(([commit, result]) => new Promise((resolve) => {
      const t0 = performance.now();
      document.querySelector(commit).click();
      const poll = () => (document.querySelector(result) ? resolve(performance.now() - t0) : requestAnimationFrame(poll));
      poll();
    }), [byId('import-commit'), byId('import-result')]);
    committed.push(preview[run] + commitMs);
    customers = Number(await page.getAttribute(`${byId('import-result')} [data-customers-created]`, 'data-customers-created'));
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`sales export ${LINES} lines (${size} MB), ${invoices} invoices, ${customers} customers created, into an empty workbook:`);
console.log(`  file chosen → preview: ${fmt(preview)}`);
console.log(`  file chosen → committed (preview + commit): ${fmt(committed)}`);
console.log(`  mapping changed → new preview: ${fmt(remap)}; longest frame meanwhile: ${fmt(longestFrame)}`);
