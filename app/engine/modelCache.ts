/**
 * What of a Hub model the browser already holds: transformers.js keeps downloaded files in the
 * Cache API under `transformers-cache`, keyed by their Hub URL. Built-in models are served by the
 * site and never cached there.
 */
const CACHE_NAME = 'transformers-cache';

const ofRepo = (repo: string) => (request: Request) => request.url.includes(`/${repo}/resolve/`);

export interface CacheReport {
  readonly files: number;
  readonly bytes: number;
}

/** Files and bytes of `repo` in the cache (zeros where the Cache API is unavailable). */
export async function cachedFiles(repo: string): Promise<CacheReport> {
  if (!('caches' in globalThis)) return { files: 0, bytes: 0 };
  const cache = await caches.open(CACHE_NAME);
  const keys = (await cache.keys()).filter(ofRepo(repo));
  let bytes = 0;
  for (const key of keys) bytes += Number((await cache.match(key))?.headers.get('content-length') ?? 0);
  return { files: keys.length, bytes };
}

/** Deletes every cached file of `repo`; returns how many were removed. */
export async function deleteCached(repo: string): Promise<number> {
  if (!('caches' in globalThis)) return 0;
  const cache = await caches.open(CACHE_NAME);
  const keys = (await cache.keys()).filter(ofRepo(repo));
  await Promise.all(keys.map((k) => cache.delete(k)));
  return keys.length;
}
