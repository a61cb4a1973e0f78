/** @jest-environment jsdom */
/**
 * Names, numbers and URLs from the CRM and the PBX are untrusted. Each payload below goes in
 * as a name, a number, an extension, a recording URL or the manager's name; the result is
 * rendered the way Kommo renders it (as HTML, through a fragment that would run scripts) and
 * must run nothing, carry no handler or javascript: link, and show the payload as text.
 */
import fc from 'fast-check';
import $ from 'jquery';
import { buildCompletedCall, buildPopup, ENGLISH_NOTIFY_STRINGS as EN } from '../../../src/notify';
import type { LookupResult } from '../../../src/lookup/types';
import { NUMBER, callEvent, entity, found, internal, invalid, notFound } from './fixtures';

/** What a PBX value shows as: its bidirectional controls removed (src/lookup/display-name.ts), the rest literally. */
const visible = (text: string) => text.replace(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g, '');

const CORPUS = [
  `<script>window.__pwned('script')</script>`,
  `<img src=x onerror="window.__pwned('img')">`,
  `"><svg onload=window.__pwned('svg')>`,
  `' onmouseover='window.__pwned("attr")`,
  `" autofocus onfocus="window.__pwned('focus')`,
  `javascript:window.__pwned('js')`,
  `<a href="javascript:window.__pwned('a')">click</a>`,
  `<iframe srcdoc="<script>parent.__pwned('iframe')</script>"></iframe>`,
  `</a><a href=//evil.example.com onclick=window.__pwned('close')>x`,
  `<body onload=window.__pwned('body')>`,
  `<math><mi xlink:href="javascript:window.__pwned('math')">m</mi></math>`,
  `<style>*{display:none}</style>`,
  `<!--`,
  `--><script>window.__pwned('comment')</script>`,
  `<![CDATA[<script>window.__pwned('cdata')</script>]]>`,
  `&lt;script&gt;window.__pwned('entity')&lt;/script&gt;`,
  `{{number}}{{target}}$&$1`,
  '`${window.__pwned("tpl")}`',
  `＜script＞window.__pwned('fullwidth')＜/script＞`,
  `\u202eevil\u202c <b>bold</b>`,
  `<details open ontoggle=window.__pwned('toggle')>`,
  `<form><button formaction=javascript:window.__pwned('form')>x`,
];

const ALLOWED_HREF = /^\/((contacts|companies|leads|customers)\/detail\/[1-9]\d*|contacts\/add\/\?phone=[^"<>\s]*)$/;

let pwned: string[] = [];
beforeEach(() => {
  pwned = [];
  (window as unknown as { __pwned: (s: string) => void }).__pwned = (s) => void pwned.push(s);
  document.body.innerHTML = '';
});

/** Renders HTML the way Kommo's jQuery page does: `.html()`, which also runs any `<script>` in it. */
function render(html: string): HTMLElement {
  const box = document.createElement('div');
  document.body.appendChild(box);
  $(box).html(html);
  // Fire what a user might: clicks, focus, hover on every element.
  for (const el of Array.from(box.querySelectorAll('*'))) {
    for (const type of ['click', 'mouseover', 'focus', 'load', 'error', 'toggle']) el.dispatchEvent(new Event(type));
  }
  return box;
}

function expectInert(box: HTMLElement): void {
  expect(pwned).toEqual([]);
  for (const el of Array.from(box.querySelectorAll('*'))) {
    expect(['A', 'BR']).toContain(el.tagName);
    for (const attr of Array.from(el.attributes)) {
      expect(attr.name).not.toMatch(/^on/i);
      expect(['href', 'class', 'data-telephony-dial']).toContain(attr.name);
    }
    if (el.tagName === 'A' && el.getAttribute('class') === 'js-telephony-dial') {
      // "Call back": an inert anchor; the page's click-to-call reads the number from the attribute.
      expect(el.getAttribute('href')).toBe('#');
      expect(el.getAttribute('data-telephony-dial')).toMatch(/^\+?[\d\s().-]{1,32}$/);
    } else if (el.tagName === 'A') {
      expect(el.getAttribute('href')).toMatch(ALLOWED_HREF);
      expect(el.getAttribute('class')).toBe('js-navigate-link');
      expect(el.hasAttribute('data-telephony-dial')).toBe(false);
    }
  }
}

function renderPopup(lookup: LookupResult | null, phone = '+1 830 580 3077', direction: 'inbound' | 'outbound' = 'inbound') {
  const popup = buildPopup(callEvent({ phone, direction }), lookup, EN);
  const header = render(popup.header);
  const text = render(popup.text);
  expectInert(header);
  expectInert(text);
  return { header: header.textContent ?? '', text: text.textContent ?? '', anchors: Array.from(text.querySelectorAll('a')) };
}

test('control: the harness does catch a payload rendered unescaped', () => {
  render(`<img src=x onerror="window.__pwned('img')"><b onclick="window.__pwned('click')">x</b>`);
  render(`<script>window.__pwned('script')</script>`);
  expect(pwned).toEqual(expect.arrayContaining(['img', 'click', 'script']));
});

describe.each(CORPUS.map((p) => [p]))('payload %p', (payload) => {
  test('as a contact name: linked, shown literally', () => {
    const out = renderPopup(found(entity('contact', 42, payload)));
    expect(out.anchors).toHaveLength(1);
    expect(out.anchors[0]?.textContent).toBe(payload);
  });

  test('as lead and company names, outbound', () => {
    const out = renderPopup(found(entity('lead', 1, payload), entity('company', 2, payload)), undefined, 'outbound');
    expect(out.anchors.map((a) => a.textContent)).toEqual([payload, payload]);
  });

  test('as the number: raw from the PBX (no lookup answer, not a number) and normalised', () => {
    expect(renderPopup(null, payload).header).toContain(visible(payload).trim().slice(0, 40));
    expect(renderPopup(invalid(payload), payload, 'outbound').header).toContain(visible(payload).trim().slice(0, 40));
    const odd = { raw: payload, e164: payload, international: payload, digits: '1', hasCountry: true };
    const out = renderPopup(notFound(odd));
    expect(out.header).toContain(payload);
    expect(out.anchors[0]?.getAttribute('href')).toBe(`/contacts/add/?phone=${encodeURIComponent(payload)}`);
  });

  test('as an internal extension', () => {
    expect(renderPopup(internal(payload)).header).toContain(payload);
  });

  test('in the completed notification: name, number, manager, recording URL', () => {
    for (const lookup of [found(entity('contact', 42, payload)), notFound({ ...NUMBER, international: payload }), null]) {
      const call = buildCompletedCall(
        callEvent({ state: 'ended', phone: payload, duration: 5, recordingUrl: payload }),
        lookup,
        { name: payload, extension: payload },
        EN,
        'en',
      );
      for (const field of [call.text, call.from, call.to]) {
        const box = render(field);
        expectInert(box);
        // Literally: as given where the fixture bypasses the lookup (a CRM name is cleaned there), else cleaned.
        const shown = [payload, visible(payload)].map((v) => v.trim().slice(0, 40));
        expect(shown.some((v) => box.textContent!.includes(v))).toBe(true);
      }
      expect(call.link).toBeUndefined();
    }
  });
});

test('a recording URL carrying a payload in its query stays an inert http(s) URL', () => {
  const call = buildCompletedCall(
    callEvent({ state: 'ended', duration: 5, recordingUrl: `https://pbx.example.com/r?x="><script>window.__pwned(1)</script>` }),
    null,
    { extension: '101' },
    EN,
    'en',
  );
  expect(call.link).toMatch(/^https:\/\/pbx\.example\.com\/r\?x=/);
  expect(call.link).not.toMatch(/[<>"' ]/);
});

test('any string as a name or a number renders inert and literal (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ minLength: 1, maxLength: 60 }), (name, number) => {
      const out = renderPopup(found(entity('contact', 7, name), undefined, { ...NUMBER, international: number }));
      // The HTML parser's own input preprocessing (drops NUL, CR/CRLF -> LF) is the only difference allowed.
      const parsed = (s: string) => s.replace(/\r\n?/g, '\n').replace(/\0/g, '');
      expect(out.anchors[0]?.textContent).toBe(parsed(name));
      expect(out.header).toBe(parsed(`Incoming call: ${number}`));
      document.body.innerHTML = '';
    }),
    { numRuns: 300 },
  );
});
