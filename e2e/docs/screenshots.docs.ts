import { expect, test, type Page } from '@playwright/test';
import { POLICY_SAMPLES } from '../../app/samples/scenes';
import { LensPage } from '../pages/LensPage';

// The README's screenshot and the screens shown in docs/, taken from the built app with the
// built-in models: `npm run docs:screenshots` (after `npm run build && npm run build:harness`).

const OPEN = 'backend=wasm';

/** The built-in policy on the first of its scenes, on wasm, asked the sample's second question. */
async function runOnScene(page: Page): Promise<void> {
  const lens = new LensPage(page);
  await lens.open(OPEN);
  await lens.openSample('tags-7', '2688 × 2688');
  await lens.maxTokens(96);
  await lens.ask(POLICY_SAMPLES[0]!.questions[1]!);
  await lens.finished();
  await expect(page.getByTestId('box-status')).toContainText('Box parsed: [');
  await page.mouse.move(0, 0);
}

test('first screen at 1440x900', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await new LensPage(page).open(OPEN);
  await expect(page.getByTestId('canvas-empty')).toBeVisible();
  await page.screenshot({ path: 'docs/after-first-1440.jpg', type: 'jpeg', quality: 80 });
});

test('after a run, at 1440 (README) and 1280', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await runOnScene(page);
  await page.screenshot({ path: 'docs/screenshot.png' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'docs/after-run-1280.jpg', type: 'jpeg', quality: 80, fullPage: true });
});

test('a step in progress: encoding on WebGPU (SwiftShader is slow enough to see it)', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=webgpu');
  await page.getByTestId('load-model').click();
  await expect(page.getByTestId('load-model')).toHaveText('Loaded', { timeout: 120_000 });
  await lens.openSample('street-4k', '3840 × 2160');
  await lens.maxTokens(4);
  await lens.run.click();
  const step = page.getByTestId('stage1-output-phase');
  await expect(step).toHaveAttribute('data-phase', 'encode', { timeout: 60_000 });
  // The model's first encode on WebGPU also compiles its shaders, and says so.
  await expect(step).toHaveText(/^Encoding the image \(first run on WebGPU: compiling its shaders too\)… [1-9]\.\d s$/, { timeout: 60_000 });
  await page.screenshot({ path: 'docs/after-progress-1280.jpg', type: 'jpeg', quality: 80 });
  await page.getByTestId('stop-button').click();
});
