/** The sandbox's public surface: what the tests, the benchmarks and the build may use. */
export { startSandbox } from './server';
export type { Sandbox, SandboxOptions, SandboxTokens } from './server';
export type { Pbx, PbxAction, PbxCall, PbxDirection } from './pbx';
export { SANDBOX_USERS, SANDBOX_LOCALES } from './users';
export type { SandboxUser } from './users';
export { withDevLoader, DEV_LOADER_KEY } from './dev-loader';
