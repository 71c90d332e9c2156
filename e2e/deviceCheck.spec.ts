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
