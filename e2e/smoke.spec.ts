import { expect, test } from '@playwright/test';
import { openHarness } from './support';

test('the built app loads, is cross-origin isolated and serves its own ORT runtime', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./');
  await expect(page.getByRole('heading', { name: 'ERGO Lens' })).toBeVisible();
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  const wasm = await page.request.get('./ort/ort-wasm-simd-threaded.asyncify.wasm');
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()['content-type']).toBe('application/wasm');
  const missing = await page.request.get('./models/no-such-model/config.json');
  expect(missing.status()).toBe(404);
  expect(errors).toEqual([]);
});

test('headless Chromium exposes a WebGPU adapter', async ({ page }) => {
  await page.goto('./');
  const info = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: { vendor: string } } | null> } }).gpu;
    const adapter = await gpu?.requestAdapter();
    return { hasGpu: !!gpu, hasAdapter: !!adapter, vendor: adapter?.info?.vendor ?? null };
  });
  expect(info.hasGpu).toBe(true);
  expect(info.hasAdapter).toBe(true);
});

test('the test harness page exposes transformers.js', async ({ page }) => {
  await openHarness(page);
  expect(await page.evaluate(() => typeof window.harness.transformers.AutoProcessor)).toBe('function');
});
