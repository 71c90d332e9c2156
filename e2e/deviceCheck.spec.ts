import { expect, test } from '@playwright/test';
import { LensPage } from './pages/LensPage';

// Headless Chromium here: SwiftShader's WebGPU adapter (1 GiB buffers, no shader-f16).
test('the device check says, before any download, which real model fits and why', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const lens = new LensPage(page);
  await lens.open('model=qwen2.5-vl-3b-instruct');
  const check = page.getByTestId('device-check');
  // 151936 x 2048 fp32 embeddings (1.2 GB) pass one 1 GiB buffer; 3.4 GB of weights leave wasm no room.
  await expect(check).toHaveAttribute('data-verdict', 'too-large');
  await expect(check).toContainText('do not fit one buffer of this adapter');
  await expect(check).toContainText('Too large here');

  await page.getByTestId('model-select').selectOption('qwen2-vl-2b-instruct');
  await expect(check).toHaveAttribute('data-verdict', 'fits');
  await expect(check).toContainText('no shader-f16, fp32-activation weights');

  await page.getByTestId('model-select').selectOption('tiny-random-qwen2_5_vl');
  await expect(check).toHaveCount(0);
  expect(requests.filter((u) => u.includes('huggingface.co'))).toEqual([]);
});

test('ERGO-7B does not offer wasm, and says why; a model that fits there does', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  const wasm = page.getByTestId('backend-wasm');
  await expect(wasm).toBeEnabled();
  await expect(wasm).toBeChecked();
  await expect(page.getByTestId('backend-wasm-reason')).toHaveCount(0);

  await page.getByTestId('model-select').selectOption('ergo-7b');
  await expect(wasm).toBeDisabled();
  await expect(wasm).not.toBeChecked();
  await expect(page.getByTestId('backend-auto')).toBeChecked();
  await expect(page.getByTestId('backend-wasm-reason')).toHaveText(/wasm is not offered for ERGO-7B .*: a 7B model does not fit the 4 GiB wasm heap; use WebGPU\./);
  // The device check gives the same reason (one rule)
  await expect(page.getByTestId('device-check')).toContainText('wasm: a 7B model does not fit the 4 GiB wasm heap; use WebGPU.');

  await page.getByTestId('model-select').selectOption('qwen2-vl-2b-instruct');
  await expect(wasm).toBeEnabled();
  await expect(page.getByTestId('backend-wasm-reason')).toHaveCount(0);
});

test('a share link asking for wasm with ERGO-7B keeps Auto and says the backend was ignored', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=ergo-7b&backend=wasm');
  await expect(page.getByTestId('backend-auto')).toBeChecked();
  await expect(page.getByTestId('backend-wasm')).toBeDisabled();
  await expect(page.getByText(/Parts of this link were ignored: backend "wasm" \(ERGO-7B .*: a 7B model does not fit the 4 GiB wasm heap/)).toBeVisible();
});
