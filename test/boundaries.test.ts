/**
 * The layout's rules (docs/ARCHITECTURE.md, "Who may import whom"), checked on the sources with
 * the TypeScript compiler, so a violation fails the suite instead of waiting for a review:
 * - relay/ imports nothing from src/ but src/protocol (it ships without the widget);
 * - src/protocol imports nothing outside itself (both products compile it);
 * - outside src/platform, src/ touches no browser or host global (window, document, timers,
 *   fetch, WebSocket, storage, APP, $...): the core takes them injected.
 */
import path from 'node:path';
import ts from 'typescript';
import { findBoundaryViolations } from './support/boundaries';

const root = path.resolve(__dirname, '..');

describe('module boundaries', () => {
  const found = findBoundaryViolations(root);

  test('the check reads the sources it is about', () => {
    expect(found.filesChecked.relay).toBeGreaterThan(3);
    expect(found.filesChecked.core).toBeGreaterThan(30);
  });

  test('relay/ imports from src/ only src/protocol', () => {
    expect(found.relayImports).toEqual([]);
  });

  test('src/protocol imports nothing outside itself', () => {
    expect(found.protocolImports).toEqual([]);
  });

  test('src/ outside src/platform touches no browser or host global', () => {
    expect(found.globals).toEqual([]);
  });
});

describe('the check itself catches what it is for', () => {
  function check(files: Record<string, string>) {
    const host = ts.createCompilerHost({});
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    const virtual = new Map(Object.entries(files).map(([name, text]) => [path.join(root, name), text]));
    host.readFile = (file) => virtual.get(file) ?? read(file);
    host.fileExists = (file) => virtual.has(file) || exists(file);
    return findBoundaryViolations(root, { host, files: [...virtual.keys()] });
  }

  test('a relay file importing the widget, and protocol importing feed, are found', () => {
    const found = check({
      'relay/src/bad.ts': "import { createCallFeed } from '../../src/feed';\nexport const x = createCallFeed;\n",
      'src/protocol/bad.ts': "import type { CallChange } from '../feed/types';\nexport type X = CallChange;\n",
    });
    expect(found.relayImports.filter((line) => line.includes('bad.ts'))).toEqual(['relay/src/bad.ts imports ../../src/feed']);
    expect(found.protocolImports.filter((line) => line.includes('bad.ts'))).toEqual(['src/protocol/bad.ts imports ../feed/types']);
  });

  test('globals are found as values, not as types or local names', () => {
    const found = check({
      'src/feed/bad.ts': [
        'export function bad(el: HTMLElement, document: { title: string }): string {',
        '  window.setTimeout(() => {}, 1);',
        '  setTimeout(() => {}, 1);',
        "  const ws: WebSocket | null = null;",
        '  const g = globalThis;',
        '  void ws; void el; void g;',
        "  return document.title + String(localStorage.getItem('k')) + String(Date.now());",
        '}',
      ].join('\n'),
    });
    expect(found.globals.filter((line) => line.startsWith('src/feed/bad.ts'))).toEqual([
      'src/feed/bad.ts:2 window',
      'src/feed/bad.ts:3 setTimeout',
      'src/feed/bad.ts:5 globalThis',
      'src/feed/bad.ts:7 localStorage',
      'src/feed/bad.ts:7 Date.now',
    ]);
  });
});
