/**
 * The reference relay's command line: `npm run relay -- --help` from a checkout, or the built
 * `node dist/relay/relay/src/main.js --help`. Every flag has an environment fallback; SIGINT and
 * SIGTERM close it. relay/README.md describes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { asteriskBanner, asteriskFlagsProblem, asteriskSettings } from './asterisk/command-flags';
import { openAsterisk } from './asterisk/open-asterisk';
import type { AsteriskSettings } from './asterisk/open-asterisk';
import { settleAuthFlags, startWarnings } from './auth/command-flags';
import type { StartSecrets } from './auth/command-flags';
import { AuthConfigError } from './auth/config-error';
import { createUsersSource } from './auth/users-source';
import type { UsersSource } from './auth/users-source';
import { formatUsageError, readCommandLine, UsageError } from './command-line';
import type { FlagValues } from './command-line';
import { guardFlagsProblem, guardOptions } from './guard/command-flags';
import { withSandboxOrigins } from './guard/origin';
import { callLogBanner, callLogOptions, callLogSettings } from './calllog/command-flags';
import type { CallLogSettings } from './calllog/command-flags';
import { originateBanner, originateFlagsProblem, originateOptions } from './originate/command-flags';
import { storeFlagsProblem, storeOptions } from './store-flags';
import { clusterFlagsProblem, redisAddress } from './cluster/command-flags';
import { openCluster } from './cluster/open-cluster';
import { leasedPbx } from './cluster/leased-pbx';
import { storeLimits } from './open-store';
import { withDefaults } from './options';
import { RELAY_COMMAND } from './relay-command';
import { startRelay } from './server';

/** Flags that are each in range but wrong together: the same one-line refusal, exit 2. The call log's settings, read on the way. */
function checkTogether(values: FlagValues<typeof RELAY_COMMAND.flags>): CallLogSettings | null {
  const callLog = callLogSettings(values);
  const problem =
    guardFlagsProblem(values) ?? storeFlagsProblem(values) ?? originateFlagsProblem(values) ?? asteriskFlagsProblem(values) ?? (callLog instanceof UsageError ? callLog : null) ??
    clusterFlagsProblem(values);
  if (problem !== null) {
    process.stderr.write(formatUsageError(RELAY_COMMAND, problem));
    return process.exit(2);
  }
  return callLog as CallLogSettings | null;
}

/** One line per log entry on stderr: time, message, context as JSON. */
function logLine(message: string, context?: Record<string, unknown>): void {
  console.error(`${new Date().toISOString()} ${message}${context === undefined ? '' : ` ${JSON.stringify(context)}`}`);
}

/** The secrets and Kommo settings, or the one-line refusal (exit 2) naming what is missing or wrong. */
function readSecrets(values: FlagValues<typeof RELAY_COMMAND.flags>): { secrets: StartSecrets; users: UsersSource | null } {
  let users: UsersSource | null = null;
  try {
    const secrets = settleAuthFlags(values, (file) => {
      users = createUsersSource(file, logLine);
      return users.current;
    });
    return { secrets, users };
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(formatUsageError(RELAY_COMMAND, error));
    else if (error instanceof AuthConfigError) process.stderr.write(`relay: ${error.message}\n`);
    else throw error;
    return process.exit(2);
  }
}

/** The Asterisk adapter's settings, or the one-line refusal (exit 2) when its CA file cannot be read or a template is unusable. */
function readAsterisk(values: FlagValues<typeof RELAY_COMMAND.flags>): { settings: AsteriskSettings | null; opened: ReturnType<typeof openAsterisk> | null } {
  try {
    const settings = asteriskSettings(values, (file) => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(`--ami-tls-ca cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)} (${file})`);
      }
    });
    return { settings, opened: settings === null ? null : openAsterisk(settings, logLine) };
  } catch (error) {
    const problem = error instanceof UsageError ? error : new UsageError(`Asterisk: ${(error as Error).message}`);
    process.stderr.write(formatUsageError(RELAY_COMMAND, problem));
    return process.exit(2);
  }
}

async function main(): Promise<void> {
  const { values } = readCommandLine(RELAY_COMMAND);
  const callLog = checkTogether(values);
  const { secrets, users } = readSecrets(values);
  const asterisk = readAsterisk(values);
  const dataDir = path.resolve(values['data-dir']);
  const redisUrl = values['redis-url'];
  const cluster =
    redisUrl === undefined
      ? undefined
      : await openCluster({
          url: redisUrl,
          prefix: values['redis-prefix'],
          limits: storeLimits(withDefaults({ pbxToken: secrets.pbxToken, ...storeOptions(values) })),
          tickEveryMs: values['expire-every-ms'],
          snapshotEveryMs: values['cluster-snapshot-every-ms'],
          joinTimeoutMs: values['redis-join-timeout-ms'],
          log: logLine,
        });
  // On a cluster one node at a time connects to Asterisk; a click on any node reaches it.
  const pbx =
    asterisk.opened === null || cluster === undefined
      ? asterisk.opened
      : leasedPbx({
          cluster,
          open: () => openAsterisk(asterisk.settings as AsteriskSettings, logLine),
          originates: asterisk.opened.originate !== null,
          askTimeoutMs: values['originate-timeout-ms'] + 3_000,
          log: logLine,
        });
  const running = await startRelay({
    port: values.port,
    host: values.host,
    pbxToken: secrets.pbxToken,
    ...(secrets.token !== undefined ? { token: secrets.token } : {}),
    ...(secrets.auth !== undefined ? { auth: values.dev ? withSandboxOrigins(secrets.auth) : secrets.auth } : {}),
    ...(cluster === undefined ? { dataDir } : { cluster }),
    maxSubscribers: values['max-subscribers'],
    maxExtensionsPerSubscriber: values['max-extensions'],
    maxBodyBytes: values['max-body-bytes'],
    maxEventsPerPost: values['max-events-per-post'],
    maxFrameBytes: values['max-frame-bytes'],
    ...storeOptions(values),
    subscribeTimeoutMs: values['subscribe-timeout-ms'],
    sweepEveryMs: values['sweep-every-ms'],
    silentCloseMs: values['silent-close-ms'],
    overloadRetryAfterS: values['overload-retry-after-s'],
    fullRetryAfterS: values['full-retry-after-s'],
    ...guardOptions(values),
    ...originateOptions(values),
    ...(pbx === null ? {} : { pbxSource: pbx.source }),
    ...(pbx?.originate ? { originate: { adapter: pbx.originate, intervalMs: values['originate-interval-ms'] } } : {}),
    ...(callLog === null ? {} : callLogOptions(callLog, logLine)),
    log: logLine,
  });
  // Before the banner: a supervisor that stops the relay as soon as it has read it gets a clean close.
  const stop = () => {
    running
      .close()
      .then(() => cluster?.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A re-read users file applies to new tickets, polls and subscribes, and at each renewal.
  if (users !== null) process.on('SIGHUP', () => users?.reread());
  console.log(`relay listening on ${running.url}`);
  console.log(`  widget ws_url:   ${running.wsUrl}`);
  console.log(`  widget poll_url: ${running.pollUrl}   (script mode: ${running.url}/calls.js)`);
  console.log(`  PBX events:      POST ${running.url}/pbx/events  (Authorization: Bearer <pbx token>)`);
  if (secrets.auth !== undefined) console.log(`  widget tickets:  POST ${running.url}/ticket  (Kommo account ${secrets.auth.accountId}, ${users?.current().size ?? 0} users in ${values.users})`);
  const clickToCall = originateBanner(values, running.url);
  if (clickToCall !== null) console.log(clickToCall);
  for (const line of asteriskBanner(asterisk.settings)) console.log(line);
  const callLogLine = callLogBanner(callLog);
  if (callLogLine !== null) console.log(callLogLine);
  if (cluster === undefined) console.log(`  data directory:  ${dataDir}`);
  else console.log(`  cluster node:    ${cluster.nodeId}, store in Redis at ${redisAddress(redisUrl as string)} (prefix ${values['redis-prefix']})`);
  // After the addresses, so a supervisor that waits for them sees the start first, then why it is unsafe.
  for (const [message, context] of startWarnings(secrets, values.dev)) logLine(message, context);
  if (callLog !== null && secrets.auth === undefined) logLine('relay: WARNING the call log has no users file (--users): calls are logged without their Kommo user (Kommo counts them as a robot\'s)');
}

main().catch((error: unknown) => {
  console.error(`relay: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
