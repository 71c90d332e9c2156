import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { loadNodeEngine } from '../engines/node/load';
import type { TransformersEngine } from '../engines/transformers/engine';
import { ChatServer, type RequestLogEntry } from '../server/openaiServer';
import { LensPage } from './pages/LensPage';
import { serveSite } from './support';

// The app against npm run serve's server (the Node engine on the scripted model) as it would run
// against vLLM: the box, the crop, the answer, and the ledger's token counts from the server's own
// usage, read from the server's request log. And Test connection against a real server that sends
// no CORS headers.
// The scripted model, not ergo-tiny: the app offers a server only ERGO's own budgets (640, 1280),
// while ergo-tiny was trained at 64 tokens only, so nothing says it writes a box at those; the
// scripted model names its fixed box at any budget, on any image, and the box the app shows can be
// checked to be the one the server sent.

let engine: TransformersEngine;
let server: ChatServer;
let endpoint: string;
const logged: RequestLogEntry[] = [];

test.beforeAll(async () => {
  engine = await loadNodeEngine({ model: 'tiny-scripted-qwen2_5_vl' });
  server = new ChatServer({ engine, modelName: 'ergo', apiKey: 'sk-e2e', log: (entry) => logged.push(entry) });
  endpoint = `http://127.0.0.1:${(await server.listen(0)).port}/v1`;
});
test.afterAll(async () => {
  await server?.close();
  await engine?.dispose();
});

/** Opens the app and fills in the model panel's server fields for npm run serve's server. */
async function chooseServer(page: Page): Promise<LensPage> {
  const lens = new LensPage(page);
  await lens.open('');
  await lens.model.selectOption('server');
  await page.getByTestId('server-endpoint').fill(endpoint);
  await page.getByTestId('server-model').fill('ergo');
  await page.getByTestId('server-api-key').fill('sk-e2e');
  return lens;
}

test('ERGO end to end on an OpenAI-compatible server: box, crop, answer, the ledger from its usage', async ({ page }) => {
  const lens = await chooseServer(page);
  await page.getByTestId('server-test').click();
  await expect(page.getByTestId('server-status')).toContainText('Models: ergo');
  await lens.upload('scene.png', await lens.pattern(640, 480));
  await expect(page.getByTestId('image-meta')).toContainText('640 × 480');
  logged.length = 0;
  await lens.ask('What color is the square?');
  await lens.finished();
  await expect(lens.answer).toContainText('red');
  await expect(lens.stage2).toContainText('the square is red');
  await expect(page.getByTestId('box-status')).toContainText('100, 40, 180, 120');
  await expect(page.getByTestId('backend-indicator')).toContainText('server');

  // The run's two completions (after CORS preflights, and the model list loading checks), each
  // logged with the usage it sent.
  const completions = () => logged.filter((e) => e.method === 'POST' && e.path === '/v1/chat/completions');
  await expect.poll(() => completions().length).toBe(2);
  const [coarse, fine] = completions().map((e) => e.usage!);
  expect(fine!.prompt_tokens_details.cached_tokens).toBe(coarse!.prompt_tokens + coarse!.completion_tokens);
  for (const [stage, usage] of [['coarse', coarse!], ['fine', fine!]] as const) {
    await expect(page.getByTestId(`tokens-${stage}-prompt`)).toHaveText(String(usage.prompt_tokens));
    await expect(page.getByTestId(`tokens-${stage}-cached`)).toHaveText(String(usage.prompt_tokens_details.cached_tokens));
    await expect(page.getByTestId(`tokens-${stage}-output`)).toHaveText(String(usage.completion_tokens));
  }
  // The key never reaches the link.
  expect(page.url()).not.toContain('sk-e2e');
  await page.screenshot({ path: 'e2e/artifacts/server.png', fullPage: true });
});

test.describe('Test connection against a server that sends no CORS headers', () => {
  let bare: Server;
  let bareEndpoint: string;
  let requests = 0;
  let closedEndpoint: string;

  test.beforeAll(async () => {
    // A real OpenAI-style /v1/models, without any Access-Control-* header: a browser page may not read it.
    bare = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'ergo', object: 'model' }] }));
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    bareEndpoint = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/v1`;
    // A port nothing listens on: bound, then released.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    closedEndpoint = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/v1`;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
  });
  test.afterAll(() => new Promise<void>((resolve) => (bare ? bare.close(() => resolve()) : resolve())));

  async function testConnection(page: Page, url: string): Promise<void> {
    await page.getByTestId('model-select').selectOption('server');
    await page.getByTestId('server-endpoint').fill(url);
    await page.getByTestId('server-test').click();
    await expect(page.getByTestId('server-status')).not.toHaveText(/Testing/);
  }

  test('in the cross-origin isolated app: named as CORS (or no server), with the fix and the URL to open', async ({ page }) => {
    const lens = new LensPage(page);
    await lens.open('');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const origin = new URL(page.url()).origin;
    requests = 0;
    await testConnection(page, bareEndpoint);
    const status = page.getByTestId('server-status');
    await expect(status).toContainText('Blocked by CORS, or no server there');
    await expect(status).toContainText(`do not allow this page (${origin})`);
    await expect(status).toContainText(`--allowed-origins '["${origin}"]'`);
    await expect(page.getByTestId('server-open-url')).toHaveAttribute('href', `${bareEndpoint}/models`);
    // The server did answer: the browser hid it from the page.
    expect(requests).toBeGreaterThan(0);
  });

  test('in a page that is not isolated: CORS told apart from a server that is not there', async ({ browser }) => {
    const site = await serveSite(['--no-isolation']);
    // Without a service worker the page stays as the host serves it: not isolated.
    const context = await browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.goto(site.url);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      const origin = new URL(site.url).origin;
      await testConnection(page, bareEndpoint);
      const status = page.getByTestId('server-status');
      await expect(status).toContainText(`Blocked by CORS: ${bareEndpoint}/models answered, but its CORS settings do not allow this page (${origin})`);
      await expect(status).toContainText(`--allowed-origins '["${origin}"]'`);
      await testConnection(page, closedEndpoint);
      await expect(status).toContainText(`could not reach ${closedEndpoint}/models`);
      await expect(status).not.toContainText('CORS');
    } finally {
      await context.close();
      site.server.kill();
    }
  });
});

test.describe('a share link that names a server', () => {
  /** The link a sender copies after choosing the server (with a key, which must not travel). */
  async function senderLink(page: Page): Promise<string> {
    const lens = await chooseServer(page);
    await lens.question.fill('What color is the square?');
    await page.getByTestId('share-button').click();
    const link = await page.getByTestId('share-link').inputValue();
    const params = new URL(link).searchParams;
    expect(params.get('model')).toBe('server');
    expect(params.get('endpoint')).toBe(endpoint);
    expect(params.get('served')).toBe('ergo');
    expect(link).not.toContain('sk-e2e');
    return link;
  }

  /** Opens `link` as its recipient: another browser context (none of the sender's session storage), the server's log emptied first. */
  async function asRecipient(browser: Browser, link: string, steps: (recipient: Page, lens: LensPage) => Promise<void>): Promise<void> {
    const context = await browser.newContext();
    try {
      const recipient = await context.newPage();
      logged.length = 0;
      await recipient.goto(link);
      await steps(recipient, new LensPage(recipient));
    } finally {
      await context.close();
    }
  }

  test('shows the endpoint and model name, sends nothing there until the recipient accepts, then uses it', async ({ page, browser }) => {
    await asRecipient(browser, await senderLink(page), async (recipient, lens) => {
      const ask = recipient.getByTestId('server-share');
      await expect(ask).toBeVisible();
      await expect(recipient.getByTestId('server-share-endpoint')).toHaveText(endpoint);
      await expect(recipient.getByTestId('server-share-model')).toHaveText('ergo');
      await expect(lens.question).toHaveValue('What color is the square?');
      // Held, not applied: the default model stays selected and no server field is filled in.
      await expect(lens.model).not.toHaveValue('server');
      await expect(recipient.getByTestId('server-endpoint')).toHaveCount(0);
      // The page has settled (the device check has probed, the model panel is drawn) and the server heard nothing.
      await expect(recipient.getByTestId('backend-indicator')).not.toHaveText(/Looking for/);
      expect(logged).toEqual([]);
      await recipient.screenshot({ path: 'e2e/artifacts/server-share.png' });

      await recipient.getByTestId('server-share-confirm').click();
      await expect(ask).toHaveCount(0);
      await expect(lens.model).toHaveValue('server');
      await expect(recipient.getByTestId('server-endpoint')).toHaveValue(endpoint);
      await expect(recipient.getByTestId('server-model')).toHaveValue('ergo');
      await expect(recipient.getByTestId('server-api-key')).toHaveValue('');
      expect(logged).toEqual([]);
      // Only now, on the recipient's own action, does a request go there (with their own key).
      await recipient.getByTestId('server-api-key').fill('sk-e2e');
      await recipient.getByTestId('server-test').click();
      await expect(recipient.getByTestId('server-status')).toContainText('Models: ergo');
      expect(logged.some((e) => e.method === 'GET' && e.path === '/v1/models' && e.status === 200)).toBe(true);
    });
  });

  test('ignored, it leaves the model as it was and the server untouched', async ({ page, browser }) => {
    await asRecipient(browser, await senderLink(page), async (recipient, lens) => {
      await recipient.getByTestId('server-share-dismiss').click();
      await expect(recipient.getByTestId('server-share')).toHaveCount(0);
      await expect(lens.model).not.toHaveValue('server');
      // Run with what is selected: the built-in model, on this machine.
      await lens.upload('scene.png', await lens.pattern(320, 240));
      await lens.maxTokens(2);
      await lens.run.click();
      await lens.finished();
      expect(logged).toEqual([]);
    });
  });
});
