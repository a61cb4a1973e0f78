/**
 * The entry of lease.js, the localStorage lease election (webpack.config.js): script.js loads it
 * only in browsers without Web Locks and hands over the shared code (lease-shared.ts) with it.
 */
import type { Election } from './election';
import { leaseElection } from './lease-election';
import type { LeaseElectionDeps } from './lease-election';
import { installLeaseShared } from './lease-shared-slot';
import type { LeaseShared } from './lease-shared-slot';

export function leaseElectionWith(shared: LeaseShared, deps: LeaseElectionDeps): Election {
  installLeaseShared(shared);
  return leaseElection(deps);
}
