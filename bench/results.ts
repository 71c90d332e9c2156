/**
 * The results browser with a 2,000-sample results file in headless Chromium: time to interactive
 * (file chosen -> grid shown), time to the first thumbnail once the dataset folder is open, a
 * filter's response, and frame times while scrolling the grid, against a 20-sample file and the
 * idle page's frames measured in the same run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { writeResultsFixture } from '../cli/eval/testData';
import { ensureBuilt, launchChromium, serveSite } from './site';

/**
 * In-page frame loop: frame intervals (ms) over `ms`, scrolling the grid `step` px per frame
 * (0: idle). A string, because the bench's TypeScript build would name the inner functions with a
 * helper the page does not have.
 */
const FRAME_LOOP = `(({ ms, step }) => new Promise((resolve) => {
  const grid = document.querySelector('[data-testid="results-grid"]');
  const out = [];
  let last = performance.now();
  const end = last + ms;
  const tick = (t) => {
    out.push(t - last);
    last = t;
    if (step) grid.scrollTop = grid.scrollTop + step >= grid.scrollHeight - grid.clientHeight ? 0 : grid.scrollTop + step;
    if (t < end) requestAnimationFrame(tick);
    else resolve(out.slice(1));
  };
  requestAnimationFrame(tick);
}))`;

function frames(page: Page, ms: number, step: number): Promise<number[]> {
  return page.evaluate(`${FRAME_LOOP}(${JSON.stringify({ ms, step })})`) as Promise<number[]>;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function openFile(page: Page, file: string, shown: string): Promise<number> {
  const t0 = Date.now();
  await page.getByTestId('results-open-file').setInputFiles(file);
  await page.getByTestId('results-count').filter({ hasText: shown }).waitFor();
  await page.getByTestId('result-tile').first().waitFor();
  return Date.now() - t0;
}

export async function benchResults(): Promise<void> {
  ensureBuilt();
  const big = mkdtempSync(join(tmpdir(), 'ergo-bench-results-'));
  const small = mkdtempSync(join(tmpdir(), 'ergo-bench-results-'));
  const t0 = Date.now();
  const fixture = writeResultsFixture(big, 2000);
  const ref = writeResultsFixture(small, 20);
  console.log(`\n## Results browser (2,000 samples + 200 baseline lines; generated in ${Date.now() - t0} ms)`);
  const { url, stop } = await serveSite();
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1600, height: 1000 } })).newPage();
    await page.goto(`${url}#/results`);
    // A first open warms the page up (first render, fonts), so both timed opens start alike.
    await openFile(page, ref.results, '20 of 22 shown');
    await page.goto(`${url}#/results`);
    await page.reload();
    const smallMs = await openFile(page, ref.results, '20 of 22 shown');
    await page.reload();
    const bigMs = await openFile(page, fixture.results, '2000 of 2200 shown');
    console.log(`time to interactive (file chosen -> grid shown): ${bigMs} ms for 2,000 samples vs ${smallMs} ms for 20 (${(bigMs / smallMs).toFixed(2)}x)`);
    const tiles = await page.getByTestId('result-tile').count();
    console.log(`tiles in the page: ${tiles} of 2,000 (virtualized)`);
    const idle = await frames(page, 2000, 0);
    const bare = await frames(page, 4000, 40);
    await page.getByTestId('results-grid').evaluate((el) => el.scrollTo(0, 0));
    const f0 = Date.now();
    await page.getByTestId('results-open-folder').setInputFiles(big);
    await page.waitForFunction(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="result-tile"] canvas');
      return !!c && c.getContext('2d')!.getImageData(150, 72, 1, 1).data[2] === 180;
    });
    console.log(`dataset folder (2,002 files) chosen -> first thumbnail drawn: ${Date.now() - f0} ms (includes handing the files to the page)`);
    const q0 = Date.now();
    await page.getByTestId('results-filter-outcome').selectOption('wrong');
    await page.getByTestId('results-count').filter({ hasText: /^(?!2000 )\d+ of 2200 shown/ }).waitFor();
    const filterMs = Date.now() - q0;
    await page.getByTestId('results-filter-outcome').selectOption('all');
    console.log(`filter to wrong answers -> grid updated: ${filterMs} ms`);
    const scroll = await frames(page, 4000, 40);
    const line = (name: string, xs: number[]) =>
      `${name.padEnd(28)} median ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms, ${xs.filter((x) => x > 50).length}/${xs.length} over 50 ms`;
    console.log(line('frames, idle page', idle));
    console.log(line('frames, scrolling, no images', bare));
    console.log(line('frames, scrolling 40px', scroll));
    console.log(`scrolling / idle: median ${(pct(scroll, 0.5) / pct(idle, 0.5)).toFixed(2)}x, p95 ${(pct(scroll, 0.95) / pct(idle, 0.95)).toFixed(2)}x`);
  } finally {
    await browser.close();
    stop();
  }
}
