/**
 * What the browser benches share: the built site or the test harness, built if missing and served
 * by the project's static server on a free port, and Debian's Chromium launched with the flags the
 * e2e suite uses.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = process.env.DIST_DIR ?? join(ROOT, 'dist');
export const HARNESS_DIST = process.env.HARNESS_DIST_DIR ?? join(ROOT, 'dist-harness');
/** Same flags as playwright.config.ts. */
const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function ensure(dir: string, script: 'build' | 'build:harness', envName: string): void {
  if (existsSync(join(dir, 'index.html'))) return;
  console.log(`building ${dir}`);
  const r = spawnSync('npm', ['run', script], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, [envName]: dir } });
  if (r.status !== 0) throw new Error(`npm run ${script} failed (exit ${r.status})`);
}

export const ensureBuilt = (): void => ensure(DIST, 'build', 'DIST_DIR');
export const ensureHarness = (): void => ensure(HARNESS_DIST, 'build:harness', 'HARNESS_DIST_DIR');

/** `scripts/serve.mjs` on `dir`, on a port the system picks. */
async function serveDir(dir: string): Promise<{ url: string; stop: () => void }> {
  const server = spawn(process.execPath, ['scripts/serve.mjs', dir], { cwd: ROOT, env: { ...process.env, PORT: '0' } });
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (t: string) => {
      const port = /localhost:(\d+)/.exec(t)?.[1];
      if (port) resolve(`http://localhost:${port}/`);
    });
    server.on('exit', (code) => reject(new Error(`static server exited with ${code}`)));
  });
  return { url, stop: () => server.kill() };
}

export const serveSite = (): Promise<{ url: string; stop: () => void }> => serveDir(DIST);
export const serveHarness = (): Promise<{ url: string; stop: () => void }> => serveDir(HARNESS_DIST);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The test harness in a fresh Chromium, once `window.harness` is ready; `close` ends the browser and the server. */
export async function openHarness(): Promise<{ page: Page; browser: Browser; close: () => Promise<void> }> {
  ensureHarness();
  const { url, stop } = await serveHarness();
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    stop();
  };
  try {
    const page = await browser.newPage();
    // tsx keeps function names through an `__name` helper that does not exist in the page.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    return { page, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}
