/**
 * The reference relay's command line: `npm run relay -- --help` from a checkout, or the built
 * `node dist/relay/relay/src/main.js --help`. Every flag has an environment fallback; SIGINT and
 * SIGTERM close it. relay/README.md describes it.
 */
import { defineCommand, readCommandLine } from './command-line';
import { RELAY_DEFAULTS } from './relay';
import { startRelay } from './server';

const KB = 1024;

const RELAY_COMMAND = defineCommand({
  name: 'relay',
  usage: 'npm run relay -- [flags]   (built: node dist/relay/relay/src/main.js [flags])',
  summary: [
    'The reference relay of the call feed protocol (docs/call-feed-protocol.md): the PBX POSTs call',
    'events to /pbx/events, widgets receive them over the WebSocket /ws or by polling /calls.',
    'The two token defaults are development defaults: set --token and --pbx-token (or RELAY_TOKEN',
    'and RELAY_PBX_TOKEN) anywhere but your own machine.',
  ].join('\n'),
  flags: {
    port: { type: 'integer', value: 'n', min: 0, max: 65535, default: 8090, env: 'RELAY_PORT', description: 'port to listen on; 0 lets the system pick a free one' },
    host: { type: 'string', value: 'address', default: '127.0.0.1', env: 'RELAY_HOST', description: 'address to listen on; 0.0.0.0 is every interface' },
    token: {
      type: 'string', value: 'secret', default: 'dev-widget-token', shownDefault: 'dev-widget-token (a development default)', env: 'RELAY_TOKEN',
      description: "what widgets present (the widget's token setting)",
    },
    'pbx-token': {
      type: 'string', value: 'secret', default: 'dev-pbx-token', shownDefault: 'dev-pbx-token (a development default)', env: 'RELAY_PBX_TOKEN',
      description: 'what the PBX presents on POST /pbx/events',
    },
    'max-subscribers': {
      type: 'integer', value: 'n', min: 1, max: 1_000_000, default: RELAY_DEFAULTS.maxSubscribers, env: 'RELAY_MAX_SUBSCRIBERS',
      description: 'WebSocket connections at once; one more is told to come back later',
    },
    'max-extensions': {
      type: 'integer', value: 'n', min: 1, max: 10_000, default: RELAY_DEFAULTS.maxExtensionsPerSubscriber, env: 'RELAY_MAX_EXTENSIONS',
      description: 'extensions one WebSocket subscriber or poll may ask for',
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
    'max-calls': {
      type: 'integer', value: 'n', min: 1, max: 10_000_000, default: RELAY_DEFAULTS.maxCalls, env: 'RELAY_MAX_CALLS',
      description: 'calls remembered at once; a new one beyond evicts the oldest ended one, or is refused',
    },
    'subscribe-timeout-ms': {
      type: 'integer', value: 'ms', min: 100, max: 600_000, default: RELAY_DEFAULTS.subscribeTimeoutMs, env: 'RELAY_SUBSCRIBE_TIMEOUT_MS',
      description: 'a socket that has not subscribed by then is closed (4408)',
    },
    'sweep-every-ms': {
      type: 'integer', value: 'ms', min: 1000, max: 3_600_000, default: RELAY_DEFAULTS.sweepEveryMs, env: 'RELAY_SWEEP_EVERY_MS',
      description: 'WebSocket-level ping of every socket; one that missed the last is dropped',
    },
    'data-dir': {
      type: 'string', value: 'path', default: RELAY_DEFAULTS.dataDir, env: 'RELAY_DATA_DIR',
      description: 'where the relay keeps its calls and history (relay.sqlite; survives kill -9 and restarts)',
    },
  },
});

async function main(): Promise<void> {
  const { values } = readCommandLine(RELAY_COMMAND);
  const running = await startRelay({
    port: values.port,
    host: values.host,
    token: values.token,
    pbxToken: values['pbx-token'],
    maxSubscribers: values['max-subscribers'],
    maxExtensionsPerSubscriber: values['max-extensions'],
    maxBodyBytes: values['max-body-bytes'],
    maxEventsPerPost: values['max-events-per-post'],
    maxFrameBytes: values['max-frame-bytes'],
    maxCalls: values['max-calls'],
    subscribeTimeoutMs: values['subscribe-timeout-ms'],
    sweepEveryMs: values['sweep-every-ms'],
    dataDir: values['data-dir'],
    log: (message, context) => console.error(message, context ?? ''),
  });
  console.log(`relay listening on ${running.url}`);
  console.log(`  widget ws_url:   ${running.wsUrl}`);
  console.log(`  widget poll_url: ${running.pollUrl}   (script mode: ${running.url}/calls.js)`);
  console.log(`  PBX events:      POST ${running.url}/pbx/events  (Authorization: Bearer <pbx token>)`);
  const stop = () => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`relay: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
