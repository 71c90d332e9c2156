import { expect, test, type Page } from '@playwright/test';
import { LensPage } from './pages/LensPage';

// "Ask about this region" on the real worker (tiny model, wasm): it works when the worker no longer
// holds the run's coarse turn (after a restart, or for an older run) by computing it again and
// saying so; it is disabled, with the reason beside it, for a run stopped before it finished. Errors appear beside
// the control that caused them and can be closed.

async function ready(page: Page, width = 640, height = 480): Promise<LensPage> {
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  await lens.upload('scene.png', await lens.pattern(width, height));
  await expect(page.getByTestId('image-meta')).toContainText(`${width} × ${height}`);
  await page.getByLabel('Max new tokens').fill('4');
  return lens;
}

/** Draws a box through the fields and asks about it; returns once the fine turn has ended. */
async function askAbout(page: Page, lens: LensPage): Promise<void> {
  await page.getByTestId('draw-box').click();
  for (const [name, value] of Object.entries({ x1: 40, y1: 30, x2: 160, y2: 120 })) await page.getByTestId(`box-${name}`).fill(String(value));
  await page.getByTestId('ask-region').click();
  await lens.finished();
}

test('after a Stop that restarted the engine, the region is still asked about: the first look is computed again, and the app says so', async ({ page }) => {
  const lens = await ready(page);
  await lens.ask('Where is the square?');
  await lens.finished();
  await expect(page.getByTestId('ask-region-note')).toHaveCount(0);
  // A comparison stopped while encoding: the engine restarts and forgets the ERGO run's cache.
  await lens.stopOnceEncoding();
  await page.getByTestId('compare-direct').click();
  await expect(page.getByTestId('compare-answer-direct')).toContainText('stopped');
  await lens.loaded();
  await expect(page.getByTestId('ask-region-note')).toContainText('no longer in memory');
  await askAbout(page, lens);
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(lens.stage2).not.toBeEmpty();
  await expect(page.getByTestId('notice')).toContainText('computed again');
  await expect(page.getByTestId('box-status')).toContainText('Your box: [40, 30, 160, 120]');
  // Now the worker holds it again: a second region needs no recomputation.
  await expect(page.getByTestId('ask-region-note')).toHaveCount(0);
});

test('an older run from the history can be asked about, on its own image; a stopped run cannot, and says why', async ({ page }) => {
  const lens = await ready(page);
  await lens.ask('First question?');
  await lens.finished();
  await lens.ask('Second question?');
  await lens.finished();
  await page.getByTestId('history').getByRole('button', { name: /First question/ }).click();
  await expect(page.getByTestId('ask-region-note')).toContainText('no longer in memory');
  await askAbout(page, lens);
  await expect(lens.stage2).not.toBeEmpty();
  await expect(page.getByTestId('notice')).toContainText('computed again');

  await page.getByLabel('Max new tokens').fill('1024');
  await lens.ask('Stopped question?');
  await expect(page.getByTestId('run-status')).toContainText('Stage 1: writing');
  await lens.stop.click();
  await expect(lens.answer).toHaveText('Stopped.');
  await expect(page.getByTestId('ask-region')).toBeDisabled();
  await expect(page.getByTestId('ask-region-reason')).toContainText('stopped before it finished');

  // An older run on another image keeps its own image: it can still be asked about.
  await lens.upload('other.png', await lens.pattern(320, 240));
  await expect(page.getByTestId('image-meta')).toContainText('other.png');
  await page.getByTestId('history').getByRole('button', { name: /Second question/ }).click();
  await expect(page.getByTestId('ask-region-note')).toContainText('no longer in memory');
  await askAbout(page, lens);
  await expect(lens.stage2).not.toBeEmpty();
});

test('errors sit beside their control, carry their code, and close', async ({ page }) => {
  const lens = await ready(page);
  // The history's panel: a trace file that is not JSON.
  await page.getByTestId('trace-input').setInputFiles({ name: 'trace.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
  const history = page.locator('section[aria-labelledby="history-heading"]');
  await expect(history.getByTestId('error')).toHaveAttribute('data-code', 'trace-not-json');
  await expect(history.getByTestId('error')).toContainText('code: trace-not-json');
  await history.getByTestId('error-dismiss').click();
  await expect(page.getByTestId('error')).toHaveCount(0);
  // The image's panel: a corrupt file.
  await lens.upload('broken.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
  const imagePanel = page.locator('section[aria-labelledby="image-heading"]');
  await expect(imagePanel.getByTestId('error')).toBeVisible();
  await imagePanel.getByTestId('error-dismiss').click();
  await expect(page.getByTestId('error')).toHaveCount(0);
  // The worker's error for a region with no area: beside "Ask about this region", without request ids.
  await lens.ask('Where?');
  await lens.finished();
  await page.getByTestId('draw-box').click();
  for (const [name, value] of Object.entries({ x1: 50, y1: 30, x2: 50, y2: 120 })) await page.getByTestId(`box-${name}`).fill(String(value));
  await page.getByTestId('ask-region').click();
  await lens.finished();
  const canvasPanel = page.locator('section.canvas-panel');
  await expect(canvasPanel.getByTestId('run-error')).toHaveAttribute('data-code', 'degenerate-box');
  await expect(canvasPanel.getByTestId('run-error')).not.toContainText(/\br\d+\b/);
  await canvasPanel.getByTestId('run-error-dismiss').click();
  await expect(page.getByTestId('run-error')).toHaveCount(0);
});
