import { buildPopup, ENGLISH_NOTIFY_STRINGS as EN, notifyStringsFrom } from '../../../src/notify';
import { HttpError, NetworkError, ProtocolError, TimeoutError } from '../../../src/core/errors';
import type { WidgetError } from '../../../src/core/errors';
import type { LookupResult } from '../../../src/lookup/types';
import { AT_MS, NUMBER, anchors, callEvent, entity, failed, found, internal, invalid, notFound } from './fixtures';

const inbound = callEvent();
const outbound = callEvent({ direction: 'outbound' });

describe('buildPopup, inbound', () => {
  test('a contact: header with the international number, the name linked to its card in place', () => {
    const popup = buildPopup(inbound, found(entity('contact', 42, 'Adam Noah')), EN);
    expect(popup.header).toBe('Incoming call: +1 830 580 3077');
    expect(popup.text).toBe('<a href="/contacts/detail/42" class="js-navigate-link">Adam Noah</a>');
    expect(popup.date).toBe(AT_MS / 1000);
    expect(popup.callId).toBe('c1');
  });

  test('a lead: the lead and the company holding the number, both linked', () => {
    const popup = buildPopup(inbound, found(entity('lead', 5102790, 'First patch'), entity('company', 6811296, 'Lama Company')), EN);
    expect(anchors(popup.text)).toEqual([
      { href: '/leads/detail/5102790', cls: 'js-navigate-link', label: 'First patch' },
      { href: '/companies/detail/6811296', cls: 'js-navigate-link', label: 'Lama Company' },
    ]);
    expect(popup.text).toContain('Lead: ');
    expect(popup.text).toContain('Company: ');
  });

  test('a customer: the customer and its contact, both linked', () => {
    const popup = buildPopup(inbound, found(entity('customer', 3970, 'Customer 2'), entity('contact', 77, 'Eve')), EN);
    expect(anchors(popup.text).map((a) => a.href)).toEqual(['/customers/detail/3970', '/contacts/detail/77']);
  });

  test('a lead without phone_entity shows the lead alone', () => {
    const popup = buildPopup(inbound, found(entity('lead', 9, 'Deal')), EN);
    expect(anchors(popup.text).map((a) => a.href)).toEqual(['/leads/detail/9']);
  });

  test('an unknown number: "unknown number" and a create-contact link with the number filled in', () => {
    const popup = buildPopup(inbound, notFound(), EN);
    expect(popup.header).toBe('Incoming call: +1 830 580 3077');
    expect(popup.text).toContain('Unknown number');
    expect(anchors(popup.text)).toEqual([{ href: '/contacts/add/?phone=%2B18305803077', cls: 'js-navigate-link', label: 'Create contact' }]);
  });

  test('a failed lookup: the number in the header, the reason in the text, no create link', () => {
    const popup = buildPopup(inbound, failed(), EN);
    expect(popup.header).toBe('Incoming call: +1 830 580 3077');
    expect(popup.text).toBe('The CRM is busy (too many lookups at once): the caller could not be looked up');
    expect(anchors(popup.text)).toEqual([]);
  });

  test.each<[string, WidgetError, string]>([
    ['a timeout: the CRM is slow, not broken', new TimeoutError('GET', '/api/v2/search/by_phone', 1300), EN.lookup_slow],
    ['no rights (403)', new HttpError(403, 'GET', '/api/v2/search/by_phone'), EN.lookup_forbidden],
    ['a signed-out session (401)', new HttpError(401, 'GET', '/api/v2/search/by_phone'), EN.lookup_forbidden],
    ['too many lookups (429)', new HttpError(429, 'GET', '/api/v2/search/by_phone'), EN.lookup_busy],
    ['a server error (500)', new HttpError(500, 'GET', '/api/v2/search/by_phone'), EN.lookup_failed],
    ['no connection', new NetworkError('GET', '/api/v2/search/by_phone'), EN.lookup_failed],
    ['an answer that is not Kommo\'s', new ProtocolError('bad'), EN.lookup_failed],
  ])('a failed lookup says which failure: %s', (_what, error, said) => {
    expect(buildPopup(inbound, failed(NUMBER, error), EN).text).toBe(said);
  });

  test('the slow, busy, refused and failed wordings differ (a slow CRM never reads as a failure)', () => {
    expect(new Set([EN.lookup_slow, EN.lookup_busy, EN.lookup_forbidden, EN.lookup_failed]).size).toBe(4);
  });

  test('an internal extension: named "extension 204" in the header, "internal call" in the text, no links', () => {
    const popup = buildPopup(callEvent({ phone: '204' }), internal('204'), EN);
    expect(popup.header).toBe('Incoming call: extension 204');
    expect(popup.text).toBe('Internal call');
  });

  test('no lookup answer in time: the number as the PBX sent it, and the CRM is slow', () => {
    const popup = buildPopup(inbound, null, EN);
    expect(popup.header).toBe('Incoming call: +1 (830) 580-3077');
    expect(popup.text).toBe(EN.lookup_slow);
  });

  test('not a number: shown as sent, said so; nothing sent: "hidden number" once, and that it is withheld', () => {
    const anonymous = buildPopup(callEvent({ phone: 'Anonymous' }), invalid('Anonymous'), EN);
    expect(anonymous.header).toBe('Incoming call: Anonymous');
    expect(anonymous.text).toBe('Not a valid phone number');
    const hidden = buildPopup(callEvent({ phone: '' }), invalid(''), EN);
    expect(hidden.header).toBe('Incoming call: hidden number');
    expect(hidden.text).toBe('The number is withheld');
  });

  test('a number that names no country (84951234567 with country US): the digits as sent, never +84', () => {
    const digits = { raw: '84951234567', e164: '+84951234567', international: '84951234567', digits: '84951234567', hasCountry: false };
    const popup = buildPopup(callEvent({ phone: '84951234567' }), notFound(digits), EN);
    expect(popup.header).toBe('Incoming call: 84951234567');
    expect(`${popup.header} ${popup.text}`).not.toContain('+84');
    // The new contact gets the digits as sent, not a Vietnamese number.
    expect(anchors(popup.text)).toEqual([{ href: '/contacts/add/?phone=84951234567', cls: 'js-navigate-link', label: 'Create contact' }]);
  });

  test('an over-long raw value is clipped', () => {
    const raw = '9'.repeat(500);
    const popup = buildPopup(callEvent({ phone: raw }), invalid(raw), EN);
    expect(popup.header.length).toBeLessThan(100);
  });
});

describe('buildPopup, outbound', () => {
  test('header "outgoing call" with the number, like the inbound one; text "dialing" and the linked name', () => {
    const popup = buildPopup(outbound, found(entity('contact', 42, 'Adam Noah')), EN);
    expect(popup.header).toBe('Outgoing call: +1 830 580 3077');
    expect(popup.text).toBe('Dialing <a href="/contacts/detail/42" class="js-navigate-link">Adam Noah</a>');
  });

  test('a lead: dialing the lead, then the company', () => {
    const popup = buildPopup(outbound, found(entity('lead', 1, 'Deal'), entity('company', 2, 'Acme')), EN);
    expect(popup.text.startsWith('Dialing Lead: <a href="/leads/detail/1"')).toBe(true);
    expect(anchors(popup.text).map((a) => a.href)).toEqual(['/leads/detail/1', '/companies/detail/2']);
  });

  test('unknown: the number in the header only, then unknown and the create link', () => {
    const popup = buildPopup(outbound, notFound(), EN);
    expect(popup.header).toBe('Outgoing call: +1 830 580 3077');
    expect(popup.text.split('<br>')).toEqual([
      'Unknown number',
      '<a href="/contacts/add/?phone=%2B18305803077" class="js-navigate-link">Create contact</a>',
    ]);
  });

  test('failed: the number in the header, which failure in the text', () => {
    expect(buildPopup(outbound, failed(NUMBER, new HttpError(500, 'GET', '/x')), EN).text).toBe('Could not look up the caller');
  });

  test('internal: the extension named as in the completed notification, "internal call"', () => {
    const popup = buildPopup(callEvent({ direction: 'outbound', phone: '12' }), internal('12'), EN);
    expect(popup.header).toBe('Outgoing call: extension 12');
    expect(popup.text).toBe('Internal call');
  });
});

test('texts come from the i18n section', () => {
  const es = notifyStringsFrom({ incoming_header: 'Llamada entrante: {{number}}', unknown_number: 'Número desconocido', create_contact: 'Crear contacto' });
  const popup = buildPopup(inbound, notFound(), es);
  expect(popup.header).toBe('Llamada entrante: +1 830 580 3077');
  expect(popup.text).toBe('Número desconocido<br><a href="/contacts/add/?phone=%2B18305803077" class="js-navigate-link">Crear contacto</a>');
});

test('a number with characters that need encoding stays one query value', () => {
  const popup = buildPopup(inbound, notFound({ ...NUMBER, e164: '+1&x=<y>' }), EN);
  expect(anchors(popup.text)[0]?.href).toBe('/contacts/add/?phone=%2B1%26x%3D%3Cy%3E');
});

describe('no pop-up shows the number twice (header and text)', () => {
  const VARIANTS: Array<[string, LookupResult | null, string]> = [
    ['found', found(entity('contact', 42, 'Adam Noah')), '+1 (830) 580-3077'],
    ['found, a lead', found(entity('lead', 1, 'Deal'), entity('company', 2, 'Acme')), '+1 (830) 580-3077'],
    ['not found', notFound(), '+1 (830) 580-3077'],
    ['failed', failed(), '+1 (830) 580-3077'],
    ['timed out', failed(NUMBER, new TimeoutError('GET', '/x', 1300)), '+1 (830) 580-3077'],
    ['no answer in time', null, '+1 (830) 580-3077'],
    ['internal', internal('102'), '102'],
    ['not a number', invalid('Anonymous'), 'Anonymous'],
    ['withheld', invalid(''), ''],
  ];
  test.each(VARIANTS.flatMap(([what, lookup, phone]) => (['inbound', 'outbound'] as const).map((direction) => [what, direction, lookup, phone] as const)))(
    '%s, %s',
    (_what, direction, lookup, phone) => {
      const popup = buildPopup(callEvent({ phone, direction }), lookup, EN);
      const shown = [NUMBER.international, phone, '102', EN.hidden_number].filter((n) => n !== '' && popup.header.includes(n));
      expect(shown.length).toBeGreaterThan(0);
      for (const number of shown) expect(popup.text).not.toContain(number);
      expect(popup.text).not.toBe('');
    },
  );
});
