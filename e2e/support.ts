import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import { HARNESS_PORT } from '../playwright.config';

export const harnessUrl = `http://localhost:${HARNESS_PORT}/`;

/** Opens the test harness page and waits until `window.harness` is ready. */
export async function openHarness(page: Page): Promise<void> {
  await page.goto(harnessUrl);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
}

/**
 * The built site from the project's static server on a free port, with `args` (`--no-isolation`
 * for a host without COOP/COEP); resolves once the server prints its URL.
 */
export function serveSite(args: string[]): Promise<{ url: string; server: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const server = spawn(process.execPath, ['scripts/serve.mjs', process.env.DIST_DIR ?? 'dist', ...args], { env: { ...process.env, PORT: '0' } });
    server.stdout!.setEncoding('utf8');
    server.stdout!.on('data', (text: string) => {
      const port = /localhost:(\d+)/.exec(text)?.[1];
      if (port) resolve({ url: `http://localhost:${port}/`, server });
    });
    server.on('error', reject);
    server.on('exit', (code) => reject(new Error(`static server exited with ${code}`)));
  });
}
