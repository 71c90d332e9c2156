import { expect, test } from '@playwright/test';
import { loadNodeEngine } from '../engines/node/load';
import type { TransformersEngine } from '../engines/transformers/engine';
import { ChatServer } from '../server/openaiServer';
import { LensPage } from './pages/LensPage';

// The app runs ERGO against npm run serve's server (the Node engine on the scripted model) as it
// would against vLLM: the box, the crop, the answer, and the ledger from the server's usage.

let engine: TransformersEngine;
let server: ChatServer;
let endpoint: string;

test.beforeAll(async () => {
  engine = await loadNodeEngine({ model: 'tiny-scripted-qwen2_5_vl' });
  server = new ChatServer({ engine, modelName: 'ergo', apiKey: 'sk-e2e' });
  endpoint = `http://127.0.0.1:${(await server.listen(0)).port}/v1`;
});
test.afterAll(async () => {
  await server?.close();
  await engine?.dispose();
});

test('ERGO end to end on an OpenAI-compatible server: box, crop, answer, usage', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('');
  await lens.model.selectOption('server');
  await page.getByTestId('server-endpoint').fill(endpoint);
  await page.getByTestId('server-model').fill('ergo');
  await page.getByTestId('server-api-key').fill('sk-e2e');
  await page.getByTestId('server-test').click();
  await expect(page.getByTestId('server-status')).toContainText('Models: ergo');
  await lens.upload('scene.png', await lens.pattern(640, 480));
  await expect(page.getByTestId('image-meta')).toContainText('640 × 480');
  await lens.ask('What color is the square?');
  await lens.finished();
  await expect(lens.answer).toContainText('red');
  await expect(lens.stage2).toContainText('the square is red');
  await expect(page.getByTestId('box-status')).toContainText('100, 40, 180, 120');
  await expect(page.getByTestId('backend-indicator')).toContainText('server');
  // The key never reaches the link.
  expect(page.url()).not.toContain('sk-e2e');
  await page.screenshot({ path: 'e2e/artifacts/server.png', fullPage: true });
});
