/**
 * The desktop notifications' shell in the leader (desktop-notifier.ts) and its wiring to the calls
 * (src/app/desktop-calls.ts), over a fake `DesktopNotifications`: what it is asked to show and
 * close, the texts, the first pop-up's permission link. No clock: nothing here waits.
 */
import { silentLogger } from '../../../src/core/logger';
import type { CallChange, CallEvent } from '../../../src/feed/types';
import type { CallerLookup, LookupResult } from '../../../src/lookup/types';
import { desktopCalls } from '../../../src/app/desktop-calls';
import type { PageEnv } from '../../../src/app/page';
import { ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import { createDesktopNotifier } from '../../../src/notify/desktop-notifier';
import { ENGLISH_DESKTOP_STRINGS } from '../../../src/notify/desktop-strings';
import { desktopNote } from '../../../src/notify/desktop-text';
import type { DesktopNote, DesktopNotifications, DesktopPermission } from '../../../src/notify/desktop-types';
import type { CallPopup } from '../../../src/notify/types';
import { callEvent, entity, found, internal, notFound } from './fixtures';

interface FakeDesktop extends DesktopNotifications {
  permissionNow: DesktopPermission;
  shown: { note: DesktopNote; closed: boolean; click(): void; dismiss(): void }[];
  opened: (string | null)[];
  refuse: boolean;
}

function fakeDesktop(permissionNow: DesktopPermission = 'granted'): FakeDesktop {
  const fake: FakeDesktop = {
    permissionNow,
    shown: [],
    opened: [],
    refuse: false,
    permission: () => fake.permissionNow,
    request: () => Promise.resolve(fake.permissionNow),
    show(note, on) {
      if (fake.refuse) return null;
      const entry = { note, closed: false, click: () => on.click(), dismiss: () => on.close() };
      fake.shown.push(entry);
      return {
        close() {
          entry.closed = true;
          on.close(); // as the browser does: onclose after close()
        },
      };
    },
    open: (path) => void fake.opened.push(path),
  };
  return fake;
}

const ADAM = found(entity('contact', 42, 'Adam Noah'));
const ring = (overrides: Partial<CallEvent> = {}): CallChange => ({ kind: 'state', call: callEvent(overrides), previous: null });
const popupOf = (callId = 'c1'): CallPopup => ({ callId, header: 'Incoming call', text: 'Adam Noah', date: 1 });

function notifierWith(desktop: FakeDesktop, visible = false) {
  const page = { visible };
  const notifier = createDesktopNotifier({ desktop, strings: ENGLISH_DESKTOP_STRINGS, notify: ENGLISH_NOTIFY_STRINGS, isVisible: () => page.visible, logger: silentLogger });
  return { notifier, page };
}

describe('the texts', () => {
  test('"Incoming call: Adam Noah", the number under it; one notification per call by its tag', () => {
    expect(desktopNote(callEvent(), ADAM, ENGLISH_DESKTOP_STRINGS, ENGLISH_NOTIFY_STRINGS)).toEqual({ title: 'Incoming call: Adam Noah', body: '+1 830 580 3077', tag: 'kommo-telephony:c1' });
  });

  test('no card: the number in the title, not twice', () => {
    expect(desktopNote(callEvent(), notFound(), ENGLISH_DESKTOP_STRINGS, ENGLISH_NOTIFY_STRINGS)).toMatchObject({ title: 'Incoming call: +1 830 580 3077', body: '' });
    expect(desktopNote(callEvent(), null, ENGLISH_DESKTOP_STRINGS, ENGLISH_NOTIFY_STRINGS).title).toBe('Incoming call: +1 (830) 580-3077');
    expect(desktopNote(callEvent({ phone: '' }), null, ENGLISH_DESKTOP_STRINGS, ENGLISH_NOTIFY_STRINGS).title).toBe(`Incoming call: ${ENGLISH_NOTIFY_STRINGS.hidden_number}`);
  });

  test('an extension: named as the pop-up names it', () => {
    const note = desktopNote(callEvent({ phone: '102' }), internal('102'), ENGLISH_DESKTOP_STRINGS, ENGLISH_NOTIFY_STRINGS);
    expect(note.title).toMatch(/^Incoming call: .*102/);
    expect(note.body).toBe('');
  });
});

describe('the shell', () => {
  test('shows on the display in a hidden tab, closes on the answer', () => {
    const desktop = fakeDesktop();
    const { notifier } = notifierWith(desktop);
    notifier.handle(ring());
    notifier.lookedUp(callEvent().phone, ADAM);
    notifier.displayed(popupOf());
    expect(desktop.shown.map((s) => s.note.title)).toEqual(['Incoming call: Adam Noah']);
    notifier.handle(ring({ state: 'answered' }));
    expect(desktop.shown[0]!.closed).toBe(true);
  });

  test('reads the tab and the permission at the display: visible, or not granted, shows nothing', () => {
    const desktop = fakeDesktop('denied');
    const { notifier, page } = notifierWith(desktop);
    notifier.handle(ring());
    notifier.displayed(popupOf());
    desktop.permissionNow = 'granted';
    page.visible = true;
    notifier.handle(ring({ callId: 'c2' }));
    notifier.displayed(popupOf('c2'));
    expect(desktop.shown).toEqual([]);
  });

  test('the click opens the card and closes it; a dismissed one is not closed again', () => {
    const desktop = fakeDesktop();
    const { notifier } = notifierWith(desktop);
    notifier.handle(ring());
    notifier.lookedUp(callEvent().phone, ADAM);
    notifier.displayed(popupOf());
    desktop.shown[0]!.click();
    expect(desktop.opened).toEqual(['/contacts/detail/42']);
    expect(desktop.shown[0]!.closed).toBe(true);

    notifier.handle(ring({ callId: 'c2' }));
    notifier.displayed(popupOf('c2'));
    desktop.shown[1]!.dismiss();
    notifier.handle(ring({ callId: 'c2', state: 'ended', result: 'missed' }));
    expect(desktop.shown[1]!.closed).toBe(false);
  });

  test('a browser that refuses to show (null) breaks nothing; dispose closes what is shown and ignores the rest', () => {
    const desktop = fakeDesktop();
    desktop.refuse = true;
    const { notifier } = notifierWith(desktop);
    notifier.handle(ring());
    expect(() => notifier.displayed(popupOf())).not.toThrow();
    desktop.refuse = false;
    notifier.handle(ring({ callId: 'c2' }));
    notifier.displayed(popupOf('c2'));
    notifier.dispose();
    expect(desktop.shown.map((s) => s.closed)).toEqual([true]);
    notifier.handle(ring({ callId: 'c3' }));
    notifier.displayed(popupOf('c3'));
    expect(desktop.shown).toHaveLength(1);
  });

  test('a desktop that throws is logged, never thrown into the calls', () => {
    const desktop = fakeDesktop();
    desktop.show = () => {
      throw new Error('boom');
    };
    desktop.permission = () => {
      throw new Error('no');
    };
    const { notifier } = notifierWith(desktop);
    notifier.handle(ring());
    expect(() => notifier.displayed(popupOf())).not.toThrow();
    notifier.handle(ring({ callId: 'c2' }));
    expect(notifier.offer(popupOf('c2'))).toEqual(popupOf('c2'));
  });
});

describe('the permission offer in the first pop-up', () => {
  test('while not asked: the first incoming call\'s pop-up carries it, the next ones do not', () => {
    const desktop = fakeDesktop('default');
    const { notifier } = notifierWith(desktop);
    notifier.handle(ring({ callId: 'out', direction: 'outbound' }));
    expect(notifier.offer(popupOf('out'))).toEqual(popupOf('out'));
    notifier.handle(ring());
    notifier.handle(ring({ callId: 'c2' }));
    const first = notifier.offer(popupOf());
    expect(first.text).toBe(
      'Adam Noah<br><span class="js-telephony-desktop" data-telephony-desktop="ask" role="button" tabindex="0" style="text-decoration:underline;cursor:pointer">Show calls when Kommo is in the background</span>',
    );
    expect(notifier.offer(popupOf('c2'))).toEqual(popupOf('c2'));
  });

  test.each(['granted', 'denied', 'unsupported'] as const)('%s: no offer', (permission) => {
    const { notifier } = notifierWith(fakeDesktop(permission));
    notifier.handle(ring());
    expect(notifier.offer(popupOf())).toEqual(popupOf());
  });

  test('its label is escaped', () => {
    const notifier = createDesktopNotifier({ desktop: fakeDesktop('default'), strings: { ...ENGLISH_DESKTOP_STRINGS, offer: '<b>x</b>' }, notify: ENGLISH_NOTIFY_STRINGS, isVisible: () => true, logger: silentLogger });
    notifier.handle(ring());
    expect(notifier.offer(popupOf()).text).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('wired to the calls (desktopCalls)', () => {
  const page = (visible: boolean) => ({ isVisible: () => visible }) as unknown as PageEnv;
  const lookupAnswering = (result: LookupResult): CallerLookup => ({ findByNumber: () => Promise.resolve(result), dispose: jest.fn() });

  test('without a desktop everything passes through', () => {
    const calls = desktopCalls({ strings: { notify: ENGLISH_NOTIFY_STRINGS, unnamed: () => '' }, page: page(false), logger: silentLogger });
    const inner = lookupAnswering(ADAM);
    expect(calls.lookup(inner)).toBe(inner);
    expect(calls.popup(popupOf())).toEqual(popupOf());
  });

  test('the lookup it wraps tells the notifier; the displays come from onDisplayed, which stop() unsubscribes', async () => {
    const desktop = fakeDesktop();
    const listeners = new Set<(popup: CallPopup) => void>();
    const calls = desktopCalls({
      desktop,
      strings: { notify: ENGLISH_NOTIFY_STRINGS, unnamed: () => '', desktop: { incoming: 'Llamada entrante: {{name}}' } },
      page: page(false),
      logger: silentLogger,
      onDisplayed: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    calls.handle(ring());
    await expect(calls.lookup(lookupAnswering(ADAM)).findByNumber(callEvent().phone)).resolves.toBe(ADAM);
    for (const listener of listeners) listener(popupOf());
    expect(desktop.shown.map((s) => s.note.title)).toEqual(['Llamada entrante: Adam Noah']);
    calls.stop();
    expect(listeners.size).toBe(0);
    expect(desktop.shown[0]!.closed).toBe(true);
  });
});
