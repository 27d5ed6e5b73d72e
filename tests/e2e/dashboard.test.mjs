// End-to-end: every dashboard chart draws with demo data, follows analysis-as-of and the
// language, offers its numbers as a table, and is disposed when the page closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, byId, loadDemo, text } from './browser.mjs';
import { serveDist } from './server.mjs';

const CHARTS = [
  'chart-tiers', 'chart-movements', 'chart-spend-by-tier', 'chart-feedback-trend',
  'chart-rfm', 'chart-churn-risk', 'chart-lifecycle', 'chart-reviews',
];

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Waits until every chart's canvas has at least one painted pixel. */
async function allChartsPainted(page) {
  await page.waitForFunction((ids) => ids.every((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"] canvas`);
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const pixels = new Uint32Array(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data.buffer);
    return pixels.some((p) => p !== 0);
  }), CHARTS, { polling: 100, timeout: 30000 });
}

/** The numbers under each chart, as its table shows them. */
async function tables(page) {
  return page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const rows = [...document.querySelectorAll(`[data-testid="${id}"] tbody tr`)];
    return [id, rows.map((r) => [...r.cells].map((c) => c.textContent.trim()).join('|'))];
  })), CHARTS);
}

test('every chart draws from demo data, follows the date and the language, and is disposed on leaving', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(context, server.url);
  await loadDemo(page);
  // ECharts is not part of the first load: the list never fetches it.
  const fetched = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('echarts')));
  assert.deepEqual(await fetched(), []);
  assert.equal(await page.evaluate(() => typeof window.echarts), 'undefined');
  await page.click(byId('nav-dashboard'));
  await allChartsPainted(page);
  assert.equal((await fetched()).length, 1, 'fetched once for all eight charts');

  const now = await tables(page);
  for (const id of CHARTS) assert.ok(now[id].length > 0, `${id} has its numbers as a table`);
  const tierTotal = now['chart-tiers'].reduce((sum, row) => sum + Number(row.split('|')[1]), 0);
  assert.equal(tierTotal, 300, 'customers per tier add up to the workbook');
  const stageTotal = now['chart-lifecycle'].reduce((sum, row) => sum + Number(row.split('|')[1]), 0);
  assert.equal(stageTotal, 300, 'every customer is in one lifecycle stage');
  const riskTotal = now['chart-churn-risk'].reduce((sum, row) => sum + Number(row.split('|')[1]), 0);
  assert.ok(riskTotal > 0 && riskTotal <= 300);

  // A year earlier: fewer customers existed and the figures differ.
  const yearAgo = new Date();
  yearAgo.setFullYear(yearAgo.getFullYear() - 1);
  const lifecycleRows = `${byId('chart-lifecycle')} tbody tr`;
  const stagesNow = (await page.$$eval(lifecycleRows, (rs) => rs.map((r) => r.textContent))).join();
  await page.fill(byId('analysis-as-of'), yearAgo.toISOString().slice(0, 10));
  await page.waitForFunction(([sel, before]) => {
    const rows = [...document.querySelectorAll(sel)].map((r) => r.textContent);
    return rows.length > 0 && rows.join() !== before;
  }, [lifecycleRows, stagesNow]);
  await allChartsPainted(page);
  const then = await tables(page);
  assert.notDeepEqual(then['chart-spend-by-tier'], now['chart-spend-by-tier']);
  assert.notDeepEqual(then['chart-feedback-trend'], now['chart-feedback-trend']);
  const stagesThen = then['chart-lifecycle'].reduce((sum, row) => sum + Number(row.split('|')[1]), 0);
  assert.ok(stagesThen < 300, `customers who joined in the last year are not counted a year ago (${stagesThen})`);

  // The language: titles and table headings follow it.
  const title = (await page.textContent(`${byId('chart-tiers')} h3`)).trim();
  await page.click(byId('lang-toggle'));
  await page.waitForFunction(([sel, before]) => document.querySelector(sel).textContent.trim() !== before, [`${byId('chart-tiers')} h3`, title]);
  assert.match((await page.textContent(`${byId('chart-tiers')} h3`)).trim(), /Customers per tier|各等级客户数/);
  await allChartsPainted(page);

  // Leaving the page disposes every chart instance.
  await page.evaluate((ids) => { window.__chartDoms = ids.map((id) => document.querySelector(`[data-testid="${id}"] .chart`)); }, CHARTS);
  assert.equal(await page.evaluate(() => window.__chartDoms.filter((d) => echarts.getInstanceByDom(d)).length), CHARTS.length);
  await page.click(byId('nav-customers'));
  await page.waitForSelector(byId('customer-row'));
  assert.equal(await page.evaluate(() => window.__chartDoms.filter((d) => echarts.getInstanceByDom(d)).length), 0);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('the dashboard of an empty workbook draws its charts without an error, and the app goes on', async () => {
  const page = await openApp(await browser.newContext({ viewport: { width: 1280, height: 900 } }), server.url);
  await page.click(byId('nav-dashboard'));
  // ECharts creates a chart's canvas when the chart is made; its options are given in the same
  // step. No tier has moved yet, so that chart has nothing to draw.
  const drawn = CHARTS.filter((id) => id !== 'chart-movements');
  await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`[data-testid="${id}"] canvas`)), drawn);
  assert.deepEqual(page.pageErrors, []);
  await page.click(byId('nav-settings'));
  await page.waitForSelector(byId('sync-url'));
  await page.click(byId('nav-customers'));
  assert.equal(await text(page, 'customer-count'), '0');
  assert.deepEqual(page.pageErrors, []);
});

test('a segment and a lifecycle stage filter the list; the card shows the customer\'s own', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await loadDemo(page);
  await page.selectOption(byId('filter-stage'), 'mature');
  await page.waitForFunction((sel) => Number(document.querySelector(sel).textContent) < 300, byId('customer-count'));
  const mature = Number(await page.textContent(byId('customer-count')));
  assert.ok(mature > 0, 'some demo customers are mature');
  await page.click(`${byId('customer-row')} >> nth=0`);
  await page.waitForSelector(byId('customer-stage'));
  assert.equal(await page.getAttribute(byId('customer-stage'), 'data-stage'), 'mature');
  const segment = await page.getAttribute(byId('customer-segment'), 'data-segment');
  assert.ok(segment.length > 0, 'a customer who bought has an RFM segment');

  await page.click(byId('nav-customers'));
  await page.selectOption(byId('filter-stage'), '');
  await page.selectOption(byId('filter-segment'), segment);
  await page.waitForFunction((sel) => Number(document.querySelector(sel).textContent) < 300, byId('customer-count'));
  const inSegment = Number(await page.textContent(byId('customer-count')));
  assert.ok(inSegment > 0 && inSegment < 300);
  // The Analytics page counts the same segment the same way.
  await page.click(byId('nav-analytics'));
  await page.waitForSelector(`${byId('rfm-segment')}[data-segment="${segment}"]`);
  const counted = await page.textContent(`${byId('rfm-segment')}[data-segment="${segment}"] td.num`);
  assert.equal(Number(counted), inSegment);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('key terms lead to the comments behind them; warnings give their reasons; rules are shown', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await loadDemo(page);
  await page.click(byId('nav-analytics'));
  await page.waitForSelector(byId('term'));
  const term = await page.getAttribute(`${byId('term')} >> nth=0`, 'data-term');
  await page.click(`${byId('term')} >> nth=0`);
  await page.waitForSelector(byId('term-comment'));
  const comments = await page.$$eval(`${byId('term-comment')} td:last-child`, (cells) => cells.map((c) => c.textContent.toLowerCase()));
  assert.ok(comments.length >= 2);
  // Chinese terms are two characters found in the comment; English ones are words in it.
  for (const c of comments) assert.ok(c.replace(/\s+/g, ' ').includes(term), `"${c}" uses "${term}"`);
  const tones = ['tone-positive', 'tone-neutral', 'tone-negative'];
  let toned = 0;
  for (const t of tones) toned += Number(await page.textContent(byId(t)));
  assert.ok(toned > 0);

  await page.waitForSelector(byId('at-risk-row'));
  const reasons = await page.textContent(`${byId('at-risk-row')} >> nth=0`);
  assert.match(reasons, /未购买|投诉|满意度|模型|No purchase|complaint|Satisfaction|chance/);
  assert.equal(await page.locator(`${byId('lifecycle-rules')} li`).count(), 7);
  const stageSum = await page.$$eval(byId('lifecycle-count'), (els) => els.reduce((s, e) => s + Number(e.textContent), 0));
  assert.equal(stageSum, 300);
  await page.waitForSelector(byId('value-row'));
  assert.ok(await page.locator(byId('campaign-row')).count() >= 1);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('the analysis can cover one tier instead of everyone', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(context, server.url);
  await loadDemo(page);
  await page.click(byId('nav-dashboard'));
  await allChartsPainted(page);
  const bronze = Number(await page.textContent(`${byId('dashboard-tier-count')}[data-tier-id="bronze"]`));
  assert.ok(bronze > 0 && bronze < 300);
  await page.selectOption(byId('analysis-scope'), 'bronze');
  await page.waitForFunction(([sel, n]) => {
    const rows = [...document.querySelectorAll(sel)];
    return rows.length === 1 && rows[0].cells[1].textContent.trim() === String(n);
  }, [`${byId('chart-tiers')} tbody tr`, bronze]);
  const stages = await page.$$eval(`${byId('chart-lifecycle')} tbody tr`, (rs) => rs.reduce((s, r) => s + Number(r.cells[1].textContent), 0));
  assert.equal(stages, bronze, 'every figure covers the bronze customers only');
  await allChartsPainted(page);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});
