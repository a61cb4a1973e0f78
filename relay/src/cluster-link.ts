/**
 * What the relay needs from a cluster of relay nodes (relay/src/cluster/ implements it on Redis):
 * a copy of the shared store to read, a way to write to it, and what every node's writes emit.
 * Given as `RelayOptions.cluster`, it replaces the relay's own store: the relay then neither
 * writes nor expires its store itself; it serves its sockets from the copy.
 */
import type { CallEvent, SequencedEvent } from '../../src/protocol';
import type { OtherNodes, SlotCounts } from './guard/subscriber-caps';
import type { BatchOutcome, CallStore } from './store';

export interface ClusterLink {
  /** This node's copy of the store: read it, never write it. */
  readonly store: CallStore;
  /** Writes a POST's events to the cluster; their outcome once applied here. Throws StoreWriteFailed when they were not taken (the PBX is told to retry). */
  submit(events: readonly CallEvent[], now: number): Promise<BatchOutcome>;
  /** Every change applied here, whichever node wrote it, in offset order; returns the unsubscribe. */
  onEmitted(listener: (emitted: readonly SequencedEvent[]) => void): () => void;
  /** The per-address and per-user socket caps, counted over every node. */
  readonly slots: ClusterSlots;
  /**
   * Once per `ttlMs` across the cluster (the per-user click-to-call interval): refused, with the
   * time left, when a node claimed `key` within it. Redis away: allowed (each node's own limit holds).
   */
  claimInterval(key: string, ttlMs: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  /** A role one node holds at a time (the call log's writer); started by the caller, stopped with the node. */
  role(name: string, ttlMs: number): ClusterRole;
  /**
   * Asks whichever node holds `role` (the PBX connection's, for click-to-call) and waits for its
   * answer: null when none came within `timeoutMs` (no node holds it, or Redis is away).
   */
  ask(role: string, body: unknown, timeoutMs: number): Promise<unknown>;
  /**
   * Answers the asks for `role` that reach this node: the handler returns null when this node
   * does not serve them now (another holds the role), else its answer. Returns the unsubscribe.
   */
  answer(role: string, handler: (body: unknown) => Promise<unknown> | null): () => void;
  /** A value every node reads, written whole by the holder of a role. */
  readShared(name: string): Promise<string | null>;
  writeShared(name: string, value: string): Promise<void>;
  /** `GET /health`'s `cluster` figures. */
  health(): Record<string, unknown>;
}

export interface ClusterSlots {
  /** What the other nodes hold, as of their last report. */
  others: OtherNodes;
  /** This node's counts, read each time it reports them. */
  report(counts: () => SlotCounts): void;
  /** After each refresh of the other nodes' counts; returns the unsubscribe. */
  onRefresh(listener: () => void): () => void;
}

/**
 * Why a role changed hands: `unreachable` is a holder whose renewal failed (Redis away: nobody
 * can take the role meanwhile), `lost` is another node holding it now.
 */
export type RoleChange = 'taken' | 'lost' | 'unreachable' | 'stopped';

export interface ClusterRole {
  holding(): boolean;
  /** true when this node takes the role, false when it loses it, and why. */
  onChange(listener: (holding: boolean, why: RoleChange) => void): void;
  start(): void;
  stop(): Promise<void>;
}
