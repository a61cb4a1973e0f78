/**
 * `npm start`: builds the widget (package.json), then runs the sandbox and prints how to try it.
 *   npm start -- --help
 */
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { startSandbox } from './server';
import { SANDBOX_USERS } from './users';

const START_COMMAND = defineCommand({
  name: 'start',
  usage: 'npm start -- [flags]',
  summary: [
    "Runs the sandbox (npm start builds the widget and the relay first): Kommo's page reproduced,",
    'with a simulated CRM and PBX and the relay, and prints how to try it (docs/sandbox.md).',
    'Ctrl+C stops it.',
  ].join('\n'),
  flags: {
    // The relay takes the next port (server.ts), hence 65534.
    port: { type: 'integer', short: 'p', value: 'n', min: 0, max: 65534, default: 8080, env: 'PORT', description: "the page's port (0: a free one); the relay takes the next one" },
    host: { type: 'string', value: 'address', default: '127.0.0.1', env: 'HOST', description: 'address to listen on; another than loopback lets other machines in (no login)' },
    https: { type: 'boolean', description: 'serve https with a self-signed certificate' },
    verbose: { type: 'boolean', short: 'v', description: 'log the relay and PBX traffic and failed requests' },
    'legacy-token': {
      type: 'boolean',
      description: 'the relay also accepts the shared widget token (version 1; every user\nreads every extension); without it only per-user tickets work',
    },
  },
});

async function main(): Promise<void> {
  const { values: args } = readCommandLine(START_COMMAND);
  const script = path.resolve(__dirname, '..', '..', 'dist', 'widget', 'script.js');
  if (!fs.existsSync(script)) console.warn(`warning: ${script} is missing; run \`npm run build\` (npm start does it for you).`);
  const sandbox = await startSandbox({ port: args.port, host: args.host, https: args.https, verbose: args.verbose, legacyToken: args['legacy-token'] === true });
  const cli = sandbox.url === 'http://127.0.0.1:8080/' ? 'npm run call --' : `npm run call -- --url ${sandbox.url}${args.https ? ' --insecure' : ''}`;
  const [first, second] = SANDBOX_USERS;
  // Before the banner: whoever stops the sandbox as soon as it has read the banner gets a clean close.
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`
Kommo telephony widget sandbox

  Page:   ${sandbox.url}
  Relay:  ${sandbox.wsUrl}  (poll: ${sandbox.pollUrl}, PBX: POST ${sandbox.relayUrl}/pbx/events)
  Auth:   per-user tickets: the page's $authorizedAjax signs Kommo-style one-time tokens with the
          sandbox integration secret (account ${sandbox.kommo.accountId}), the relay's /ticket exchanges them;
          each user hears their own extension${args['legacy-token'] ? `; legacy shared token "${sandbox.tokens.token}" accepted too` : ''}
  PBX:    token "${sandbox.tokens.pbxToken}"
${args.host !== '127.0.0.1' && args.host !== 'localhost' ? `\n  Listening on ${args.host}: other machines can reach it. The sandbox has no login.\n` : ''}${args.https ? '\n  HTTPS with a self-signed certificate: accept it in the browser for the page AND the relay origin.\n' : ''}
Try it:
  1. Open ${sandbox.url} (you are ${first?.name}, extension ${first?.extension}).
  2. In the PBX panel press Ring: a pop-up names the caller; click the name to open the card.
     Or from a terminal:  ${cli} ring --from +1 830 580 3077 --ext ${first?.extension}
  3. Answer, then Hang up (${cli} answer / ${cli} hangup --recording):
     the call lands under the bell with its duration and recording.
  4. An unknown number offers a new contact:  ${cli} ring --from +1 202 555 0199 --ext ${first?.extension}
  5. Outbound:  ${cli} dial --to +1 830 570 3077 --ext ${first?.extension}
  6. On a contact card press Call (or the Dialer button): your extension rings, then the
     customer; Answer/Hang up in the PBX panel.
  7. Switch user (${second?.name} has extension ${second?.extension}) or language at the top;
     "Widget" opens the settings modal; the PBX panel can slow down or break the CRM API
     and restart the relay.

Ctrl+C stops it.
`);
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') console.error(`error: port in use (${e.message}); try --port 8090`);
  else console.error(`error: ${e.message ?? String(err)}`);
  process.exit(1);
});
