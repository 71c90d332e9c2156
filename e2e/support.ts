import type { Page } from '@playwright/test';
import { HARNESS_PORT } from '../playwright.config';

export const harnessUrl = `http://localhost:${HARNESS_PORT}/`;

/** Opens the test harness page and waits until `window.harness` is ready. */
export async function openHarness(page: Page): Promise<void> {
  await page.goto(harnessUrl);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
}
