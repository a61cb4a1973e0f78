/**
 * Which client a connection is, for the per-address caps: its peer address, or, when the peer is
 * a trusted proxy (by default this machine: a TLS proxy in front of the relay, as relay/README.md
 * advises), the address that proxy appended last to `X-Forwarded-For`. Entries before it were
 * written by the client itself and prove nothing.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Peers whose `X-Forwarded-For` is believed when none are configured: this machine. */
export const LOOPBACK_PROXIES: readonly string[] = ['127.0.0.1', '::1'];

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** 127.0.0.0/8 and ::1: this machine (tests, a local proxy that does not name its client, the PBX connector). */
export function isLoopback(address: string): boolean {
  const plain = plainAddress(address);
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'));
}

function trusted(peer: string, proxies: readonly string[]): boolean {
  return proxies.some((proxy) => plainAddress(proxy) === peer || (proxy === '127.0.0.1' && isLoopback(peer)));
}

export function clientAddress(req: IncomingMessage, proxies: readonly string[] = LOOPBACK_PROXIES): string {
  const peer = plainAddress(req.socket.remoteAddress ?? '');
  const forwarded = req.headers['x-forwarded-for'];
  if (!trusted(peer, proxies) || forwarded === undefined) return peer;
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',').pop()?.trim() ?? '';
  return isIP(plainAddress(last)) !== 0 ? plainAddress(last) : peer;
}

/**
 * What the per-address caps count: an IPv4 address, or an IPv6 address's /64 (one subscriber
 * line gets a whole /64, so one attacker has 2^64 addresses but one prefix).
 */
export function capKey(address: string): string {
  const plain = plainAddress(address);
  if (isIP(plain) !== 6) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = plain.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...left, ...Array.from({ length: 8 - left.length - right.length }, () => '0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
