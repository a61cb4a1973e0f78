/** lease-shared.ts as lease.js sees it: bound by installLeaseShared before first use (live ES bindings). */
import type * as Shared from './lease-shared';

export type LeaseShared = typeof Shared;

export let runQueued: LeaseShared['runQueued'];
export let createSingleTimer: LeaseShared['createSingleTimer'];

export function installLeaseShared(shared: LeaseShared): void {
  ({ runQueued, createSingleTimer } = shared);
}
