/**
 * The relay's command line: its flags (each group's own *_FLAGS, and the few of its own), with
 * their environment fallbacks and defaults; main.ts reads and starts from them. relay/README.md
 * "Configuration" describes them.
 */
import { ASTERISK_FLAGS } from './asterisk/command-flags';
import { AUTH_FLAGS } from './auth/command-flags';
import { CALL_LOG_FLAGS } from './calllog/command-flags';
import { CLUSTER_FLAGS } from './cluster/command-flags';
import { defineCommand } from './command-line';
import { GUARD_FLAGS } from './guard/command-flags';
import { RELAY_DEFAULTS } from './options';
import { ORIGINATE_FLAGS } from './originate/command-flags';
import { STORE_FLAGS } from './store-flags';

const KB = 1024;
const SECOND = 1000;
const HOUR = 3_600 * SECOND;

export const RELAY_COMMAND = defineCommand({
  name: 'relay',
  usage: 'npm run relay -- [flags]   (built: node dist/relay/relay/src/main.js [flags])',
  summary: [
    'The reference relay of the call feed protocol (docs/call-feed-protocol.md): the PBX POSTs call',
    'events to /pbx/events, widgets receive them over the WebSocket /ws or by polling /calls.',
    'Widgets authenticate as their Kommo user: Kommo\'s one-time token buys a relay ticket at',
    'POST /ticket, for that user\'s extensions in the --users file (the four Kommo settings).',
    'No secret has a default: it refuses to start without --pbx-token, and without either the',
    'Kommo settings or the legacy --token (--dev: development values, insecure).',
  ].join('\n'),
  flags: {
    port: { type: 'integer', value: 'n', min: 0, max: 65535, default: 8090, env: 'RELAY_PORT', description: 'port to listen on; 0 lets the system pick a free one' },
    host: { type: 'string', value: 'address', default: '127.0.0.1', env: 'RELAY_HOST', description: 'address to listen on; 0.0.0.0 is every interface' },
    ...AUTH_FLAGS,
    'data-dir': {
      type: 'string', value: 'path', default: RELAY_DEFAULTS.dataDir, env: 'RELAY_DATA_DIR',
      description: 'where the relay keeps its call legs, history and epoch\n(relay.sqlite; survives kill -9 and restarts); relative to the\nworking directory; one relay process per directory',
    },
    'max-subscribers': {
      type: 'integer', value: 'n', min: 1, max: 1_000_000, default: RELAY_DEFAULTS.maxSubscribers, env: 'RELAY_MAX_SUBSCRIBERS',
      description: 'WebSocket connections at once; one more gets an `overloaded`\nframe and close 4503',
    },
    'max-extensions': {
      type: 'integer', value: 'n', min: 1, max: 10_000, default: RELAY_DEFAULTS.maxExtensionsPerSubscriber, env: 'RELAY_MAX_EXTENSIONS',
      description: 'extensions one WebSocket subscriber or poll may ask for\n(more: 400 / close 4400)',
    },
    'max-body-bytes': {
      type: 'integer', value: 'bytes', min: KB, max: 64 * KB * KB, default: RELAY_DEFAULTS.maxBodyBytes, env: 'RELAY_MAX_BODY_BYTES',
      description: 'largest POST /pbx/events body (more: 413)',
    },
    'max-events-per-post': {
      type: 'integer', value: 'n', min: 1, max: 100_000, default: RELAY_DEFAULTS.maxEventsPerPost, env: 'RELAY_MAX_EVENTS_PER_POST',
      description: 'events in one POST /pbx/events (more: 413)',
    },
    'max-frame-bytes': {
      type: 'integer', value: 'bytes', min: KB, max: 16 * KB * KB, default: RELAY_DEFAULTS.maxFrameBytes, env: 'RELAY_MAX_FRAME_BYTES',
      description: 'largest WebSocket frame from a widget (more: close 1009)',
    },
    ...STORE_FLAGS,
    'subscribe-timeout-ms': {
      type: 'integer', value: 'ms', min: 100, max: 600_000, default: RELAY_DEFAULTS.subscribeTimeoutMs, env: 'RELAY_SUBSCRIBE_TIMEOUT_MS',
      description: 'a socket that has not authenticated (a valid subscribe) by then\nis closed (4408); a widget subscribes as soon as its socket opens',
    },
    'sweep-every-ms': {
      type: 'integer', value: 'ms', min: SECOND, max: HOUR, default: RELAY_DEFAULTS.sweepEveryMs, env: 'RELAY_SWEEP_EVERY_MS',
      description: 'WebSocket-level ping of every version-1 socket; one that\nmissed the last is dropped',
    },
    'silent-close-ms': {
      type: 'integer', value: 'ms', min: 6 * SECOND, max: 600_000, default: RELAY_DEFAULTS.silentCloseMs, env: 'RELAY_SILENT_CLOSE_MS',
      description: 'a version-2 socket that sent no frame for this long is closed\n(4408 silent); version-2 widgets send one every 5 s',
    },
    'overload-retry-after-s': {
      type: 'integer', value: 's', min: 1, max: 300, default: RELAY_DEFAULTS.overloadRetryAfterS, env: 'RELAY_OVERLOAD_RETRY_AFTER_S',
      description: '`retry_after` of the `overloaded` frame (a widget honours at\nmost 300 s)',
    },
    'full-retry-after-s': {
      type: 'integer', value: 's', min: 1, max: 3_600, default: RELAY_DEFAULTS.fullRetryAfterS, env: 'RELAY_FULL_RETRY_AFTER_S',
      description: '`Retry-After` of a 503 `full` or `store_unavailable` answer to\nthe PBX',
    },
    ...GUARD_FLAGS,
    ...ORIGINATE_FLAGS,
    ...CALL_LOG_FLAGS,
    ...ASTERISK_FLAGS,
    ...CLUSTER_FLAGS,
  },
});
