import { ProtocolError } from '../../../src/core/errors';
import { cardUrl, newContactUrl, normalizeNumber } from '../../../src/lookup';
import { parseByPhoneBody } from '../../../src/lookup/parse-response';

const names = {
  unnamed: (type: 'lead' | 'customer', id: number) => `${type === 'lead' ? 'Lead' : 'Customer'} #${id}`,
  fallback: '+1 830 580 3077',
};
const body = (item: unknown) => ({ _links: { self: { href: '/api/v2/search/by_phone?phone=1', method: 'get' } }, _embedded: { items: [item] } });

describe('parseByPhoneBody: the four shapes of the caller-ID page', () => {
  test('contact (type 1)', () => {
    expect(parseByPhoneBody(body({ id: 5760184, type: 1, responsible_user_id: 8320148, name: 'Adam Noah' }), names)).toEqual({
      kind: 'found',
      entity: { id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184', responsibleUserId: 8320148 },
    });
  });

  test('company (type 3), the page example verbatim', () => {
    const page = {
      _links: { self: { href: '/api/v2/search/by_phone?phone=18305803077', method: 'get' } },
      _embedded: { items: [{ id: 6811296, type: 3, responsible_user_id: 8375357, name: 'Kommo', _links: { self: '/api/v2/companies/?id=6811296', method: 'GET' } }] },
    };
    expect(parseByPhoneBody(page, names)).toEqual({
      kind: 'found',
      entity: { id: 6811296, type: 'company', name: 'Kommo', url: '/companies/detail/6811296', responsibleUserId: 8375357 },
    });
  });

  test('lead (type 2) with phone_entity', () => {
    const lead = { id: 5102790, type: 2, responsible_user_id: 8375357, name: 'First patch', phone_entity: { id: 6811296, type: 3, name: 'Lama Company', responsible_user_id: 8375357 } };
    expect(parseByPhoneBody(body(lead), names)).toEqual({
      kind: 'found',
      entity: { id: 5102790, type: 'lead', name: 'First patch', url: '/leads/detail/5102790', responsibleUserId: 8375357 },
      phoneEntity: { id: 6811296, type: 'company', name: 'Lama Company', url: '/companies/detail/6811296', responsibleUserId: 8375357 },
    });
  });

  test('customer (type 12) with phone_entity', () => {
    const customer = { id: 3970, type: 12, responsible_user_id: 8375357, name: 'Customer 2', phone_entity: { id: 5760184, type: 1, name: 'Adam Noah', responsible_user_id: 8320148 } };
    expect(parseByPhoneBody(body(customer), names)).toMatchObject({
      kind: 'found',
      entity: { id: 3970, type: 'customer', name: 'Customer 2', url: '/customers/detail/3970' },
      phoneEntity: { id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184' },
    });
  });

  test('unnamed lead and customer get "Lead #ID" / "Customer #ID" from the i18n function', () => {
    expect(parseByPhoneBody(body({ id: 77, type: 2, name: '' }), names)).toMatchObject({ entity: { name: 'Lead #77' } });
    expect(parseByPhoneBody(body({ id: 78, type: 12, name: '   ' }), names)).toMatchObject({ entity: { name: 'Customer #78' } });
    expect(parseByPhoneBody(body({ id: 79, type: 12 }), names)).toMatchObject({ entity: { name: 'Customer #79' } });
  });

  test('an unnamed contact shows the number instead', () => {
    expect(parseByPhoneBody(body({ id: 5, type: 1, name: '' }), names)).toMatchObject({ entity: { name: '+1 830 580 3077' } });
  });

  test('ids and types sent as strings (older v2 answers) are accepted', () => {
    expect(parseByPhoneBody(body({ id: '42', type: '1', name: 'A', responsible_user_id: '9' }), names)).toMatchObject({
      entity: { id: 42, type: 'contact', url: '/contacts/detail/42', responsibleUserId: 9 },
    });
  });

  test('a malformed phone_entity is left out; the lead itself is kept', () => {
    expect(parseByPhoneBody(body({ id: 50, type: 2, name: 'L', phone_entity: { id: 'x', type: 3 } }), names)).toEqual({
      kind: 'found',
      entity: { id: 50, type: 'lead', name: 'L', url: '/leads/detail/50' },
    });
  });

  test.each([
    ['null', null],
    ['an empty array ("it will return an empty array")', []],
    ['no _embedded', { _links: {} }],
    ['empty _embedded array', { _embedded: [] }],
    ['empty items', { _embedded: { items: [] } }],
    ['null items', { _embedded: { items: null } }],
  ])('%s is not found', (_what, value) => {
    expect(parseByPhoneBody(value, names)).toEqual({ kind: 'not_found' });
  });

  test.each([
    ['a number', 42],
    ['a string', 'Unauthorized'],
    ['a non-empty array', [{ id: 1 }]],
    ['items as a string', { _embedded: { items: 'x' } }],
    ['_embedded as a string', { _embedded: 'x' }],
    ['an item without id', body({ type: 1, name: 'A' })],
    ['a negative id', body({ id: -4, type: 1, name: 'A' })],
    ['an id that is a path', body({ id: '../admin', type: 1, name: 'A' })],
    ['an unknown type', body({ id: 4, type: 7, name: 'A' })],
    ['an item that is not an object', body('Adam')],
  ])('%s is a ProtocolError', (_what, value) => {
    const r = parseByPhoneBody(value, names);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.error).toBeInstanceOf(ProtocolError);
  });
});

describe('card URLs', () => {
  test.each([
    ['contact', '/contacts/detail/42'],
    ['company', '/companies/detail/42'],
    ['lead', '/leads/detail/42'],
    ['customer', '/customers/detail/42'],
  ] as const)('%s -> %s', (type, url) => {
    expect(cardUrl(type, 42)).toBe(url);
  });

  test('only positive integer ids', () => {
    expect(() => cardUrl('contact', 0)).toThrow(RangeError);
    expect(() => cardUrl('contact', 1.5)).toThrow(RangeError);
    expect(() => cardUrl('contact', NaN)).toThrow(RangeError);
    expect(() => cardUrl('toString' as 'contact', 1)).toThrow(RangeError);
  });

  test('new contact link carries the encoded E.164 number', () => {
    const n = normalizeNumber('+1 830 580 3077');
    if (n.kind !== 'number') throw new Error('expected a number');
    expect(newContactUrl(n.number)).toBe('/contacts/add/?phone=%2B18305803077');
  });
});

describe('parseByPhoneBody: names are display-ready (src/lookup/display-name.ts)', () => {
  const named = (name: unknown) => parseByPhoneBody(body({ id: 5, type: 1, name }), names);

  test('every bidirectional control character is removed: U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C', () => {
    const controls = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];
    expect(named(`Ad${controls.join('')}am Noah`)).toMatchObject({ entity: { name: 'Adam Noah' } });
  });

  test('right-to-left letters are kept as they are', () => {
    expect(named('محمد عبد الله')).toMatchObject({ entity: { name: 'محمد عبد الله' } });
    expect(named('דוד כהן')).toMatchObject({ entity: { name: 'דוד כהן' } });
  });

  test('a name of controls only is an unnamed contact: the number stands in', () => {
    expect(named('\u202E\u2066 \u200F')).toMatchObject({ entity: { name: '+1 830 580 3077' } });
  });

  test('120 characters pass whole; 121 become 119 and "…"; a surrogate pair is never cut in half', () => {
    expect(named('a'.repeat(120))).toMatchObject({ entity: { name: 'a'.repeat(120) } });
    expect(named('a'.repeat(121))).toMatchObject({ entity: { name: `${'a'.repeat(119)}…` } });
    expect(named('😀'.repeat(120))).toMatchObject({ entity: { name: '😀'.repeat(120) } });
    expect(named('😀'.repeat(300))).toMatchObject({ entity: { name: `${'😀'.repeat(119)}…` } });
  });

  test('the cut does not leave a space before the ellipsis', () => {
    expect(named(`${'a'.repeat(118)} bcd`)).toMatchObject({ entity: { name: `${'a'.repeat(118)}…` } });
  });
});
