// End-to-end: tiers through the UI — purchases lift the badge with a recorded reason, a changed
// threshold is previewed before it is applied, and a broken policy is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, byId, text } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const tierCount = (page, id) => page.textContent(`${byId('tier-count')}[data-tier-id="${id}"]`);
const badge = (page) => page.getAttribute(byId('tier-badge'), 'data-tier-id');

async function addPurchase(page, amount) {
  const before = await page.locator(byId('purchase-row')).count();
  await page.click(byId('add-purchase'));
  await page.fill(byId('purchase-product'), '手冲咖啡豆');
  await page.fill(byId('purchase-amount'), amount);
  await page.click(byId('save-purchase'));
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [byId('purchase-row'), before + 1]);
}

test('purchases lift the tier badge, the reason is recorded, and a changed threshold is previewed then applied', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('nav-tiers'));
  await page.selectOption(byId('tier-preset'), 'metals');
  await page.click(byId('apply-tier-policy'));
  await page.waitForSelector(byId('policy-applied'));

  await page.click(byId('nav-customers'));
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), '赵敏');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('tier-badge'));
  assert.equal(await badge(page), 'bronze');
  assert.match(await text(page, 'tier-badge'), /青铜/);
  assert.match(await text(page, 'next-review-date'), /^\d{4}-\d{2}-\d{2}$/);
  assert.match(await text(page, 'tier-missing'), /还差 12 个月消费 ￥3,000 或 12 个月购买次数 10/);

  await addPurchase(page, '2000');
  assert.equal(await badge(page), 'bronze');
  assert.match(await text(page, 'tier-missing'), /￥1,000/);
  await addPurchase(page, '1500');
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.tierId === 'silver', byId('tier-badge'));
  assert.match(await text(page, 'tier-badge'), /白银/);
  const reason = await page.locator(byId('tier-reason')).first().textContent();
  assert.equal(reason, '升级：12 个月消费 ￥3,500 ≥ ￥3,000');

  await page.click(byId('nav-tiers'));
  assert.equal(await tierCount(page, 'silver'), '1');
  assert.equal(await tierCount(page, 'bronze'), '0');
  await page.fill(byId('tier-threshold-silver-spend'), '4000');
  await page.press(byId('tier-threshold-silver-spend'), 'Tab');
  await page.waitForSelector(byId('tier-what-if'));
  assert.equal(await text(page, 'whatif-down'), '1');
  assert.equal(await text(page, 'whatif-up'), '0');
  assert.equal(await page.textContent(`${byId('whatif-tier')}[data-tier-id="bronze"] ${byId('whatif-after')}`), '1');
  assert.match(await text(page, 'whatif-mover'), /赵敏 白银 → 青铜/);
  assert.equal(await tierCount(page, 'silver'), '1', 'nothing is written before apply');

  await page.click(byId('apply-tier-policy'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1', `${byId('tier-count')}[data-tier-id="bronze"]`);
  assert.equal(await tierCount(page, 'silver'), '0');

  // After a reload the policy and the tier are still there, with the reason for the change.
  await page.reload();
  await page.click(byId('nav-customers'));
  await page.waitForSelector(byId('customer-row'));
  await page.click(byId('customer-row'));
  assert.equal(await badge(page), 'bronze');
  assert.match(await page.locator(byId('tier-reason')).first().textContent(), /^新等级政策/);
  await page.click(byId('nav-tiers'));
  assert.equal(await page.inputValue(byId('tier-threshold-silver-spend')), '4000');
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('a policy that cannot work is refused with a message and the previous one stays', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await page.click(byId('lang-toggle'));
  await page.click(byId('nav-tiers'));
  await page.fill(byId('tier-threshold-gold-spend'), '1000');
  await page.press(byId('tier-threshold-gold-spend'), 'Tab');
  await page.click(byId('apply-tier-policy'));
  assert.equal(await page.textContent(`${byId('error-message')} p`), 'Gold: Thresholds must be higher than the tier below');
  await page.fill(byId('tier-threshold-gold-spend'), 'lots');
  await page.press(byId('tier-threshold-gold-spend'), 'Tab');
  await page.click(byId('apply-tier-policy'));
  assert.match(await text(page, 'error-message'), /Gold: Thresholds must be numbers above 0/);
  await page.reload();
  await page.click(byId('nav-tiers'));
  assert.equal(await page.inputValue(byId('tier-threshold-gold-spend')), '10000');
  await context.close();
});

async function newCustomer(page, name) {
  await page.click(byId('nav-customers'));
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), name);
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('tier-badge'));
}

test('points are earned, redeemed with a note, and a tier can be set by hand with a reason', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await newCustomer(page, 'Points Pat');
  assert.equal(await text(page, 'points-balance'), '0');
  await addPurchase(page, '1000');
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1000', byId('points-balance'));
  await page.click(byId('add-feedback'));
  await page.fill(byId('feedback-score'), '4');
  await page.click(byId('save-feedback'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1020', byId('points-balance'));

  await page.click(byId('redeem-points'));
  await page.fill(byId('redeem-amount'), '1500');
  await page.fill(byId('redeem-note'), '咖啡兑换券');
  await page.click(byId('save-redemption'));
  assert.match(await text(page, 'error-message'), /兑换积分数：应在以下范围内 1–1020/);
  assert.equal(await text(page, 'points-balance'), '1020');
  await page.fill(byId('redeem-amount'), '500');
  await page.click(byId('save-redemption'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '520', byId('points-balance'));
  const redeemed = page.locator(`${byId('points-row')}[data-kind="redeemed"]`);
  assert.match(await redeemed.textContent(), /-500.*咖啡兑换券/);

  await page.click(byId('override-tier'));
  await page.selectOption(byId('override-tier-id'), 'platinum');
  await page.click(byId('save-override'));
  assert.match(await text(page, 'error-message'), /调整原因：必填/);
  await page.fill(byId('override-reason'), '战略合作伙伴');
  const until = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
  await page.fill(byId('override-until'), until);
  await page.click(byId('save-override'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.tierId === 'platinum', byId('tier-badge'));
  assert.equal(await page.locator(byId('tier-reason')).first().textContent(), '人工调整：战略合作伙伴');

  // A reload keeps the card open.
  await page.reload();
  await page.waitForSelector(byId('points-balance'));
  assert.equal(await text(page, 'points-balance'), '520');
  assert.equal(await badge(page), 'platinum');
  assert.match(await page.textContent(byId('customer-card')), new RegExp(`有效至 ${until}`));
  await context.close();
});

test('opening the workbook after a review date downgrades one level, with the figures', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  await newCustomer(page, 'Lapsing Lee');
  await addPurchase(page, '3500');
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.tierId === 'silver', byId('tier-badge'));
  const review = await text(page, 'next-review-date');

  // Fourteen months later the purchase has left the 12-month window and reviews have passed.
  const later = await context.newPage();
  await later.clock.setFixedTime(new Date(Date.now() + 14 * 31 * 86400000));
  await later.goto(server.url);
  await later.waitForSelector(byId('customer-row'));
  await later.click(byId('customer-row'));
  await later.waitForFunction((sel) => document.querySelector(sel)?.dataset.tierId === 'bronze', byId('tier-badge'));
  const reason = await later.locator(byId('tier-reason')).first().textContent();
  assert.match(reason, /^评级降级：12 个月消费 ￥0 < ￥3,000；12 个月购买次数 0 < 10$/);
  const date = await later.locator(`${byId('tier-history-row')} td`).first().textContent();
  assert.equal(date, review, 'the downgrade is dated on the review day');
  await context.close();
});

test('figures carried over from a spreadsheet count, and the tier they had holds until its next review', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), '钱老板');
  await page.fill(byId('opening-spend'), '￥12,000');
  await page.fill(byId('opening-purchases'), '5');
  await page.fill(byId('opening-points'), '800');
  await page.selectOption(byId('opening-tier'), 'platinum');
  await page.fill(byId('opening-next-review'), day(60));
  await page.click(byId('save-customer'));
  assert.match(await text(page, 'error-message'), /截至日期：必填/, 'figures need the date they were true on');
  await page.fill(byId('opening-as-of'), day(-30));
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('tier-badge'));
  // ￥12,000 in the window qualifies for gold; the sheet said platinum, which holds until the review.
  assert.equal(await badge(page), 'platinum');
  assert.equal(await text(page, 'next-review-date'), day(60));
  assert.equal(await text(page, 'points-balance'), '800');
  assert.equal(await page.locator(byId('tier-reason')).first().textContent(), '从旧表格带入');
  assert.equal(await page.locator(`${byId('points-row')}[data-kind="opening"]`).count(), 1);
  await context.close();
});
