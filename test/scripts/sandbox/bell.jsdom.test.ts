/** @jest-environment jsdom */
/**
 * The Kommo double's notification centre (`add_call` under the bell): `duration` is optional in
 * add_call, so an entry without one shows no duration (no "0:00" for a call nobody talked on).
 */
import { createBell } from '../../../scripts/sandbox/kommo/bell';
import { createRecorder } from '../../../scripts/sandbox/kommo/recorder';

function openBell() {
  document.body.innerHTML =
    '<span id="bell-count" hidden>0</span><div id="bell-list" hidden><div id="bell-empty">No calls yet.</div><ul id="bell-entries"></ul></div>';
  const bell = createBell({ recorder: createRecorder(), lang: 'en' });
  const entries = () =>
    [...document.querySelectorAll('[data-testid=bell-entry]')].map((li) => ({
      text: li.querySelector('[data-testid=bell-text]')?.textContent,
      duration: li.querySelector('[data-testid=bell-duration]')?.textContent ?? null,
    }));
  return { bell, entries };
}

test('an entry without a duration shows none; one with a duration shows it as m:ss', () => {
  const { bell, entries } = openBell();
  bell.call({ text: 'Missed call from Adam Noah', from: 'Adam Noah', to: 'Maria Silva' });
  bell.call({ text: 'Incoming call from Kommo, 1:05', from: 'Kommo', to: 'Maria Silva', duration: 65 });
  expect(entries()).toEqual([
    { text: 'Incoming call from Kommo, 1:05', duration: '1:05' },
    { text: 'Missed call from Adam Noah', duration: null },
  ]);
  const missedMeta = document.querySelectorAll('.bell-meta')[1]?.textContent ?? '';
  expect(missedMeta).toMatch(/^Adam Noah → Maria Silva · /);
  expect(missedMeta).not.toMatch(/\d:\d\d ·/);
});

test('a duration the widget did send is shown as given, 0 included (what Kommo was handed)', () => {
  const { bell, entries } = openBell();
  bell.call({ text: 'x', duration: 0 });
  expect(entries()).toEqual([{ text: 'x', duration: '0:00' }]);
});
