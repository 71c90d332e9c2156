import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { EvalResultLine } from '../app/eval/results';
import { readDataset } from '../cli/eval/datasets';
import { replay } from '../cli/eval/replay';
import { testItems, writeHrbench, writeResultsFixture } from '../cli/eval/testData';
import { LensPage } from './pages/LensPage';

const ARTIFACTS = 'e2e/artifacts';

test.describe('the results browser', () => {
  let fixture: { dir: string; results: string; lines: EvalResultLine[] };

  test.beforeAll(() => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ergo-results-'));
    const { results } = writeResultsFixture(dir, 2000);
    fixture = { dir, results, lines: readFileSync(results, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EvalResultLine) };
  });

  test('opens a 2,000-sample results file with its dataset folder, filters it, and opens a sample in the single-run view', async ({ page }) => {
    const ergo = fixture.lines.filter((l) => l.mode === 'ergo');
    expect(ergo).toHaveLength(2000);
    await page.goto('./#/results');
    await page.getByTestId('results-open-file').setInputFiles(fixture.results);
    await expect(page.getByTestId('results-status')).toContainText(`results.jsonl: ${fixture.lines.length} results`);
    await expect(page.getByTestId('results-count')).toHaveText(`2000 of ${fixture.lines.length} shown`);
    await page.getByTestId('results-open-folder').setInputFiles(fixture.dir);
    await expect(page.getByTestId('results-status')).toContainText('images from');

    // Virtualized: a few rows of tiles are in the page, not 2,000.
    const tiles = page.getByTestId('result-tile');
    await expect(tiles.first()).toBeVisible();
    expect(await tiles.count()).toBeLessThan(120);
    // The first tile's thumbnail is decoded and drawn: the image's red 0 / blue 180 bands, not the empty grey.
    await expect
      .poll(() => tiles.first().locator('canvas').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(150, 72, 1, 1).data)))
      .toEqual([0, expect.any(Number), 180, 255]);

    // Filters, checked against the file's own fields.
    const wrong = ergo.filter((l) => !l.correct);
    await page.getByTestId('results-filter-outcome').selectOption('wrong');
    await expect(page.getByTestId('results-count')).toHaveText(`${wrong.length} of ${fixture.lines.length} shown`);
    const wrongOff = wrong.filter((l) => l.containment !== null && l.containment < 0.5);
    await page.getByTestId('results-filter-containment').selectOption('off');
    await expect(page.getByTestId('results-count')).toHaveText(`${wrongOff.length} of ${fixture.lines.length} shown`);
    await page.getByTestId('results-filter-containment').selectOption('all');
    await page.getByTestId('results-filter-outcome').selectOption('all');
    const noBox = ergo.filter((l) => l.crop === null);
    await page.getByTestId('results-filter-box').selectOption('none');
    await expect(page.getByTestId('results-count')).toHaveText(`${noBox.length} of ${fixture.lines.length} shown`);
    await page.getByTestId('results-filter-box').selectOption('all');
    await page.getByTestId('results-filter-category').selectOption('shop');
    await expect(page.getByTestId('results-count')).toHaveText(`${ergo.filter((l) => l.category === 'shop').length} of ${fixture.lines.length} shown`);
    await page.getByTestId('results-filter-category').selectOption('');
    await page.getByTestId('results-filter-mode').selectOption('direct');
    await expect(page.getByTestId('results-count')).toHaveText(`200 of ${fixture.lines.length} shown`);
    await page.getByTestId('results-filter-mode').selectOption('ergo');

    // The confusion table counts wrong answers by where the box was, and filters to them.
    const wrongOn = wrong.filter((l) => l.containment !== null && l.containment >= 0.5);
    await expect(page.getByTestId('confusion-wrong-on')).toHaveText(String(wrongOn.length));
    await expect(page.getByTestId('confusion-wrong-off')).toHaveText(String(wrongOff.length));
    await page.getByTestId('confusion-wrong-on').click();
    await expect(page.getByTestId('results-count')).toHaveText(`${wrongOn.length} of ${fixture.lines.length} shown`);

    // Sorted by containment, lowest first: the first tile is the least-covered target.
    await page.getByTestId('results-filter-outcome').selectOption('all');
    await page.getByTestId('results-filter-containment').selectOption('all');
    await page.getByTestId('results-sort').selectOption('containment-asc');
    const lowest = [...ergo].filter((l) => l.containment !== null).sort((a, b) => a.containment! - b.containment!)[0]!;
    await expect(tiles.first()).toHaveAttribute('data-id', lowest.id);

    // Scrolling to the end brings the last samples in.
    await page.getByTestId('results-sort').selectOption('file');
    await page.getByTestId('results-grid').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(page.locator(`[data-testid="result-tile"][data-id="${ergo.at(-1)!.id}"]`)).toBeVisible();
    await page.screenshot({ path: `${ARTIFACTS}/results-browser.png` });

    // A sample opens in the single-run view with its outputs and box.
    const pick = ergo.find((l) => l.crop !== null && !l.correct)!;
    await page.getByTestId('results-grid').evaluate((el) => el.scrollTo(0, 0));
    await page.locator(`[data-testid="result-tile"][data-id="${pick.id}"]`).click();
    await expect(page.getByTestId('result-detail')).toContainText(pick.question);
    await expect(page.getByTestId('detail-pred')).toHaveText(pick.pred);
    await page.getByTestId('result-open-lens').click();
    await expect(page).toHaveURL(/#\/$/);
    await expect(page.getByTestId('stage1-output')).toContainText('The object is there.');
    await expect(page.getByTestId('box-status')).toContainText(`Box parsed: [${pick.box_coarse!.join(', ')}]`);
    await expect(page.getByTestId('crop-image')).toBeVisible();
  });

  test('a file that is not results says so and keeps the page usable', async ({ page }) => {
    await page.goto('./#/results');
    await page.getByTestId('results-open-file').setInputFiles({ name: 'notes.jsonl', mimeType: 'text/plain', buffer: Buffer.from('hello\n{"a": 1}\n') });
    await expect(page.getByTestId('error')).toContainText('notes.jsonl has no results lines (line 1: not JSON; line 2: no "id")');
    await page.getByTestId('results-open-file').setInputFiles(fixture.results);
    await expect(page.getByTestId('results-count')).toContainText('2000 of');
    const tile = page.getByTestId('result-tile').first();
    await tile.click();
    // Without the dataset folder, the sample cannot open, and the detail says what to do.
    await page.getByTestId('result-open-lens').click();
    await expect(page.getByTestId('result-problem')).toContainText("Open the dataset's folder first");
  });

  test('Re-run here runs the sample again in the browser engine', async ({ page }) => {
    const lens = new LensPage(page);
    await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
    // A short run: the built-in random model writes noise.
    await page.getByLabel('Max new tokens').fill('8');
    await page.getByTestId('results-link').click();
    await page.getByTestId('results-open-file').setInputFiles(fixture.results);
    await page.getByTestId('results-open-folder').setInputFiles(fixture.dir);
    const pick = fixture.lines.find((l) => l.mode === 'ergo')!;
    await page.locator(`[data-testid="result-tile"][data-id="${pick.id}"]`).click();
    await page.getByTestId('result-rerun').click();
    await expect(page).toHaveURL(/#\/$/);
    await expect(lens.question).toHaveValue(pick.question);
    await lens.finished();
    // The recorded output was replaced by the browser engine's own.
    await expect(lens.stage1).not.toBeEmpty();
    await expect(lens.stage1).not.toContainText('The object is there.');
    await expect(page.getByTestId('backend-indicator')).toContainText('wasm');
  });

  test('HR-Bench results draw their images from the parquet files (base64 cells, one row read per tile)', async ({ page }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ergo-results-hr-'));
    const items = testItems(6);
    writeHrbench(dir, items);
    const dataset = await readDataset(dir, 'hrbench');
    const records = dataset.samples.map((s, i) => ({ id: s.id, coarse_output: `<zoom>[0, 0, ${items[i]!.width}, ${items[i]!.height}]</zoom>`, fine_output: '<answer>A</answer>' }));
    const out = path.join(dir, 'results.jsonl');
    await replay(dataset, records.map((r) => ({ ...r, questionId: null, category: null })), { budget: 1280, model: 'recorded', out });
    await page.goto('./#/results');
    await page.getByTestId('results-open-file').setInputFiles(out);
    await page.getByTestId('results-open-folder').setInputFiles(dir);
    await expect(page.getByTestId('results-count')).toHaveText('6 of 6 shown');
    const tile = page.locator('[data-testid="result-tile"][data-id="8k/1"]');
    await expect
      .poll(() => tile.locator('canvas').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(150, 72, 1, 1).data)))
      .toEqual([(4 * 37) % 256, expect.any(Number), 180, 255]);
  });
});
