import { i18nSection } from '../../support/i18n-sections';
import { createDialer, ENGLISH_DIAL_STRINGS } from '../../../src/dial';
import type { DialMessage, DialerDeps, OriginateBody, RelayAnswer } from '../../../src/dial';
import { silentLogger } from '../../../src/core/logger';

const section = (locale: string) => i18nSection(locale, 'dial');

function setup(o: Partial<DialerDeps> & { answer?: RelayAnswer | Error } = {}) {
  const sent: Array<{ url: string; body: OriginateBody; bearer: string | null }> = [];
  const shown: DialMessage[] = [];
  const answer = o.answer ?? { status: 200, body: { ok: true, extension: '101' } };
  const deps: DialerDeps = {
    running: true,
    country: 'US',
    originateUrl: 'https://relay.example.com/originate',
    post: async (url, body, bearer) => {
      sent.push({ url, body, bearer });
      if (answer instanceof Error) throw answer;
      return answer;
    },
    token: '',
    extension: '101',
    texts: section('en'),
    show: (message) => shown.push(message),
    logger: silentLogger,
    ...o,
  };
  return { dialer: createDialer(deps), sent, shown };
}

test('a card number is normalised with the account country (8 (495) 123-45-67 in RU is +74951234567) and sent with the extension', async () => {
  const { dialer, sent, shown } = setup({ country: 'RU' });
  expect(await dialer.dial('8 (495) 123-45-67')).toEqual({ kind: 'accepted', extension: '101' });
  expect(sent).toEqual([{ url: 'https://relay.example.com/originate', body: { number: '+74951234567', extension: '101' }, bearer: null }]);
  // At once, before the answer; an accepted call adds nothing (the outbound pop-up comes from the feed).
  expect(shown).toEqual([{ error: false, header: 'Call +7 495 123 45 67', text: 'Calling +7 495 123 45 67 from your phone (101)...' }]);
});

test('"Calling" is shown before the relay answers', async () => {
  let release!: (answer: RelayAnswer) => void;
  const shown: DialMessage[] = [];
  const { dialer } = setup({ post: () => new Promise((resolve) => (release = resolve)), show: (m) => shown.push(m) });
  const done = dialer.dial('+1 830 580 3077');
  await Promise.resolve();
  expect(shown.map((m) => m.text)).toEqual(['Calling +1 830 580 3077 from your phone (101)...']);
  release({ status: 200, body: {} });
  await done;
  expect(shown).toHaveLength(1);
});

test('without a known extension the relay picks it: no extension sent, none claimed', async () => {
  const { dialer, sent, shown } = setup({ extension: null });
  await dialer.dial('+1 830 580 3077');
  expect(sent[0]!.body).toEqual({ number: '+18305803077' });
  expect(shown[0]!.text).toBe('Calling +1 830 580 3077...');
});

test('the shared token setting goes along as the bearer (a relay without tickets)', async () => {
  const { dialer, sent } = setup({ token: 'widget-token' });
  await dialer.dial('+1 830 580 3077');
  expect(sent[0]!.bearer).toBe('widget-token');
});

test('an internal extension is dialled as typed', async () => {
  const { dialer, sent, shown } = setup();
  await dialer.dial('102');
  expect(sent[0]!.body).toEqual({ number: '102', extension: '101' });
  expect(shown[0]!.text).toBe('Calling 102 from your phone (101)...');
});

test('not a phone number: said, nothing sent', async () => {
  for (const raw of ['call me', '+', '12345678901234567890', 'x'.repeat(300)]) {
    const { dialer, sent, shown } = setup();
    expect(await dialer.dial(raw)).toEqual({ kind: 'not_a_number' });
    expect(sent).toEqual([]);
    expect(shown).toEqual([{ error: true, header: `Call ${raw.slice(0, 64)}`, text: `"${raw.slice(0, 64)}" is not a phone number.` }]);
  }
});

describe('a number that is no number of the default country, typed without its country code', () => {
  test.each([
    // Moscow with the trunk 8 (the protocol doc's example): as +84 it would ring Vietnam.
    ['84951234567', 'US'],
    ['8 (495) 123-45-67', 'US'],
    // A US number without its +, with country RU.
    ['18305803077', 'RU'],
  ])('%j with country %s is not dialled as another country\'s: refused, asking for the country code, nothing sent', async (raw, country) => {
    const { dialer, sent, shown } = setup({ country });
    expect(await dialer.dial(raw)).toEqual({ kind: 'not_a_number' });
    expect(sent).toEqual([]);
    expect(shown).toEqual([{ error: true, header: `Call ${raw}`, text: `"${raw}" is not a number of the account's default country. Type it with its country code, starting with + (e.g. +7 495 123 45 67).` }]);
  });

  test('control: the same digits with + (or 00) are dialled as the country they name', async () => {
    for (const raw of ['+84951234567', '0084951234567']) {
      const { dialer, sent } = setup();
      expect(await dialer.dial(raw)).toEqual({ kind: 'accepted', extension: '101' });
      expect(sent[0]!.body).toEqual({ number: '+84951234567', extension: '101' });
    }
    const russia = setup();
    await russia.dialer.dial('+7 495 123 45 67');
    expect(russia.sent[0]!.body.number).toBe('+74951234567');
  });

  test('in the user\'s language', async () => {
    const { dialer, shown } = setup({ texts: section('ru') });
    await dialer.dial('84951234567');
    expect(shown[0]!.text).toBe('«84951234567» — не номер страны аккаунта по умолчанию. Введите его с кодом страны, начиная с + (например, +7 495 123 45 67).');
  });
});

test('no relay in the settings, or the widget not running: said, nothing sent', async () => {
  const none = setup({ originateUrl: null });
  expect(await none.dialer.dial('+1 830 580 3077')).toEqual({ kind: 'disabled' });
  expect(none.sent).toEqual([]);
  expect(none.shown[0]!.text).toContain('not set up');
  const off = setup({ running: false });
  expect(await off.dialer.dial('+1 830 580 3077')).toBeNull();
  expect(off.sent).toEqual([]);
  expect(off.shown).toEqual([{ error: true, header: 'Call +1 830 580 3077', text: ENGLISH_DIAL_STRINGS.not_running }]);
});

test.each([
  [{ status: 403, body: { error: 'no_extension' } }, "You have no phone extension. Ask your Kommo admin to give you one in the relay's users file."],
  [{ status: 409, body: { error: 'pbx_refused', code: 'busy' } }, 'Your phone (101) is busy. Hang up, then try again.'],
  [{ status: 409, body: { error: 'pbx_refused', code: 'bad_number' } }, '"+1 830 580 3077" is not a phone number.'],
  [{ status: 429, body: { error: 'rate_limited', retry_after: 3 } }, 'You have just started a call. Try again in 3 s.'],
  [{ status: 502, body: { error: 'pbx_unreachable' } }, 'The phone system did not answer. Try again in a moment.'],
  [{ status: 0, body: null }, 'The phone relay cannot be reached. Check your connection, then try again.'],
  [{ status: 409, body: { error: 'pbx_refused', code: 'other', reason: '<b>trunk</b> down' } }, 'The phone system refused the call: btrunk/b down'],
  [{ status: 500, body: {} }, 'The call could not be started (the relay answered 500).'],
])('refused %j: the message says why, as inert text', async (answer, text) => {
  const { dialer, shown } = setup({ answer });
  await dialer.dial('+1 830 580 3077');
  expect(shown[1]).toEqual({ error: true, header: 'Call +1 830 580 3077', text });
});

test('a post that throws is the relay not reachable, never a rejection', async () => {
  const { dialer, shown } = setup({ answer: new Error('boom') });
  await expect(dialer.dial('+1 830 580 3077')).resolves.toEqual({ kind: 'relay_unreachable' });
  expect(shown[1]!.text).toContain('cannot be reached');
});

test("a message that cannot be shown is logged; the dial goes on", async () => {
  const errors: string[] = [];
  const { dialer, sent } = setup({ show: () => { throw new Error('no APP'); }, logger: { ...silentLogger, error: (m) => errors.push(m) } });
  await dialer.dial('+1 830 580 3077');
  expect(sent).toHaveLength(1);
  expect(errors).toEqual(['dial: the message could not be shown']);
});

test('in the user\'s language: Russian texts from the i18n file', async () => {
  const { dialer, shown } = setup({ texts: section('ru'), country: 'RU', answer: { status: 409, body: { error: 'pbx_refused', code: 'busy' } } });
  await dialer.dial('8 495 123 45 67');
  expect(shown.map((m) => m.text)).toEqual(['Звоним на +7 495 123 45 67 с вашего телефона (101)...', 'Ваш телефон (101) занят. Положите трубку и повторите.']);
});

test('what the manager typed cannot become markup in the message, whether the host renders text or HTML', async () => {
  const { dialer, shown } = setup();
  await dialer.dial('<img src=x onerror=alert(1)>&amp;');
  for (const part of [shown[0]!.header, shown[0]!.text]) expect(part).not.toMatch(/[<>&]/);
  expect(shown[0]!.text).toBe('"img src=x onerror=alert(1)amp;" is not a phone number.');
});
