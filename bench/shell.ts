/**
 * First-visit cost of the built site: the gzipped size of the app shell (what loads before the user
 * asks for a model: page, main bundle, styles, service worker) against the 400 kB goal, and time to
 * first paint in headless Chromium, checking that no model, wasm or worker file was requested.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST, ensureBuilt, launchChromium, serveSite } from './site';

const GOAL_KB = 400;
/** Fetched only once the user loads a model or runs: the worker bundle, the ORT runtime and the models. */
const DEFERRED = (path: string) => path.startsWith('ort/') || path.startsWith('models/') || path.endsWith('.wasm') || /(^|\/)ergo\.worker-/.test(path);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

export async function benchShell(): Promise<void> {
  ensureBuilt();
  const all = files(DIST).map((p) => relative(DIST, p));
  const gz = (path: string) => gzipSync(readFileSync(join(DIST, path)), { level: 9 }).length;
  const shell = all.filter((p) => !DEFERRED(p));
  const shellBytes = shell.reduce((n, p) => n + gz(p), 0);
  const worker = all.filter((p) => /ergo\.worker-/.test(p)).reduce((n, p) => n + gz(p), 0);
  console.log('\n## App shell (first visit, before any model is asked for)');
  for (const p of shell) console.log(`  ${p.padEnd(40)} ${kb(gz(p)).padStart(10)} gzipped`);
  console.log(`shell total ${kb(shellBytes)} gzipped: ${shellBytes <= GOAL_KB * 1024 ? 'within' : 'OVER'} the ${GOAL_KB} kB goal (${((100 * shellBytes) / (GOAL_KB * 1024)).toFixed(0)}%)`);
  console.log(`deferred: worker bundle ${kb(worker)} gzipped, plus the ORT wasm and the model files`);

  const { url, stop } = await serveSite();
  const browser = await launchChromium();
  try {
    const runs: { fp: number; fcp: number; deferred: string[] }[] = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(new URL(r.url()).pathname.slice(1)));
      await page.goto(url, { waitUntil: 'load' });
      await page.getByRole('heading', { name: 'ERGO Lens' }).waitFor();
      await page.waitForTimeout(500);
      const paints = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime])));
      runs.push({ fp: paints['first-paint'] ?? NaN, fcp: paints['first-contentful-paint'] ?? NaN, deferred: requested.filter(DEFERRED) });
      await context.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`first paint ${median(runs.map((r) => r.fp)).toFixed(0)} ms, first contentful paint ${median(runs.map((r) => r.fcp)).toFixed(0)} ms (median of ${runs.length} cold loads, localhost)`);
    const early = [...new Set(runs.flatMap((r) => r.deferred))];
    console.log(early.length ? `requested before any user action (should be none): ${early.join(', ')}` : 'no model, wasm or worker file requested before a user action');
  } finally {
    await browser.close();
    stop();
  }
}
