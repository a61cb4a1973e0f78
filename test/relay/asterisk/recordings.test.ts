/**
 * Recording names -> paths under the recordings directory, the signed tokens, and the links the
 * feed gets (relay/src/asterisk/recording-path.ts, recording-token.ts, recordings.ts). The names
 * are those of the shared captures (/work/shared/asterisk/captures: MIXMONITOR_FILENAME and
 * FreePBX's CDR(recordingfile)).
 */
import { createRecordingLinks, DEFAULT_RECORDING_TTL_MS } from '../../../relay/src/asterisk/recordings';
import { audioType, dateDirsAt, normaliseDir, recordingPath } from '../../../relay/src/asterisk/recording-path';
import { createTokenKey } from '../../../relay/src/asterisk/recording-token';
import { rangeOf } from '../../../relay/src/asterisk/recording-range';

const DIR = '/var/spool/asterisk/monitor';
const NAME = 'in-5550100-+18305803077-20261202-011909-1796174349.2.wav';
const SECRET = 'recording-secret-0123456789abcdef';

describe('recordingPath: what file a reported name means', () => {
  const accepted: Array<[string, string, number | undefined]> = [
    [`${DIR}/2026/12/02/${NAME}`, `2026/12/02/${NAME}`, undefined],
    [`${DIR}//2026/./12/02/${NAME}`, `2026/12/02/${NAME}`, undefined],
    [`2026/12/02/${NAME}`, `2026/12/02/${NAME}`, undefined],
    // FreePBX's CDR(recordingfile): the base name; the date directories come from the name's date.
    [NAME, `2026/12/02/${NAME}`, undefined],
    ['out-14155237743-101-20261202-012128-1796174487.24.WAV', '2026/12/02/out-14155237743-101-20261202-012128-1796174487.24.WAV', undefined],
    // No date in the name: the call's start gives it (UTC here); without one, the directory itself (MixMonitor's rule).
    ['call-1796174349.2.mp3', '2026/12/02/call-1796174349.2.mp3', Date.UTC(2026, 11, 2, 1, 19, 9)],
    ['call-1796174349.2.mp3', 'call-1796174349.2.mp3', undefined],
    ['rec.ogg', 'rec.ogg', undefined],
    ['rec.gsm', 'rec.gsm', undefined],
  ];
  it.each(accepted)('%s -> %s', (file, path, at) => {
    expect(recordingPath(file, { dir: DIR, at, timeZone: 'UTC' })).toEqual({ ok: true, path });
  });

  const refused: Array<[string, unknown]> = [
    ['.. in an absolute path', `${DIR}/../../../etc/passwd.wav`],
    ['.. that normalises back inside', `${DIR}/2026/../2026/12/02/${NAME}`],
    ['.. in a relative path', '../secret.wav'],
    ['.. deeper in a relative path', '2026/12/../../../x.wav'],
    ['an absolute path elsewhere', '/etc/asterisk/manager.wav'],
    ['a sibling directory with the same prefix', '/var/spool/asterisk/monitor-old/x.wav'],
    ['the directory itself', DIR],
    ['a NUL', `2026/12/02/x\u0000.wav`],
    ['a backslash', '2026\\12\\02\\x.wav'],
    ['CR/LF', 'x.wav\r\nSet-Cookie: a=b'],
    ['not audio', '2026/12/02/x.txt'],
    ['no extension', '2026/12/02/x'],
    ['a trailing slash', '2026/12/02/'],
    ['empty', ''],
    ['not a string', 42],
    ['too long', `${'a/'.repeat(600)}x.wav`],
  ];
  it.each(refused)('refuses %s', (_, file) => {
    expect(recordingPath(file, { dir: DIR }).ok).toBe(false);
  });

  it('knows the audio types by extension, in any case', () => {
    expect(audioType('a.wav')).toBe('audio/wav');
    expect(audioType('a.WAV')).toBe('audio/wav');
    expect(audioType('a.Mp3')).toBe('audio/mpeg');
    expect(audioType('a.ogg')).toBe('audio/ogg');
    expect(audioType('a.gsm')).toBe('audio/x-gsm');
    expect(audioType('a.sh')).toBeNull();
    expect(audioType('.wav')).toBeNull();
  });

  it('takes the date directories in the PBX time zone', () => {
    const at = Date.UTC(2026, 11, 1, 22, 30);
    expect(dateDirsAt(at, 'UTC')).toBe('2026/12/01');
    expect(dateDirsAt(at, 'Europe/Moscow')).toBe('2026/12/02');
  });

  it('wants an absolute directory', () => {
    expect(normaliseDir('/var/spool/asterisk/monitor/')).toBe(DIR);
    expect(() => normaliseDir('monitor')).toThrow(/absolute/);
  });
});

describe('the signed token', () => {
  const key = createTokenKey(SECRET);
  const path = `2026/12/02/${NAME}`;

  it('verifies what it signed, until the expiry', () => {
    const token = key.sign(path, 2_000);
    expect(key.verify(token, 1_999)).toEqual({ ok: true, path, expires: 2_000 });
    expect(key.verify(token, 2_000)).toEqual({ ok: false, error: 'link_expired' });
  });

  it('refuses a token for another path, another secret, or altered in any character', () => {
    const token = key.sign(path, 2_000);
    const [payload, signature] = token.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ p: '2026/12/02/other.wav', e: 2_000 })).toString('base64url');
    expect(key.verify(`${other}.${signature}`, 0)).toEqual({ ok: false, error: 'bad_token' });
    const later = Buffer.from(JSON.stringify({ p: path, e: 9e12 })).toString('base64url');
    expect(key.verify(`${later}.${signature}`, 0)).toEqual({ ok: false, error: 'bad_token' });
    expect(createTokenKey(`${SECRET}x`).verify(token, 0)).toEqual({ ok: false, error: 'bad_token' });
    for (let i = 0; i < token.length; i += 1) {
      if (token[i] === '.') continue;
      const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(key.verify(altered, 0).ok).toBe(false);
    }
    expect(key.verify(payload, 0)).toEqual({ ok: false, error: 'bad_token' });
    expect(key.verify(`${token}.x`, 0)).toEqual({ ok: false, error: 'bad_token' });
    expect(key.verify('', 0)).toEqual({ ok: false, error: 'bad_token' });
    expect(key.verify('a+b.c/d', 0)).toEqual({ ok: false, error: 'bad_token' });
  });

  it('refuses a short secret', () => {
    expect(() => createTokenKey('short')).toThrow(/at least 16/);
  });
});

describe('createRecordingLinks', () => {
  it('fills a template with the encoded path, the name and the date', () => {
    const links = createRecordingLinks({ dir: DIR, template: 'https://pbx.example.com/recordings/{path}' });
    expect(links.urlFor(`${DIR}/2026/12/02/${NAME}`)).toBe('https://pbx.example.com/recordings/2026/12/02/in-5550100-%2B18305803077-20261202-011909-1796174349.2.wav');
    const dated = createRecordingLinks({ dir: DIR, template: 'https://pbx.example.com/r?y={yyyy}&m={mm}&d={dd}&f={file}' });
    expect(dated.urlFor(NAME)).toBe('https://pbx.example.com/r?y=2026&m=12&d=02&f=in-5550100-%2B18305803077-20261202-011909-1796174349.2.wav');
    // A template that needs a date the name does not give gets no link.
    expect(dated.urlFor('rec.wav')).toBeUndefined();
  });

  it('gives no link for a refused name, and logs only why', () => {
    const lines: Array<[string, unknown]> = [];
    const links = createRecordingLinks({ dir: DIR, template: 'https://pbx.example.com/recordings/{path}', log: (m, c) => lines.push([m, c]) });
    expect(links.urlFor('/etc/passwd.wav')).toBeUndefined();
    expect(lines).toEqual([['relay: asterisk: a recording gets no link', { reason: 'outside the recordings directory' }]]);
  });

  it('refuses bad templates and bases at start', () => {
    expect(() => createRecordingLinks({ dir: DIR, template: 'https://pbx.example.com/recordings/' })).toThrow(/\{path\} or \{file\}/);
    expect(() => createRecordingLinks({ dir: DIR, template: 'https://pbx.example.com/{nope}/{path}' })).toThrow(/unknown placeholder/);
    expect(() => createRecordingLinks({ dir: DIR, template: 'ftp://pbx.example.com/{path}' })).toThrow(/http/);
    expect(() => createRecordingLinks({ dir: DIR, template: 'https://u:p@pbx.example.com/{path}' })).toThrow(/credentials/);
    expect(() => createRecordingLinks({ dir: DIR, secret: SECRET, publicBase: 'https://relay.example.com/?a=1' })).toThrow(/query/);
    expect(() => createRecordingLinks({ dir: DIR, secret: 'short', publicBase: 'https://relay.example.com' })).toThrow(/at least 16/);
  });

  it('signs a relay link that expires after the ttl (a year by default)', () => {
    let now = 1_000;
    const links = createRecordingLinks({ dir: DIR, secret: SECRET, publicBase: 'https://relay.example.com/kommo/', now: () => now });
    const url = links.urlFor(`${DIR}/2026/12/02/${NAME}`) as string;
    expect(url).toMatch(/^https:\/\/relay\.example\.com\/kommo\/recordings\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(url).not.toContain(SECRET);
    const token = url.slice(url.lastIndexOf('/') + 1);
    const key = createTokenKey(SECRET);
    expect(key.verify(token, 1_000 + DEFAULT_RECORDING_TTL_MS - 1)).toEqual({ ok: true, path: `2026/12/02/${NAME}`, expires: 1_000 + DEFAULT_RECORDING_TTL_MS });
    expect(key.verify(token, 1_000 + DEFAULT_RECORDING_TTL_MS).ok).toBe(false);
    now = 5_000;
    const short = createRecordingLinks({ dir: DIR, secret: SECRET, publicBase: 'https://relay.example.com', ttlMs: 60_000, now: () => now });
    const shortToken = (short.urlFor(NAME) as string).split('/').pop() as string;
    expect(key.verify(shortToken, 64_999).ok).toBe(true);
    expect(key.verify(shortToken, 65_000)).toEqual({ ok: false, error: 'link_expired' });
  });
});

describe('rangeOf', () => {
  it.each([
    [undefined, 100, { kind: 'whole' }],
    ['bytes=0-9', 100, { kind: 'part', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=90-500', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=-10', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=-500', 100, { kind: 'part', start: 0, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', 100, { kind: 'whole' }],
    ['items=0-1', 100, { kind: 'whole' }],
    ['bytes=9-1', 100, { kind: 'whole' }],
  ])('%s of %d bytes', (header, size, answer) => {
    expect(rangeOf(header, size)).toEqual(answer);
  });
});
