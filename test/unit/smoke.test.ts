import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
test('x', () => { expect(parsePhoneNumberFromString('8 (495) 123-45-67', 'RU')?.number).toBe('+74951234567'); });
