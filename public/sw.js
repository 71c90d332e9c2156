// ERGO Lens service worker.
//
// 1. Cross-origin isolation where the host cannot send headers (GitHub Pages): every same-origin
//    response is re-issued with COOP/COEP/CORP, so SharedArrayBuffer and multi-threaded wasm work.
// 2. Offline after first use: hashed assets and the ORT runtime are served cache-first; the page,
//    the built-in models and everything else same-origin network-first with the cache as fallback.
const CACHE = 'ergo-lens-v1';
// The Cache API stores GET requests only. HEAD answers (the model loader's size probes, missing
// external-data chunks among them: a 404 is an answer too) are kept, bodiless, under the GET of the
// same URL in a cache of their own, so the probes made online are answered offline.
const HEADS = 'ergo-lens-heads-v1';
const IMMUTABLE = /\/(assets|ort)\//;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function isolated(response) {
  if (!response || response.type === 'opaque' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function fromNetwork(request, cache) {
  const response = await fetch(request);
  // Partial responses (range requests) cannot be cached whole.
  if (response.ok && response.status === 200) await cache.put(request, response.clone());
  return response;
}

async function respond(request) {
  const cache = await caches.open(CACHE);
  if (IMMUTABLE.test(new URL(request.url).pathname)) {
    const hit = await cache.match(request);
    return isolated(hit ?? (await fromNetwork(request, cache)));
  }
  try {
    return isolated(await fromNetwork(request, cache));
  } catch (error) {
    const hit = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return isolated(hit);
    throw error;
  }
}

async function respondHead(request) {
  const heads = await caches.open(HEADS);
  const key = new Request(request.url);
  try {
    const response = await fetch(request);
    if (response.status === 200 || response.status === 404) {
      await heads.put(key, new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers }));
    }
    return isolated(response);
  } catch (error) {
    const hit = (await heads.match(key)) ?? (await (await caches.open(CACHE)).match(key));
    if (hit) return isolated(new Response(null, { status: hit.status, statusText: hit.statusText, headers: hit.headers }));
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (new URL(request.url).origin !== self.location.origin) return;
  if (request.method === 'GET') event.respondWith(respond(request));
  else if (request.method === 'HEAD') event.respondWith(respondHead(request));
});
