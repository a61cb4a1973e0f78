/** @jest-environment jsdom */
/**
 * The platform's shell over `Notification` (src/platform/desktop-notifications.ts), the pop-up
 * link's listener and the settings block (desktop-permission.ts), against a fake `Notification`
 * that records what is constructed, closed and asked. jsdom has no `Notification` of its own,
 * which is the "absent" case.
 */
import $ from 'jquery';
import { browserDesktopNotifications, listenForDesktopOffers, type DesktopWindow } from '../../../src/platform/desktop-notifications';
import { renderDesktopPermission } from '../../../src/platform/desktop-permission';
import { withDesktopOffer } from '../../../src/notify/desktop-link';
import { ENGLISH_DESKTOP_STRINGS } from '../../../src/notify/desktop-strings';
import type { DesktopNotifications } from '../../../src/notify/desktop-types';
import { waitUntil } from '../../support/wait';
import es from '../../../i18n/es.json';

interface Made {
  title: string;
  options: Record<string, unknown>;
  closed: number;
  onclick: ((event: Event) => void) | null;
  onclose: (() => void) | null;
}

/** A `Notification` class with a settable permission; `answer` is what the user picks when asked. */
function fakeNotification(permission: string, answer = 'granted', style: 'promise' | 'callback' = 'promise') {
  const made: Made[] = [];
  const asked: number[] = [];
  class FakeNotification {
    static permission = permission;
    static requestPermission(callback?: (p: string) => void) {
      asked.push(1);
      FakeNotification.permission = answer;
      if (style === 'callback') {
        callback?.(answer);
        return undefined;
      }
      return Promise.resolve(answer);
    }
    onclick: ((event: Event) => void) | null = null;
    onclose: (() => void) | null = null;
    readonly record: Made;
    constructor(title: string, options: Record<string, unknown> = {}) {
      this.record = { title, options, closed: 0, onclick: null, onclose: null };
      made.push(this.record);
      Object.defineProperty(this.record, 'onclick', { get: () => this.onclick });
      Object.defineProperty(this.record, 'onclose', { get: () => this.onclose });
    }
    close() {
      this.record.closed += 1;
      this.onclose?.();
    }
  }
  return { Notification: FakeNotification, made, asked };
}

const windowWith = (Notification: unknown, focus = jest.fn()): DesktopWindow & { focus: jest.Mock } => ({ Notification, document, focus });
const NOTE = { title: 'Incoming call: Adam Noah', body: '+1 830 580 3077', tag: 'kommo-telephony:c1' };
const noop = { click() {}, close() {} };

/** The desktop, with every request's promise kept: awaiting it runs the callers' `then` first (attached before). */
function recordingRequests(desktop: DesktopNotifications): { desktop: DesktopNotifications; requests: Promise<unknown>[] } {
  const requests: Promise<unknown>[] = [];
  return { requests, desktop: { ...desktop, request: () => { const asked = desktop.request(); requests.push(asked); return asked; } } };
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('browserDesktopNotifications', () => {
  test('no Notification (jsdom, old browsers), or one that throws: unsupported, nothing shown, nothing asked', async () => {
    for (const win of [windowWith(undefined), Object.defineProperty({ document, focus() {} }, 'Notification', { get: () => { throw new Error('blocked'); } }) as DesktopWindow]) {
      const desktop = browserDesktopNotifications(win);
      expect(desktop.permission()).toBe('unsupported');
      expect(desktop.show(NOTE, noop)).toBeNull();
      await expect(desktop.request()).resolves.toBe('unsupported');
    }
  });

  test('granted: one notification with the text, the tag, kept while it rings, the icon; click and close reach the core', () => {
    const fake = fakeNotification('granted');
    const desktop = browserDesktopNotifications(windowWith(fake.Notification), '/widget/images/logo_min.png');
    const on = { click: jest.fn(), close: jest.fn() };
    const shown = desktop.show(NOTE, on);
    expect(fake.made).toEqual([expect.objectContaining({ title: NOTE.title, options: { body: NOTE.body, tag: NOTE.tag, requireInteraction: true, icon: '/widget/images/logo_min.png' } })]);
    const click = new Event('click', { cancelable: true });
    fake.made[0]!.onclick?.(click);
    expect(on.click).toHaveBeenCalledTimes(1);
    expect(click.defaultPrevented).toBe(true);
    shown!.close();
    expect(fake.made[0]!.closed).toBe(1);
    expect(on.close).toHaveBeenCalledTimes(1);
  });

  test.each(['default', 'denied'])('%s: nothing is shown', (permission) => {
    const fake = fakeNotification(permission);
    expect(browserDesktopNotifications(windowWith(fake.Notification)).show(NOTE, noop)).toBeNull();
    expect(fake.made).toEqual([]);
  });

  test('a constructor that throws (Chrome on Android) shows nothing and throws nothing', () => {
    const Throwing = Object.assign(function () {
      throw new TypeError('Illegal constructor');
    }, { permission: 'granted', requestPermission: () => Promise.resolve('granted') });
    expect(browserDesktopNotifications(windowWith(Throwing)).show(NOTE, noop)).toBeNull();
  });

  test('request: asks only while default, answers the new permission (promise or old callback style)', async () => {
    const promise = fakeNotification('default', 'granted');
    await expect(browserDesktopNotifications(windowWith(promise.Notification)).request()).resolves.toBe('granted');
    const callback = fakeNotification('default', 'denied', 'callback');
    await expect(browserDesktopNotifications(windowWith(callback.Notification)).request()).resolves.toBe('denied');
    const denied = fakeNotification('denied');
    await expect(browserDesktopNotifications(windowWith(denied.Notification)).request()).resolves.toBe('denied');
    expect([promise.asked.length, callback.asked.length, denied.asked.length]).toEqual([1, 1, 0]);
  });

  test('open: focuses the tab and clicks a js-navigate-link to the card (the app navigates), leaving nothing behind', () => {
    const win = windowWith(undefined);
    const clicked: { href: string | null; cls: string }[] = [];
    const onClick = (event: Event) => {
      const anchor = (event.target as Element).closest('a');
      clicked.push({ href: anchor?.getAttribute('href') ?? null, cls: anchor?.className ?? '' });
      event.preventDefault(); // as Kommo's router does
    };
    document.addEventListener('click', onClick);
    const desktop = browserDesktopNotifications(win);
    desktop.open('/contacts/detail/42');
    desktop.open(null);
    document.removeEventListener('click', onClick);
    expect(win.focus).toHaveBeenCalledTimes(2);
    expect(clicked).toEqual([{ href: '/contacts/detail/42', cls: 'js-navigate-link' }]);
    expect(document.querySelectorAll('a')).toHaveLength(0);
  });
});

describe('the pop-up offer', () => {
  const popupWithOffer = () => {
    const popup = withDesktopOffer({ header: 'Incoming call', text: 'Adam Noah', date: 1 }, ENGLISH_DESKTOP_STRINGS.offer);
    document.body.innerHTML = `<div class="popup">${popup.text}</div>`;
    return document.querySelector<HTMLElement>('[data-telephony-desktop]')!;
  };

  test('a click asks (from the click itself); once answered the links go; nothing is asked before', async () => {
    const fake = fakeNotification('default', 'granted');
    const off = listenForDesktopOffers(document, browserDesktopNotifications(windowWith(fake.Notification)));
    const link = popupWithOffer();
    expect(fake.asked).toEqual([]);
    const click = new MouseEvent('click', { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(fake.asked).toHaveLength(1);
    await waitUntil('the links removed', () => document.querySelector('[data-telephony-desktop]') === null);
    off();
  });

  test('Enter on the offer asks as a click does; another key does not', () => {
    const fake = fakeNotification('default', 'granted');
    const off = listenForDesktopOffers(document, browserDesktopNotifications(windowWith(fake.Notification)));
    const offer = popupWithOffer();
    offer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true }));
    expect(fake.asked).toHaveLength(0);
    offer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    expect(fake.asked).toHaveLength(1);
    off();
  });

  test('the user closed the prompt without choosing: the link stays for another try; after the undo clicks are not heard', async () => {
    const fake = fakeNotification('default', 'default');
    const { desktop, requests } = recordingRequests(browserDesktopNotifications(windowWith(fake.Notification)));
    const off = listenForDesktopOffers(document, desktop);
    const link = popupWithOffer();
    link.click();
    expect(requests).toHaveLength(1);
    await requests[0];
    expect(document.querySelector('[data-telephony-desktop]')).not.toBeNull();
    off();
    link.click();
    expect(fake.asked).toHaveLength(1);
  });
});

describe('the settings block', () => {
  const $after = () => {
    const $panel = $('<div class="panel"></div>');
    $('body').append($panel);
    return $panel;
  };
  const block = () => ({ state: $('[data-testid=telephony-desktop-state]').text(), button: $('[data-testid=telephony-desktop-ask]').css('display') !== 'none', permission: $('[data-testid=telephony-desktop]').attr('data-permission') });

  test('not asked: says so with the button, in the user language; nothing is asked until the click', async () => {
    const fake = fakeNotification('default', 'granted');
    const undo = renderDesktopPermission($, $after(), { strings: es.desktop, desktop: browserDesktopNotifications(windowWith(fake.Notification)) });
    expect(block()).toEqual({ state: es.desktop.settings_default, button: true, permission: 'default' });
    expect($('[data-testid=telephony-desktop-ask]').text()).toBe(es.desktop.settings_button);
    expect(fake.asked).toEqual([]);
    $('[data-testid=telephony-desktop-ask]').trigger('click');
    expect(fake.asked).toHaveLength(1);
    await waitUntil('the block updated', () => block().permission === 'granted');
    expect(block()).toEqual({ state: es.desktop.settings_granted, button: false, permission: 'granted' });
    undo();
    expect($('[data-testid=telephony-desktop]')).toHaveLength(0);
  });

  test('denied: says how to allow it, no button; unsupported: no block at all', () => {
    const undo = renderDesktopPermission($, $after(), { desktop: browserDesktopNotifications(windowWith(fakeNotification('denied').Notification)) });
    expect(block()).toEqual({ state: ENGLISH_DESKTOP_STRINGS.settings_denied, button: false, permission: 'denied' });
    undo();
    renderDesktopPermission($, $after(), { desktop: browserDesktopNotifications(windowWith(undefined)) });
    expect($('[data-testid=telephony-desktop]')).toHaveLength(0);
  });
});
