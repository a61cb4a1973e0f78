import { formatDuration, notifyStringsFrom, ENGLISH_NOTIFY_STRINGS, NOTIFY_STRING_KEYS } from '../../../src/notify';
import { escapeHtml } from '../../../src/core/html';
import { fillEscaped, fillHtml } from '../../../src/core/template';
import { entityLink, safeRecordingUrl } from '../../../src/notify/links';
import { cardPath, cardUrl } from '../../../src/lookup';

describe('escapeHtml', () => {
  test('escapes every character that can open markup or leave an attribute', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&\``)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;');
  });
  test('leaves ordinary text and non-Latin names alone', () => {
    expect(escapeHtml('Иван Петров, +7 495 123-45-67')).toBe('Иван Петров, +7 495 123-45-67');
  });
});

describe('formatDuration', () => {
  test.each([
    [0, '0:00'],
    [5, '0:05'],
    [65, '1:05'],
    [599.9, '9:59'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [-3, '0:00'],
    [Number.NaN, '0:00'],
  ])('%p seconds -> %p', (seconds, expected) => {
    expect(formatDuration(seconds, 'en')).toBe(expected);
  });
  test("uses the locale's digits", () => {
    expect(formatDuration(65, 'ar-EG')).toBe('١:٠٥');
  });
  test('a malformed locale falls back instead of throwing', () => {
    expect(formatDuration(65, 'not a locale!!')).toBe('1:05');
  });
});

describe('notifyStringsFrom', () => {
  test('takes the section, falling back to English per missing or unusable key', () => {
    const strings = notifyStringsFrom({ incoming_header: 'Llamada entrante: {{number}}', dialing: 42, unknown_number: '  ' });
    expect(strings.incoming_header).toBe('Llamada entrante: {{number}}');
    expect(strings.dialing).toBe(ENGLISH_NOTIFY_STRINGS.dialing);
    expect(strings.unknown_number).toBe(ENGLISH_NOTIFY_STRINGS.unknown_number);
  });
  test('no section at all gives the English strings, every key present', () => {
    const strings = notifyStringsFrom(undefined);
    for (const key of NOTIFY_STRING_KEYS) expect(strings[key]).toBe(ENGLISH_NOTIFY_STRINGS[key]);
  });
});

describe('templates', () => {
  test('fillEscaped escapes the values, keeps the template text', () => {
    expect(fillEscaped('Call from {{party}}, {{ duration }}', { party: '<b>Bob</b>', duration: '1:05' })).toBe('Call from &lt;b&gt;Bob&lt;/b&gt;, 1:05');
  });
  test('a value that looks like a placeholder is not expanded again', () => {
    expect(fillEscaped('{{a}} {{b}}', { a: '{{b}}', b: 'x' })).toBe('{{b}} x');
  });
  test('fillHtml inserts safe HTML as is; a missing value leaves nothing behind', () => {
    expect(fillHtml('Dialing {{target}}{{missing}}', { target: '<a href="/x">X</a>' })).toBe('Dialing <a href="/x">X</a>');
  });
  test("a translation's own markup is shown as text", () => {
    expect(fillHtml('<i>{{x}}</i>', { x: 'y' })).toBe('&lt;i&gt;y&lt;/i&gt;');
  });
});

describe('links', () => {
  test.each([
    ['https://pbx.example.com/rec/1.mp3', 'https://pbx.example.com/rec/1.mp3'],
    ['http://pbx.example.com/rec?id=1&x="2"', 'http://pbx.example.com/rec?id=1&x=%222%22'],
    ['javascript:alert(1)', undefined],
    ['JaVaScRiPt:alert(1)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['//evil.example.com/x', undefined],
    ['/relative/path', undefined],
    ['https://user:pass@pbx.example.com/r', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('recording %p -> %p', (raw, expected) => {
    expect(safeRecordingUrl(raw)).toBe(expected);
  });
  test('card links: built from type and numeric id alone, a tampered url is never used, a bad id gives the name unlinked', () => {
    const card = (id: number, type: string, url: string, name = 'Ann') => entityLink({ id, type: type as never, url, name });
    expect(card(42, 'contact', '/contacts/detail/42')).toBe('<a href="/contacts/detail/42" class="js-navigate-link">Ann</a>');
    expect(card(42, 'contact', 'javascript:alert(1)//contacts/detail/42')).toBe('<a href="/contacts/detail/42" class="js-navigate-link">Ann</a>');
    expect(card(42, 'lead', '/contacts/detail/42')).toBe('<a href="/leads/detail/42" class="js-navigate-link">Ann</a>');
    expect(card(42, 'contact', '/contacts/detail/43')).toBe('<a href="/contacts/detail/42" class="js-navigate-link">Ann</a>');
    expect(card(1.5, 'lead', '/leads/detail/1.5')).toBe('Ann');
    expect(card(-1, 'company', '', '<b>x</b>')).toBe('&lt;b&gt;x&lt;/b&gt;');
    expect(card(7, 'pipeline', '/contacts/detail/7')).toBe('Ann');
    expect(card(7, 'toString', '/contacts/detail/7')).toBe('Ann');
  });
  test("the notifier's card paths are the lookup's: one mapping", () => {
    for (const type of ['contact', 'company', 'lead', 'customer'] as const) {
      expect(cardPath(type, 5102790)).toBe(cardUrl(type, 5102790));
      expect(entityLink({ id: 5102790, type, name: 'N', url: '' })).toContain(`href="${cardUrl(type, 5102790)}"`);
    }
    expect(cardPath('contact', 0)).toBeNull();
    expect(cardPath('contact', Number.MAX_SAFE_INTEGER + 1)).toBeNull();
    expect(cardPath('constructor' as never, 1)).toBeNull();
  });
});
