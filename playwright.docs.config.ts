import base from './playwright.config';

/** The screenshots in docs/ and the README: `npm run docs:screenshots`. */
export default { ...base, testDir: 'e2e/docs', testMatch: /.*\.docs\.ts/ };
