/** @jest-environment jsdom */
/**
 * The Kommo double's `APP.widgets.notificationsPhone` (a "Dialer" button in the page's menu that
 * runs the widget's handler, guarded) and `APP.notifications.show_message` (a transient message
 * the tests read), on a bare page with the sandbox's menu.
 */
import { createApp } from '../../../scripts/sandbox/kommo/app';
import { createDialerMenu } from '../../../scripts/sandbox/kommo/dialer';
import { createPopupLayer } from '../../../scripts/sandbox/kommo/popups';
import { createRecorder } from '../../../scripts/sandbox/kommo/recorder';

function openPage() {
  document.body.innerHTML = '<header id="topbar"><nav id="areas"><a href="/dashboard">Dashboard</a></nav></header><div id="popups"></div>';
  const recorder = createRecorder();
  const popups = createPopupLayer({ toastMs: 6000 });
  const app = createApp({ recorder, lang: 'en', user: { id: 1 }, users: [{ id: 1 }], display: { ...popups, call: () => undefined }, dialer: createDialerMenu() });
  const dialers = () => [...document.querySelectorAll<HTMLButtonElement>('#areas [data-testid=dialer]')];
  return { recorder, app, dialers };
}

afterEach(() => {
  jest.useRealTimers();
});

test('notificationsPhone records the registration and puts a Dialer button in the menu that runs click', () => {
  const { recorder, app, dialers } = openPage();
  const clicks: string[] = [];
  app.widgets.notificationsPhone({ ns: 'kommo_telephony', click: () => clicks.push('first') });
  expect(recorder.record.dialers).toEqual([{ ns: 'kommo_telephony', clickable: true, press: expect.any(Function) }]);
  expect(dialers().map((b) => [b.textContent, b.getAttribute('data-ns')])).toEqual([['Dialer', 'kommo_telephony']]);
  dialers()[0]!.click();
  // A second registration of the namespace replaces the handler, not the button.
  app.widgets.notificationsPhone({ ns: 'kommo_telephony', click: () => clicks.push('second') });
  expect(dialers()).toHaveLength(1);
  dialers()[0]!.click();
  recorder.record.dialers[0]!.press();
  expect(clicks).toEqual(['first', 'second', 'first']);
  expect(recorder.record.errors).toEqual([]);
});

test('a handler that throws or rejects is recorded as an error, and the button keeps working', async () => {
  const { recorder, app, dialers } = openPage();
  let calls = 0;
  app.widgets.notificationsPhone({
    ns: 'a',
    click: () => {
      calls += 1;
      throw new Error('dialer exploded');
    },
  });
  app.widgets.notificationsPhone({ ns: 'b', click: () => Promise.reject(new Error('dialer rejected')) });
  const [a, b] = dialers();
  expect(() => a!.click()).not.toThrow();
  a!.click();
  b!.click();
  await Promise.resolve();
  expect(calls).toBe(2);
  expect(recorder.record.errors.map((e) => [e.callback, e.message.split('\n')[0]])).toEqual([
    ['notificationsPhone:click', 'Error: dialer exploded'],
    ['notificationsPhone:click', 'Error: dialer exploded'],
    ['notificationsPhone:click', 'Error: dialer rejected'],
  ]);
});

test('a registration without a click function is recorded as an error and shows no button', () => {
  const { recorder, app, dialers } = openPage();
  app.widgets.notificationsPhone({ ns: 'x', click: 'nope' as unknown as () => void });
  expect(recorder.record.dialers).toEqual([{ ns: 'x', clickable: false, press: expect.any(Function) }]);
  expect(recorder.record.errors).toEqual([{ callback: 'notificationsPhone', message: 'click must be a function, got string' }]);
  expect(dialers()).toEqual([]);
});

test('show_message is recorded and shown as a transient message with its header and text', () => {
  jest.useFakeTimers();
  const { recorder, app } = openPage();
  app.notifications.show_message({ header: 'Telephony', text: 'Calling +1 830-580-3077 from your phone (101)\u2026' });
  expect(recorder.record.calls.show_message).toEqual([{ header: 'Telephony', text: 'Calling +1 830-580-3077 from your phone (101)\u2026' }]);
  const toast = () => document.querySelector('#popups [data-testid=toast-message]');
  expect(toast()?.querySelector('[data-testid=toast-header]')?.textContent).toBe('Telephony');
  expect(toast()?.querySelector('[data-testid=toast-text]')?.textContent).toBe('Calling +1 830-580-3077 from your phone (101)\u2026');
  jest.advanceTimersByTime(6000);
  expect(toast()).toBeNull();
});
