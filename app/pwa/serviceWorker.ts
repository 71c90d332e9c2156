/**
 * Registers the service worker (public/sw.js): offline use after the first visit, and
 * cross-origin isolation on hosts that cannot send COOP/COEP headers. When the page is not isolated
 * and the worker was not controlling it yet, the page reloads once (guarded, so a browser that
 * refuses isolation never loops); without isolation wasm still runs, single-threaded, and the
 * backend indicator says so.
 */
const RELOAD_FLAG = 'ergo-lens:isolation-reload';

export async function registerServiceWorker(): Promise<void> {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  const controlled = !!navigator.serviceWorker.controller;
  try {
    await navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' });
    await navigator.serviceWorker.ready;
  } catch {
    return;
  }
  if (crossOriginIsolated) {
    sessionStorage.removeItem(RELOAD_FLAG);
    return;
  }
  if (!controlled && !sessionStorage.getItem(RELOAD_FLAG)) {
    sessionStorage.setItem(RELOAD_FLAG, '1');
    location.reload();
  }
}
