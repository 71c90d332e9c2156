import { defineConfig } from 'vitest/config';

/** Long checks outside `npm test`: real-dimension model fixtures of several GB (`npm run test:long`). */
export default defineConfig({
  test: {
    include: ['models/**/*.long.ts'],
    environment: 'node',
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
  },
});
