import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { LensPage } from './pages/LensPage';

// The model panel tells the truth: a failed load is reported beside it (with its code, closable)
// and leaves the working model loaded; WebGPU is called available only when an adapter was granted.

test('a failed load is shown in the model panel, can be dismissed, and the previous model stays loaded and runs', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  await page.getByTestId('load-model').click();
  await lens.loaded();
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/')) fetched.push(r.url());
  });
  await lens.model.selectOption('custom');
  await page.getByLabel('Hub repo id (owner/name)').fill('no-such-owner/no-such-model');
  await page.getByTestId('load-model').click();
  const error = page.getByTestId('model-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-code', /.+/);
  await expect(error).toContainText('no-such-owner/no-such-model');
  await expect(error).toContainText('is still loaded');
  await expect(error).not.toContainText(/\br\d+\b/);
  await expect(page.getByTestId('model-status')).toContainText('Loaded: ');
  await expect(page.getByTestId('backend-indicator')).toContainText('wasm');
  await page.getByTestId('model-error-dismiss').click();
  await expect(error).toHaveCount(0);
  // Back to the loaded model: it runs at once, nothing is fetched again.
  await lens.model.selectOption('tiny-random-qwen2_5_vl');
  await expect(page.getByTestId('load-model')).toHaveText('Loaded');
  await lens.upload('scene.png', await lens.pattern(320, 240));
  await page.getByLabel('Max new tokens').fill('3');
  await lens.ask('What is it?');
  await lens.finished();
  await expect(lens.stage1).not.toBeEmpty();
  expect(fetched).toEqual([]);
});

test('"WebGPU adapter available" only when the browser granted one', async ({ browser }) => {
  // Chromium here grants SwiftShader's adapter; a page whose requestAdapter() gives null (as on a
  // blocklisted GPU) must not claim WebGPU while navigator.gpu still exists.
  const granted = await browser.newPage();
  await new LensPage(granted).open('model=tiny-random-qwen2_5_vl');
  await expect(granted.getByTestId('backend-indicator')).toContainText('WebGPU adapter available');
  await granted.close();
  const context = await browser.newContext();
  await context.addInitScript({ content: 'if (navigator.gpu) navigator.gpu.requestAdapter = async () => null;' });
  const denied = await context.newPage();
  await new LensPage(denied).open('model=tiny-random-qwen2_5_vl');
  expect(await denied.evaluate(() => 'gpu' in navigator)).toBe(true);
  await expect(denied.getByTestId('backend-indicator')).toContainText('No WebGPU adapter');
  await expect(denied.getByTestId('backend-indicator')).not.toContainText('WebGPU adapter available');
  await context.close();
});

test('loading shows MB and percent per file and in total up to the files\' real sizes, and each session step', async ({ page }) => {
  const dir = join(process.env.DIST_DIR ?? 'dist', 'models/tiny-random-qwen2_5_vl');
  const size = (file: string) => statSync(join(dir, file)).size;
  const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 2 : 0)} MB`;
  // wasm runs the tiny model's fp32 files; sessions are created one at a time, largest file first,
  // and the embeddings (looked up in the page: no session) last.
  const onnx = ['onnx/decoder_model_merged.onnx', 'onnx/vision_encoder.onnx', 'onnx/embed_tokens.onnx'];
  expect(onnx.map(size)).toEqual(onnx.map(size).sort((a, b) => b - a));
  const total = onnx.reduce((n, f) => n + size(f), 0);

  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl&backend=wasm');
  // Every text the load progress shows, and its phases in order, as they appear.
  await page.evaluate(() => {
    const seen = { texts: [] as string[], phases: [] as string[] };
    Object.assign(window, { seen });
    new MutationObserver(() => {
      for (const el of document.querySelectorAll<HTMLElement>('[data-testid=load-total], [data-testid=load-files] li, [data-testid=load-phase]')) {
        if (!seen.texts.includes(el.innerText)) seen.texts.push(el.innerText);
      }
      const phase = document.querySelector<HTMLElement>('[data-testid=load-phase]');
      const now = phase && `${phase.dataset.phase}: ${phase.innerText}`;
      if (now && seen.phases.at(-1) !== now) seen.phases.push(now);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByTestId('load-model').click();
  await expect(page.getByTestId('model-status')).toHaveText('Loaded: Tiny Qwen2.5-VL (random weights, built in).');
  const seen = await page.evaluate(() => (window as Window & { seen?: { texts: string[]; phases: string[] } }).seen!);

  const session = (file: string) => `session: Creating the inference session for ${file}: the runtime prepares the downloaded file, which takes a while for a large one…`;
  const download = 'download: Downloading the model files…';
  expect(seen.phases).toEqual(["config: Reading the model's configuration and tokenizer…", download, session(onnx[0]!), download, session(onnx[1]!), download]);
  expect(seen.texts).toContain(`${mb(total)} of ${mb(total)} (100%)`);
  for (const file of onnx) {
    expect(seen.texts).toContain(`${file}: ${mb(size(file))}, downloaded`);
    // On its way: MB of its real size and a percent
    expect(seen.texts.some((t) => t.startsWith(`${file}: `) && t.match(/ MB of (.+ MB) \(\d+%\)$/)?.[1] === mb(size(file)))).toBe(true);
  }
});

test('cached Hub models are listed with their sizes and deleted on request', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=tiny-random-qwen2_5_vl');
  // Files as the loader stores them: under transformers.js' cache name, keyed by their Hub URL.
  await page.evaluate(async () => {
    const cache = await caches.open('transformers-cache');
    const put = (repo: string, file: string, bytes: number) =>
      cache.put(`https://huggingface.co/${repo}/resolve/main/${file}`, new Response(new Uint8Array(bytes), { headers: { 'content-length': String(bytes) } }));
    await put('onnx-community/Qwen2-VL-2B-Instruct', 'config.json', 1024);
    await put('onnx-community/Qwen2-VL-2B-Instruct', 'onnx/embed_tokens.onnx', 3 * 1024 * 1024);
    await put('someone/ERGO-7B-ONNX', 'onnx/decoder_model_merged_q4f16.onnx', 20 * 1024 * 1024);
  });
  await page.reload();
  const list = page.getByTestId('cached-models');
  await expect(list).toContainText('Cached models: 2, 23 MB');
  await list.locator('summary').click();
  const rows = page.getByTestId('cached-model');
  await expect(rows).toHaveText([/someone\/ERGO-7B-ONNX: 1 files, 20 MB/, /onnx-community\/Qwen2-VL-2B-Instruct: 2 files, 3\.00 MB/]);
  // The selected Hub model's own line agrees, and follows a delete made in the list.
  await lens.model.selectOption('qwen2-vl-2b-instruct');
  await expect(page.getByText("In this browser's cache: 2 files, 3.00 MB.")).toBeVisible();
  await page.getByRole('button', { name: 'Delete onnx-community/Qwen2-VL-2B-Instruct from the cache' }).click();
  await expect(rows).toHaveText([/someone\/ERGO-7B-ONNX/]);
  await expect(page.getByText("In this browser's cache: 0 files, 0.00 MB.")).toBeVisible();
  await page.getByRole('button', { name: 'Delete someone/ERGO-7B-ONNX from the cache' }).click();
  await expect(list).toHaveCount(0);
  expect(await page.evaluate(async () => (await (await caches.open('transformers-cache')).keys()).length)).toBe(0);
});
