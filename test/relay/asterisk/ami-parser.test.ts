import fc from 'fast-check';
import { createAmiParser, serializeAction } from '../../../relay/src/asterisk/ami-parser';
import type { AmiMessage } from '../../../relay/src/asterisk/ami-types';
import { AmiError } from '../../../relay/src/asterisk/ami-errors';
import { captureRaw, loadCapture } from '../../support/fake-ami';

const BANNER = 'Asterisk Call Manager/9.0.0\r\n';
/** A message with multi-byte UTF-8 (2, 3 and 4 bytes), so splits land inside characters. */
const UTF8 = 'Event: NewCallerid\r\nChannel: SIP/pstn-00000009\r\nCallerIDName: Zoë Müller 日本 🎧\r\nUniqueid: 1796174349.9\r\n\r\n';

const parseWhole = (text: string | Buffer): AmiMessage[] => createAmiParser().push(text);
const parseChunks = (chunks: Buffer[]): AmiMessage[] => {
  const parser = createAmiParser();
  return chunks.flatMap((c) => parser.push(c));
};
const transcript = (name: string, count?: number) => BANNER + captureRaw(name).slice(0, count).join('');

describe('the AMI parser', () => {
  it('reads a real capture: the banner, then one message per raw message, keys as sent', () => {
    const parser = createAmiParser();
    const raws = captureRaw('direct-answered');
    const messages = parser.push(BANNER + raws.join(''));
    expect(parser.banner()).toBe('Asterisk Call Manager/9.0.0');
    expect(messages).toHaveLength(raws.length);
    expect(messages[0]).toEqual({
      Event: 'Newchannel', Privilege: 'call,all', Channel: 'SIP/pstn-00000002', ChannelState: '0', ChannelStateDesc: 'Down',
      CallerIDNum: '+18305803077', CallerIDName: 'Adam Noah', ConnectedLineNum: '<unknown>', ConnectedLineName: '<unknown>',
      Language: 'en', AccountCode: '', Context: 'from-pstn', Exten: '5550100', Priority: '1', Uniqueid: '1796174349.2', Linkedid: '1796174349.2',
    });
    expect(parser.buffered()).toBe(0);
    expect(parser.stats().messages).toBe(raws.length);
  });

  it('gives the same messages however a capture is cut in two, at every byte offset (inside CRLF and UTF-8 included)', () => {
    const bytes = Buffer.from(transcript('busy', 8) + UTF8, 'utf8');
    const expected = parseWhole(bytes);
    expect(expected).toHaveLength(9);
    expect(expected[8]!.CallerIDName).toBe('Zoë Müller 日本 🎧');
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    }
  });

  it('reads every capture fed one byte at a time', () => {
    for (const name of ['direct-answered', 'queue-answered', 'resync']) {
      const bytes = Buffer.from(transcript(name) + UTF8, 'utf8');
      const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
      expect(parseChunks(chunks)).toEqual(parseWhole(bytes));
    }
  });

  it('any split of a transcript parses the same (property)', () => {
    const bytes = Buffer.from(transcript('ring-group', 30) + UTF8, 'utf8');
    const expected = parseWhole(bytes);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 60 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i], end));
        expect(parseChunks(chunks)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('holds a half-received message until its blank line comes', () => {
    const parser = createAmiParser();
    const raw = captureRaw('busy')[0]!;
    expect(parser.push(BANNER + raw.slice(0, 100))).toEqual([]);
    expect(parser.buffered()).toBeGreaterThan(0);
    expect(parser.push(raw.slice(100, -1))).toEqual([]); // all but the final LF
    expect(parser.push('\n')).toEqual([parseWhole(raw)[0]]);
  });

  it('accepts bare LF line ends and ignores extra blank lines between messages', () => {
    const messages = parseWhole('Asterisk Call Manager/9.0.0\n\n\nEvent: Hangup\nUniqueid: 1.1\n\n\r\n\r\nResponse: Success\r\nPing: Pong\r\n\r\n');
    expect(messages).toEqual([{ Event: 'Hangup', Uniqueid: '1.1' }, { Response: 'Success', Ping: 'Pong' }]);
  });

  it('joins a repeated key with "\\n" and keeps a `__proto__` key a plain field', () => {
    const [m] = parseWhole('Response: Success\r\nOutput: line one\r\nOutput: line two\r\n__proto__: x\r\n\r\n');
    expect(m!.Output).toBe('line one\nline two');
    expect(Object.keys(m!)).toEqual(['Response', 'Output', '__proto__']);
    // No prototype at all: nothing from the wire can give the message one, or shadow one's methods.
    expect(Object.getPrototypeOf(m)).toBeNull();
  });

  it('logs and skips a line without a colon, keeping the rest of the message', () => {
    const log = jest.fn();
    const parser = createAmiParser({ log });
    const messages = parser.push('Event: Hangup\r\nthis is not a header\r\nUniqueid: 1.2\r\n\r\n');
    expect(messages).toEqual([{ Event: 'Hangup', Uniqueid: '1.2' }]);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('without a colon'), { line: 'this is not a header' });
    expect(parser.stats().garbageLines).toBe(1);
  });

  it('drops a message over maxMessageBytes with one log line and resynchronises at the next blank line', () => {
    const log = jest.fn();
    const parser = createAmiParser({ maxMessageBytes: 1024, log });
    const big = `Event: VarSet\r\nVariable: HUGE\r\nValue: ${'v'.repeat(3000)}\r\nMore: stuff\r\n\r\n`;
    const chunks = [BANNER, 'Event: Newchannel\r\nUniqueid: 1.1\r\n\r\n', big.slice(0, 700), big.slice(700, 2000), big.slice(2000), 'Event: Hangup\r\nUniqueid: 1.1\r\n\r\n'];
    const messages = chunks.flatMap((c) => parser.push(c));
    expect(messages).toEqual([{ Event: 'Newchannel', Uniqueid: '1.1' }, { Event: 'Hangup', Uniqueid: '1.1' }]);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/over maxMessageBytes/);
    expect(parser.stats().dropped).toBe(1);
  });

  it('never holds much more than maxMessageBytes, even for a line that never ends', () => {
    const parser = createAmiParser({ maxMessageBytes: 1024 });
    parser.push('Event: Flood\r\nValue: ');
    for (let i = 0; i < 100; i += 1) {
      parser.push('x'.repeat(1000));
      expect(parser.buffered()).toBeLessThanOrEqual(1024 + 2);
    }
    expect(parser.push('\r\n\r\nEvent: Hangup\r\n\r\n')).toEqual([{ Event: 'Hangup' }]);
  });

  it('counts a message by its bytes, line ends included: exactly the limit passes, one more is dropped', () => {
    const message = (size: number) => {
      const head = 'Event: X\r\nV: ';
      return `${head}${'a'.repeat(size - head.length - 4)}\r\n\r\n`;
    };
    expect(Buffer.byteLength(message(200))).toBe(200);
    expect(createAmiParser({ maxMessageBytes: 200 }).push(message(200))).toHaveLength(1);
    expect(createAmiParser({ maxMessageBytes: 200 }).push(message(201) + message(200))).toHaveLength(1);
  });

  it('reads legacy `Response: Follows` command output up to --END COMMAND--', () => {
    const raw = 'Response: Follows\r\nPrivilege: Command\r\nActionID: 7\r\nName: value lines stay output\r\n\r\nlast line\n--END COMMAND--\r\n\r\nEvent: Hangup\r\n\r\n';
    expect(parseWhole(raw)).toEqual([
      { Response: 'Follows', Privilege: 'Command', ActionID: '7', Output: 'Name: value lines stay output\n\nlast line' },
      { Event: 'Hangup' },
    ]);
  });

  it('reads a capture that has a list answer (CoreShowChannels), with its ActionID on every event', () => {
    const messages = parseWhole(transcript('resync'));
    const list = messages.filter((m) => m.ActionID === 'a7');
    expect(list.map((m) => m.Response ?? m.Event)).toEqual(['Success', 'CoreShowChannel', 'CoreShowChannel', 'CoreShowChannelsComplete']);
    expect(loadCapture('resync').meta.flow).toBe('resync');
  });
});

describe('serializeAction', () => {
  it('writes Action first, each field as `Key: value` CRLF, then the blank line', () => {
    expect(serializeAction({ ActionID: 'r1', Action: 'Originate', Channel: 'SIP/101', Async: 'true', Variable: 'KOMMO_ORIGINATE_ID=abc' })).toBe(
      'Action: Originate\r\nActionID: r1\r\nChannel: SIP/101\r\nAsync: true\r\nVariable: KOMMO_ORIGINATE_ID=abc\r\n\r\n',
    );
  });

  it('round-trips through the parser', () => {
    const action = { Action: 'Login', Username: 'relay', Secret: 's3cr:et', Events: 'call,cdr,agent,dialplan' };
    expect(parseWhole(serializeAction(action))).toEqual([action]);
  });

  it.each([
    ['a CRLF in a value', { Action: 'Originate', Exten: '100\r\nAction: Command\r\nCommand: core stop now' }],
    ['a bare LF in a value', { Action: 'Originate', CallerID: 'x\ny' }],
    ['a bare CR in a value', { Action: 'Ping', ActionID: 'x\r' }],
    ['a CR/LF in the action name', { Action: 'Ping\r\nAction: Command' }],
    ['a colon in a key', { Action: 'Ping', 'Bad: key': 'v' }],
    ['a newline in a key', { Action: 'Ping', 'Bad\r\nKey': 'v' }],
    ['no Action', { Channel: 'SIP/101' }],
  ])('refuses %s with AmiError invalid_action, without echoing the value', (_why, action) => {
    let error: unknown;
    try {
      serializeAction(action as Record<string, string>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AmiError);
    expect((error as AmiError).code).toBe('invalid_action');
    expect((error as AmiError).message).not.toMatch(/core stop|Command: /);
  });
});
