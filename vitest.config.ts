import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['app/**/*.test.ts', 'cli/**/*.test.ts', 'workers/**/*.test.ts', 'pipeline/**/*.test.ts', 'engines/**/*.test.ts', 'server/**/*.test.ts', 'models/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
