/** How a tab becomes leader: Web Locks (src/tabs/lock-election.ts) or the lease (lease-election.ts). */
export interface Election {
  readonly kind: 'locks' | 'lease';
  start(): void;
  /** The leader said goodbye: try now rather than at the next check. */
  nudge(): void;
  /** Withdraws or releases; no timer or request is left behind. */
  stop(): void;
}

export interface ElectionEvents {
  onElected(): void;
  /** Lost leadership without stopping (lease: another tab's live record). */
  onDeposed(): void;
  /** The mechanism itself broke (a lock request rejected): the session works alone. */
  onFailed(): void;
}
