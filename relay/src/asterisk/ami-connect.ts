/**
 * The AMI client's options and its default side effects: the socket factory (node:net, or
 * node:tls when `tls` is set) and Node's timers, unref'd so a reconnect wait never holds the
 * process up.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { AmiTimers, Log } from './ami-types';

export interface AmiTlsOptions {
  ca?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface AmiConnectOptions {
  host: string;
  port: number;
  tls: false | AmiTlsOptions;
}

export interface AmiClientOptions {
  host: string;
  port: number;
  tls?: false | AmiTlsOptions;
  username: string;
  secret: string;
  timers?: AmiTimers;
  now?: () => number;
  log?: Log;
  /** The socket factory (default node:net, or node:tls when `tls` is set). */
  connect?: (o: AmiConnectOptions) => Duplex;
  backoff?: { firstMs?: number; maxMs?: number };
  pingEveryMs?: number;
  actionTimeoutMs?: number;
  maxMessageBytes?: number;
  /** The Login's `Events:` classes (default AMI_EVENT_CLASSES, see ami-login.ts). */
  events?: string;
  /** [0, 1) for the backoff's jitter (default Math.random). */
  random?: () => number;
}

export const nodeTimers: AmiTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function defaultConnect(o: AmiConnectOptions): Duplex {
  if (o.tls === false) return net.connect({ host: o.host, port: o.port });
  const servername = o.tls.servername ?? (net.isIP(o.host) === 0 ? o.host : undefined);
  return tls.connect({ host: o.host, port: o.port, ca: o.tls.ca, rejectUnauthorized: o.tls.rejectUnauthorized ?? true, servername });
}

