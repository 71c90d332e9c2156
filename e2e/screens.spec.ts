import { createHash } from 'node:crypto';
import { expect, test, type Locator } from '@playwright/test';
import { cropRect, ergoImageCost } from '../app/core';
import { boxIn } from '../app/core/geometry';
import { LensPage } from './pages/LensPage';

// What each screen says must be true: the first screen's path, the cost table, each run's own
// image, shared samples, the layout at 1280 and 1440 px, and the smaller promises (theme, traces,
// keyboard). All on the real worker and the built-in tiny model, on wasm.

const ARTIFACTS = 'e2e/artifacts';
const OPEN = 'model=tiny-random-qwen2_5_vl&backend=wasm';

/** Children of `row` that sit alone on a line while their siblings share one. */
async function orphans(row: Locator): Promise<number> {
  return row.evaluate((el) => {
    // Lines of the wrapped row: a child starts a new line when it begins below the current line's bottom.
    const boxes = [...el.children].map((c) => c.getBoundingClientRect()).filter((b) => b.width > 0).sort((a, b) => a.top - b.top);
    const lines: { bottom: number; count: number }[] = [];
    for (const b of boxes) {
      const line = lines.at(-1);
      if (line && b.top < line.bottom) {
        line.count++;
        line.bottom = Math.max(line.bottom, b.bottom);
      } else lines.push({ bottom: b.bottom, count: 1 });
    }
    return lines.length > 1 ? lines.filter((l) => l.count === 1).length : 0;
  });
}

test('first screen: one path (image, question, Run that loads the model), nothing disabled without a reason', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const lens = new LensPage(page);
  await lens.open(OPEN);
  // Before anything: Run says what it needs, the canvas does not claim the model saw anything.
  await expect(lens.run).toBeDisabled();
  await expect(page.getByTestId('run-hint')).toHaveText('Pick, drop or paste an image first, or choose a sample.');
  await expect(page.getByTestId('canvas-heading')).toHaveText('Image');
  await expect(page.getByTestId('canvas-empty')).toBeVisible();
  // Load model is above the fold.
  const load = (await page.getByTestId('load-model').boundingBox())!;
  expect(load.y + load.height).toBeLessThanOrEqual(900);
  await page.screenshot({ path: `${ARTIFACTS}/first-screen.png` });

  await lens.openSample('street-4k', '3840 × 2160');
  await expect(lens.question).toHaveValue('What does the small green street sign say?');
  await expect(page.getByTestId('canvas-heading')).toHaveText('Your image (the model has not seen it yet)');
  await expect(page.getByTestId('run-hint')).toContainText('first, then runs.');
  await lens.question.fill('');
  await expect(lens.run).toBeDisabled();
  await expect(page.getByTestId('run-hint')).toHaveText('Type a question about the image.');

  await lens.maxTokens(4);
  await lens.ask('What does the sign say?');
  await lens.finished();
  await expect(page.getByTestId('canvas-heading')).toHaveText('What the model saw (coarse image)');
  await expect(page.getByTestId('run-hint')).toContainText('Runs on the loaded');
  // Compare sits in the cost table with the reason it can or cannot run.
  await expect(page.getByTestId('compare-direct')).toBeEnabled();
  await expect(page.getByTestId('compare-hint')).toContainText('same image, question and model');
});

test('the cost table keeps both baselines beside ERGO, says why the whole image is capped, and claims savings only when finished', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open(OPEN);
  await lens.openSample('street-4k', '3840 × 2160');
  await lens.maxTokens(4);
  await lens.run.click();
  // While running there is no saving to claim.
  await expect(page.getByTestId('ledger-saved')).toHaveText('when the run finishes');
  await lens.finished();
  // 3840x2160: ERGO's coarse image 1296 tokens (no box: the fine turn was skipped) against stock Qwen's 10549.
  await expect(page.getByTestId('ledger-saved')).toHaveText(`${(100 * (1 - 1296 / 10549)).toFixed(1)}%`);
  await expect(page.getByTestId('ledger-direct-cap')).toContainText('capped at 4080 of 10549 tokens: ');

  await page.getByTestId('compare-coarse-only').click();
  await expect(page.getByTestId('compare-hint')).toHaveText('Wait for the current run to finish.');
  await expect(page.getByTestId('compare-direct')).toBeDisabled();
  await lens.finished();
  await page.getByTestId('compare-direct').click();
  await lens.finished();
  // Both rows stay, each with its own outcome and the whole image's real count from the worker.
  await expect(page.getByTestId('compare-answer-coarse-only')).not.toHaveText(/not run|running/);
  await expect(page.getByTestId('compare-answer-direct')).not.toHaveText(/not run|running/);
  await expect(page.getByTestId('ledger-direct-tokens')).toHaveText('4080');
  await expect(page.getByTestId('ledger-coarse-only-tokens')).toHaveText('1296');
  await expect(page.locator('.ledger .timings tbody tr')).toHaveCount(3);
  await page.screenshot({ path: `${ARTIFACTS}/cost-table.png`, fullPage: true });
});

test('history: an older run is shown, cropped and exported on its own image', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open(OPEN);
  const first = await lens.pattern(1920, 1080);
  await lens.upload('first.png', first);
  await lens.maxTokens(4);
  await lens.ask('Where is the square?');
  await lens.finished();
  await lens.upload('second.png', await lens.pattern(640, 480));
  await expect(page.getByTestId('image-meta')).toContainText('second.png: 640 × 480');
  await lens.ask('And here?');
  await lens.finished();

  await page.getByTestId('history').getByRole('button', { name: /first\.png/ }).click();
  const coarse = ergoImageCost({ width: 1920, height: 1080 }, 1280);
  await expect(page.getByTestId('image-meta')).toContainText('first.png: 1920 × 1080');
  await expect(lens.canvas).toHaveAttribute('data-frame', `${coarse.width}x${coarse.height}`);
  // A box on the old run is cut from the old image: 1344x756 -> 1920x1080, sx = sy = 1.4286.
  await page.getByTestId('draw-box').click();
  const rect = cropRect(boxIn('coarse', [336, 189, 1008, 567]), { width: 1920, height: 1080 }, coarse)!;
  await expect(lens.crop).toHaveJSProperty('width', rect.x2 - rect.x1);
  await expect(page.getByText(/of "first\.png"/)).toBeVisible();
  const trace = await lens.exportTrace();
  expect(trace.image).toEqual({ name: 'first.png', width: 1920, height: 1080, sha256: createHash('sha256').update(first).digest('hex') });
});

test('a keyboard-edited box on a built-in sample travels in the share link and reopens as that sample', async ({ page, context }) => {
  const lens = new LensPage(page);
  await lens.open(OPEN);
  await lens.openSample('street-4k', '3840 × 2160');
  await lens.maxTokens(4);
  await lens.run.click();
  await lens.finished();
  await page.getByTestId('draw-box').click();
  // Drawn at a quarter of the 1344x756 coarse image: [336, 189, 1008, 567].
  await expect(lens.canvas).toHaveAttribute('data-box', '336,189,1008,567');
  await expect(page.getByTestId('box-keys')).toContainText('Shift + arrows move the box');
  await expect(lens.canvas).toHaveAttribute('aria-label', /Shift \+ arrows move the box, Ctrl \+ arrows resize it/);
  await lens.canvas.focus();
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Control+ArrowDown');
  await expect(lens.canvas).toHaveAttribute('data-box', '344,189,1016,571');
  await expect(page.getByTestId('box-status')).toContainText('Your box: [344, 189, 1016, 571] in the coarse image, not asked about yet');

  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toContain('sample=street-4k');
  expect(link).toContain('box=344%2C189%2C1016%2C571');
  expect(link).not.toContain('local=');

  const other = await context.newPage();
  const received = new LensPage(other);
  await other.goto(link);
  await expect(other.getByTestId('image-meta')).toContainText('street-4k.png: 3840 × 2160');
  await expect(other.getByTestId('share-needs-image')).toHaveCount(0);
  await expect(received.canvas).toHaveAttribute('data-box', '344,189,1016,571');
  const rect = cropRect(boxIn('coarse', [344, 189, 1016, 571]), { width: 3840, height: 2160 }, { width: 1344, height: 756 })!;
  await expect(received.crop).toHaveJSProperty('width', rect.x2 - rect.x1);
});

test('layout: long outputs scroll in bounded boxes, long labels never widen the page, banners do not move it, no orphan rows, the crop fits or shows 1:1', async ({ page }) => {
  const lens = new LensPage(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await lens.open(OPEN);
  await lens.upload('scene.png', await lens.pattern(1920, 1080));
  await expect(page.getByTestId('image-meta')).toContainText('1920 × 1080');
  const words = Array.from({ length: 1024 }, (_, i) => `word${i}`).join(' ');
  const longQuestion = `What is ${'x'.repeat(400)}?`;
  // The box covers the whole coarse image: a 1920x1080 crop.
  await lens.importTrace({ question: longQuestion, stage1: `<think>${words}</think><zoom>[0, 0, 1344, 756]</zoom>`, stage2: `<answer>${words}</answer>`, answer: words, image_size: [1920, 1080] });
  await expect(page.getByTestId('history-note')).toContainText('Imported "trace.json"');

  for (const id of ['answer', 'stage1-output', 'stage2-output']) {
    const box = page.getByTestId(id);
    const sizes = await box.evaluate((el) => ({ client: el.clientHeight, scroll: el.scrollHeight, font: getComputedStyle(el).fontSize, body: getComputedStyle(document.body).fontSize, overflow: getComputedStyle(el).overflowY }));
    expect(sizes.scroll, id).toBeGreaterThan(sizes.client);
    expect(sizes.overflow, id).toBe('auto');
    expect(sizes.client, id).toBeLessThan(300);
    if (id !== 'answer') expect(sizes.font, id).toBe(sizes.body);
  }
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(height).toBeLessThan(2200);
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await lens.sidewaysOverflow(), `at ${width} px`).toBe(0);
  }

  await page.setViewportSize({ width: 1280, height: 900 });
  for (const row of ['.run-row', '.row.settings', '.canvas-panel .toolbar']) expect(await orphans(page.locator(row)), row).toBe(0);

  const before = (await lens.canvas.boundingBox())!;
  await lens.upload('broken.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  await expect(lens.error).toBeVisible();
  expect((await lens.canvas.boundingBox())!.y).toBe(before.y);

  const scroll = page.getByTestId('crop-scroll');
  await expect(lens.crop).toHaveJSProperty('width', 1920);
  await expect(page.getByTestId('crop-fit')).toHaveAttribute('aria-pressed', 'true');
  const fitted = (await lens.crop.boundingBox())!;
  expect(fitted.width).toBeLessThanOrEqual((await scroll.boundingBox())!.width);
  await page.getByTestId('crop-actual').click();
  await expect(page.getByTestId('crop-actual')).toHaveAttribute('aria-pressed', 'true');
  expect((await lens.crop.boundingBox())!.width).toBe(1920);
  expect(await scroll.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await page.screenshot({ path: `${ARTIFACTS}/layout-1280.png` });
});

test('theme is remembered; an imported trace is confirmed, joins History with its own statistics, and a hand-drawn box stays the user\'s', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open(OPEN);
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('theme-toggle')).toHaveText('Light theme');

  await lens.upload('scene.png', await lens.pattern(1920, 1080));
  await expect(page.getByTestId('image-meta')).toContainText('1920 × 1080');
  const stats = [
    { stage: 'coarse', imageSize: { width: 1344, height: 756 }, visionTokens: 1296, encoderRows: 1296, encoderMs: 111, cachedTokens: 0, prefillTokens: 1330, prefillMs: 222, decodeTokens: 5, decodeMs: 333, tokensPerSecond: 12, totalMs: 666 },
    { stage: 'fine', imageSize: { width: 140, height: 112 }, visionTokens: 20, encoderRows: 20, encoderMs: 11, cachedTokens: 1335, prefillTokens: 40, prefillMs: 22, decodeTokens: 3, decodeMs: 33, tokensPerSecond: 60, totalMs: 66 },
  ];
  await lens.importTrace(
    { question: 'Where is the square?', coarse_output: '<think>right</think>', fine_output: '<answer>red</answer>', answer: 'red', box: [800, 220, 900, 300], box_status: { kind: 'manual' }, image: { name: 'scene.png', width: 1920, height: 1080 }, model: 'tiny-random-qwen2_5_vl', stats },
    'my-run.json',
  );
  await expect(page.getByTestId('history-note')).toHaveText('Imported "my-run.json" (tiny-random-qwen2_5_vl): shown above and added to History.');
  await expect(page.getByTestId('history')).toContainText('Trace · scene.png · Where is the square?');
  await expect(page.getByTestId('box-status')).toHaveText('Your box: [800, 220, 900, 300] in the coarse image.');
  // The trace's own numbers: 1296 + 20 vision tokens, 111 + 11 ms encode, 666 + 66 ms in all.
  const row = page.locator('.ledger .timings tbody tr', { hasText: 'ERGO (trace)' });
  await expect(row.locator('td')).toHaveText(['1316', '122', '244', '366', '36.0', '732']);
});

test('a run shows each silent step with its elapsed time, and the crop panel waits for stage 1 instead of saying there is no crop', async ({ page }) => {
  const lens = new LensPage(page);
  // ergo-tiny names a box on its own scenes (whichever box: only that it writes one matters here),
  // so both stages encode an image and read a prompt.
  await lens.open('model=ergo-tiny&backend=wasm');
  await page.getByTestId('load-model').click();
  await lens.loaded();
  await lens.openSample('tags-7', '2688 × 2688');
  // Every step text each stage shows, and every state of the crop note, as they appear.
  await page.evaluate(() => {
    const seen = { stage1: [] as string[], stage2: [] as string[], crop: [] as string[] };
    Object.assign(window, { seen });
    const note = (list: string[], text: string | undefined) => text !== undefined && list.at(-1) !== text && list.push(text);
    const record = () => {
      note(seen.stage1, document.querySelector<HTMLElement>('[data-testid=stage1-output-phase]')?.innerText);
      note(seen.stage2, document.querySelector<HTMLElement>('[data-testid=stage2-output-phase]')?.innerText);
      note(seen.crop, document.querySelector<HTMLElement>('[data-testid=crop-note]')?.dataset.state);
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await lens.maxTokens(96);
  await lens.run.click();
  await lens.finished();
  await expect(page.getByTestId('box-status')).toContainText('Box parsed');
  await expect(page.getByTestId('crop-image')).toBeVisible();
  const seen = await page.evaluate(() => (window as Window & { seen?: Record<'stage1' | 'stage2' | 'crop', string[]> }).seen!);

  const steps = (texts: string[]) => [...new Set(texts.map((t) => /^(.+…) \d+\.\d s$/.exec(t)?.[1] ?? `unexpected: ${t}`))];
  expect(steps(seen.stage1)).toEqual(['Decoding the image…', 'Resizing the image…', 'Encoding the image…', 'Reading the prompt (prefill)…']);
  expect(steps(seen.stage2)).toEqual(['Resizing the image…', 'Encoding the image…', 'Reading the prompt (prefill)…']);
  // Before the run, then waiting for stage 1, then the crop itself: never "no crop" on the way.
  expect(seen.crop).toEqual(['idle', 'pending']);
  await expect(page.getByTestId('stage1-output-phase')).toHaveCount(0);
  await expect(page.getByTestId('stage2-output-phase')).toHaveCount(0);
});
