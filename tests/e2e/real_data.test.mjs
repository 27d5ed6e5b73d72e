// End-to-end: files as other systems export them — customer codes with letters, a purchases file
// without products, a sales export of invoice lines (unit prices, credit notes, walk-in lines)
// that starts an empty workbook, an .xlsx written by LibreOffice, a GBK bill with a 24-line
// preamble, and the seed's star-customer sheet with its carried-over figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, mkdtemp, rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openApp, byId, text } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server, dir;
before(async () => {
  server = await serveDist();
  browser = await launch();
  dir = await mkdtemp(path.join(tmpdir(), 'tierbook-real-'));
});
after(async () => {
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function fresh() {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openApp(context, server.url);
  return { context, page };
}

/** Chooses a file of `kind` (and ticks what `options` says) and waits for its analysis. */
async function choose(page, kind, file, options = {}) {
  await page.click(byId('nav-import-export'));
  await page.selectOption(byId('import-kind'), kind);
  if (options.create) await page.check(byId('import-create-customers'));
  await page.setInputFiles(byId('import-file'), file);
  const name = path.basename(file);
  await page.waitForFunction(([sel, name]) => document.querySelector(sel)?.dataset.file === name, [byId('import-analysis'), name]);
}

async function commit(page) {
  await page.click(byId('import-commit'));
  await page.waitForSelector(byId('import-result'));
  const attr = (name) => page.getAttribute(`${byId('import-result')} [data-${name}]`, `data-${name}`).then(Number);
  return { created: await attr('created'), updated: await attr('updated'), skipped: await attr('skipped') };
}

/** Opens the card of the customer with this code (searching for it first). */
async function openCode(page, code) {
  await page.click(byId('nav-customers'));
  await page.fill(byId('customer-search'), code);
  const row = page.locator(`${byId('customer-row')}[data-customer-code="${code}"]`);
  await row.waitFor();
  await row.click();
  await page.waitForSelector(byId('customer-card'));
  return { spend: Number(await text(page, 'card-spend')), count: Number(await text(page, 'card-purchase-count')) };
}

test('customer codes with letters import, show on the list, and purchases without products find them', async () => {
  const { context, page } = await fresh();
  const customers = path.join(dir, 'codes.csv');
  await writeFile(customers, 'customer_id,name,phone,city\nC00004,Ann Lee,13800001111,Paris\nVIP-0012,Bo Chen,13800001111,Rome\nP000123,王芳,,上海\n17850,Dee,,Oslo\n');
  await choose(page, 'customers', customers);
  assert.deepEqual(await commit(page), { created: 4, updated: 0, skipped: 0 });
  await page.click(byId('nav-customers'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '4', byId('customer-count'));
  const codes = await page.$$eval(byId('customer-row'), (rows) => rows.map((r) => r.dataset.customerCode).sort());
  assert.deepEqual(codes, ['17850', 'C00004', 'P000123', 'VIP-0012'], 'two customers sharing a phone stay two');
  const ids = await page.$$eval(byId('customer-row'), (rows) => rows.map((r) => r.dataset.customerId));
  assert.ok(ids.every((id) => !['C00004', 'VIP-0012', 'P000123', '17850'].includes(id)), 'the internal id is not the code');

  const purchases = path.join(dir, 'no-products.csv');
  await writeFile(purchases, 'CustomerID,Order Date,Total\nVIP-0012,2026-03-01,120.50\nVIP-0012,2026-04-02,79.50\nP000123,2026-04-03,10\n');
  await choose(page, 'purchases', purchases);
  assert.equal(await page.locator(byId('import-error')).count(), 0);
  assert.deepEqual(await commit(page), { created: 3, updated: 0, skipped: 0 });
  assert.deepEqual(await openCode(page, 'VIP-0012'), { spend: 200, count: 2 });
  assert.equal(await text(page, 'card-code'), 'VIP-0012');

  // The code is editable and must stay unique.
  await page.click(byId('edit-customer'));
  await page.fill(byId('field-code'), 'C00004');
  await page.click(byId('save-customer'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.length > 0, byId('error-message'));
  assert.match(await text(page, 'error-message'), /客户编号/);
  await page.fill(byId('field-code'), 'VIP-0099');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  assert.equal(await text(page, 'card-code'), 'VIP-0099');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

/** A small sales export: several lines per invoice, a credit note, walk-in lines, a column the
 *  importer does not know (StockCode) and one it should not take as the amount (UnitPrice). */
function salesExport() {
  const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
  const expected = {};
  let invoice = 536365;
  const add = (no, qty, price, customer, day) => {
    lines.push(`${no},8512${lines.length}A,"ITEM ${lines.length}, BOXED",${qty},12/${day}/2010 8:26,${price},${customer},United Kingdom`);
    if (!customer) return;
    const e = (expected[customer] ??= { cents: 0, invoices: new Set() });
    e.cents += Math.round(qty * price * 100);
    if (!no.startsWith('C')) e.invoices.add(no);
  };
  const customers = ['17850', '13047', '12583', 'C13748'];
  for (let i = 0; i < 12; i++) {
    const customer = i % 5 === 4 ? '' : customers[(i * 3) % customers.length];
    const no = String(invoice++);
    for (let l = 0; l < 1 + (i % 4); l++) add(no, 1 + ((i + l) % 7), [2.55, 3.39, 1.85, 0.85, 12.75][(i + l) % 5], customer, 1 + (i % 9));
  }
  add('C536379', -2, 27.5, '17850', 9);
  add('C536380', -1, 4.65, '13047', 9);
  return { text: lines.join('\n') + '\n', expected };
}

test('a sales export of invoice lines starts an empty workbook: customers created, invoices grouped, returns subtracted', async () => {
  const { context, page } = await fresh();
  const { text: csv, expected } = salesExport();
  const file = path.join(dir, 'online-retail.csv');
  await writeFile(file, csv);
  await choose(page, 'purchases', file, { create: true });
  assert.equal(await page.locator(byId('import-error')).count(), 0, 'no problems');
  assert.ok(Number(await page.getAttribute(byId('import-no-customer'), 'data-count')) > 0, 'walk-in lines are listed');
  await commit(page);
  await page.click(byId('nav-customers'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '4', byId('customer-count'));
  for (const [code, e] of Object.entries(expected)) {
    const card = await openCode(page, code);
    assert.equal(Math.round(card.spend * 100), e.cents, `${code}: sum of quantity × unit price, returns subtracted`);
    assert.equal(card.count, e.invoices.size, `${code}: one purchase per invoice`);
  }
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('an unmapped required column is one message before any row is read', async () => {
  const { context, page } = await fresh();
  const file = path.join(dir, 'no-date.csv');
  await writeFile(file, 'InvoiceNo,Description,Quantity,UnitPrice,CustomerID\n1,a,1,2,C1\n2,b,1,2,C2\n3,c,1,2,C3\n');
  await choose(page, 'purchases', file, { create: true });
  const problems = await page.$$eval(byId('import-error'), (els) => els.map((e) => e.textContent));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /no-date\.csv.*日期/);
  assert.equal(await page.locator(byId('import-commit')).count(), 0);
  await context.close();
});

test('an .xlsx saved by LibreOffice: the sheet is chosen, phones keep their digits, date cells become dates', async () => {
  const { context, page } = await fresh();
  const csv = path.join(dir, 'members.csv');
  await writeFile(csv, 'Member list exported 2026-11-30\n\n会员号,姓名,手机号,生日,累计消费\nVIP-0001,张伟,13912345678,1990-05-17,1200.5\nVIP-0002,Li Na,13800001111,1985-12-01,300\n');
  // UTF-8, first line 1, special numbers (dates) detected: as a user's Calc would read it.
  execFileSync('soffice', ['--headless', '--infilter=CSV:44,34,76,1,,0,false,true', '--convert-to', 'xlsx', '--outdir', dir, csv], { stdio: 'ignore', timeout: 120_000 });
  const xlsx = path.join(dir, 'members.xlsx');
  await choose(page, 'customers', xlsx);
  assert.equal(await page.locator(`${byId('import-sheet')} option`).count(), 1);
  assert.equal(await page.inputValue(byId('import-header-line')), '3', 'the title row above the headings is passed over');
  assert.equal(await page.locator(byId('import-error')).count(), 0);
  await commit(page);
  await openCode(page, 'VIP-0001');
  const card = await page.textContent(byId('customer-card'));
  assert.ok(card.includes('13912345678'), 'the phone number is the text 13912345678');
  assert.ok(card.includes('1990-05-17'), 'the date cell is a date');
  await context.close();
});

test('a GBK bill with a 24-line preamble: the heading line is found, nothing above it is a problem', async () => {
  const { context, page } = await fresh();
  const iconv = (s) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: s });
  const preamble = Array.from({ length: 24 }, (_, i) => `#账单信息第${i + 1}行,支付宝账号：shop@example.com,,`).join('\r\n');
  const body = '\r\n交易时间,会员卡号,客户,商品说明,实付,\r\n2026-10-01 12:00:00 ,  C00008 ,  赵敏 ,拿铁,32.00,\r\n2026-10-02 09:30:00,C00009,钱多多,美式,28.00,\r\n';
  const file = path.join(dir, 'alipay-bill.csv');
  await writeFile(file, iconv(preamble + body));
  await choose(page, 'purchases', file, { create: true });
  assert.equal(await page.inputValue(byId('import-header-line')), '25');
  assert.equal(await page.locator(byId('import-error')).count(), 0);
  await commit(page);
  assert.deepEqual(await openCode(page, 'C00008'), { spend: 32, count: 1 });
  assert.equal(await text(page, 'card-name'), '赵敏');
  await context.close();
});

test("the seed's star-customer sheet shows its carried-over ￥30,000 on the card and a review that came due", async () => {
  const { context, page } = await fresh();
  const seed = await readFile(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'seeds', '002_97ea489357df9885.txt'), 'utf8').catch(() => null);
  const table = (seed ?? '').split('\n').filter((l) => l.includes('|')).join('\n')
    || '客户名称 | 联系方式 | 消费金额 | 购买频次 | 使用年限 | 影响力评分 | 当前等级 | 上次评级日期 | 下一次评级日期 |\n---|---|---|---|---|---|---|---|---|\n张三 | 13812345678 | ¥10,000 | 5次/年 | 2年 | 3分 | 白银 | 2023-03-01 | 2024-03-01 |\n李四 | 13912345678 | ¥30,000 | 10次/年 | 3年 | 5分 | 铂金 | 2023-06-01 | 2024-06-01 |';
  const file = path.join(dir, 'stars.csv');
  await writeFile(file, table + '\n');
  await page.click(byId('nav-tiers'));
  await page.selectOption(byId('tier-preset'), 'metals');
  await page.click(byId('apply-tier-policy'));
  await choose(page, 'customers', file);
  assert.equal(await page.locator(byId('import-error')).count(), 0);
  await commit(page);
  await page.click(byId('nav-customers'));
  await page.fill(byId('customer-search'), '李四');
  await page.click(byId('customer-row'));
  await page.waitForSelector(byId('customer-card'));
  assert.equal(Number(await text(page, 'card-spend')), 30000);
  assert.equal(Number(await text(page, 'card-purchase-count')), 10);
  assert.match(await text(page, 'card-carried-over'), /30,000/);
  // The sheet's next rating date (2024-06-01) had passed: the review happened as of today.
  assert.ok(await text(page, 'next-review-date') > '2024-06-01');
  await context.close();
});
