// What a first visit fetches before the empty list can be used: every resource the page
// loaded (from the Performance API), sized as dist/ holds it, raw and gzip -9.
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { launch, openApp } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';

const server = await serveDist();
const browser = await launch();
const page = await openApp(await browser.newContext(), server.url);
const urls = await page.evaluate(() => [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]);
await browser.close();
await server.close();

const seen = new Set();
let raw = 0;
let gzip = 0;
console.log('| file | raw | gzip -9 |\n| --- | --- | --- |');
for (const url of urls) {
  const rel = new URL(url).pathname.replace(/^\//, '') || 'index.html';
  if (seen.has(rel)) continue;
  seen.add(rel);
  const bytes = fs.readFileSync(path.join(process.env.DIST_DIR || 'dist', rel));
  const packed = zlib.gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzip += packed;
  console.log(`| ${rel.replace(/-[0-9a-f]{16}/, '')} | ${(bytes.length / 1024).toFixed(0)} KB | ${(packed / 1024).toFixed(0)} KB |`);
}
console.log(`| first load in all (target ≤ 600 KB gzip) | ${(raw / 1024).toFixed(0)} KB | ${(gzip / 1024).toFixed(0)} KB |`);
