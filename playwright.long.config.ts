import base from './playwright.config';

/** Long browser checks outside `npm test` (real-dimension model fixtures): `npm run test:long:e2e`. */
export default { ...base, testDir: 'e2e/long', testMatch: /.*\.long\.ts/, timeout: 3_600_000 };
