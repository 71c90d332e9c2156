import { expect, test } from '@playwright/test';
import { ergoImageCost, fullImageCost } from '../app/core';
import { LensPage } from './pages/LensPage';

const ARTIFACTS = 'e2e/artifacts';

for (const backend of ['wasm', 'webgpu'] as const) {
  test.describe(`the app on ${backend}`, () => {
    test('upload and run: stage 1 streams, the no-box fallback is reported, the ledger follows the protocol arithmetic', async ({ page }) => {
      const lens = new LensPage(page);
      await lens.open(`model=tiny-random-qwen2_5_vl&backend=${backend}`);
      await expect(lens.model).toHaveValue('tiny-random-qwen2_5_vl');
      // wasm gets a V*-sized photo; SwiftShader's WebGPU is ~50x slower, so it gets a small one.
      const size = backend === 'wasm' ? { width: 2246, height: 1582 } : { width: 640, height: 480 };
      await lens.upload('scene.png', await lens.pattern(size.width, size.height));
      await expect(page.getByTestId('image-meta')).toContainText(`${size.width} × ${size.height}`);
      // SwiftShader decodes a token in seconds, slower still when the machine is busy: fewer tokens and more time there.
      if (backend === 'webgpu') test.setTimeout(360_000);
      await page.getByLabel('Max new tokens').fill(backend === 'webgpu' ? '4' : '12');
      await lens.ask('What color is the small square?');
      await lens.finished(backend === 'webgpu' ? 300_000 : 120_000);
      await expect(page.getByTestId('backend-indicator')).toContainText(backend === 'webgpu' ? 'WebGPU' : 'wasm');
      await expect(lens.stage1).not.toBeEmpty();
      // Random weights write no <zoom>: the skip fallback ran and the user is told.
      await expect(page.getByTestId('box-status')).toContainText('No usable box');
      const coarse = ergoImageCost(size, 1280);
      const full = fullImageCost(size)!;
      await expect(lens.coarseTokens).toHaveText(String(coarse.tokens));
      await expect(lens.cropTokens).toHaveText('0');
      await expect(lens.fullTokens).toHaveText(String(full.tokens));
      await expect(lens.canvas).toHaveAttribute('data-frame', `${coarse.width}x${coarse.height}`);
      await page.screenshot({ path: `${ARTIFACTS}/run-${backend}.png`, fullPage: true });
    });
  });
}

test('a trace draws its box, the manual box re-runs the fine turn only', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  const size = { width: 1920, height: 1080 };
  await lens.upload('scene.png', await lens.pattern(size.width, size.height));
  await expect(page.getByTestId('image-meta')).toContainText('1920 × 1080');
  // A trace of the same shape from another runtime: its box is in coarse pixels (1344x756 at 1280 tokens).
  const trace = { question: 'Where is the square?', stage1: '<think>right side</think><zoom>[800, 220, 900, 300]</zoom>', stage2: '<answer>red</answer>', image_size: [1920, 1080] };
  await page.getByTestId('trace-input').setInputFiles({ name: 'trace.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(trace)) });
  await expect(lens.canvas).toHaveAttribute('data-box', '800,220,900,300');
  // Crop: sx = 1920/1344 = 1.4286: [1142, 314, 1285, 428] -> 143x114 px -> ergo resize 140x112 = 5x4 = 20 tokens.
  await expect(lens.crop).toHaveJSProperty('width', 1285 - 1142);
  await expect(lens.cropTokens).toHaveText(String(ergoImageCost({ width: 143, height: 114 }, 1280).tokens));
  await page.screenshot({ path: `${ARTIFACTS}/trace.png`, fullPage: true });

  // Now a real run (random weights: no box), then the user's own box, typed into the fields.
  await page.getByLabel('Max new tokens').fill('8');
  await lens.ask('Where is the square?');
  await lens.finished();
  await expect(lens.stage2).toBeEmpty();
  await page.getByTestId('draw-box').click();
  for (const [name, value] of Object.entries({ x1: 800, y1: 220, x2: 900, y2: 300 })) await page.getByTestId(`box-${name}`).fill(String(value));
  await expect(lens.canvas).toHaveAttribute('data-box', '800,220,900,300');
  await page.getByTestId('ask-region').click();
  await lens.finished();
  await expect(lens.stage2).not.toBeEmpty();
  await expect(page.getByTestId('box-status')).toContainText('Your box: [800, 220, 900, 300]');
  await expect(lens.cropTokens).toHaveText(String(ergoImageCost({ width: 143, height: 114 }, 1280).tokens));
  await expect(lens.crop).toHaveJSProperty('width', 143);
  await page.screenshot({ path: `${ARTIFACTS}/manual-box.png`, fullPage: true });
});

test('paste and drag-and-drop take images; corrupt files and non-images get clear errors and keep the image', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  const png = await lens.pattern(300, 200);
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
  }, png.toString('base64'));
  await expect(page.getByTestId('image-meta')).toContainText('pasted.png: 300 × 200');

  const dropped = await lens.pattern(320, 240);
  const transfer = await page.evaluateHandle((b64) => {
    const data = new DataTransfer();
    data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.png', { type: 'image/png' }));
    return data;
  }, dropped.toString('base64'));
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByTestId('image-meta')).toContainText('dropped.png: 320 × 240');

  await lens.upload('broken.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
  await expect(lens.error).toContainText('could not be decoded');
  await expect(lens.error).toHaveAttribute('data-code', 'corrupt-image');
  await expect(page.getByTestId('image-meta')).toContainText('dropped.png');

  await lens.upload('notes.txt', Buffer.from('hello'), 'text/plain');
  await expect(lens.error).toContainText('not an image');
  await expect(page.getByTestId('image-meta')).toContainText('dropped.png');
  await page.screenshot({ path: `${ARTIFACTS}/errors.png`, fullPage: true });
});

test('a model folder the user picks loads through the same path and runs', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=custom&backend=wasm');
  await page.getByTestId('model-folder').setInputFiles('public/models/tiny-random-qwen2_5_vl');
  await expect(page.getByText(/Folder "tiny-random-qwen2_5_vl": \d+ files/)).toBeVisible();
  await lens.upload('scene.png', await lens.pattern(320, 240));
  await expect(page.getByTestId('image-meta')).toContainText('320 × 240');
  await page.getByLabel('Max new tokens').fill('4');
  await lens.ask('What is it?');
  await lens.finished();
  await expect(lens.stage1).not.toBeEmpty();
  await expect(page.getByTestId('backend-indicator')).toContainText('wasm');
});
