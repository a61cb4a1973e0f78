/**
 * The deployment examples of docs/deploy/ (docs/deploy.md) as the real tools read them: nginx -t,
 * caddy validate, systemd-analyze verify; and the environment file as the built relay reads it.
 * The tools are Debian packages that scripts/ensure-deploy-tools.sh installs; a missing one fails
 * here naming that script, never a silent skip.
 */
import fs from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BUILT_RELAY, buildRelayIfStale } from '../relay/harness';
import { envWithout, runCommand, startCommand } from '../support/command';
import { waitUntil } from '../support/wait';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
const DEPLOY = path.join(ROOT, 'docs', 'deploy');
const read = (name: string) => fs.readFileSync(path.join(DEPLOY, name), 'utf8');

/** The tool's path: on PATH, or in the sbin directories a non-root PATH lacks. */
function tool(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin'];
  const found = dirs.map((dir) => path.join(dir, name)).find((file) => fs.existsSync(file));
  if (!found) throw new Error(`${name} is not installed: run \`bash scripts/ensure-deploy-tools.sh\` (as root, or with sudo)`);
  return found;
}

const made: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kommo-deploy-'));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** The lines of a tool's output that are not its plain "all is well" chatter. */
const complaints = (output: string, noise: RegExp) => output.split('\n').filter((line) => line.trim() !== '' && !noise.test(line));

/** Ports free on 127.0.0.1 right now (the OS picks them). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

describe('docs/deploy/nginx.conf', () => {
  // The snippet names the certificate files and ports of the target machine; nginx -t opens
  // both, so the test gives it its own (ports 80 and 443 need root, or may be taken).
  const CERT_DIR = '/etc/letsencrypt/live/relay.example.com/';
  const LISTEN = /listen (?:\[::\]:)?(?:80|443)( ssl)?;/g;

  let pair: { key: string; cert: string };
  beforeAll(async () => {
    const selfsigned = await import('selfsigned');
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'relay.example.com' }], { days: 1, keySize: 2048 } as Parameters<typeof selfsigned.generate>[1]);
    pair = { key: pems.private, cert: pems.cert };
  });

  /** nginx -t over a minimal main config that includes the snippet, its certificate paths on a throwaway pair. */
  async function nginxTest(snippet: string) {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'privkey.pem'), pair.key);
    fs.writeFileSync(path.join(dir, 'fullchain.pem'), pair.cert);
    const ports = await freePorts(4);
    const local = snippet.split(CERT_DIR).join(`${dir}/`).replace(LISTEN, (_, ssl: string | undefined) => `listen 127.0.0.1:${ports.pop()}${ssl ?? ''};`);
    fs.writeFileSync(path.join(dir, 'kommo-relay.conf'), local);
    // Every file nginx would touch is in the test's directory, so that it runs as any user and leaves nothing behind.
    const own = ['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'].map((d) => `    ${d} ${dir}/${d};\n`).join('');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), `pid ${dir}/nginx.pid;\nevents {}\nhttp {\n    access_log ${dir}/access.log;\n${own}    include ${dir}/kommo-relay.conf;\n}\n`);
    return runCommand(tool('nginx'), ['-t', '-q', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], { cwd: dir });
  }

  it('passes nginx -t without a warning', async () => {
    const snippet = read('nginx.conf');
    expect(snippet.split(CERT_DIR)).toHaveLength(3); // ssl_certificate and ssl_certificate_key, both rewritten
    expect(snippet.match(LISTEN)).toEqual(['listen 80;', 'listen [::]:80;', 'listen 443 ssl;', 'listen [::]:443 ssl;']);
    const result = await nginxTest(snippet);
    expect(complaints(result.stderr + result.stdout, /syntax is ok|test is successful/)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('is really parsed: a directive nginx does not know fails the same check', async () => {
    const result = await nginxTest(read('nginx.conf').replace('proxy_read_timeout 120s;', 'proxy_read_timout 120s;'));
    expect([result.code, result.stderr]).toEqual([1, expect.stringMatching(/unknown directive "proxy_read_timout"/)]);
  });

  it('with docs/cluster.md\'s two-node upstream and PBX retry, still passes nginx -t without a warning', async () => {
    const guide = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cluster.md'), 'utf8');
    const upstream = /```nginx\n([\s\S]*?)```/.exec(guide)?.[1]?.replace(/^ {3}/gm, '') ?? '';
    expect(upstream).toMatch(/upstream kommo_relay \{[\s\S]*server 10\.0\.0\.11:8090[\s\S]*server 10\.0\.0\.12:8090/);
    const retry = /`(proxy_next_upstream [^`]+;)`/.exec(guide)?.[1] ?? '';
    expect(retry).toBe('proxy_next_upstream error timeout non_idempotent;');
    const twoNodes = read('nginx.conf')
      .replace(/upstream kommo_relay \{[^}]*\}/, upstream.trim())
      .replace(/location = \/pbx\/events \{/, `location = /pbx/events {\n        ${retry}`);
    expect(twoNodes).toContain('server 10.0.0.12:8090');
    const result = await nginxTest(twoNodes);
    expect(complaints(result.stderr + result.stdout, /syntax is ok|test is successful/)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('upgrades WebSockets on /ws, names the client in X-Forwarded-For, and waits longer than the heartbeat', () => {
    const ws = /location = \/ws \{([^}]*)\}/.exec(read('nginx.conf'))?.[1] ?? '';
    expect(ws).toMatch(/proxy_set_header Upgrade\s+\$http_upgrade;/);
    expect(ws).toMatch(/proxy_set_header X-Forwarded-For\s+\$proxy_add_x_forwarded_for;/);
    // The relay pings version-1 sockets every 30 s (--sweep-every-ms): nginx must not cut them first.
    expect(Number(/proxy_read_timeout (\d+)s;/.exec(ws)?.[1])).toBeGreaterThan(30);
    for (const route of ['calls', 'calls\\.js', 'ticket', 'originate', 'health']) expect(read('nginx.conf')).toContain(route);
    expect(read('nginx.conf')).toContain('location = /pbx/events');
  });
});

describe('docs/deploy/Caddyfile', () => {
  async function caddyValidate(file: string) {
    // Caddy keeps certificates and state under $HOME / XDG: a scratch one per run.
    const home = tempDir();
    const env = { ...process.env, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home };
    return runCommand(tool('caddy'), ['validate', '--config', file, '--adapter', 'caddyfile'], { cwd: home, env });
  }

  it('passes caddy validate without a warning', async () => {
    const result = await caddyValidate(path.join(DEPLOY, 'Caddyfile'));
    expect(result.stdout + result.stderr).toContain('Valid configuration');
    expect(complaints(result.stderr, /"level":"info"|Valid configuration/)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('is really parsed: a subdirective Caddy does not know fails the same check', async () => {
    const broken = path.join(tempDir(), 'Caddyfile');
    fs.writeFileSync(broken, read('Caddyfile').replace('reverse_proxy 127.0.0.1:8090\n', 'reverse_proxy 127.0.0.1:8090 {\n\t\t\tno_such_option 5m\n\t\t}\n'));
    const result = await caddyValidate(broken);
    expect([result.code, result.stderr]).toEqual([1, expect.stringMatching(/unrecognized subdirective no_such_option/)]);
  });

  it('proxies every route of the relay', () => {
    expect(read('Caddyfile')).toMatch(/@relay path \/ws \/calls \/calls\.js \/ticket \/originate \/pbx\/events \/health\n/);
  });
});

describe('docs/deploy/relay.service', () => {
  const verify = (file: string) => runCommand(tool('systemd-analyze'), ['verify', '--man=no', file], { cwd: path.dirname(file) });
  const unit = () => read('relay.service');
  const setting = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(unit())?.[1];

  it('passes systemd-analyze verify without a warning', async () => {
    // verify exits 0 on settings it ignores, so its output must be empty too.
    const result = await verify(path.join(DEPLOY, 'relay.service'));
    expect(complaints(result.stderr + result.stdout, /^$/)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('is really parsed: a restart policy systemd does not know is reported', async () => {
    const broken = path.join(tempDir(), 'kommo-relay.service');
    fs.writeFileSync(broken, unit().replace('Restart=on-failure', 'Restart=sometimes'));
    expect((await verify(broken)).stderr).toMatch(/Failed to parse service restart specifier.*sometimes/);
  });

  it('runs the built relay as its own user, with its data directory, secrets file, restart policy and open-files limit', () => {
    const [node, script] = (setting('ExecStart') ?? '').split(' ');
    expect(node).toMatch(/^\/.*node$/);
    expect(path.resolve(ROOT, script ?? '')).toBe(BUILT_RELAY); // WorkingDirectory is the checkout
    expect(setting('User')).toBe('kommo-relay');
    expect(setting('StateDirectory')).toBe('kommo-relay');
    expect(setting('Environment')).toBe('RELAY_DATA_DIR=/var/lib/kommo-relay');
    expect(setting('EnvironmentFile')).toBe('/etc/kommo-relay/relay.env');
    expect(setting('Restart')).toBe('on-failure');
    expect(setting('RestartPreventExitStatus')).toBe('2'); // a refused configuration
    // Above the relay's default --max-connections (12000) plus its 64 own descriptors.
    expect(Number(setting('LimitNOFILE'))).toBeGreaterThan(12_064);
  });
});

describe('docs/deploy/relay.env', () => {
  beforeAll(buildRelayIfStale, 120_000);

  /** KEY=value lines, comments and blanks skipped, as systemd's EnvironmentFile= reads them. */
  const variables = () => Object.fromEntries([...read('relay.env').matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));

  it('names only variables the relay reads, commented-out ones included', async () => {
    const help = await runCommand(process.execPath, [BUILT_RELAY, '--help'], { cwd: ROOT, env: envWithout(/^RELAY_/) });
    const named = [...read('relay.env').matchAll(/^#?(RELAY_[A-Z_]+)=/gm)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(8);
    expect(named.filter((name) => !help.stdout.includes(`env ${name}`))).toEqual([]);
  });

  it('starts the built relay, which answers /health and stops on SIGTERM', async () => {
    const dir = tempDir();
    const users = path.join(dir, 'users.json');
    fs.writeFileSync(users, JSON.stringify({ users: { '8320148': ['101'] } }));
    // The file as it is, but this test's users file, data directory and a free port.
    const env = { ...envWithout(/^RELAY_/), ...variables(), RELAY_USERS: users, RELAY_DATA_DIR: path.join(dir, 'data'), RELAY_PORT: '0' };
    const relay = startCommand(process.execPath, [BUILT_RELAY], { cwd: ROOT, env });
    try {
      // The data directory is the last line it prints at start.
      await waitUntil('the relay prints its addresses', () => relay.stdout().includes('data directory:') || relay.stderr() !== '');
      const url = /relay listening on (\S+)/.exec(relay.stdout())?.[1];
      expect(relay.stderr()).toBe('');
      expect(relay.stdout()).toContain('widget tickets:  POST');
      const health = await fetch(`${url}/health`);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(fs.existsSync(path.join(dir, 'data', 'relay.sqlite'))).toBe(true);
    } finally {
      relay.kill('SIGTERM');
    }
    expect(await relay.exited).toEqual({ code: 0, signal: null });
  });
});
