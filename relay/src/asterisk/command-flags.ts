/**
 * The Asterisk adapter on the command line (main.ts spreads ASTERISK_FLAGS into its flags):
 * `--ami-host` turns it on (the relay logs in to Asterisk's Manager Interface and reads its
 * calls); the rest say how to log in, what is an extension, how click-to-call dials and where
 * recordings are. docs/asterisk.md describes each.
 */
import { UsageError } from '../command-line';
import type { FlagValues, Flags } from '../command-line';
import type { AsteriskSettings } from './open-asterisk';

export const ASTERISK_DEFAULTS = {
  amiPort: 5038,
  extensionPattern: '^[0-9]{2,6}$',
  originateChannel: 'SIP/{extension}',
  originateContext: 'from-internal',
  recordingsDir: '/var/spool/asterisk/monitor',
} as const;

export const ASTERISK_FLAGS = {
  'ami-host': {
    type: 'string', value: 'address', env: 'RELAY_AMI_HOST',
    description: 'Asterisk: the Manager Interface\'s address (manager.conf); turns the\nAsterisk adapter on: the relay reads calls from AMI (docs/asterisk.md)',
  },
  'ami-port': {
    type: 'integer', value: 'n', min: 1, max: 65535, default: ASTERISK_DEFAULTS.amiPort, env: 'RELAY_AMI_PORT',
    description: 'Asterisk: the Manager Interface\'s port (5038; TLS usually 5039)',
  },
  'ami-user': { type: 'string', value: 'name', env: 'RELAY_AMI_USER', description: 'Asterisk: the manager.conf user the relay logs in as' },
  'ami-secret': {
    type: 'string', value: 'secret', secret: true, env: 'RELAY_AMI_SECRET',
    description: 'Asterisk: that user\'s secret; never logged',
  },
  'ami-tls': { type: 'boolean', description: 'Asterisk: AMI over TLS (manager.conf tlsenable=yes)' },
  'ami-tls-ca': {
    type: 'string', value: 'file', env: 'RELAY_AMI_TLS_CA',
    description: 'Asterisk: the PEM file of the CA (or self-signed certificate) that\nAsterisk\'s AMI certificate is checked against (default: the system\'s)',
  },
  'asterisk-extension-pattern': {
    type: 'string', value: 'regex', default: ASTERISK_DEFAULTS.extensionPattern, env: 'RELAY_ASTERISK_EXTENSION_PATTERN',
    description: 'Asterisk: a channel\'s peer name matching this is an extension\n(SIP/101-..., PJSIP/101-..., Local/101@...); any other is a trunk',
  },
  'asterisk-trunks': {
    type: 'string', value: 'names', env: 'RELAY_ASTERISK_TRUNKS',
    description: 'Asterisk: peer names that are trunks even though they match the\nextension pattern, comma-separated',
  },
  'asterisk-originate-channel': {
    type: 'string', value: 'template', default: ASTERISK_DEFAULTS.originateChannel, env: 'RELAY_ASTERISK_ORIGINATE_CHANNEL',
    description: 'Asterisk click-to-call: the channel that rings the user\'s phone\nfirst ({extension}; PJSIP/{extension} on FreePBX 14 and later)',
  },
  'asterisk-originate-context': {
    type: 'string', value: 'context', default: ASTERISK_DEFAULTS.originateContext, env: 'RELAY_ASTERISK_ORIGINATE_CONTEXT',
    description: 'Asterisk click-to-call: the dialplan context the number is then\ndialled in (the extensions\' outbound context)',
  },
  'recordings-dir': {
    type: 'string', value: 'path', default: ASTERISK_DEFAULTS.recordingsDir, env: 'RELAY_RECORDINGS_DIR',
    description: 'Asterisk: where MixMonitor writes recordings (FreePBX:\n/var/spool/asterisk/monitor, in YYYY/MM/DD folders)',
  },
  'recording-url': {
    type: 'string', value: 'template', env: 'RELAY_RECORDING_URL',
    description: 'Asterisk: link recordings where your web server serves them:\nhttps://pbx.example.com/rec/{path} ({path}, {file}, {yyyy} {mm} {dd})',
  },
  'recording-secret': {
    type: 'string', value: 'secret', secret: true, env: 'RELAY_RECORDING_SECRET',
    description: 'Asterisk: the relay serves recordings itself, each through an\nunguessable signed link (GET /recordings/<token>) signed with this\nkey; needs --public-url',
  },
  'public-url': {
    type: 'string', value: 'url', env: 'RELAY_PUBLIC_URL',
    description: 'the relay\'s address as browsers reach it (https://relay.example.com),\nfor the recording links it signs',
  },
} as const satisfies Flags;

export type AsteriskValues = FlagValues<typeof ASTERISK_FLAGS> & { 'originate-url'?: string };

/** What is wrong with the Asterisk flags together (one refusal naming the flag), or null. */
export function asteriskFlagsProblem(values: AsteriskValues): UsageError | null {
  const on = values['ami-host'] !== undefined;
  const needsHost = (['ami-user', 'ami-secret', 'ami-tls-ca', 'asterisk-trunks', 'recording-url', 'recording-secret'] as const).find((flag) => values[flag] !== undefined);
  if (!on) return needsHost === undefined && !values['ami-tls'] ? null : new UsageError(`--${needsHost ?? 'ami-tls'} needs --ami-host (the Asterisk adapter is off without it)`);
  if (values['ami-user'] === undefined) return new UsageError('--ami-host needs --ami-user (the manager.conf user the relay logs in as)');
  if (values['ami-secret'] === undefined) return new UsageError('--ami-host needs --ami-secret (or RELAY_AMI_SECRET)');
  if (values['ami-tls-ca'] !== undefined && !values['ami-tls']) return new UsageError('--ami-tls-ca needs --ami-tls');
  try {
    new RegExp(values['asterisk-extension-pattern']);
  } catch {
    return new UsageError(`--asterisk-extension-pattern is not a regular expression: "${values['asterisk-extension-pattern']}"`);
  }
  if (!values['asterisk-originate-channel'].includes('{extension}')) return new UsageError('--asterisk-originate-channel must contain {extension}');
  if (values['recording-url'] !== undefined && values['recording-secret'] !== undefined) {
    return new UsageError('give --recording-url (your server links recordings) or --recording-secret (the relay serves them), not both');
  }
  if (values['recording-url'] !== undefined && !/^https?:\/\/[^\s]+$/.test(values['recording-url'])) return new UsageError('--recording-url must be an http(s) URL template');
  if (values['recording-secret'] !== undefined) {
    if (values['recording-secret'].length < 16) return new UsageError('--recording-secret must be at least 16 characters (it signs the recording links)');
    const base = values['public-url'];
    if (base === undefined) return new UsageError('--recording-secret needs --public-url (the relay\'s address in the links it signs)');
    if (!/^https?:\/\/[^\s/]+/.test(base)) return new UsageError(`--public-url must be an http(s) URL, got "${base}"`);
  }
  return null;
}

/** `--asterisk-trunks pstn, provider` as peer names. */
export function trunkNames(values: Pick<AsteriskValues, 'asterisk-trunks'>): string[] {
  return (values['asterisk-trunks'] ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}

/**
 * The flags as settings for openAsterisk (null when `--ami-host` is off). Check
 * asteriskFlagsProblem first; `readCa` reads `--ami-tls-ca` (a UsageError when it cannot).
 */
export function asteriskSettings(values: AsteriskValues, readCa: (file: string) => string): AsteriskSettings | null {
  const host = values['ami-host'];
  if (host === undefined) return null;
  const ca = values['ami-tls-ca'];
  const tls = !values['ami-tls'] ? false : ca === undefined ? {} : { ca: readCa(ca) };
  const dir = values['recordings-dir'];
  const template = values['recording-url'];
  const secret = values['recording-secret'];
  const publicBase = values['public-url'];
  const trunks = trunkNames(values);
  return {
    ami: { host, port: values['ami-port'], tls, username: values['ami-user'] as string, secret: values['ami-secret'] as string },
    extensionPattern: new RegExp(values['asterisk-extension-pattern']),
    ...(trunks.length === 0 ? {} : { trunks }),
    // A generic HTTP adapter named on the command line takes click-to-call instead.
    originate: values['originate-url'] !== undefined ? null : { channel: values['asterisk-originate-channel'], context: values['asterisk-originate-context'] },
    recordings:
      template !== undefined ? { dir, template } : secret !== undefined && publicBase !== undefined ? { dir, secret, publicBase: publicBase.replace(/\/+$/, '') } : null,
  };
}

/** The start lines that say the relay reads Asterisk, and how recordings and click-to-call go. */
export function asteriskBanner(settings: AsteriskSettings | null): string[] {
  if (settings === null) return [];
  const { ami, recordings, originate } = settings;
  const lines = [`  Asterisk AMI:    ${ami.tls === false ? 'tcp' : 'tls'}://${ami.host}:${ami.port} as ${ami.username}`];
  if (originate !== null) lines.push(`  click-to-call:   through AMI Originate (${originate.channel}, context ${originate.context})`);
  if (recordings !== null) lines.push(`  recordings:      ${'secret' in recordings ? `${recordings.publicBase}/recordings/<signed link>` : recordings.template} (from ${recordings.dir})`);
  return lines;
}
