import { expect, test, type Page } from '@playwright/test';
import { LensPage } from './pages/LensPage';
import { serveSite } from './support';

// Stop in the app, on the real worker and the tiny model on wasm. While generating, Stop lands in
// place (the shared cancel flag on an isolated page; a yielded task per token without isolation):
// the text stops where it was, the run says it was stopped, and no model file is fetched again.
// During encoding the engine restarts, and the model panel says it is reloading until it is back.

const TOKENS_BEFORE_STOP = 5;


/** Model files the page requested so far. */
function modelRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/')) seen.push(r.url());
  });
  return seen;
}

/** Loads the tiny model, starts a 1024-token run, and presses Stop once stage 1 has streamed `tokens` chunks. */
async function stopWhileWriting(page: Page, url: string, isolated: boolean) {
  const lens = new LensPage(page);
  const fetched = modelRequests(page);
  await page.goto(`${url}?model=tiny-random-qwen2_5_vl&backend=wasm`);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
  await lens.upload('scene.png', await lens.pattern(640, 480));
  await expect(page.getByTestId('image-meta')).toContainText('640 × 480');
  await page.getByLabel('Max new tokens').fill('1024');
  await page.getByTestId('load-model').click();
  await lens.loaded();
  const filesAtLoad = fetched.length;
  expect(filesAtLoad).toBeGreaterThan(0);
  await lens.question.fill('Describe the picture.');
  // Counts the stream's DOM updates and presses Stop in the same task as the one that showed the
  // n-th: nothing can stream in between, so the text at Stop is known exactly.
  const atStop = await page.evaluate(
    (n) =>
      new Promise<string>((resolve) => {
        const out = document.querySelector('[data-testid="stage1-output"]')!;
        let updates = 0;
        new MutationObserver((_, observer) => {
          if (++updates < n || !out.textContent) return;
          observer.disconnect();
          const text = out.textContent;
          (document.querySelector('[data-testid="stop-button"]') as HTMLButtonElement).click();
          resolve(text);
        }).observe(out, { childList: true, characterData: true, subtree: true });
        (document.querySelector('[data-testid="run-button"]') as HTMLButtonElement).click();
      }),
    TOKENS_BEFORE_STOP,
  );
  await expect(lens.answer).toHaveText('Stopped.');
  await expect(page.getByTestId('history')).toContainText('cancelled');
  await expect(lens.run).toBeEnabled();
  expect((await lens.stage1.textContent())!.length).toBe(atStop.length);
  expect(await lens.stage1.textContent()).toBe(atStop);
  await expect(page.getByTestId('load-model')).toHaveText('Loaded');
  await expect(page.getByTestId('model-status')).toHaveText(/^Loaded: /);
  // The same worker keeps the model: a second run starts at once, and no model file is fetched again.
  await page.getByLabel('Max new tokens').fill('3');
  await lens.run.click();
  await lens.finished();
  await expect(lens.answer).not.toHaveText('Stopped.');
  expect(fetched.slice(filesAtLoad)).toEqual([]);
}

test('Stop while writing (cross-origin isolated: shared cancel flag) keeps the text at Stop and the loaded model', async ({ page }) => {
  await stopWhileWriting(page, '/', true);
});

test('Stop while writing without isolation (a task yielded per token) does the same', async ({ browser }) => {
  const site = await serveSite(['--no-isolation']);
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    await stopWhileWriting(await context.newPage(), site.url, false);
  } finally {
    await context.close();
    site.server.kill();
  }
});

test('Stop while encoding restarts the engine: the model panel says it is reloading, never "Loaded", until it is back', async ({ page }) => {
  const lens = new LensPage(page);
  const fetched = modelRequests(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  await lens.upload('scene.png', await lens.pattern(2246, 1582));
  await expect(page.getByTestId('image-meta')).toContainText('2246 × 1582');
  await page.getByTestId('load-model').click();
  await lens.loaded();
  const filesAtLoad = fetched.length;
  await lens.question.fill('Describe the picture.');
  // Records every text the model panel shows, and presses Stop as soon as the run reports encoding.
  await lens.stopOnceEncoding();
  await page.evaluate(() => {
    const panelTexts: string[] = [];
    Object.assign(window, { panelTexts });
    const status = document.querySelector('[data-testid="model-status"]')!;
    const button = document.querySelector('[data-testid="load-model"]')!;
    new MutationObserver(() => panelTexts.push(`${button.textContent} | ${status.textContent}`)).observe(status.parentElement!, { childList: true, characterData: true, subtree: true });
    (document.querySelector('[data-testid="run-button"]') as HTMLButtonElement).click();
  });
  await expect(lens.answer).toHaveText('Stopped.');
  await expect(page.getByTestId('model-status')).toHaveText(/^Loaded: /);
  const texts = await page.evaluate(() => (window as Window & { panelTexts?: string[] }).panelTexts!);
  const reloading = texts.findIndex((t) => t.startsWith('Reloading… | Reloading '));
  expect(reloading, texts.join('\n')).toBeGreaterThanOrEqual(0);
  // From the restart until the model is back, the panel never claims it is loaded.
  const back = texts.findIndex((t, i) => i > reloading && t.includes('Loaded: '));
  expect(texts.slice(reloading, back).filter((t) => t.includes('Loaded')), texts.join('\n')).toEqual([]);
  // The restart did reload the model's files (that is what the panel announced).
  expect(fetched.length).toBeGreaterThan(filesAtLoad);
  await page.getByLabel('Max new tokens').fill('3');
  await lens.run.click();
  await lens.finished();
});
