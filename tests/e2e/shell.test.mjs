// End-to-end: the shell as a web app — URLs, Back and Forward, reloads, new tabs, unsaved
// forms, phone and tablet widths, the keyboard, and axe-core's WCAG 2 A/AA rules on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openApp, byId, text, loadDemo } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const NAV = ['nav-customers', 'nav-dashboard', 'nav-import-export', 'nav-tiers', 'nav-analytics', 'nav-reminders', 'nav-settings'];
const PREVIEW_FILE = path.resolve('tests/fixtures/customers-utf8-bom.csv');

const hash = (page) => page.evaluate(() => location.hash);
const current = (page, nav) => page.waitForSelector(`${byId(nav)}[aria-current="page"]`, { state: 'attached' });

async function waitForCount(page, n) {
  await page.waitForFunction(([sel, n]) => document.querySelector(sel)?.textContent.trim() === String(n), [byId('customer-count'), n]);
}

/** Opens the menu first where it is folded (narrow screens). */
async function navigate(page, nav) {
  if (await page.locator(byId('nav-menu')).isVisible() && !(await page.locator(byId(nav)).isVisible())) {
    await page.click(byId('nav-menu'));
  }
  await page.click(byId(nav));
  await current(page, nav);
}

async function choosePreview(page) {
  await navigate(page, 'nav-import-export');
  await page.selectOption(byId('import-kind'), 'customers');
  await page.setInputFiles(byId('import-file'), PREVIEW_FILE);
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.file, byId('import-analysis'));
}

test('every page has its own URL; a card survives a reload; Back returns to the list with its search; a new tab opens the card', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await loadDemo(page);

  const seen = new Set();
  for (const nav of NAV) {
    await navigate(page, nav);
    const where = await hash(page);
    assert.ok(where.startsWith('#/'), `${nav}: ${where}`);
    assert.ok(!seen.has(where), `${nav} shares ${where}`);
    seen.add(where);
    await page.reload();
    await current(page, nav);
    assert.equal(await hash(page), where, `${nav} after a reload`);
  }

  await navigate(page, 'nav-customers');
  // The address bar follows the search box once typing pauses…
  await page.fill(byId('customer-search'), 'C000');
  await page.waitForURL(/#\/customers\?q=C000$/);
  // …and at once when a row is opened before that (Back then returns to this search).
  await page.fill(byId('customer-search'), 'C0001');
  await waitForCount(page, 10);
  const listUrl = page.url().replace(/#.*$/, '#/customers?q=C0001');
  const row = page.locator(byId('customer-row')).nth(2);
  const [id, code] = [await row.getAttribute('data-customer-id'), await row.getAttribute('data-customer-code')];
  await row.click();
  await page.waitForSelector(byId('customer-card'));
  assert.equal(await hash(page), `#/customers/${id}`);
  await page.reload();
  await page.waitForSelector(byId('card-code'));
  assert.match(await text(page, 'card-code'), new RegExp(code));

  await page.goBack();
  await waitForCount(page, 10);
  assert.equal(await page.inputValue(byId('customer-search')), 'C0001');
  assert.equal(page.url(), listUrl);
  await page.goForward();
  await page.waitForSelector(byId('card-code'));
  assert.match(await text(page, 'card-code'), new RegExp(code));

  // A link opened in a new tab: the card, and the filtered list, each as it was.
  const tab = await context.newPage();
  await tab.goto(`${server.url}#/customers/${id}`);
  await tab.waitForSelector(byId('card-code'));
  assert.match(await text(tab, 'card-code'), new RegExp(code));
  await tab.goto(listUrl);
  await tab.reload();
  await waitForCount(tab, 10);
  assert.equal(await tab.inputValue(byId('customer-search')), 'C0001');

  // The Dashboard's date is in its URL too.
  await tab.goto(`${server.url}#/dashboard?as_of=2025-06-30`);
  await tab.reload();
  await tab.waitForSelector(byId('analysis-as-of'));
  assert.equal(await tab.inputValue(byId('analysis-as-of')), '2025-06-30');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('leaving a form with unsaved input asks first; staying keeps the input', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  const dialogs = [];
  page.removeAllListeners('dialog');
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), '未保存的客户');
  await page.click(byId('nav-dashboard'));
  assert.equal(dialogs.length, 1, 'asked once');
  assert.match(dialogs[0], /未保存/);
  assert.equal(await page.inputValue(byId('field-name')), '未保存的客户');
  assert.equal(await hash(page), '#/customers/new');
  // Back asks too, and staying puts the form's URL back.
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#/customers/new');
  assert.equal(dialogs.length, 2);
  assert.equal(await page.inputValue(byId('field-name')), '未保存的客户');
  // Saved input leaves without a question.
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  await navigate(page, 'nav-dashboard');
  assert.equal(dialogs.length, 2);
  await context.close();
});

for (const [width, height] of [[390, 844], [768, 1024]]) {
  test(`at ${width}×${height} no page scrolls sideways, the first customer is in view and the menu reaches every page`, async () => {
    const context = await browser.newContext({ viewport: { width, height }, hasTouch: true });
    const page = await openApp(context, server.url);
    await loadDemo(page);
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

    const first = await page.locator(byId('customer-row')).first().boundingBox();
    assert.ok(first && first.y >= 0 && first.y + first.height <= height, `first row at ${JSON.stringify(first)}`);
    assert.equal(await sideways(), 0, 'list');

    await page.locator(byId('customer-row')).first().click();
    await page.waitForSelector(byId('customer-card'));
    assert.equal(await sideways(), 0, 'card');

    for (const nav of ['nav-dashboard', 'nav-tiers', 'nav-analytics', 'nav-reminders', 'nav-settings']) {
      await navigate(page, nav);
      assert.equal(await sideways(), 0, nav);
    }
    await choosePreview(page);
    assert.equal(await sideways(), 0, 'import with a preview');

    if (width < 720) {
      // The menu is folded: a button opens it, a choice closes it.
      assert.equal(await page.locator(byId('nav-tiers')).isVisible(), false);
      await page.click(byId('nav-menu'));
      for (const nav of NAV) assert.ok(await page.locator(byId(nav)).isVisible(), nav);
      await page.click(byId('nav-tiers'));
      await current(page, 'nav-tiers');
      assert.equal(await page.locator(byId('nav-customers')).isVisible(), false, 'menu folded again');
      const menu = await page.locator(byId('nav-menu')).boundingBox();
      assert.ok(menu.height >= 44, `menu button ${menu.height} px tall`);
    }
    assert.deepEqual(page.pageErrors, []);
    await context.close();
  });
}

test('a customer can be found and opened with the keyboard alone', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await loadDemo(page);
  await page.focus(byId('customer-search'));
  await page.keyboard.type('C00042');
  await waitForCount(page, 1);
  let onRow = false;
  for (let i = 0; i < 30 && !onRow; i++) {
    await page.keyboard.press('Tab');
    onRow = await page.evaluate(() => document.activeElement?.dataset.testid === 'customer-row');
  }
  assert.ok(onRow, 'Tab reaches the row');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focus is visible');
  await page.keyboard.press('Enter');
  await page.waitForSelector(byId('card-code'));
  assert.match(await text(page, 'card-code'), /C00042/);
  await context.close();
});

test('axe-core finds no WCAG 2 A/AA violation on any page', async () => {
  // axe is injected as a script, which the page's own CSP rightly refuses: bypassed here only.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await openApp(context, server.url);
  await loadDemo(page);
  const axe = fs.readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');
  const check = async (name) => {
    await page.evaluate(() => document.fonts.ready);
    if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
    });
    assert.deepEqual(violations, [], name);
  };
  const id = await page.locator(byId('customer-row')).first().getAttribute('data-customer-id');
  await check('customers');
  await page.locator(byId('customer-row')).first().click();
  await page.waitForSelector(byId('card-code'));
  await check('card');
  await page.click(byId('edit-customer'));
  await page.waitForSelector(byId('customer-form'));
  await check('form');
  await page.goto(`${server.url}#/customers/${id}`);
  await page.waitForSelector(byId('card-code'));
  await navigate(page, 'nav-dashboard');
  await page.waitForSelector(`${byId('chart-reviews')} canvas`, { state: 'attached' });
  await check('dashboard');
  await choosePreview(page);
  await check('import with a preview');
  for (const nav of ['nav-tiers', 'nav-analytics', 'nav-reminders', 'nav-settings']) {
    await navigate(page, nav);
    if (nav === 'nav-analytics') await page.waitForSelector(byId('rfm-segment'));
    await check(nav);
  }
  await page.click(byId('lang-toggle'));
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await navigate(page, 'nav-customers');
  await check('customers in English');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('before the wasm runs the page shows its frame and what it is doing, in the saved language, or that it failed to load; the app replaces it', async () => {
  // No service worker: it would serve the wasm from its cache, past the route below.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await openApp(context, server.url);
  // Once the app is up the loading frame is gone: one header, one main.
  assert.equal(await page.locator('#boot-shell').count(), 0);
  assert.equal(await page.locator('main').count(), 1);
  assert.equal(await page.locator('header').count(), 1);
  await page.click(byId('lang-toggle'));
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  // The wasm held back (never answered): what a slow connection shows until it arrives.
  const held = (route) => { held.routes.push(route); };
  held.routes = [];
  await page.route(/_bg\.wasm$/, held);
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#boot-shell main[aria-busy="true"] .loading');
  assert.equal((await page.locator('#boot-shell .loading').textContent()).trim(), 'Opening the workbook…');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator(byId('error-message')).count(), 0, 'still loading is not a failure');
  await page.unroute(/_bg\.wasm$/);
  // The wasm fails to load: the frame says so, as an alert, instead of loading for ever.
  await page.route(/_bg\.wasm$/, (route) => route.abort());
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector(`#boot-shell ${byId('error-message')}`);
  assert.match(await page.locator(byId('error-message')).textContent(), /could not open.*reload the page/);
  assert.equal(await page.getAttribute(byId('error-message'), 'role'), 'alert');
  assert.equal(await page.getAttribute('#boot-shell main', 'aria-busy'), 'false');
  await page.unroute(/_bg\.wasm$/);
  await page.evaluate(() => localStorage.removeItem('tierbook.lang'));
  await page.route(/_bg\.wasm$/, held);
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#boot-shell .loading');
  assert.equal((await page.locator('#boot-shell .loading').textContent()).trim(), '正在打开工作簿…');
  await page.unroute(/_bg\.wasm$/);
  await page.route(/_bg\.wasm$/, (route) => route.abort());
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector(`#boot-shell ${byId('error-message')}`);
  assert.match(await page.locator(byId('error-message')).textContent(), /工作簿未能打开/);
  for (const route of held.routes) await route.abort().catch(() => {});
  await context.close();
});
