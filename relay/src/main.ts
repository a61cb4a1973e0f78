/**
 * The reference relay, standalone:
 *   npx tsx scripts/relay/main.ts --port 8090 --token widget-secret --pbx-token pbx-secret
 * Tokens also come from RELAY_TOKEN / RELAY_PBX_TOKEN. Then, as the PBX:
 *   curl -X POST http://127.0.0.1:8090/pbx/events -H 'Authorization: Bearer pbx-secret' \
 *     -H 'Content-Type: application/json' \
 *     -d '{"call_id":"c1","state":"ringing","direction":"inbound","phone":"+14155550100","extension":"101"}'
 */
import { startRelay } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const port = Number(arg('port') ?? process.env.RELAY_PORT ?? 8090);
  const host = arg('host') ?? process.env.RELAY_HOST ?? '127.0.0.1';
  const token = arg('token') ?? process.env.RELAY_TOKEN ?? 'dev-widget-token';
  const pbxToken = arg('pbx-token') ?? process.env.RELAY_PBX_TOKEN ?? 'dev-pbx-token';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${arg('port')}`);
  const running = await startRelay({
    port,
    host,
    token,
    pbxToken,
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
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
