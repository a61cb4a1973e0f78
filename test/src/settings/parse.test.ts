import { parseSettings, extensionsFor, describeProblems } from '../../../src/settings';
import type { SettingsContext, SettingsProblem } from '../../../src/settings';
import en from '../../../i18n/en.json';
import ru from '../../../i18n/ru.json';

const https: SettingsContext = { pageProtocol: 'https:', userId: '504141' };
const http: SettingsContext = { pageProtocol: 'http:', userId: '504141' };
const base = { token: 'secret', phones: { '504141': '101' } };

const keys = (problems: SettingsProblem[]) => problems.map((p) => `${p.severity}:${p.field}:${p.key}`);
const errorKeys = (problems: SettingsProblem[]) => problems.filter((p) => p.severity === 'error').map((p) => p.key);

describe('parseSettings: transport', () => {
  it('takes a wss: URL on an https page', () => {
    const { settings, problems } = parseSettings({ ...base, ws_url: ' wss://pbx.example.com/feed ' }, https);
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      transport: { kind: 'ws', url: 'wss://pbx.example.com/feed' },
      token: 'secret',
      phones: { '504141': ['101'] },
      notifyMode: 'widget',
    });
  });

  it('refuses ws: on an https page (mixed content) but takes it on http', () => {
    const bad = parseSettings({ ...base, ws_url: 'ws://pbx.example.com/feed' }, https);
    expect(bad.settings).toBeNull();
    expect(keys(bad.problems)).toEqual(['error:ws_url:problem_ws_insecure']);
    const ok = parseSettings({ ...base, ws_url: 'ws://pbx.example.com/feed' }, http);
    expect(ok.settings?.transport).toEqual({ kind: 'ws', url: 'ws://pbx.example.com/feed' });
  });

  it('names the wrong scheme and unparseable URLs', () => {
    const scheme = parseSettings({ ...base, ws_url: 'https://pbx.example.com' }, https);
    expect(scheme.problems).toEqual([{ field: 'ws_url', severity: 'error', key: 'problem_ws_scheme', params: { scheme: 'https' } }]);
    const garbage = parseSettings({ ...base, ws_url: 'pbx.example.com/feed' }, https);
    expect(garbage.problems).toEqual([
      { field: 'ws_url', severity: 'error', key: 'problem_ws_url_invalid', params: { value: 'pbx.example.com/feed' } },
    ]);
    const poll = parseSettings({ ...base, poll_url: 'ftp://pbx.example.com/calls' }, https);
    expect(poll.problems).toEqual([{ field: 'poll_url', severity: 'error', key: 'problem_poll_scheme', params: { scheme: 'ftp' } }]);
  });

  it('needs exactly one of ws_url and poll_url', () => {
    expect(errorKeys(parseSettings({ ...base }, https).problems)).toEqual(['problem_transport_missing']);
    expect(errorKeys(parseSettings({ ...base, ws_url: '  ', poll_url: '' }, https).problems)).toEqual(['problem_transport_missing']);
    const both = parseSettings({ ...base, ws_url: 'wss://a.example.com', poll_url: 'https://a.example.com/calls' }, https);
    expect(both.settings).toBeNull();
    expect(errorKeys(both.problems)).toEqual(['problem_transport_both']);
  });

  it('polls JSON or a script (path ending in .js), http only off https pages', () => {
    const json = parseSettings({ ...base, poll_url: 'https://pbx.example.com/calls?x=1' }, https);
    expect(json.settings?.transport).toEqual({ kind: 'poll', url: 'https://pbx.example.com/calls?x=1', mode: 'json', intervalMs: 3000 });
    const script = parseSettings({ ...base, poll_url: 'https://pbx.example.com/calls.JS?v=2', poll_interval: '5' }, https);
    expect(script.settings?.transport).toEqual({ kind: 'poll', url: 'https://pbx.example.com/calls.JS?v=2', mode: 'script', intervalMs: 5000 });
    expect(errorKeys(parseSettings({ ...base, poll_url: 'http://pbx.example.com/calls' }, https).problems)).toEqual(['problem_poll_insecure']);
    expect(parseSettings({ ...base, poll_url: 'http://pbx.example.com/calls' }, http).settings?.transport.kind).toBe('poll');
  });

  it('takes a poll interval of 1..60 seconds, numbers or text, comma decimals too', () => {
    const interval = (value: unknown) => {
      const { settings } = parseSettings({ ...base, poll_url: 'https://p.example.com/c', poll_interval: value }, https);
      return settings?.transport.kind === 'poll' ? settings.transport.intervalMs : null;
    };
    expect(interval('')).toBe(3000);
    expect(interval(undefined)).toBe(3000);
    expect(interval(10)).toBe(10000);
    expect(interval('1,5')).toBe(1500);
    expect(interval('60')).toBe(60000);
    // Both edges, from either side: 1 s and 60 s are allowed, a hundredth beyond is not.
    expect(interval('1')).toBe(1000);
    expect(interval(1)).toBe(1000);
    expect(interval('1.00')).toBe(1000);
    expect(interval('59,99')).toBe(59_990);
    expect(interval(60)).toBe(60_000);
    expect(interval('0.99')).toBeNull();
    expect(interval(0.99)).toBeNull();
    expect(interval('60.01')).toBeNull();
    expect(interval(60.01)).toBeNull();
    for (const bad of ['0', '61', '-2', 'soon', '3s', '0.5', '0.99', '0,99', '60.01', '60,01']) {
      const { problems } = parseSettings({ ...base, poll_url: 'https://p.example.com/c', poll_interval: bad }, https);
      expect(problems).toEqual([
        { field: 'poll_interval', severity: 'error', key: 'problem_poll_interval', params: { value: bad, min: '1', max: '60' } },
      ]);
    }
  });
});

describe('parseSettings: token, country, notify_mode', () => {
  const ws = { ...base, ws_url: 'wss://pbx.example.com' };

  it('an empty token is usable (per-user tickets) and said as a warning, for both transports', () => {
    for (const raw of [{ ...ws, token: '   ' }, { ...base, token: undefined, poll_url: 'https://p.example.com/c' }]) {
      const { settings, problems } = parseSettings(raw, https);
      expect(settings).toMatchObject({ token: '' });
      expect(errorKeys(problems)).toEqual([]);
      expect(problems).toContainEqual({ field: 'token', severity: 'warning', key: 'problem_token_missing' });
    }
  });

  it('takes a country libphonenumber-js knows, in any case, and refuses others', () => {
    expect(parseSettings({ ...ws, country: 'br' }, https).settings?.country).toBe('BR');
    expect(parseSettings({ ...ws, country: '' }, https).settings).not.toHaveProperty('country');
    for (const bad of ['XX', 'Brazil', 'B', '55']) {
      const { settings, problems } = parseSettings({ ...ws, country: bad }, https);
      expect(settings).toBeNull();
      expect(problems).toEqual([{ field: 'country', severity: 'error', key: 'problem_country_unknown', params: { value: bad } }]);
    }
  });

  it('notify_mode is widget by default, or events', () => {
    expect(parseSettings(ws, https).settings?.notifyMode).toBe('widget');
    expect(parseSettings({ ...ws, notify_mode: ' Events ' }, https).settings?.notifyMode).toBe('events');
    expect(parseSettings({ ...ws, notify_mode: 'popup' }, https).problems).toEqual([
      { field: 'notify_mode', severity: 'error', key: 'problem_notify_mode', params: { value: 'popup' } },
    ]);
  });

  it('reports every error at once, and survives null or odd raw values', () => {
    const { settings, problems } = parseSettings({ ws_url: 'ws://x.example.com', token: '', country: 'ZZ', notify_mode: 'x' }, https);
    expect(settings).toBeNull();
    expect(errorKeys(problems).sort()).toEqual(['problem_country_unknown', 'problem_notify_mode', 'problem_ws_insecure']);
    expect(() => parseSettings(null, https)).not.toThrow();
    expect(() => parseSettings({ ws_url: { a: 1 }, token: ['x'], phones: 42 }, https)).not.toThrow();
  });
});

describe('parseSettings: phones', () => {
  const ws = { token: 't', ws_url: 'wss://pbx.example.com' };

  it('reads the users setting as an object or as its JSON string, the same way', () => {
    const object = parseSettings({ ...ws, phones: { '504141': '101, 102', '7': '200' } }, https);
    const json = parseSettings({ ...ws, phones: '{"504141": "101, 102", "7": "200"}' }, https);
    expect(object.settings?.phones).toEqual({ '504141': ['101', '102'], '7': ['200'] });
    expect(json.settings?.phones).toEqual(object.settings?.phones);
    expect(json.problems).toEqual([]);
  });

  it('splits on commas, semicolons and spaces, drops duplicates and empty users', () => {
    const { settings } = parseSettings({ ...ws, phones: { '504141': ' 101,102 ;103  101,', '8': '', '9': 300, '10': ['401', 402] } }, https);
    expect(settings?.phones).toEqual({ '504141': ['101', '102', '103'], '9': ['300'], '10': ['401', '402'] });
    const nested = parseSettings({ ...ws, phones: { '504141': '101', '11': { ext: '5' } } }, https);
    expect(nested.problems).toEqual([
      { field: 'phones', severity: 'error', key: 'problem_phones_bad_extension', params: { user: '11', extension: '{"ext":"5"}' } },
    ]);
  });

  it('names the user whose extension is wrong', () => {
    const { settings, problems } = parseSettings({ ...ws, phones: { '504141': '101', '77': '10a1, 12345678901234567' } }, https);
    expect(settings).toBeNull();
    expect(problems).toEqual([
      { field: 'phones', severity: 'error', key: 'problem_phones_bad_extension', params: { user: '77', extension: '10a1' } },
      { field: 'phones', severity: 'error', key: 'problem_phones_bad_extension', params: { user: '77', extension: '12345678901234567' } },
    ]);
  });

  it('refuses unreadable JSON and arrays', () => {
    expect(errorKeys(parseSettings({ ...ws, phones: '{"504141": "101"' }, https).problems)).toEqual(['problem_phones_unreadable']);
    expect(errorKeys(parseSettings({ ...ws, phones: ['101'] }, https).problems)).toEqual(['problem_phones_unreadable']);
  });

  it('warns (without refusing) when the current user or everyone has no extension, or one is shared', () => {
    const other = parseSettings({ ...ws, phones: { '7': '101', '8': '101' } }, https);
    expect(other.settings).not.toBeNull();
    expect(keys(other.problems)).toEqual(['warning:phones:problem_phones_duplicate', 'warning:phones:problem_phones_missing_self']);
    expect(other.problems[0]?.params).toEqual({ extension: '101', users: '7, 8' });
    const none = parseSettings({ ...ws, phones: '' }, https);
    expect(none.settings?.phones).toEqual({});
    expect(keys(none.problems)).toEqual(['warning:phones:problem_phones_none']);
    expect(parseSettings({ ...ws, phones: { '7': '101' } }, { pageProtocol: 'https:', userId: null }).problems).toEqual([]);
  });

  it('extensionsFor gives a user their own extensions only', () => {
    const { settings } = parseSettings({ ...ws, phones: { '504141': '101 102', '7': '200' } }, https);
    expect(settings).not.toBeNull();
    expect(extensionsFor(settings!, '504141')).toEqual(['101', '102']);
    expect(extensionsFor(settings!, 7)).toEqual(['200']);
    expect(extensionsFor(settings!, '8')).toEqual([]);
    expect(extensionsFor(settings!, null)).toEqual([]);
  });
});

describe('describeProblems', () => {
  it('fills the localized templates, errors before warnings, and gives an inert form for show_message_error', () => {
    const { problems } = parseSettings({ ws_url: 'wss://a.example.com', token: 't', phones: { '9': '1<b>' }, country: '<i>' }, https);
    const ru_ = describeProblems(problems, ru.settings);
    expect(ru_.header).toBe(ru.settings.save_refused);
    expect(ru_.errors).toEqual([
      'Пользователь 9: «1<b>» не является правильным внутренним номером. Используйте цифры, *, # или + (не более 16 символов), через запятую.',
      '«<i>» не является известным кодом страны. Укажите две буквы, например RU, KZ или BY.',
    ]);
    // No markup and no entity: it reads the same rendered as text or as HTML (rules of issue 17).
    expect(ru_.inert).toBe(ru_.text.replace(/[<>]/g, ''));
    expect(ru_.inert).not.toMatch(/[<>&]/);
    expect(ru_.inert).toContain('«1b»');
    const en_ = describeProblems([{ field: 'phones', severity: 'warning', key: 'problem_phones_none' }], (key) => (en.settings as Record<string, string>)[key] ?? key);
    expect(en_.warnings).toEqual([en.settings.problem_phones_none]);
    expect(en_.text).toBe(en.settings.problem_phones_none);
  });

  it('still says which check failed when a string is missing', () => {
    const out = describeProblems([{ field: 'country', severity: 'error', key: 'problem_new', params: { value: 'QQ' } }], (key) => key);
    expect(out.errors).toEqual(['country: problem_new (value=QQ)']);
  });
});
