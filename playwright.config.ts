import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) against the built site,
 * served by the project's own static server with cross-origin isolation.
 */
// DIST_DIR, HARNESS_DIST_DIR and E2E_PORT let several checkouts' runs share one machine.
const PORT = Number(process.env.E2E_PORT ?? 4319);
/** Tests reach the harness with `harnessUrl` from e2e/support. */
export const HARNESS_PORT = PORT + 1;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}/`,
    screenshot: 'only-on-failure',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // No --enable-features here: it would replace Playwright's own list.
      args: [
        '--enable-unsafe-webgpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [
    {
      command: `node scripts/serve.mjs ${process.env.DIST_DIR ?? 'dist'}`,
      env: { PORT: String(PORT) },
      url: `http://localhost:${PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
    {
      // The test-only harness page (e2e/harness), built to dist-harness by `npm run build:harness`.
      command: `node scripts/serve.mjs ${process.env.HARNESS_DIST_DIR ?? 'dist-harness'}`,
      env: { PORT: String(HARNESS_PORT) },
      url: `http://localhost:${HARNESS_PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
  ],
});
