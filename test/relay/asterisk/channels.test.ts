import { channelIdentity, DEFAULT_EXTENSION_PATTERN } from '../../../relay/src/asterisk/channels';
import type { ChannelNaming } from '../../../relay/src/asterisk/channels';
import { callerNumber, dialledNumber } from '../../../relay/src/asterisk/caller-id';

const naming: ChannelNaming = { extensionPattern: DEFAULT_EXTENSION_PATTERN, trunks: new Set(['5550']) };
const who = (name: string) => {
  const id = channelIdentity(name, naming);
  return id.kind === 'extension' ? `ext ${id.extension}` : id.kind === 'trunk' ? `trunk ${id.peer}` : 'other';
};

describe('channel name -> extension or trunk', () => {
  test.each([
    ['SIP/101-00000003', 'ext 101'],
    ['PJSIP/101-0000000a', 'ext 101'],
    ['IAX2/101-12345', 'ext 101'],
    ['SIP/pstn-00000002', 'trunk pstn'],
    ['PJSIP/my-carrier-0000000b', 'trunk my-carrier'],
    ['SIP/192.168.1.20-00000004', 'trunk 192.168.1.20'],
    ['SIP/5550-00000005', 'trunk 5550'],
    ['SIP/1234567-00000006', 'trunk 1234567'],
    ['Local/101@from-queue-00000001;1', 'ext 101'],
    ['Local/101@from-queue-00000001;2', 'ext 101'],
    ['Local/FMPR-102@from-internal-0000000c;1', 'ext 102'],
    ['Local/914155237743@from-internal-0000000d;1', 'other'],
    ['DAHDI/1-1', 'trunk 1-1'],
    ['DAHDI/i1/5551234-1', 'trunk i1/5551234-1'],
    ['Message/ast_msg_queue', 'other'],
    ['ConfBridge/0x7f3a', 'other'],
    ['', 'other'],
  ])('%s is %s', (name, expected) => {
    expect(who(name)).toBe(expected);
  });

  test('both halves of a Local pair name the same base', () => {
    const one = channelIdentity('Local/101@from-queue-00000001;1', naming);
    const two = channelIdentity('Local/101@from-queue-00000001;2', naming);
    expect(one.local).toEqual({ base: 'Local/101@from-queue-00000001', half: 1 });
    expect(two.local).toEqual({ base: 'Local/101@from-queue-00000001', half: 2 });
  });

  test('the extension pattern is configurable', () => {
    const letters: ChannelNaming = { extensionPattern: /^[a-z]+$/, trunks: new Set() };
    expect(channelIdentity('PJSIP/alice-00000001', letters)).toMatchObject({ kind: 'extension', extension: 'alice' });
    expect(channelIdentity('PJSIP/101-00000001', letters)).toMatchObject({ kind: 'trunk' });
  });
});

describe('numbers', () => {
  test.each([['', ''], ['<unknown>', ''], ['anonymous', ''], ['Anonymous', ''], ['restricted', ''], [undefined, ''], [' +14155550100 ', '+14155550100']])(
    'caller %p -> %p', (raw, phone) => {
      expect(callerNumber(raw)).toBe(phone);
    });

  test('a number longer than the protocol allows is cut to 64 characters', () => {
    expect(callerNumber('1'.repeat(80))).toHaveLength(64);
  });

  test.each([
    ['914155237743', 'pstn/14155237743', '914155237743'],
    ['s', 'pstn/14155237743', '14155237743'],
    ['', 'SIP/pstn/14155237743', '14155237743'],
    ['', 'PJSIP/14155237743@pstn', '14155237743'],
    [undefined, 'PJSIP/pstn/sip:14155237743@carrier.example', '14155237743'],
    ['', '102', '102'],
  ])('dialled exten %p / DialString %p -> %p', (exten, dialString, phone) => {
    expect(dialledNumber(exten, dialString)).toBe(phone);
  });
});
