// Tierbook's service worker: keeps the app shell (page, wasm, JS, CSS, ECharts, icons) so the
// page opens and works without a network after the first visit. The page itself is fetched
// network-first, so a new version is picked up on the next visit; its hashed assets never
// change, so they are served from the cache first. The workbook lives in IndexedDB, not here.
const CACHE = 'tierbook-shell-v1';
// The spreadsheet worker's files are named without a hash (the page starts the worker by
// name), so they are fetched network-first like the page, and kept for offline use.
const WORKER = ['./tierbook-sheets_loader.js', './tierbook-sheets.js', './tierbook-sheets_bg.wasm'];
const STATIC = ['./', './echarts.min.js', './manifest.webmanifest', './icon-192.png', './icon-512.png', ...WORKER];

/** Absolute URLs of everything the page needs: the fixed files and the hashed ones it names
 * (href/src attributes and trunk's loader script; the lazily loaded pieces of the wasm are
 * named by `<link rel="tierbook-lazy" href>`s that scripts/split_wasm.mjs writes). */
function shellOf(html) {
  const urls = new Set(STATIC);
  for (const m of html.matchAll(/(?:href=|src=|from\s|module_or_path:\s*)["'](\.\/[^"']+)["']/g)) urls.add(m[1]);
  return new Set([...urls].map((u) => new URL(u, self.registration.scope).href));
}

/** Drops what an older version of the page needed and this one does not. */
async function keepOnly(shell) {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (!shell.has(request.url)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const index = await fetch('./', { cache: 'no-store' });
    const shell = shellOf(await index.clone().text());
    await cache.addAll([...shell].filter((u) => u !== new URL('./', self.registration.scope).href));
    await cache.put('./', index);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil((async () => {
          const shell = shellOf(await copy.clone().text());
          await (await caches.open(CACHE)).put('./', copy);
          await keepOnly(shell);
        })());
      }
      return response;
    }).catch(async () => (await caches.match('./')) || Response.error()));
    return;
  }
  if (WORKER.some((u) => request.url === new URL(u, self.registration.scope).href)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
      }
      return response;
    }).catch(async () => (await caches.match(request)) || Response.error()));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  })));
});
