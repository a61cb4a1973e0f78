import { buildPopup, ENGLISH_NOTIFY_STRINGS as EN, notifyStringsFrom } from '../../../src/notify';
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

  test('a failed lookup: the number and a could-not-look-up line, no create link', () => {
    const popup = buildPopup(inbound, failed(), EN);
    expect(popup.text).toBe('+1 830 580 3077<br>Could not look up the caller');
    expect(anchors(popup.text)).toEqual([]);
  });

  test('an internal extension: "internal number" header, no links', () => {
    const popup = buildPopup(callEvent({ phone: '204' }), internal('204'), EN);
    expect(popup.header).toBe('Internal number: 204');
    expect(popup.text).toBe('Extension 204');
  });

  test('no lookup answer in time: the number alone, as the PBX sent it', () => {
    const popup = buildPopup(inbound, null, EN);
    expect(popup.header).toBe('Incoming call: +1 (830) 580-3077');
    expect(popup.text).toBe('+1 (830) 580-3077');
  });

  test('not a number: shown as sent, said so; nothing sent: "hidden number"', () => {
    const anonymous = buildPopup(callEvent({ phone: 'Anonymous' }), invalid('Anonymous'), EN);
    expect(anonymous.header).toBe('Incoming call: Anonymous');
    expect(anonymous.text).toBe('Not a valid phone number');
    const hidden = buildPopup(callEvent({ phone: '' }), invalid(''), EN);
    expect(hidden.header).toBe('Incoming call: hidden number');
    expect(hidden.text).toBe('hidden number');
  });

  test('an over-long raw value is clipped', () => {
    const raw = '9'.repeat(500);
    const popup = buildPopup(callEvent({ phone: raw }), invalid(raw), EN);
    expect(popup.header.length).toBeLessThan(100);
  });
});

describe('buildPopup, outbound', () => {
  test('header "outgoing call", text "dialing" and the linked name', () => {
    const popup = buildPopup(outbound, found(entity('contact', 42, 'Adam Noah')), EN);
    expect(popup.header).toBe('Outgoing call');
    expect(popup.text).toBe('Dialing <a href="/contacts/detail/42" class="js-navigate-link">Adam Noah</a>');
  });

  test('a lead: dialing the lead, then the company', () => {
    const popup = buildPopup(outbound, found(entity('lead', 1, 'Deal'), entity('company', 2, 'Acme')), EN);
    expect(popup.text.startsWith('Dialing Lead: <a href="/leads/detail/1"')).toBe(true);
    expect(anchors(popup.text).map((a) => a.href)).toEqual(['/leads/detail/1', '/companies/detail/2']);
  });

  test('unknown: dialing the number, unknown, create link', () => {
    const popup = buildPopup(outbound, notFound(), EN);
    expect(popup.text.split('<br>')).toEqual([
      'Dialing +1 830 580 3077',
      'Unknown number',
      '<a href="/contacts/add/?phone=%2B18305803077" class="js-navigate-link">Create contact</a>',
    ]);
  });

  test('failed: dialing the number, could not look up', () => {
    expect(buildPopup(outbound, failed(), EN).text).toBe('Dialing +1 830 580 3077<br>Could not look up the caller');
  });

  test('internal: "internal number" header, dialing the extension', () => {
    const popup = buildPopup(callEvent({ direction: 'outbound', phone: '12' }), internal('12'), EN);
    expect(popup.header).toBe('Internal number: 12');
    expect(popup.text).toBe('Dialing 12');
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
