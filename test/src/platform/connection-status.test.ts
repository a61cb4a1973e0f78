/**
 * The settings panel's status line and access warning: what an admin reads for each state of
 * the leader's feed, in every language the widget ships.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FeedStatus } from '../../../src/feed/types';
import type { TelephonyStatus } from '../../../src/app/telephony';
import { connectionStatus, connectionStatusText, connectionWarningText } from '../../../src/platform/connection-status';
import type { Lifecycle } from '../../../src/platform/lifecycle';

const I18N = path.resolve(__dirname, '../../../i18n');
const languages = fs.readdirSync(I18N).filter((f) => f.endsWith('.json'));
const statusStrings = (file: string) => (JSON.parse(fs.readFileSync(path.join(I18N, file), 'utf8')) as { status: Record<string, string> }).status;
const en = statusStrings('en.json');

const running = (telephony: TelephonyStatus): Lifecycle => ({ state: { status: 'running', telephony: { status: () => telephony, stop() {} } } }) as unknown as Lifecycle;
const leader = (feed: FeedStatus, access: 'ticket' | 'shared-token' | null = 'ticket') => running({ status: 'leader', feed, access });
const say = (strings: Record<string, string>) => (key: string) => strings[key] ?? `<missing ${key}>`;

const CLOSED: Array<Extract<FeedStatus, { status: 'closed' }>['reason']> = ['stopped', 'unauthorized', 'forbidden', 'no-extension', 'config', 'signin-refused', 'no-tickets'];

test.each(languages)('%s: every closed reason, and the warning, has its own text', (file) => {
  const strings = statusStrings(file);
  const texts = CLOSED.map((reason) => connectionStatusText(leader({ status: 'closed', reason }), say(strings)));
  for (const text of texts) expect(text).not.toMatch(/<missing/);
  // Each reason tells the admin something different.
  expect(new Set(texts).size).toBe(CLOSED.length);
  expect(connectionWarningText(leader({ status: 'open' }, 'shared-token'), say(strings))).not.toMatch(/<missing/);
});

test('the texts an admin acts on: extensions refused, sign-in refused, no tickets; the call code missing', () => {
  const text = (feed: FeedStatus) => connectionStatusText(leader(feed), say(en));
  expect(text({ status: 'closed', reason: 'forbidden' })).toMatch(/refused your extensions/);
  expect(text({ status: 'closed', reason: 'signin-refused' })).toMatch(/refused your Kommo sign-in/);
  expect(text({ status: 'closed', reason: 'no-tickets' })).toMatch(/no per-user tickets/);
  expect(text({ status: 'unavailable', attempt: 1, retryInMs: 1000 })).toBe(en.transport_unavailable);
});

test('the shared-token warning: shown when the leader (or, in another tab, the leader it follows) uses the shared token; not with a ticket', () => {
  const warn = (lifecycle: Lifecycle) => connectionWarningText(lifecycle, say(en));
  expect(warn(leader({ status: 'open' }, 'shared-token'))).toBe(en.shared_token);
  expect(warn(running({ status: 'follower', feed: 'open', access: 'shared-token' }))).toBe(en.shared_token);
  expect(warn(leader({ status: 'open' }, 'ticket'))).toBeNull();
  expect(warn(running({ status: 'follower', feed: 'open', access: null }))).toBeNull();
  expect(warn(running({ status: 'no-extension' }))).toBeNull();
  // A refused token reads nothing: the refusal is what the admin reads, not a warning about access.
  expect(warn(leader({ status: 'closed', reason: 'unauthorized' }, 'shared-token'))).toBeNull();
  expect(warn({ state: { status: 'off' } } as unknown as Lifecycle)).toBeNull();
});

test('the tone the modal styles by: a refused token or an unanswering PBX is a problem, connecting is not', () => {
  const tone = (lifecycle: Lifecycle) => connectionStatus(lifecycle).tone;
  expect(tone(leader({ status: 'open' }))).toBe('ok');
  expect(tone(running({ status: 'follower', feed: 'open', access: 'ticket' }))).toBe('ok');
  expect(tone(leader({ status: 'connecting', attempt: 1 }))).toBe('pending');
  expect(tone(running({ status: 'follower', feed: 'connecting', access: null }))).toBe('pending');
  expect(tone(leader({ status: 'closed', reason: 'stopped' }))).toBe('pending');
  expect(tone({ state: { status: 'off' } } as unknown as Lifecycle)).toBe('pending');
  for (const reason of CLOSED.filter((r) => r !== 'stopped')) expect({ reason, tone: tone(leader({ status: 'closed', reason })) }).toEqual({ reason, tone: 'problem' });
  expect(tone(leader({ status: 'unavailable', attempt: 1, retryInMs: 1000 }))).toBe('problem');
  expect(tone({ state: { status: 'misconfigured' } } as unknown as Lifecycle)).toBe('problem');
  expect(connectionStatus(leader({ status: 'closed', reason: 'unauthorized' }))).toEqual({ key: 'unauthorized', tone: 'problem' });
});

test.each(languages)('%s: the connection block has its two titles', (file) => {
  const strings = statusStrings(file);
  for (const key of ['title', 'title_problem']) expect({ key, text: typeof strings[key] === 'string' && strings[key] !== '' }).toEqual({ key, text: true });
  if (file !== 'en.json') expect(strings.title_problem).not.toBe(en.title_problem);
});
