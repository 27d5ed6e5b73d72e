// `make bench`, part 2: importing a CSV of 100,000 customers and one of 1,000,000 purchases
// through the Import page until committed, exporting the workbook to JSON and CSV, and — in the
// same browser, as the peer figure — a bare JavaScript parse of the purchases file by papaparse.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, openApp, byId } from '../e2e/browser.mjs';
import { serveDist } from '../e2e/server.mjs';
import { openUntilUsable, untilLoaded } from './measure.mjs';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS || 100000);
const PURCHASES = Number(process.env.BENCH_PURCHASES || 1000000);
const RUNS = Number(process.env.BENCH_IMPORT_RUNS || 3);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (xs) => `${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;

// Files as a shop's spreadsheet would hold them, in more than one shape so that no one shape
// flatters the code: purchases spread evenly over the customers or skewed (a few regulars with
// thousands each), customer codes with letters (`P012345`) or plain numbers, headings in
// Chinese or in English. BENCH_SHAPES picks some, e.g. `even-letters-zh,skewed-numbers-en`.
const SHAPES = (process.env.BENCH_SHAPES || 'even-letters-zh,skewed-numbers-en').split(',').map((name) => {
  const [spread, codes, headings] = name.split('-');
  return { name, spread, codes, headings };
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tierbook-bench-'));

/** Writes the two files of one shape; integer arithmetic only, so the generator loses no bits. */
function writeFiles(shape) {
  let seed = 12345;
  const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  const code = (i) => (shape.codes === 'letters' ? `P${String(i).padStart(6, '0')}` : String(i));
  const zh = shape.headings === 'zh';
  const cities = ['上海', '北京', '杭州', '深圳', '成都', 'Suzhou', 'Nanjing'];
  const family = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄'];
  const given = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋'];
  const customersFile = path.join(dir, `customers-${shape.name}.csv`);
  const purchasesFile = path.join(dir, `purchases-${shape.name}.csv`);
  const lines = [zh ? '客户编号,客户名称,联系方式,邮箱,城市,成为客户日期' : 'Customer ID,Name,Phone,Email,City,Customer since'];
  for (let i = 1; i <= CUSTOMERS; i++) {
    const name = family[i % 8] + given[(i >> 3) % 8] + (i % 3 ? '' : given[(i >> 6) % 8]);
    lines.push(`${code(i)},${name},1${String(3000000000 + i * 7).padStart(10, '0')},c${i}@example.cn,${cities[i % 7]},20${10 + (i % 15)}/${1 + (i % 12)}/${1 + (i % 28)}`);
  }
  fs.writeFileSync(customersFile, '\uFEFF' + lines.join('\r\n') + '\r\n');
  const products = [['手冲咖啡豆', '咖啡', 88], ['礼盒', '礼品', 268], ['Tea set', 'Tea', 158], ['会员卡充值', '储值', 500]];
  const out = fs.openSync(purchasesFile, 'w');
  fs.writeSync(out, zh ? '\uFEFF客户编号,日期,商品,类别,数量,金额,支付方式,渠道\r\n' : '\uFEFFCustomer ID,Date,Product,Category,Quantity,Amount,Payment method,Channel\r\n');
  let chunk = [];
  for (let i = 0; i < PURCHASES; i++) {
    const u = rand();
    // Evenly: every customer about the same number, in random order. Skewed: u² crowds the low
    // numbers, so the first customers have thousands of purchases each.
    const customer = shape.spread === 'even' ? 1 + Math.floor(u * CUSTOMERS) : 1 + Math.floor(u * u * CUSTOMERS);
    const [product, category, price] = products[i % 4];
    const qty = 1 + (i % 3);
    const amount = (price * qty).toLocaleString('en-US');
    chunk.push(`${code(customer)},20${20 + (i % 6)}/${1 + (i % 12)}/${1 + (i % 28)},${product},${category},${qty},"￥${amount}.00",微信,门店${i % 5}`);
    if (chunk.length === 50000) { fs.writeSync(out, chunk.join('\r\n') + '\r\n'); chunk = []; }
  }
  if (chunk.length) fs.writeSync(out, chunk.join('\r\n') + '\r\n');
  fs.closeSync(out);
  return { customersFile, purchasesFile };
}
const mb = (f) => (fs.statSync(f).size / 1024 / 1024).toFixed(1);

const server = await serveDist();
const browser = await launch();

let lastPhases = {};
let lastCommit = {};

/** The page's memory in MB: the JS heap after a garbage collection, and the wasm memory. */
async function memory(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  const wasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? NaN);
  if (Number.isNaN(wasm)) throw new Error('the wasm memory was not found (TrunkApplicationStarted)');
  return { js: usedSize / 2 ** 20, wasm: wasm / 2 ** 20 };
}

/** BENCH_PROFILE=<name>: CPU profiles of the first run's two files, from choosing each to its
 *  preview (<name>-customers-read.cpuprofile, <name>-purchases-read…) and from the commit's
 *  click to its result (<name>-customers-commit…, <name>-purchases-commit…), for Chromium's DevTools; the functions that took the most time
 *  themselves are printed. Function names need a build that keeps them:
 *  `TIERBOOK_WASM_NAMES=1 trunk build --release --dist <dir>`, then DIST_DIR=<dir>. */
const PROFILE = process.env.BENCH_PROFILE;

async function startProfile(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return cdp;
}

async function stopProfile(cdp, part) {
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const file = `${PROFILE}-${part}.cpuprofile`;
  fs.writeFileSync(file, JSON.stringify(profile));
  const self = new Map();
  const dt = profile.timeDeltas;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const name = byNode.get(id).callFrame.functionName || '(anonymous)';
    self.set(name, (self.get(name) || 0) + (dt[i + 1] || 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`CPU profile written to ${file}; self time, top 40 of ${total.toFixed(0)} ms:`);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${ms.toFixed(0).padStart(7)} ms  ${(100 * ms / total).toFixed(1).padStart(5)} %  ${name}`);
  }
}

/** Chooses a file and waits for the preview, then commits and waits for the result. */
async function importFile(page, kind, file, profile = false) {
  await page.selectOption(byId('import-kind'), kind);
  // Timed in the page: from the file input's change event to the preview in the DOM.
  const name = path.basename(file);
  const readTimer = page.evaluate(([input, analysis, name]) => new Promise((resolve) => {
    let t0 = null;
    document.querySelector(input).addEventListener('change', () => { t0 = performance.now(); }, { capture: true, once: true });
    const obs = new MutationObserver(() => {
      if (t0 !== null && document.querySelector(analysis)?.dataset.file === name) { obs.disconnect(); resolve(performance.now() - t0); }
    });
    obs.observe(document.body, { childList: true, subtree: true, attributes: true });
  }), [byId('import-file'), byId('import-analysis'), name]);
  await page.waitForFunction(() => true);
  const profiler = profile ? await startProfile(page) : null;
  await page.setInputFiles(byId('import-file'), file);
  const read = await readTimer;
  if (profiler) await stopProfile(profiler, `${kind}-read`);
  // Where the time went: the page marks each phase (src/files.rs `mark`).
  const phases = await page.evaluate(() => {
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('import:'));
    performance.clearMarks();
    return Object.fromEntries(marks.map((m) => [m.name, m.startTime]));
  });
  lastPhases = phases;
  const problems = await page.locator(byId('import-error')).count();
  if (problems) throw new Error(`${file}: ${await page.locator(byId('import-error')).first().textContent()}`);
  // Timed in the page, from the click to the result in the DOM.
  const commitProfiler = profile ? await startProfile(page) : null;
  const write = await page.evaluate(([button, result]) => new Promise((resolve) => {
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (document.querySelector(result)) {
        obs.disconnect();
        const ms = performance.now() - t0;
        // The commit's phases (src/storage/mod.rs marks them), in ms after the click.
        const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('commit:'));
        performance.clearMarks();
        resolve([ms, Object.fromEntries(marks.map((m) => [m.name, m.startTime - t0]))]);
      }
    });
    obs.observe(document.body, { childList: true, subtree: true });
    document.querySelector(button).click();
  }), [byId('import-commit'), byId('import-result')]);
  if (commitProfiler) await stopProfile(commitProfiler, `${kind}-commit`);
  lastCommit = write[1];
  return [read, write[0]];
}

/** A file's rows and plan (from its import marks) and its commit's shard loop and list rows
 *  (from its commit marks), in ms. */
function filePhases(p, c) {
  return [
    p['import:rows'] - p['import:decoded'],
    p['import:planned'] - p['import:rows'],
    c['commit:shards-put'] - c['commit:read'],
    c['commit:rows-put'] - c['commit:shards-put'],
  ];
}

async function timedDownload(page, id) {
  // From the click to the browser's download event. The JSON export is built after the click
  // handler returns (it may be sealed with a passphrase first), so timing the handler alone
  // would miss it: the clock runs in the page until the download link is clicked.
  await page.waitForSelector(byId(id));
  const downloaded = page.waitForEvent('download', { timeout: 300000 });
  const ms = await page.evaluate((sel) => new Promise((resolve) => {
    const t0 = performance.now();
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      if (this.download) { HTMLAnchorElement.prototype.click = click; resolve(performance.now() - t0); }
      return click.call(this);
    };
    document.querySelector(sel).click();
  }), byId(id));
  await (await downloaded).delete();
  return ms;
}

/** CPU time the VM's host took from this machine (steal, both cores), in ms since boot; null
 *  where /proc/stat does not say. On a shared host it comes in bursts that slow a run down
 *  without anything in the page changing: printed beside the figures so a slow run can be told
 *  apart from slow code. */
function stealMs() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    return fields[0] === 'cpu' && fields.length > 8 ? Number(fields[8]) * 10 : null;
  } catch {
    return null;
  }
}

const cpu = os.cpus()[0]?.model || 'unknown CPU';
for (const shape of SHAPES) {
  const { customersFile, purchasesFile } = writeFiles(shape);
  const sizes = [mb(customersFile), mb(purchasesFile)];
  const phaseTimes = { read: [], decode: [], rows: [], plan: [], commitRead: [], commitShards: [], customersRows: [], customersPlan: [], customersShards: [], customersListRows: [], commitRows: [], commitDone: [], commitShown: [] };
  const results = { reopen: [], reloaded: [], memImportJs: [], memImportWasm: [], memReopenJs: [], memReopenWasm: [], customersRead: [], customersWrite: [], purchasesRead: [], purchasesWrite: [], total: [], json: [], csv: [], papaparse: [], ours: [], steal: [] };
  for (let run = 0; run < RUNS; run++) {
    // The CSP is bypassed only so the peer (papaparse) can be injected into the same page.
    const context = await browser.newContext({ acceptDownloads: true, bypassCSP: true });
    // Trunk's loader announces the wasm instance; its memory is what the workbook takes.
    await context.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail.wasm.memory; }));
    const page = await openApp(context, server.url);
    if (process.env.BENCH_LOG) page.on('console', (m) => console.log(m.text()));
    await page.click(byId('nav-import-export'));
    const stealBefore = stealMs();
    const [cr, cw] = await importFile(page, 'customers', customersFile, PROFILE && run === 0);
    {
      const [rows, plan, shards, listRows] = filePhases(lastPhases, lastCommit);
      phaseTimes.customersRows.push(rows);
      phaseTimes.customersPlan.push(plan);
      phaseTimes.customersShards.push(shards);
      phaseTimes.customersListRows.push(listRows);
    }
    const [pr, pw] = await importFile(page, 'purchases', purchasesFile, PROFILE && run === 0);
    {
      const p = lastPhases;
      const c = lastCommit;
      const [rows, plan, shards, listRows] = filePhases(p, c);
      phaseTimes.decode.push(p['import:decoded'] - p['import:read']);
      phaseTimes.rows.push(rows);
      phaseTimes.plan.push(plan);
      // The rest: reading the file's bytes before, drawing the preview after.
      phaseTimes.read.push(pr - (p['import:planned'] - p['import:read']));
      phaseTimes.commitRead.push(c['commit:read']);
      phaseTimes.commitShards.push(shards);
      phaseTimes.commitRows.push(listRows);
      phaseTimes.commitDone.push(c['commit:committed'] - c['commit:rows-put']);
      phaseTimes.commitShown.push(pw - c['commit:committed']);
    }
    const stealAfter = stealMs();
    if (stealBefore !== null && stealAfter !== null) results.steal.push(stealAfter - stealBefore);
    const created = await page.getAttribute(`${byId('import-result')} [data-created]`, 'data-created');
    if (Number(created) !== PURCHASES) throw new Error(`created ${created} purchases, expected ${PURCHASES}`);
    results.customersRead.push(cr); results.customersWrite.push(cw);
    results.purchasesRead.push(pr); results.purchasesWrite.push(pw);
    results.total.push(cr + cw + pr + pw);
    const afterImport = await memory(page);
    results.memImportJs.push(afterImport.js); results.memImportWasm.push(afterImport.wasm);
    // Reopened: the workbook read back from IndexedDB, until the list is usable.
    results.reopen.push(await openUntilUsable(page, server.url, CUSTOMERS));
    // Memory once every customer file is decoded (the list alone needs far less).
    results.reloaded.push(await untilLoaded(page));
    const afterReopen = await memory(page);
    results.memReopenJs.push(afterReopen.js); results.memReopenWasm.push(afterReopen.wasm);
    await page.click(byId('nav-import-export'));
    results.json.push(await timedDownload(page, 'export-json'));
    results.csv.push(await timedDownload(page, 'export-csv-purchases'));

    // The peer: papaparse parsing the same purchases file in the same browser (parse only).
    await page.addScriptTag({ path: path.resolve('node_modules/papaparse/papaparse.min.js') });
    await page.evaluate(() => { const i = document.createElement('input'); i.type = 'file'; i.id = 'peer-file'; document.body.append(i); });
    await page.setInputFiles('#peer-file', purchasesFile);
    const peer = await page.evaluate(async () => {
      const text = await document.getElementById('peer-file').files[0].text();
      const t0 = performance.now();
      const parsed = window.Papa.parse(text, { header: true, skipEmptyLines: true });
      return { ms: performance.now() - t0, rows: parsed.data.length };
    });
    if (peer.rows !== PURCHASES) throw new Error(`papaparse read ${peer.rows} rows`);
    results.papaparse.push(peer.ms);
    results.ours.push(pr);
    await context.close();
  }
  fs.rmSync(customersFile);
  fs.rmSync(purchasesFile);
  console.log(`\n### Import and export, ${shape.name} — ${CUSTOMERS} customers (${sizes[0]} MB CSV), ${PURCHASES} purchases (${sizes[1]} MB CSV)`);
  console.log(`Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, headless Chromium via playwright-core.\n`);
  console.log('| figure | target | median (all runs) |');
  console.log('| --- | --- | --- |');
  console.log(`| customers CSV: choose file → preview ready | — | ${fmt(results.customersRead)} |`);
  console.log(`| — of which: read, check, match and stage every row | — | ${fmt(phaseTimes.customersRows)} |`);
  console.log(`| — of which: finish the plan | — | ${fmt(phaseTimes.customersPlan)} |`);
  console.log(`| customers CSV: import-commit → committed | — | ${fmt(results.customersWrite)} |`);
  console.log(`| — of which: shards changed, encoded and put | — | ${fmt(phaseTimes.customersShards)} |`);
  console.log(`| — of which: list rows put | — | ${fmt(phaseTimes.customersListRows)} |`);
  console.log(`| purchases CSV: choose file → preview ready | — | ${fmt(results.purchasesRead)} |`);
  console.log(`| purchases CSV: import-commit → committed | — | ${fmt(results.purchasesWrite)} |`);
  console.log(`| both files, in total to committed | ≤ 3000 ms | ${fmt(results.total)} |`);
  if (results.steal.length) console.log(`| — meanwhile, CPU time the VM's host took (steal, both cores) | — | ${fmt(results.steal)} |`);
  console.log(`| reopen until the list is usable | ≤ 1000 ms | ${fmt(results.reopen)} |`);
  console.log(`| reopen until every customer file is decoded | — | ${fmt(results.reloaded)} |`);
  const megabytes = (xs) => `${median(xs).toFixed(0)} MB (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  const totals = (a, b) => a.map((x, i) => x + b[i]);
  console.log(`| memory after import: JS heap / wasm memory | — | ${megabytes(results.memImportJs)} / ${megabytes(results.memImportWasm)} |`);
  console.log(`| memory after import, in total | ≤ 400 MB | ${megabytes(totals(results.memImportJs, results.memImportWasm))} |`);
  console.log(`| memory after reopen: JS heap / wasm memory | — | ${megabytes(results.memReopenJs)} / ${megabytes(results.memReopenWasm)} |`);
  console.log(`| memory after reopen, in total | ≤ 400 MB | ${megabytes(totals(results.memReopenJs, results.memReopenWasm))} |`);
  console.log(`| export JSON backup (click → download) | ≤ 3000 ms | ${fmt(results.json)} |`);
  console.log(`| export purchases CSV (click → download) | ≤ 3000 ms | ${fmt(results.csv)} |`);
  console.log(`| peer: papaparse parse of the purchases CSV (header: true), same browser | — | ${fmt(results.papaparse)} |`);
  console.log(`| ours on the same file: decode, parse, check, match and stage every row | — | ${fmt(results.ours)} |`);
  console.log(`| — of which: decode the bytes | — | ${fmt(phaseTimes.decode)} |`);
  console.log(`| — of which: read, check, match and stage every row | — | ${fmt(phaseTimes.rows)} |`);
  console.log(`| — of which: finish the plan | — | ${fmt(phaseTimes.plan)} |`);
  console.log(`| — of which: the rest (file read, preview drawn) | — | ${fmt(phaseTimes.read)} |`);
  console.log(`| purchases commit: click → stored shards read | — | ${fmt(phaseTimes.commitRead)} |`);
  console.log(`| — then the stored shards decoded, changed (tiers settled), encoded and put | — | ${fmt(phaseTimes.commitShards)} |`);
  console.log(`| — then list rows put | — | ${fmt(phaseTimes.commitRows)} |`);
  console.log(`| — then the transaction committed | — | ${fmt(phaseTimes.commitDone)} |`);
  console.log(`| — then the page's workbook and list updated, result shown | — | ${fmt(phaseTimes.commitShown)} |`);
  console.log(`| ours ÷ papaparse (target ≤ 1.0×) | ≤ 1.0× | ${(median(results.ours) / median(results.papaparse)).toFixed(1)}× |`);
}
await browser.close();
await server.close();

fs.rmSync(dir, { recursive: true });
