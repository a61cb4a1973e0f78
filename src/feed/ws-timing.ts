/** The WebSocket transport's constants (protocol: "WebSocket", "Version 2"; docs/call-feed-protocol.md). */
export const WS_TIMING = {
  /** Version 2: a ping once the widget has sent nothing this long (the relay closes a socket silent for 12 s). */
  pingEveryMs: 5_000,
  /** Version 1: a ping after this long without a frame from the relay. */
  v1IdlePingMs: 6_000,
  /** No frame this long after a ping: the socket is dead (at most pingEveryMs: the same timer sends the next ping). */
  pongTimeoutMs: 5_000,
  /** A socket that does not open (and get its snapshot) in this time is given up. */
  connectTimeoutMs: 10_000,
  /** Sockets failed in a row before a visible tab probes over HTTP instead (the throttle above stays under 1 ms). */
  probeAfterFailures: 4,
  /** A probe not answered in this time counts as failed. */
  probeTimeoutMs: 3_000,
  /** Refused credentials renewed before a snapshot; one more refusal is final. */
  renewalsPerConnection: 1,
} as const;
