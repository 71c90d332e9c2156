import type { ChildProcess } from 'node:child_process';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { LensPage } from './pages/LensPage';
import { serveSite } from './support';

// The built site from a plain static server, with and without isolation headers: the tiny model
// runs in both; without headers the service worker isolates the page after one reload, and with
// service workers blocked the app says wasm runs single-threaded. Then offline after first use.



let isolatedSite: { url: string; server: ChildProcess };
let plainSite: { url: string; server: ChildProcess };

test.beforeAll(async () => {
  [isolatedSite, plainSite] = await Promise.all([serveSite([]), serveSite(['--no-isolation'])]);
});
test.afterAll(() => {
  isolatedSite?.server.kill();
  plainSite?.server.kill();
});

async function runTiny(page: Page, base: string): Promise<LensPage> {
  const lens = new LensPage(page);
  await page.goto(`${base}?model=tiny-random-qwen2_5_vl&backend=wasm&max=4`);
  await expect(page.getByRole('heading', { name: 'ERGO Lens' })).toBeVisible();
  await lens.upload('scene.png', await lens.pattern(320, 240));
  await expect(page.getByTestId('image-meta')).toContainText('320 × 240');
  await lens.ask('What is in the picture?');
  await lens.finished();
  await expect(lens.stage1).not.toBeEmpty();
  return lens;
}

async function isolatedPage(browser: Browser, serviceWorkers: 'allow' | 'block') {
  const context = await browser.newContext({ serviceWorkers });
  return { context, page: await context.newPage() };
}

test('with isolation headers: multi-threaded wasm', async ({ browser }) => {
  const { context, page } = await isolatedPage(browser, 'allow');
  await runTiny(page, isolatedSite.url);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('backend-indicator')).toContainText('2 threads');
  await context.close();
});

test('without headers: the service worker isolates the page, and it works offline after first use', async ({ browser }) => {
  const { context, page } = await isolatedPage(browser, 'allow');
  await page.goto(plainSite.url);
  // The page reloads once when the worker takes control: evaluate may land mid-navigation.
  await expect.poll(() => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 20_000 }).toBe(true);
  const lens = await runTiny(page, plainSite.url);
  await expect(page.getByTestId('backend-indicator')).toContainText('2 threads');

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'ERGO Lens' })).toBeVisible();
  await lens.upload('scene.png', await lens.pattern(320, 240));
  await lens.ask('Offline?');
  await lens.finished();
  await expect(lens.stage1).not.toBeEmpty();
  await expect(lens.error).toHaveCount(0);
  await context.close();
});

test('without headers and without service workers: single-threaded wasm, said plainly', async ({ browser }) => {
  const { context, page } = await isolatedPage(browser, 'block');
  await page.goto(`${plainSite.url}?model=tiny-random-qwen2_5_vl&backend=wasm`);
  await expect(page.getByTestId('backend-indicator')).toContainText('Not cross-origin isolated: wasm runs single-threaded');
  await runTiny(page, plainSite.url);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('backend-indicator')).toContainText('1 thread');
  await context.close();
});

test('share links restore the state; hostile parameters are rejected with a message', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('q=What%20does%20the%20sign%20say%3F&model=tiny-random-qwen2_vl&backend=wasm&budget=640&local=3840x2160:street.png&box=10,20,300,400');
  await expect(lens.question).toHaveValue('What does the sign say?');
  await expect(lens.model).toHaveValue('tiny-random-qwen2_vl');
  await expect(page.getByTestId('share-needs-image')).toContainText('street.png');
  await expect(page.getByLabel('Budget')).toHaveValue('640');

  await lens.open('q=ok&img=javascript:alert(1)&model=<script>&backend=cuda');
  await expect(lens.error).toContainText('Parts of this link were ignored');
  await expect(lens.error).toContainText('plain https URL');
  await expect(lens.question).toHaveValue('ok');
  // The link's model was refused: the app stays on its default.
  await expect(lens.model).toHaveValue('ergo-tiny');

  await lens.upload('scene.png', await lens.pattern(320, 240));
  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(new URL(link).searchParams.get('local')).toBe('320x240:scene.png');
  expect(new URL(link).searchParams.get('q')).toBe('ok');
});

test('an image link whose host cannot be read gives a message and keeps the page usable', async ({ page }) => {
  const lens = new LensPage(page);
  // Port 9 (discard) on this machine refuses the connection: the same failure as a host without CORS.
  await lens.open(`img=${encodeURIComponent('https://127.0.0.1:9/photo.jpg')}`);
  await expect(lens.error).toContainText('did not allow this page to read the image');
  await expect(lens.error).toHaveAttribute('data-code', 'url-blocked');
  await expect(page.getByTestId('image-meta')).toContainText('No image yet.');
});
