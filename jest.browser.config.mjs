/**
 * Browser tests (`npm run test:browser`): the built dashboard in headless Chromium (the
 * machine's `/usr/bin/chromium`, driven by playwright-core), against the real server on a real
 * PostgreSQL, like the e2e suite. Not part of `npm test`, which needs no browser.
 */
import base from './jest.config.mjs';

export default {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 120000,
};
