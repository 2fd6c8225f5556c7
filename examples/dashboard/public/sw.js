// The workspace's service worker: the app and every GET of the API go to the network first;
// what came back is kept, and when the network fails the kept answer is served and the page is
// told it is looking at stale data (with the time it was loaded).
const cacheName = 'rapport-workspace-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(cacheName);
      try {
        const response = await fetch(request);
        if (response.ok) {
          const headers = new Headers(response.headers);
          headers.set('x-rapport-loaded-at', new Date().toISOString());
          const body = await response.clone().arrayBuffer();
          await cache.put(request, new Response(body, { status: response.status, headers }));
        }
        return response;
      } catch (error) {
        // A page opened with other query parameters (the app keeps its state there) is the same app.
        const cached =
          (await cache.match(request, { ignoreVary: true })) ??
          (request.mode === 'navigate'
            ? await cache.match(request, { ignoreVary: true, ignoreSearch: true })
            : undefined);
        if (!cached) throw error;
        const client = event.clientId ? await self.clients.get(event.clientId) : null;
        const loadedAt = cached.headers.get('x-rapport-loaded-at');
        for (const target of client ? [client] : await self.clients.matchAll()) {
          target.postMessage({ type: 'rapport-stale', loadedAt });
        }
        return cached;
      }
    })(),
  );
});
