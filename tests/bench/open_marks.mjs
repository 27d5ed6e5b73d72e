// Where an open's time goes, for two (or more) builds side by side: each build gets its own
// 100,000-customer workbook in one browser, then four opens per build, alternated, each listing
// the wasm fetch end and the page's `open:*` marks (ms from navigation start). Not in `make bench`:
//   node tests/bench/open_marks.mjs /tmp/dist_before dist
import path from 'node:path';
import { launch, openApp } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';
import { openUntilUsable, untilLoaded, writeScaleWorkbook } from './measure.mjs';
const dirs = process.argv.slice(2);
const setups = [];
const browser = await launch();
for (const d of dirs) {
  const server = await serveDist({ dir: path.resolve(d) });
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await writeScaleWorkbook(page);
  setups.push({ d, server, page });
}
for (let r = 0; r < 4; r++) for (const s of setups) {
  const usable = await openUntilUsable(s.page, s.server.url, 100000);
  await untilLoaded(s.page);
  const marks = await s.page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('open:')).map((m) => `${m.name.slice(5)}=${m.startTime.toFixed(0)}`).join(' '));
  const res = await s.page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => `wasm fetched=${e.responseEnd.toFixed(0)}`).join(' '));
  console.log(`${s.d.padEnd(16)} usable=${usable.toFixed(0)} ${res} ${marks}`);
}
await browser.close(); for (const s of setups) await s.server.close();
