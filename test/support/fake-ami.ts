/**
 * A fake Asterisk Manager Interface on 127.0.0.1 (port 0), for the adapter's tests: the banner,
 * Login (one user/secret; otherwise `Authentication failed`, as Asterisk 20 answers), Ping,
 * CoreShowChannels (a scripted channel list with the EventList framing), Originate (a scripted
 * Response and OriginateResponse event), any other action through `script.handler`; and what a
 * real PBX does to a client: raw text pushed to every connection (a capture, half a message,
 * a flood), dropped connections, a silent server. Every action received is recorded.
 * The script is live: tests change it between steps.
 */
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AmiMessage } from '../../relay/src/asterisk/ami-types';
import { createAmiParser } from '../../relay/src/asterisk/ami-parser';

type Fields = Record<string, string>;

export interface FakeAmiScript {
  username: string;
  secret: string;
  banner: string;
  /** CoreShowChannel events (without ActionID) answered to CoreShowChannels. */
  channels: Fields[];
  /** Originate's answer; default `Response: Success` and no event. The event gets the ActionID. */
  originate?: (action: AmiMessage) => { response?: Fields; event?: Fields };
  /** Any other action: the messages to send back (each gets the ActionID); undefined -> `Invalid/unknown command`. */
  handler?: (action: AmiMessage) => Fields[] | undefined;
  /** Read actions and answer nothing (a hung PBX with its TCP still up). */
  silent: boolean;
}

export interface ReceivedAction {
  connection: number;
  action: AmiMessage;
}

export interface FakeAmi {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly script: FakeAmiScript;
  /** Every action received, in order, from every connection. */
  readonly received: ReceivedAction[];
  /** The actions named `name` received so far. */
  actions(name: string): AmiMessage[];
  /** Connections accepted so far; and open now. */
  accepted(): number;
  open(): number;
  /** Connections whose Login was accepted. */
  loggedIn(): number;
  /** Raw AMI text to every open connection (only the logged-in ones with `loggedInOnly`). */
  push(raw: string, options?: { loggedInOnly?: boolean }): void;
  /** A message from fields, to every logged-in connection. */
  pushMessage(fields: Fields): void;
  /** Destroys every open connection. */
  drop(): void;
  close(): Promise<void>;
}

export const formatMessage = (fields: Fields): string =>
  `${Object.entries(fields).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

export async function startFakeAmi(script: Partial<FakeAmiScript> = {}): Promise<FakeAmi> {
  const live: FakeAmiScript = { username: 'relay', secret: 'relay-secret', banner: 'Asterisk Call Manager/9.0.0', channels: [], silent: false, ...script };
  const received: ReceivedAction[] = [];
  const sockets = new Map<net.Socket, { index: number; loggedIn: boolean }>();
  let accepted = 0;

  const answer = (socket: net.Socket, state: { loggedIn: boolean }, action: AmiMessage) => {
    if (live.silent) return;
    const id: Fields = action.ActionID === undefined ? {} : { ActionID: action.ActionID };
    // As Asterisk orders them: `Response:` or `Event:` first, then `ActionID:`.
    const send = (fields: Fields) => {
      const first = Object.keys(fields)[0] ?? 'Response';
      socket.write(formatMessage({ [first]: fields[first] ?? '', ...id, ...fields }));
    };
    const name = (action.Action ?? '').toLowerCase();
    if (name === 'login') {
      if (action.Username === live.username && action.Secret === live.secret) {
        state.loggedIn = true;
        send({ Response: 'Success', Message: 'Authentication accepted' });
        socket.write(formatMessage({ Event: 'FullyBooted', Privilege: 'system,all', Uptime: '10', LastReload: '10', Status: 'Fully Booted' }));
      } else {
        send({ Response: 'Error', Message: 'Authentication failed' });
      }
      return;
    }
    if (!state.loggedIn) return send({ Response: 'Error', Message: 'Authentication Required' });
    if (name === 'ping') return send({ Response: 'Success', Ping: 'Pong', Timestamp: `${Date.now() / 1000}` });
    if (name === 'logoff') {
      send({ Response: 'Goodbye', Message: 'Thanks for all the fish.' });
      socket.end();
      return;
    }
    if (name === 'coreshowchannels') {
      send({ Response: 'Success', EventList: 'start', Message: 'Channels will follow' });
      for (const channel of live.channels) send({ Event: 'CoreShowChannel', ...channel });
      send({ Event: 'CoreShowChannelsComplete', EventList: 'Complete', ListItems: String(live.channels.length) });
      return;
    }
    if (name === 'originate') {
      const scripted = live.originate?.(action) ?? {};
      send(scripted.response ?? { Response: 'Success', Message: 'Originate successfully queued' });
      if (scripted.event !== undefined) send({ Event: 'OriginateResponse', Privilege: 'call,all', ...scripted.event });
      return;
    }
    const messages = live.handler?.(action);
    if (messages === undefined) return send({ Response: 'Error', Message: 'Invalid/unknown command' });
    for (const m of messages) send(m);
  };

  const server = net.createServer((socket) => {
    accepted += 1;
    const state = { index: accepted, loggedIn: false };
    sockets.set(socket, state);
    const parser = createAmiParser({ maxMessageBytes: 1 << 20 });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      for (const action of parser.push(chunk)) {
        received.push({ connection: state.index, action });
        answer(socket, state, action);
      }
    });
    socket.write(`${live.banner}\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const targets = (loggedInOnly: boolean) => [...sockets].filter(([, s]) => !loggedInOnly || s.loggedIn).map(([socket]) => socket);

  return {
    host: '127.0.0.1',
    port,
    script: live,
    received,
    actions: (name) => received.filter((r) => (r.action.Action ?? '').toLowerCase() === name.toLowerCase()).map((r) => r.action),
    accepted: () => accepted,
    open: () => sockets.size,
    loggedIn: () => [...sockets.values()].filter((s) => s.loggedIn).length,
    push(raw, options = {}) {
      for (const socket of targets(options.loggedInOnly ?? false)) socket.write(raw);
    },
    pushMessage(fields) {
      for (const socket of targets(true)) socket.write(formatMessage(fields));
    },
    drop() {
      for (const socket of sockets.keys()) socket.destroy();
    },
    close() {
      for (const socket of sockets.keys()) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One capture (test/fixtures/asterisk/<name>.jsonl): its first line, then each message as sent, with its time (ms). */
export interface Capture {
  meta: { flow: string; about?: string; banner?: string; [key: string]: unknown };
  messages: { t: number; raw: string }[];
}

export const CAPTURES_DIR = path.join(__dirname, '..', 'fixtures', 'asterisk');

/** Reads a capture by name ('direct-answered') or path; the tests' copy, never /work/shared. */
export function loadCapture(nameOrPath: string): Capture {
  const file = nameOrPath.includes('/') ? nameOrPath : path.join(CAPTURES_DIR, `${nameOrPath.replace(/\.jsonl$/, '')}.jsonl`);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const [first, ...rest] = lines;
  if (first === undefined) throw new Error(`capture ${file} is empty`);
  return { meta: JSON.parse(first) as Capture['meta'], messages: rest.map((l) => JSON.parse(l) as { t: number; raw: string }) };
}

/** A capture's messages, raw, in order. */
export const captureRaw = (nameOrPath: string): string[] => loadCapture(nameOrPath).messages.map((m) => m.raw);

/** The capture names available to tests. */
export const captureNames = (): string[] =>
  fs.readdirSync(CAPTURES_DIR).filter((f) => f.endsWith('.jsonl')).map((f) => f.replace(/\.jsonl$/, '')).sort();
