/** Unit specs only (no database): `npm run test:unit`. */
import base from './jest.config.mjs';

export default {
  ...base,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/sdk/src/**/*.spec.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
