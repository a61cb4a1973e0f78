/**
 * The jest configuration Stryker runs (stryker.config.json): jest.config.js's unit project on
 * the tests of the pure core, test/src. Tests that drive real loopback servers (the relay, the
 * fixture CRM, TCP proxies) and the fuzz suite are left to jest: under a mutant that breaks a
 * retry they wait out their timeouts, which made a full run of every module take hours on two
 * cores. The decisions they exercise are pure step functions, tested here without a clock.
 */
const base = require('./jest.config.js');

const unit = base.projects.find((p) => p.displayName === 'unit');
if (!unit) throw new Error('jest.stryker.config.js: jest.config.js has no "unit" project');

const { displayName, ...settings } = unit;

/** Loopback-server and fuzz suites: slow under mutants, covered by `npm test` itself. */
const SLOW = ['blips', 'clock-jumps', 'fuzz', 'poll-feed', 'relay-drop', 'ws-feed', 'relay-access', 'caller-lookup', 'crm-faults', 'answer-limits', 'party-name', 'remembered-lookup'];

/** @type {import('jest').Config} */
module.exports = {
  ...settings,
  testTimeout: base.testTimeout,
  roots: ['<rootDir>/test/src'],
  testPathIgnorePatterns: [...settings.testPathIgnorePatterns, ...SLOW.map((name) => `/${name}\\.test\\.ts$`)],
};
