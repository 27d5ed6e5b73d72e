// End-to-end: after a first visit the page reloads and works with the network cut (the service
// worker keeps the app shell), it is installable (manifest, icons), and its
// Content-Security-Policy lets nothing but its own scripts run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, byId, loadDemo } from './browser.mjs';
import { serveDist } from './server.mjs';

let browser, server;

async function streamBytes(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the page reloads and works offline after a first visit', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openApp(context, server.url);
  // The service worker has installed (the shell is cached) and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await loadDemo(page);

  // A file an older version needed is dropped when the page is next loaded with a network;
  // what this version needs stays.
  await page.evaluate(async () => {
    const cache = await caches.open('tierbook-shell-v1');
    await cache.put('./tierbook-web-0000000000000000.js', new Response('// an older version'));
  });
  await page.reload();
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '300', byId('customer-count'));
  await page.waitForFunction(async () => {
    const cache = await caches.open('tierbook-shell-v1');
    return !(await cache.match('./tierbook-web-0000000000000000.js'));
  }, null, { polling: 100 });
  const kept = await page.evaluate(async () => (await (await caches.open('tierbook-shell-v1')).keys()).map((r) => r.url));
  assert.ok(kept.some((u) => u.endsWith('.wasm')) && kept.some((u) => u.endsWith('echarts.min.js')), kept.join());

  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '300', byId('customer-count'));
  // Still works: a new customer is saved, and the charts (ECharts from the cache) draw.
  await page.click(byId('new-customer'));
  await page.fill(byId('field-name'), '离线客户');
  await page.click(byId('save-customer'));
  await page.waitForSelector(byId('customer-card'));
  await page.click(byId('nav-dashboard'));
  await page.waitForFunction(() => {
    const canvas = document.querySelector('[data-testid="chart-tiers"] canvas');
    if (!canvas || !canvas.width) return false;
    return new Uint32Array(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data.buffer).some((p) => p !== 0);
  });
  assert.equal(await page.textContent(byId('kpi-customers')), '301');
  // The spreadsheet worker (a second wasm, started on demand) comes from the cache too.
  await page.click(byId('nav-import-export'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(byId('export-xlsx'))]);
  const bytes = await streamBytes(await download.createReadStream());
  assert.equal(bytes.subarray(0, 4).toString('binary'), 'PK\x03\x04', 'an .xlsx (a zip)');
  assert.ok(bytes.length > 10_000, `${bytes.length} bytes for 301 customers`);
  await context.setOffline(false);
  assert.deepEqual(page.pageErrors, []);
  await context.close();
});

test('installable: a manifest with icons; a policy that blocks foreign scripts', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, server.url);
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector('link[rel="manifest"]');
    return (await fetch(link.href)).json();
  });
  assert.equal(manifest.display, 'standalone');
  const sizes = manifest.icons.map((i) => i.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'));
  for (const icon of manifest.icons) {
    const status = await page.evaluate(async (src) => (await fetch(src)).status, icon.src);
    assert.equal(status, 200, icon.src);
  }
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  // A script injected into the page (as an attacker would) is refused.
  const ran = await page.evaluate(() => new Promise((resolve) => {
    window.__injected = false;
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.addEventListener('securitypolicyviolation', () => resolve(window.__injected), { once: true });
    document.body.appendChild(s);
  }));
  assert.equal(ran, false);
  page.pageErrors.length = 0; // the refusal above is logged on purpose
  await context.close();
});
