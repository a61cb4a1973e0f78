/**
 * The jest configuration Stryker runs (stryker.config.json): jest.config.js's unit project only,
 * on the tests that can reach src/: test/src (mirrors src/), test/relay (the reference relay
 * imports src/protocol) and test/scripts/validator (it reuses src/protocol/record). The jsdom and
 * chromium projects test the built bundle, which mutants never reach, and are left out.
 */
const base = require('./jest.config.js');

const unit = base.projects.find((p) => p.displayName === 'unit');
if (!unit) throw new Error('jest.stryker.config.js: jest.config.js has no "unit" project');

const { displayName, ...settings } = unit;

/** @type {import('jest').Config} */
module.exports = {
  ...settings,
  testTimeout: base.testTimeout,
  roots: ['<rootDir>/test/src', '<rootDir>/test/relay', '<rootDir>/test/scripts/validator'],
};
