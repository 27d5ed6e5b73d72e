// Shared set-up for the end-to-end tests and benchmarks: Debian's chromium through playwright-core.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A page of the app in `context`, once the workbook has loaded. Page errors fail the test. */
export async function openApp(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Anything the Content-Security-Policy blocks is a failure too.
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) errors.push(m.text()); });
  page.on('dialog', (d) => { errors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  page.pageErrors = errors;
  await page.goto(url);
  await page.waitForSelector('[data-testid=customer-count]');
  return page;
}

export const byId = (id) => `[data-testid="${id}"]`;

export async function text(page, id) {
  return (await page.locator(byId(id)).first().textContent()).trim();
}
