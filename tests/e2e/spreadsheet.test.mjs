// End-to-end: an exported CSV opened by a real spreadsheet program (LibreOffice Calc, headless)
// shows the Chinese text intact and a cell typed as a formula as plain text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, openApp, byId } from './browser.mjs';
import { serveDist } from './server.mjs';

const run = promisify(execFile);
let browser, server, dir;
before(async () => { server = await serveDist(); browser = await launch(); dir = await mkdtemp(path.join(tmpdir(), 'tierbook-lo-')); });
after(async () => { await browser?.close(); await server?.close(); await rm(dir, { recursive: true, force: true }); });

/** The text of one HTML table cell as LibreOffice writes it. */
const cell = (td) => td.replace(/<[^>]*>/g, '').replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
  .replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').trim();

/** The cells of each row, as LibreOffice Calc reads a CSV file (UTF-8, comma, formulas evaluated). */
async function openInCalc(csvFile) {
  const out = path.join(dir, 'out');
  await run('soffice', [
    '--headless', '--norestore', `-env:UserInstallation=file://${dir}/profile`,
    // Comma, double quote, UTF-8, from line 1, …, and the last flag: evaluate formulas, as a user opening the file would.
    '--infilter=CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true',
    '--convert-to', 'html', '--outdir', out, csvFile,
  ], { timeout: 120_000 });
  const html = await readFile(path.join(out, path.basename(csvFile).replace(/\.csv$/, '.html')), 'utf8');
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((tr) => [...tr[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => cell(td[1])));
}

test('LibreOffice opens the exported customers CSV with Chinese intact and formulas as text', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openApp(context, server.url);
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), '王小明');
  await page.fill(byId('field-city'), '=1+1');
  await page.fill(byId('field-notes'), '@SUM(1;2)');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  await page.click(byId('nav-import-export'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(byId('export-csv-customers'))]);
  assert.match(download.suggestedFilename(), /^Tierbook-customers-\d{4}-\d{2}-\d{2}\.csv$/);
  const exported = path.join(dir, 'customers.csv');
  await download.saveAs(exported);

  const rows = await openInCalc(exported);
  const header = rows[0];
  const customer = rows.find((r) => r.includes('王小明'));
  assert.ok(customer, JSON.stringify(rows));
  assert.equal(header[1], '客户名称');
  assert.equal(customer[header.indexOf('城市')], "'=1+1", 'shown as the text typed, not computed');
  assert.equal(customer[header.indexOf('备注')], "'@SUM(1;2)");

  // The check can fail: the same file without the neutralising apostrophes computes the formula.
  const raw = (await readFile(exported, 'utf8')).replace(",'=1+1,", ',=1+1,');
  const unsafe = path.join(dir, 'unsafe.csv');
  await writeFile(unsafe, raw);
  const computed = (await openInCalc(unsafe)).find((r) => r.includes('王小明'));
  assert.equal(computed[header.indexOf('城市')], '2');
  await context.close();
});

/** Every table LibreOffice Calc writes for a workbook (one per sheet), as rows of cell texts. */
async function openWorkbookInCalc(file) {
  const out = path.join(dir, 'out-xlsx');
  await run('soffice', ['--headless', '--norestore', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'html', '--outdir', out, file], { timeout: 120_000 });
  const html = await readFile(path.join(out, path.basename(file).replace(/\.xlsx$/, '.html')), 'utf8');
  return [...html.matchAll(/<table[^>]*>([\s\S]*?)<\/table>/g)].map((t) =>
    [...t[1].matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((tr) => [...tr[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => cell(td[1]))));
}

test('LibreOffice opens the exported .xlsx workbook: a sheet per kind, Chinese intact, numbers and dates as such, formulas as text', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openApp(context, server.url);
  await page.click(byId('new-customer'));
  await page.fill(byId('field-code'), 'VIP-0012');
  await page.fill(byId('field-name'), '王小明');
  await page.fill(byId('field-phone'), '13912345678');
  await page.fill(byId('field-city'), '=1+1');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  await page.click(byId('add-purchase'));
  await page.fill(byId('purchase-date'), '2026-03-01');
  await page.fill(byId('purchase-product'), '手冲咖啡豆');
  await page.fill(byId('purchase-amount'), '1280.50');
  await page.click(byId('save-purchase'));
  await page.waitForSelector(byId('purchase-row'));
  await page.click(byId('nav-import-export'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(byId('export-xlsx'))]);
  assert.match(download.suggestedFilename(), /^Tierbook-workbook-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const file = path.join(dir, 'workbook.xlsx');
  await download.saveAs(file);

  const sheets = await openWorkbookInCalc(file);
  assert.equal(sheets.length, 5, 'customers, purchases, feedback, interactions, campaigns');
  const [customers, purchases] = sheets;
  const header = customers[0];
  const row = customers.find((r) => r.includes('王小明'));
  assert.ok(row, JSON.stringify(customers));
  assert.equal(row[header.indexOf('客户编号')], 'VIP-0012');
  assert.equal(row[header.indexOf('联系方式')], '13912345678', 'the phone keeps every digit');
  assert.equal(row[header.indexOf('城市')], '=1+1', 'formula-looking text stays text');
  const bought = purchases.find((r) => r.includes('手冲咖啡豆'));
  assert.ok(bought, JSON.stringify(purchases));
  assert.equal(bought[purchases[0].indexOf('日期')], '2026-03-01');
  assert.equal(Number(bought[purchases[0].indexOf('金额')]), 1280.5, 'the amount is a number');
  await context.close();
});
