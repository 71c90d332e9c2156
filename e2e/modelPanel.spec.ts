import { expect, test } from '@playwright/test';
import { LensPage } from './pages/LensPage';

// The model panel tells the truth: a failed load is reported beside it (with its code, closable)
// and leaves the working model loaded; WebGPU is called available only when an adapter was granted.

test('a failed load is shown in the model panel, can be dismissed, and the previous model stays loaded and runs', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  await page.getByTestId('load-model').click();
  await expect(page.getByTestId('load-model')).toHaveText('Loaded');
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/')) fetched.push(r.url());
  });
  await lens.model.selectOption('custom');
  await page.getByLabel('Hub repo id (owner/name)').fill('no-such-owner/no-such-model');
  await page.getByTestId('load-model').click();
  const error = page.getByTestId('model-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-code', /.+/);
  await expect(error).toContainText('no-such-owner/no-such-model');
  await expect(error).toContainText('is still loaded');
  await expect(error).not.toContainText(/\br\d+\b/);
  await expect(page.getByTestId('model-status')).toContainText('Loaded: ');
  await expect(page.getByTestId('backend-indicator')).toContainText('wasm');
  await page.getByTestId('model-error-dismiss').click();
  await expect(error).toHaveCount(0);
  // Back to the loaded model: it runs at once, nothing is fetched again.
  await lens.model.selectOption('tiny-random-qwen2_5_vl');
  await expect(page.getByTestId('load-model')).toHaveText('Loaded');
  await lens.upload('scene.png', await lens.pattern(320, 240));
  await page.getByLabel('Max new tokens').fill('3');
  await lens.ask('What is it?');
  await lens.finished();
  await expect(lens.stage1).not.toBeEmpty();
  expect(fetched).toEqual([]);
});

test('"WebGPU adapter available" only when the browser granted one', async ({ browser }) => {
  // Chromium here grants SwiftShader's adapter; a page whose requestAdapter() gives null (as on a
  // blocklisted GPU) must not claim WebGPU while navigator.gpu still exists.
  const granted = await browser.newPage();
  await new LensPage(granted).open('model=tiny-random-qwen2_5_vl');
  await expect(granted.getByTestId('backend-indicator')).toContainText('WebGPU adapter available');
  await granted.close();
  const context = await browser.newContext();
  await context.addInitScript({ content: 'if (navigator.gpu) navigator.gpu.requestAdapter = async () => null;' });
  const denied = await context.newPage();
  await new LensPage(denied).open('model=tiny-random-qwen2_5_vl');
  expect(await denied.evaluate(() => 'gpu' in navigator)).toBe(true);
  await expect(denied.getByTestId('backend-indicator')).toContainText('No WebGPU adapter');
  await expect(denied.getByTestId('backend-indicator')).not.toContainText('WebGPU adapter available');
  await context.close();
});
