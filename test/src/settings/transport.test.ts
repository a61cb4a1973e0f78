/**
 * The transport settings as a real browser would take them (issue 17): hosts Chromium's URL
 * parser lets through where Node's throws, the poll interval only where polling is chosen, and
 * the hint that a ws: relay cannot work on Kommo. The same cases run in Chromium in
 * test/e2e/settings-checks.chromium.test.ts.
 */
import { describeProblems, parseSettings } from '../../../src/settings';
import type { SettingsContext, SettingsProblem } from '../../../src/settings';
import { parseSettingsUrl } from '../../../src/settings/address';
import en from '../../../i18n/en.json';

const https: SettingsContext = { pageProtocol: 'https:', userId: '504141' };
const http: SettingsContext = { pageProtocol: 'http:', userId: '504141' };
const base = { token: 'secret', phones: { '504141': '101' } };
const keys = (problems: SettingsProblem[]) => problems.map((p) => `${p.severity}:${p.field}:${p.key}`);

describe('parseSettingsUrl: hosts a browser could reach', () => {
  // What Chromium 156 answers for each (new URL(...).hostname), recorded in the e2e test's cases.
  it.each([
    ['http://pbx%20example.com/calls', 'a percent-encoded space: Chromium keeps it as the host'],
    ['wss://a*b.com/ws', 'Chromium percent-encodes * into the host'],
    ['http://a!b.com/', 'Node and Chromium both take ! in a host'],
    ['http://a"b.com/', 'nor a quote'],
    ['http://pbx..example.com/', 'an empty label'],
    ['http://pbx example.com/calls', 'white space (parseUrl)'],
    ['pbx.example.com/calls', 'no scheme'],
  ])('refuses %s (%s)', (value) => {
    expect(parseSettingsUrl(value)).toBeNull();
  });

  it.each([
    ['http://пример.рф/calls', 'xn--e1afmkfd.xn--p1ai'],
    ['http://[::1]:8080/calls', '[::1]'],
    ['ws://127.0.0.1:9/ws', '127.0.0.1'],
    ['https://pbx_1.office.local./calls', 'pbx_1.office.local.'],
  ])('takes %s (host %s)', (value, host) => {
    expect(parseSettingsUrl(value)?.hostname).toBe(host);
  });

  it('the settings name the refused address as typed', () => {
    const { problems } = parseSettings({ ...base, poll_url: 'http://pbx%20example.com/calls' }, http);
    expect(problems).toContainEqual({ field: 'poll_url', severity: 'error', key: 'problem_poll_url_invalid', params: { value: 'http://pbx%20example.com/calls' } });
  });
});

describe('poll_interval: checked only when polling is chosen', () => {
  it('a WebSocket install saves whatever the interval field holds', () => {
    for (const interval of ['abc', '0', '999', '-1']) {
      const { settings, problems } = parseSettings({ ...base, ws_url: 'wss://pbx.example.com/ws', poll_interval: interval }, https);
      expect(problems).toEqual([]);
      expect(settings?.transport).toEqual({ kind: 'ws', url: 'wss://pbx.example.com/ws' });
    }
  });

  it('a polling install is refused over it, and a bad poll URL does not hide it', () => {
    const poll = parseSettings({ ...base, poll_url: 'https://pbx.example.com/calls', poll_interval: 'abc' }, https);
    expect(poll.settings).toBeNull();
    expect(keys(poll.problems)).toEqual(['error:poll_interval:problem_poll_interval']);
    const both = parseSettings({ ...base, poll_url: 'https://pbx example.com/calls', poll_interval: 'abc' }, https);
    expect(keys(both.problems)).toEqual(['error:poll_interval:problem_poll_interval', 'error:poll_url:problem_poll_url_invalid']);
  });

  it('is not checked when no transport or both are filled in (that error comes alone)', () => {
    expect(keys(parseSettings({ ...base, poll_interval: 'abc' }, https).problems)).toEqual(['error:ws_url:problem_transport_missing']);
    const both = parseSettings({ ...base, ws_url: 'wss://a.example.com', poll_url: 'https://a.example.com/c', poll_interval: 'abc' }, https);
    expect(keys(both.problems)).toEqual(['error:poll_url:problem_transport_both']);
  });
});

describe('ws: on an http page', () => {
  it('is taken, with a warning that Kommo (https) will refuse it; on https it stays an error', () => {
    const { settings, problems } = parseSettings({ ...base, ws_url: 'ws://127.0.0.1:8090/ws' }, http);
    expect(settings?.transport).toEqual({ kind: 'ws', url: 'ws://127.0.0.1:8090/ws' });
    expect(keys(problems)).toEqual(['warning:ws_url:problem_ws_not_on_kommo']);
    expect(keys(parseSettings({ ...base, ws_url: 'ws://127.0.0.1:8090/ws' }, https).problems)).toEqual(['error:ws_url:problem_ws_insecure']);
    expect(parseSettings({ ...base, ws_url: 'wss://pbx.example.com/ws' }, http).problems).toEqual([]);
    expect(describeProblems(problems, en.settings).warnings).toEqual([en.settings.problem_ws_not_on_kommo]);
    expect(en.settings.problem_ws_not_on_kommo).toMatch(/https.*ws:\/\/.*wss:\/\//);
  });
});

describe('the refusal message', () => {
  it('keeps the quotes of `now "abc"` as quotes: no entity, nothing escaped twice', () => {
    const { problems } = parseSettings({ ...base, poll_url: 'https://pbx.example.com/calls', poll_interval: 'abc' }, https);
    const message = describeProblems(problems, en.settings);
    expect(message.inert).toBe('The polling interval must be a number of seconds from 1 to 60 (now "abc").');
    expect(message.header).toBe(en.settings.save_refused);
  });
});
