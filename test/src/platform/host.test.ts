import { createHost, currentUserId } from '../../../src/platform/host';
import type { KommoApp, KommoWidgetInstance } from '../../../src/platform/kommo';

test("the user id comes from APP.constant('user').id, else system().amouser_id", () => {
  expect(currentUserId({ id: 504141, name: 'A' }, '9')).toBe('504141');
  expect(currentUserId(undefined, 9)).toBe('9');
  expect(currentUserId({ id: '' }, '12')).toBe('12');
  expect(currentUserId({ id: ' 77 ' }, undefined)).toBe('77');
  expect(currentUserId(null, undefined)).toBeNull();
});

test('add_call gets exactly what Kommo documents: the tab layer\'s call id stays inside the widget', () => {
  const added: unknown[] = [];
  const app = { constant: () => undefined, notifications: { show_notification: () => undefined, add_call: (d: unknown) => added.push(d) } } as unknown as KommoApp;
  const widget = { get_settings: () => ({}), system: () => ({}), i18n: () => undefined } as unknown as KommoWidgetInstance;
  createHost(widget, app).sink.addCall({ callId: 'c1', text: 'Incoming call', date: 1, from: 'a', to: 'b', duration: 3 });
  expect(added).toEqual([{ text: 'Incoming call', date: 1, from: 'a', to: 'b', duration: 3 }]);
});
