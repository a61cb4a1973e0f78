/** @jest-environment jsdom */
import { openDialerForm } from '../../../src/dial/dialer-form';
import ru from '../../../i18n/ru.json';

afterEach(() => document.body.replaceChildren());

const form = () => document.getElementById('telephony-dialer') as HTMLFormElement | null;
const input = () => form()!.querySelector('input')!;

test('Enter calls what was typed and closes the form; an empty number calls nothing', () => {
  const called: string[] = [];
  openDialerForm(document, undefined, (n) => called.push(n));
  expect(document.activeElement).toBe(input());
  form()!.requestSubmit();
  expect(called).toEqual([]);
  expect(form()).not.toBeNull();
  input().value = '8 (495) 123-45-67';
  form()!.requestSubmit();
  expect(called).toEqual(['8 (495) 123-45-67']);
  expect(form()).toBeNull();
});

test('one form at a time; Escape and the close button close it, leaving nothing in the page', () => {
  const close = openDialerForm(document, undefined, () => undefined);
  openDialerForm(document, undefined, () => undefined);
  expect(document.querySelectorAll('#telephony-dialer')).toHaveLength(1);
  form()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  expect(form()).toBeNull();
  openDialerForm(document, undefined, () => undefined);
  form()!.querySelector<HTMLButtonElement>('button[type=button]')!.click();
  expect(form()).toBeNull();
  close();
  expect(document.body.children).toHaveLength(0);
});

test("in the user's language", () => {
  openDialerForm(document, ru.dial, () => undefined);
  expect(form()!.getAttribute('aria-label')).toBe('Позвонить на номер');
  expect(input().placeholder).toBe('Номер телефона');
  expect(form()!.querySelector('button[type=submit]')!.textContent).toBe('Позвонить');
});
