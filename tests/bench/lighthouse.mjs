// `make bench`: Lighthouse's performance score of the built page, with its default mobile
// emulation and simulated throttling, on Debian's chromium (CHROME_PATH). The first visit of an
// empty workbook, served gzip-compressed from loopback as a static host would serve it. Medians of 3 runs.
import os from 'node:os';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { serveDist } from '../e2e/server.mjs';

const RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS || 3);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (xs, digits = 0) => `${median(xs).toFixed(digits)} (runs: ${xs.map((x) => x.toFixed(digits)).join(', ')})`;

// Compressed as a static host (GitHub Pages, nginx, Netlify) serves it.
const server = await serveDist({ gzip: true });
const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
const runs = { score: [], fcp: [], lcp: [], tbt: [], cls: [], si: [], bytes: [] };
for (let run = 0; run < RUNS; run++) {
  // A fresh browser each run: nothing cached, no service worker yet.
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
  try {
    const result = await lighthouse(server.url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] });
    const { categories, audits } = result.lhr;
    if (result.lhr.runtimeError) throw new Error(`lighthouse: ${result.lhr.runtimeError.message}`);
    runs.score.push(categories.performance.score * 100);
    runs.fcp.push(audits['first-contentful-paint'].numericValue);
    runs.lcp.push(audits['largest-contentful-paint'].numericValue);
    runs.tbt.push(audits['total-blocking-time'].numericValue);
    runs.cls.push(audits['cumulative-layout-shift'].numericValue);
    runs.si.push(audits['speed-index'].numericValue);
    runs.bytes.push(audits['total-byte-weight'].numericValue / 1024);
  } finally {
    await chrome.kill();
  }
}
await server.close();

console.log(`\n### Lighthouse ${(await import('lighthouse/package.json', { with: { type: 'json' } })).default.version}, performance, default mobile throttling (simulated), ${new Date().toISOString().slice(0, 10)}`);
console.log(`Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Debian chromium, first visit of an empty workbook.\n`);
console.log('| figure | target | median (all runs) |');
console.log('| --- | --- | --- |');
console.log(`| performance score | ≥ 90 | ${fmt(runs.score)} |`);
console.log(`| Largest Contentful Paint | — | ${fmt(runs.lcp)} ms |`);
console.log(`| First Contentful Paint | — | ${fmt(runs.fcp)} ms |`);
console.log(`| Total Blocking Time | — | ${fmt(runs.tbt)} ms |`);
console.log(`| Speed Index | — | ${fmt(runs.si)} ms |`);
console.log(`| Cumulative Layout Shift | — | ${fmt(runs.cls, 3)} |`);
console.log(`| bytes transferred (as Lighthouse counts them) | — | ${fmt(runs.bytes)} KB |`);
