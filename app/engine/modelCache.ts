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

export interface CachedModel extends CacheReport {
  readonly repo: string;
}

/** Every Hub model with files in the cache, largest first (empty where the Cache API is unavailable). */
export async function cachedModels(): Promise<CachedModel[]> {
  if (!('caches' in globalThis)) return [];
  const cache = await caches.open(CACHE_NAME);
  const byRepo = new Map<string, { files: number; bytes: number }>();
  for (const key of await cache.keys()) {
    const repo = /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/resolve\//.exec(key.url)?.[1];
    if (!repo) continue;
    const report = byRepo.get(repo) ?? { files: 0, bytes: 0 };
    report.files += 1;
    report.bytes += Number((await cache.match(key))?.headers.get('content-length') ?? 0);
    byRepo.set(repo, report);
  }
  return [...byRepo].map(([repo, r]) => ({ repo, ...r })).sort((a, b) => b.bytes - a.bytes);
}

/** Deletes every cached file of `repo`; returns how many were removed. */
export async function deleteCached(repo: string): Promise<number> {
  if (!('caches' in globalThis)) return 0;
  const cache = await caches.open(CACHE_NAME);
  const keys = (await cache.keys()).filter(ofRepo(repo));
  await Promise.all(keys.map((k) => cache.delete(k)));
  return keys.length;
}
