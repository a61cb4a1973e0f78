/**
 * Three kinds of tests, three jest projects; `npm test` runs them all, and
 * `npm run test:unit` / `test:jsdom` / `test:chromium` runs one kind. The kind is in the file
 * name: `*.test.ts` (Node), `*.jsdom.test.ts` (a DOM, or the built script.js under jsdom),
 * `*.chromium.test.ts` (Debian's Chromium through playwright-core). test/ mirrors src/, relay/
 * and scripts/; test/support/ is the shared support (clock, waiting, servers, doubles).
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0', isolatedModules: true } }],
};
const common = { testEnvironment: 'node', rootDir: __dirname, roots: ['<rootDir>/test'], transform };

/** @type {import('jest').Config} */
module.exports = {
  // Browser end-to-end tests start Chromium and servers: give them room.
  testTimeout: 20000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.jsdom\\.test\\.ts$', '\\.chromium\\.test\\.ts$'] },
    { ...common, displayName: 'jsdom', testMatch: ['**/*.jsdom.test.ts'], setupFiles: ['<rootDir>/test/support/jsdom-globals.ts'] },
    { ...common, displayName: 'chromium', testMatch: ['**/*.chromium.test.ts'] },
  ],
};
