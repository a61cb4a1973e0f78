/** The widget's own manifest: what the issue and the other modules rely on. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './fixtures';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));

describe('manifest.json', () => {
  it('runs everywhere and in settings, once per page load, interface 2, six locales, with support', () => {
    expect(manifest.locations).toEqual(['everywhere', 'settings']);
    expect(manifest.widget.init_once).toBe(true);
    expect(manifest.widget.interface_version).toBe(2);
    expect([...manifest.widget.locale].sort()).toEqual(['en', 'es', 'id', 'pt', 'ru', 'tr']);
    expect(manifest.widget.support.link).toMatch(/^https:\/\//);
    expect(manifest.widget.support.email).toMatch(/@/);
  });

  it('declares the fixed setting keys with their types', () => {
    const types = Object.fromEntries(Object.entries(manifest.settings as Record<string, { type: string; name: string }>).map(([key, s]) => [key, s.type]));
    expect(types).toEqual({
      ws_url: 'text',
      poll_url: 'text',
      poll_interval: 'text',
      token: 'pass',
      phones: 'users',
      country: 'text',
      notify_mode: 'text',
    });
    for (const [key, setting] of Object.entries(manifest.settings as Record<string, { name: string }>)) expect(setting.name).toBe(`settings.${key}`);
    // Either transport URL will do, so neither can be required by Kommo's own form.
    expect(manifest.settings.ws_url.required).toBe(false);
    expect(manifest.settings.poll_url.required).toBe(false);
  });
});
