/**
 * The simulated PBX's originate endpoint, `POST /sandbox/pbx/originate`: the receiving end of the
 * relay's generic HTTP adapter (relay/src/originate/http-adapter.ts), i.e. what a PBX vendor
 * implements for click-to-call (docs/sandbox.md, "Click-to-call"). It rings the manager's
 * extension as one outbound call to `number`, so the panel and the call feed show it like any
 * call (never as a separate inbound leg to the manager's own phone).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLarge, readBody } from '../../relay/src/body';
import { bearerToken, sameSecret } from '../../relay/src/secrets';
import type { Pbx } from './pbx';
import type { SandboxUser } from './users';

export interface OriginateEndpointDeps {
  pbx: Pbx;
  /** The bearer the relay presents (the sandbox's `tokens.originateToken`). */
  token: string;
  /** Whose extensions exist on this PBX. */
  users: readonly SandboxUser[];
  log(line: string): void;
}

/** A request of the relay's adapter: `{"v": 1, "id", "extension", "number", "user_id"}`. */
interface OriginateBody {
  id: string;
  extension: string;
  number: string;
}

/** The request bodies are a few hundred bytes; the relay's own limit for /originate is 4 KB. */
const MAX_BODY = 4096;
const EXTENSION = /^[0-9A-Za-z*#+_-]{1,32}$/;
/** E.164 (`+` and 7..15 digits) or an internal extension (1..4 digits), as the relay sends it. */
const NUMBER = /^(\+[1-9]\d{6,14}|\d{1,4})$/;

class OriginateRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'OriginateRefused';
  }
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readOriginate(req: http.IncomingMessage): Promise<OriginateBody> {
  let text: string;
  try {
    text = await readBody(req, MAX_BODY);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new OriginateRefused(413, 'too_large', error.message);
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OriginateRefused(400, 'bad_json', 'the body is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new OriginateRefused(400, 'bad_json', 'the body must be a JSON object');
  const body = value as Record<string, unknown>;
  if (body.v !== 1) throw new OriginateRefused(400, 'bad_request', `v must be 1 (this PBX speaks version 1), got ${JSON.stringify(body.v) ?? 'nothing'}`);
  if (typeof body.id !== 'string' || body.id.length < 1 || body.id.length > 128) throw new OriginateRefused(400, 'bad_request', 'id must be a string of 1..128 characters');
  if (typeof body.extension !== 'string' || !EXTENSION.test(body.extension)) throw new OriginateRefused(400, 'bad_request', 'extension must be 1..32 of 0-9 A-Z * # + _ -');
  if (typeof body.number !== 'string' || !NUMBER.test(body.number)) {
    throw new OriginateRefused(400, 'bad_number', 'number must be E.164 (+ then 7..15 digits) or an internal extension of 1..4 digits');
  }
  return { id: body.id, extension: body.extension, number: body.number };
}

/** The route's handler: the sandbox server calls it for `/sandbox/pbx/originate`. */
export function createOriginateEndpoint(deps: OriginateEndpointDeps): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  async function originate(req: http.IncomingMessage): Promise<{ call_id: string }> {
    if (req.method !== 'POST') throw new OriginateRefused(405, 'method_not_allowed', 'POST only');
    const token = bearerToken(req);
    if (token === null || !sameSecret(token, deps.token)) throw new OriginateRefused(401, 'unauthorized', 'Authorization: Bearer <originate token> is missing or wrong');
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new OriginateRefused(415, 'unsupported_media_type', 'send Content-Type: application/json');
    const { id, extension, number } = await readOriginate(req);
    if (!deps.users.some((user) => user.extension === extension)) {
      const known = deps.users.map((user) => user.extension).join(', ');
      throw new OriginateRefused(404, 'unknown_extension', `no phone on this PBX has extension ${extension} (the sandbox has ${known})`);
    }
    // Checked and placed in the same turn of the event loop (apply registers the call before it
    // awaits the feed), so two requests at once cannot both ring the same phone.
    const live = deps.pbx.calls().find((call) => call.extension === extension && call.state !== 'ended');
    if (live) throw new OriginateRefused(409, 'busy', `extension ${extension} is in call ${live.callId} (${live.state})`);
    try {
      await deps.pbx.apply({ action: 'ring', direction: 'outbound', phone: number, extension, callId: id });
    } catch (error) {
      // The call rings on the PBX but the feed did not take the event: the PBX did place it, so
      // the answer stays 200 (a real PBX would retry the feed); anything else was refused.
      if (!deps.pbx.calls().some((call) => call.callId === id)) throw new OriginateRefused(409, 'other', (error as Error).message);
      deps.log(`originate ${id}: ringing, but the relay did not take the event: ${(error as Error).message}`);
    }
    deps.log(`originate ${id}: ${extension} rings, then ${number}`);
    return { call_id: id };
  }

  return async (req, res) => {
    try {
      answer(res, 200, await originate(req));
    } catch (error) {
      req.resume();
      if (error instanceof OriginateRefused) answer(res, error.status, { error: error.code, reason: error.message });
      else throw error;
    }
  };
}

/**
 * The endpoint alone on a loopback plain-HTTP listener, for an https sandbox: the relay's adapter
 * (Node's fetch) would refuse the page's self-signed certificate, so it reaches the PBX the way a
 * relay reaches a PBX's API on its own LAN. Answers its URL and a close().
 */
export async function listenOnLoopback(endpoint: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>, log: (line: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://pbx').pathname !== '/sandbox/pbx/originate') {
      req.resume();
      return answer(res, 404, { error: 'not_found', reason: 'this listener only answers POST /sandbox/pbx/originate' });
    }
    endpoint(req, res).catch((error: unknown) => {
      log(`originate failed: ${(error as Error).stack ?? String(error)}`);
      answer(res, 500, { error: 'pbx_error', reason: 'the simulated PBX failed; see the sandbox log (--verbose)' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/pbx/originate`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
