import type { TabTiming } from './types';

/**
 * Lease timing. A crashed leader's lease is dead `leaseTtlMs` after its last renewal and a
 * follower notices within `checkMs`, then settles for `settleMs`: 1600 + 250 + 60 < 2 s.
 * Background tabs run timers at most once a second, so the TTL keeps 600 ms above that for
 * a leader the user is not looking at. (With Web Locks none of this applies: the browser
 * hands the lock over the moment the tab goes.)
 */
export const defaultTabTiming: TabTiming = {
  renewMs: 500,
  leaseTtlMs: 1600,
  checkMs: 250,
  settleMs: 60,
  popupAckMs: 1000,
};

/** Names in the shared browser namespaces; the version keeps widget versions apart. */
export const PROTOCOL_VERSION = 1;
export const lockName = (key: string): string => `kommo-telephony/v${PROTOCOL_VERSION}/leader/${key}`;
export const channelName = (key: string): string => `kommo-telephony/v${PROTOCOL_VERSION}/tabs/${key}`;
export const leaseStorageKey = (key: string): string => `kommo-telephony/v${PROTOCOL_VERSION}/lease/${key}`;
export const messageStorageKey = (key: string): string => `kommo-telephony/v${PROTOCOL_VERSION}/msg/${key}`;
