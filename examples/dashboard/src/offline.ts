import type { Lang } from './i18n.js';

/**
 * Registers the service worker (the app and the API's GETs, network first) and shows a banner
 * when a page was served from what was kept: offline, stale, with the time it was loaded.
 */
export function registerOffline(lang: () => Lang): void {
  if (!('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).catch(() => {});
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    const data: unknown = event.data;
    if (typeof data !== 'object' || data === null || !('type' in data)) return;
    if (data.type !== 'rapport-stale') return;
    const loadedAt = 'loadedAt' in data && typeof data.loadedAt === 'string' ? data.loadedAt : null;
    showStale(lang(), loadedAt);
  });
  window.addEventListener('online', () => document.querySelector('#stale')?.remove());
}

function showStale(lang: Lang, loadedAt: string | null): void {
  let banner = document.querySelector<HTMLElement>('#stale');
  if (!banner) {
    banner = document.createElement('p');
    banner.id = 'stale';
    banner.setAttribute('role', 'status');
    document.body.prepend(banner);
  }
  document.body.dataset.stale = 'true';
  const when = loadedAt
    ? new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-US', {
        dateStyle: 'medium',
        timeStyle: 'short',
      }).format(new Date(loadedAt))
    : '';
  banner.textContent =
    lang === 'de'
      ? `Offline: Sie sehen die zuletzt geladenen Daten${when ? ` (Stand ${when})` : ''}.`
      : `Offline: you are looking at the data last loaded${when ? ` (as of ${when})` : ''}.`;
}
