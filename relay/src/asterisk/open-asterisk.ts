/**
 * The Asterisk adapter put together (docs/asterisk.md): one AMI client shared by the call
 * tracker's source and the click-to-call adapter, the recording links and, when the relay
 * serves recordings, their route. main.ts (command-flags.ts) and the tests build it from plain
 * settings.
 */
import type { PbxAdapter } from '../originate/pbx-adapter';
import type { PbxSource } from '../pbx-source';
import { createAmiClient } from './ami-client';
import type { AmiClientOptions } from './ami-client';
import { createAmiOriginate } from './ami-originate';
import type { Log } from './ami-types';
import { createAsteriskSource } from './asterisk-source';
import { createCallTracker } from './call-tracker';
import { createRecordingRoute } from './recording-route';
import { createRecordingLinks } from './recordings';
import type { RecordingLinksOptions } from './recordings';

export interface AsteriskSettings {
  ami: Pick<AmiClientOptions, 'host' | 'port' | 'tls' | 'username' | 'secret'> & Partial<AmiClientOptions>;
  extensionPattern?: RegExp;
  trunks?: string[];
  /** Click-to-call through AMI Originate; null: the relay originates some other way (or not at all). */
  originate: { channel?: string; context?: string } | null;
  /** Recording links: linked by a template, or served by the relay (signed); null: no recording_url. */
  recordings: RecordingLinksOptions | null;
  now?: () => number;
}

export interface OpenedAsterisk {
  source: PbxSource;
  originate: PbxAdapter | null;
}

/** Throws (a plain Error naming the setting) when a template or directory is unusable. */
export function openAsterisk(s: AsteriskSettings, log: Log): OpenedAsterisk {
  const links = s.recordings === null ? null : createRecordingLinks({ ...s.recordings, log });
  const tracker = createCallTracker({
    ...(s.extensionPattern === undefined ? {} : { extensionPattern: s.extensionPattern }),
    ...(s.trunks === undefined ? {} : { trunks: s.trunks }),
    ...(links === null ? {} : { recordingUrl: (file: string) => links.urlFor(file) }),
    log,
  });
  const ami = createAmiClient({ ...s.ami, log, ...(s.now === undefined ? {} : { now: s.now }) });
  const served = s.recordings !== null && 'secret' in s.recordings ? s.recordings : null;
  const route = served === null ? null : createRecordingRoute({ dir: served.dir, secret: served.secret, log, ...(s.now === undefined ? {} : { now: s.now }) });
  const source = createAsteriskSource({
    ami,
    tracker,
    log,
    ...(s.now === undefined ? {} : { now: s.now }),
    ...(route === null ? {} : { recordings: { prefix: '/recordings/', handle: (req, res, path) => void route(req, res, path) } }),
  });
  const originate = s.originate === null ? null : createAmiOriginate({ ami, events: ami, tracker, ...s.originate, log });
  return { source, originate };
}
