/**
 * @jest-environment jsdom
 * @jest-environment-options {"resources": "usable", "runScripts": "dangerously", "customExportConditions": ["node", "node-addons"]}
 */
/**
 * Script mode with real <script> tags: a jsdom window that loads scripts over HTTP from the
 * reference relay, the way the platform layer's loader does in Kommo. After every answer the
 * page has no leftover script tag and no leftover global.
 */
import { createCallFeed } from '../../../src/feed';
import type { CallChange } from '../../../src/feed';
import { startRelay } from '../../../relay/src';
import type { RunningRelay } from '../../../relay/src';
import { FakePage, ManualClock, recordingLogger, pollCodeAtOnce } from './support';
import { waitUntil } from '../../support/wait';

let relay: RunningRelay;
beforeEach(async () => {
  relay = await startRelay({ token: 'tok', pbxToken: 'pbx', port: 0 });
});
afterEach(async () => {
  await relay.close();
});


test('each poll adds one <script>, and its tag and callback are gone after the answer', async () => {
  const globalsBefore = new Set(Object.keys(window));
  const loadScript = (src: string, onError?: () => void) => {
    const script = window.document.createElement('script');
    script.src = src;
    script.async = true;
    if (onError) script.onerror = () => onError();
    window.document.head.appendChild(script);
    return { remove: () => script.remove() };
  };
  const clock = new ManualClock();
  const changes: CallChange[] = [];
  const feed = createCallFeed({
    transport: { kind: 'poll', url: `${relay.url}/calls.js`, mode: 'script', intervalMs: 3000 },
    token: 'tok',
    extensions: ['101'],
    clock,
    logger: recordingLogger(),
    WebSocket: class {} as unknown as typeof WebSocket,
    pollTransport: pollCodeAtOnce,
    fetch: () => Promise.reject(new Error('script mode does not fetch')),
    loadScript,
    callbacks: window as unknown as Record<string, unknown>,
    page: new FakePage(),
  });
  feed.on('change', (c) => changes.push(c));
  relay.relay.publish({ callId: 'a', state: 'ringing', direction: 'inbound', phone: '+1 415 555 0100', extension: '101', at: 0 });
  feed.start();
  expect(window.document.querySelectorAll('script')).toHaveLength(1);
  await waitUntil('first answer', () => feed.status.status === 'open');
  expect(changes.map((c) => c.kind === 'state' && `${c.call.callId}:${c.call.state}`)).toEqual(['a:ringing']);
  expect(window.document.querySelectorAll('script')).toHaveLength(0);

  relay.relay.publish({ callId: 'a', state: 'answered', direction: 'inbound', phone: '+1 415 555 0100', extension: '101', at: 0 });
  await waitUntil('scheduled', () => clock.pending() >= 2);
  clock.advance(3000);
  expect(window.document.querySelectorAll('script')).toHaveLength(1);
  await waitUntil('second answer', () => changes.length === 2);
  await waitUntil('tag removed', () => window.document.querySelectorAll('script').length === 0);
  expect(Object.keys(window).filter((k) => !globalsBefore.has(k))).toEqual([]);
  feed.stop();
});
