import { expect, test } from '@playwright/test';
import { cropRect, ergoImageCost } from '../app/core';
import { boxIn } from '../app/core/geometry';
import { LensPage } from './pages/LensPage';

// The app as a newcomer opens it: no model named, so the built-in policy ergo-tiny, offered on its
// own scenes. Its accuracy is measured in models/README.md, and every new checkpoint changes it,
// so nothing here depends on how good it is (which box, which answer): only on the
// path its real output takes (a box parsed and drawn over the coarse image, the full-resolution
// crop under it, the fine turn, an answer, the ledger).

const SCENE = { id: 'tags-7', size: { width: 2688, height: 2688 } };

test('with no model named, the app starts on ergo-tiny, offers its scenes first and runs ERGO on one: box, crop, fine turn, answer, ledger', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('backend=wasm');
  await expect(lens.model).toHaveValue('ergo-tiny');
  await expect(page.getByTestId('model-knows-note')).toContainText('tagged-shape scenes');
  await expect(page.getByTestId('random-weights-note')).toHaveCount(0);
  await expect(page.getByLabel('Budget')).toHaveValue('64');
  // Its own scene family comes first on the empty canvas.
  await expect(page.getByTestId('canvas-empty').getByRole('button').first()).toHaveAttribute('data-testid', /^sample-tags-/);

  await lens.openSample(SCENE.id, '2688 × 2688');
  await expect(lens.question).not.toHaveValue('');
  await lens.maxTokens(96);
  await lens.run.click();
  await lens.finished();

  // The coarse image at the model's 64 tokens: 2688x2688 -> 224x224.
  const coarse = ergoImageCost(SCENE.size, 64);
  expect(coarse).toMatchObject({ width: 224, height: 224, tokens: 64 });
  await expect(lens.canvas).toHaveAttribute('data-frame', '224x224');
  await expect(lens.coarseTokens).toHaveText('64');
  // Whatever box the model names, it is parsed and drawn over the coarse image...
  await expect(page.getByTestId('box-status')).toContainText('Box parsed: [');
  await expect(lens.canvas).toHaveAttribute('data-box', /^\d+,\d+,\d+,\d+$/);
  const box = (await lens.canvas.getAttribute('data-box'))!.split(',').map(Number) as [number, number, number, number];
  // ...and the crop panel shows the scene's own pixels under it, at full resolution (scaled by 2688/224 = 12).
  const crop = cropRect(boxIn('coarse', box), SCENE.size, coarse)!;
  const cropSize = { width: crop.x2 - crop.x1, height: crop.y2 - crop.y1 };
  await expect(lens.crop).toHaveJSProperty('width', cropSize.width);
  await expect(lens.crop).toHaveJSProperty('height', cropSize.height);
  await expect(lens.cropTokens).toHaveText(String(ergoImageCost(cropSize, 64).tokens));
  // The fine turn ran on the crop and an answer came out of it.
  await expect(lens.stage2).not.toBeEmpty();
  await expect(lens.answer).not.toBeEmpty();
  await page.screenshot({ path: 'e2e/artifacts/ergo-tiny.png', fullPage: true });
});
