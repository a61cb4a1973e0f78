/**
 * Two real Asterisk 20 instances on loopback for the tests: "pbx" (the PBX under test,
 * config-pbx.ts) and "world" (the desk phones and the outside world, config-world.ts). Ports
 * found free, everything under one temp dir, both started and ready (AMI logins answered, SIP
 * peers loaded) before this resolves; stop() kills both and removes the dir.
 * The build comes from scripts/asterisk/ensure-asterisk.sh (ASTERISK_PREFIX, default
 * <repo>/.cache/asterisk).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { createAmiClient, type AmiClient } from '../../../relay/src/asterisk/ami-client';
import { waitUntil } from '../wait';
import { startAsterisk, type AsteriskProcess } from './asterisk-process';
import { instanceDirs, type AmiUser } from './config-common';
import { pbxConfigFiles } from './config-pbx';
import { worldConfigFiles } from './config-world';
import { createDrive, type Drive } from './drive';
import { freeTcpPort, freeUdpPort, freeUdpRange } from './free-ports';

export interface AmiCredentials {
  host: string;
  port: number;
  username: string;
  secret: string;
}

export interface AsteriskPairOptions {
  /** Where Asterisk is installed (default $ASTERISK_PREFIX, else <repo>/.cache/asterisk). */
  prefix?: string;
  /** The relay's AMI user's classes (default: what docs/asterisk.md asks for). */
  relayPermissions?: { read: string; write: string };
  /** Dial timeout of direct calls and ring groups on the pbx (default 20 s). */
  ringSeconds?: number;
  /** Each step of the 5550300 hunt group (default 6 s). */
  huntStepSeconds?: number;
  timestampEvents?: boolean;
  /** Keep the temp dir after stop() (logs, recordings) for debugging. */
  keepDir?: boolean;
  bootTimeoutMs?: number;
}

export interface AsteriskPair {
  pbx: {
    /** The relay's user (least permissions). */
    ami: AmiCredentials;
    /** A full user for the test driver. */
    driverAmi: AmiCredentials;
    /** MixMonitor writes here: <dir>/YYYY/MM/DD/<name>.wav (FreePBX's monitor dir). */
    recordingsDir: string;
    sipPort: number;
    cli(command: string): Promise<string>;
  };
  world: { ami: AmiCredentials; sipPort: number; cli(command: string): Promise<string> };
  drive: Drive;
  /** The temp dir holding both instances (etc, logs in <dir>/pbx/log and <dir>/world/log). */
  dir: string;
  /** How long startAsteriskPair took. */
  startedInMs: number;
  stop(): Promise<void>;
}

const REPO = resolve(__dirname, '..', '..', '..');
export const DEFAULT_RELAY_PERMISSIONS = { read: 'call,cdr,agent,dialplan', write: 'originate,reporting' };

export function asteriskPrefix(explicit?: string): string {
  const prefix = explicit ?? process.env.ASTERISK_PREFIX ?? join(REPO, '.cache', 'asterisk');
  if (!existsSync(join(prefix, 'sbin', 'asterisk'))) {
    throw new Error(`no Asterisk in ${prefix} (sbin/asterisk missing): run scripts/asterisk/ensure-asterisk.sh (ASTERISK_PREFIX=${prefix})`);
  }
  return prefix;
}

const user = (username: string, permissions: { read: string; write: string }): AmiUser => ({
  username,
  secret: `${username}-${Math.random().toString(36).slice(2, 10)}`,
  ...permissions,
});
const credentials = (port: number, u: AmiUser): AmiCredentials => ({ host: '127.0.0.1', port, username: u.username, secret: u.secret });

export async function startAsteriskPair(options: AsteriskPairOptions = {}): Promise<AsteriskPair> {
  const began = Date.now();
  const prefix = asteriskPrefix(options.prefix);
  // Short: the CLI's control socket path (dir/run/asterisk.ctl) must fit a UNIX socket name.
  const dir = mkdtempSync(join(tmpdir(), 'ast-'));
  const taken = new Set<number>();
  const udp = async () => {
    const port = await freeUdpPort(taken);
    taken.add(port);
    return port;
  };
  const range = async () => {
    const r = await freeUdpRange(60, taken);
    for (let p = r[0]; p <= r[1]; p += 1) taken.add(p);
    return r;
  };
  const ports = { pbxSip: await udp(), worldSip: await udp(), pbxAmi: await freeTcpPort(), worldAmi: await freeTcpPort() };
  const [pbxRtp, worldRtp] = [await range(), await range()];
  const relay = user('relay', options.relayPermissions ?? DEFAULT_RELAY_PERMISSIONS);
  const driver = user('driver', { read: 'all', write: 'all' });
  const worldDriver = user('driver', { read: 'all', write: 'all' });
  const pbxLayout = { dir: join(dir, 'pbx'), prefix };
  const worldLayout = { dir: join(dir, 'world'), prefix };

  const processes: AsteriskProcess[] = [];
  const clients: AmiClient[] = [];
  const removeDir = () => {
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  // A test process that exits without stop(): the processes' own hooks kill them, this removes the dir.
  process.once('exit', removeDir);
  const stop = async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await Promise.all(processes.map((p) => p.stop()));
    process.removeListener('exit', removeDir);
    removeDir();
  };
  try {
    const files = {
      pbx: pbxConfigFiles({
        ...pbxLayout,
        sipPort: ports.pbxSip,
        amiPort: ports.pbxAmi,
        rtp: pbxRtp,
        worldSipPort: ports.worldSip,
        amiUsers: [relay, driver],
        phones: ['101', '102', '103'],
        ringSeconds: options.ringSeconds ?? 20,
        huntStepSeconds: options.huntStepSeconds ?? 6,
        outboundCallerId: '+15550100',
        timestampEvents: options.timestampEvents,
      }),
      world: worldConfigFiles({ ...worldLayout, sipPort: ports.worldSip, amiPort: ports.worldAmi, rtp: worldRtp, pbxSipPort: ports.pbxSip, amiUser: worldDriver }),
    };
    const [pbx, world] = await Promise.all([
      startAsterisk({ ...pbxLayout, name: 'pbx', files: files.pbx, bootTimeoutMs: options.bootTimeoutMs }),
      startAsterisk({ ...worldLayout, name: 'world', files: files.world, bootTimeoutMs: options.bootTimeoutMs }),
    ]);
    processes.push(pbx, world);

    const pbxAmi = createAmiClient({ ...credentials(ports.pbxAmi, driver), events: 'off', backoff: { firstMs: 100, maxMs: 500 } });
    const worldAmi = createAmiClient({ ...credentials(ports.worldAmi, worldDriver), events: 'off', backoff: { firstMs: 100, maxMs: 500 } });
    clients.push(pbxAmi, worldAmi);
    pbxAmi.start();
    worldAmi.start();
    await waitUntil('both AMIs accept the driver login', () => pbxAmi.status().state === 'connected' && worldAmi.status().state === 'connected', {
      timeoutMs: 15_000,
      everyMs: 20,
    });
    await waitUntil(
      'the SIP peers are loaded (pbx: pstn 101 102 103; world: pbx)',
      async () => {
        const [p, w] = [await pbx.cli('sip show peers'), await world.cli('sip show peers')];
        return ['pstn', '101', '102', '103'].every((peer) => new RegExp(`^${peer}[ /]`, 'm').test(p)) && /^pbx[ /]/m.test(w);
      },
      { timeoutMs: 10_000, everyMs: 50 },
    );

    return {
      pbx: {
        ami: credentials(ports.pbxAmi, relay),
        driverAmi: credentials(ports.pbxAmi, driver),
        recordingsDir: instanceDirs(pbxLayout).monitor,
        sipPort: ports.pbxSip,
        cli: pbx.cli,
      },
      world: { ami: credentials(ports.worldAmi, worldDriver), sipPort: ports.worldSip, cli: world.cli },
      drive: createDrive({ pbx: pbxAmi, world: worldAmi }),
      dir,
      startedInMs: Date.now() - began,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
