// Tierbook's service worker: keeps the app shell (page, wasm, JS, CSS, ECharts, icons) so the
// page opens and works without a network after the first visit. The page itself is fetched
// network-first, so a new version is picked up on the next visit; its hashed assets never
// change, so they are served from the cache first. The workbook lives in IndexedDB, not here.
const CACHE = 'tierbook-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const index = await fetch('./', { cache: 'no-store' });
    const html = await index.clone().text();
    const assets = new Set(['./echarts.min.js', './manifest.webmanifest', './icon-192.png', './icon-512.png']);
    // The hashed files the page refers to: href/src attributes and trunk's loader script.
    for (const m of html.matchAll(/(?:href=|src=|from\s|module_or_path:\s*)["'](\.\/[^"']+)["']/g)) assets.add(m[1]);
    await cache.addAll([...assets]);
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
        caches.open(CACHE).then((cache) => cache.put('./', copy));
      }
      return response;
    }).catch(async () => (await caches.match('./')) || Response.error()));
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
