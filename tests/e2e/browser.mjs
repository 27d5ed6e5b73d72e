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

/** Adds the 300 demo customers and waits until the list shows them. */
export async function loadDemo(page) {
  await page.click(byId('load-demo'));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '300', byId('customer-count'));
}

/** Every stored value, raw: shard bytes as hex, meta values as text or hex, by store and key.
 *  A value that is an array (a group of shards) gives one entry per element that holds bytes,
 *  keyed `<key>.<place>`. */
export async function rawStore(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('tierbook');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names, 'readonly');
      const out = {};
      for (const name of names) {
        const store = tx.objectStore(name);
        const keys = store.getAllKeys();
        const values = store.getAll();
        values.onsuccess = () => {
          const entries = keys.result.flatMap((k, i) => {
            const v = values.result[i];
            return Array.isArray(v) ? v.flatMap((part, place) => (part ? [[`${k}.${place}`, part]] : [])) : [[String(k), v]];
          });
          out[name] = entries.map(([key, v]) => {
            const bytes = v instanceof Uint8Array ? v : null;
            return {
              key,
              kind: bytes ? 'bytes' : typeof v,
              head: bytes ? String.fromCharCode(...bytes.slice(0, 4)) : String(v).slice(0, 4),
              text: bytes ? new TextDecoder('utf-8', { fatal: false }).decode(bytes) : String(v),
              hex: bytes ? [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('') : String(v),
            };
          });
        };
      }
      tx.oncomplete = () => { db.close(); resolve(out); };
      tx.onerror = () => reject(tx.error);
    };
  }));
}
