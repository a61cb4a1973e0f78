/** Every settings string the code asks for exists in all six locales, with the same placeholders. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LOCALES = ['en', 'es', 'pt', 'ru', 'tr', 'id'];
const settingsOf = (locale: string) =>
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'i18n', `${locale}.json`), 'utf8')) as { settings: Record<string, string> }).settings;

const source = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const problemKeys = [...new Set(
  ['src/settings/parse.ts', 'src/settings/phones.ts'].flatMap((file) => [...source(file).matchAll(/key: '([a-z_]+)'/g)].map((m) => m[1]!)),
)];
const panelKeys = [...(source('src/platform/settings-panel.ts') + source('src/platform/settings-loader.ts')).matchAll(/'((?:panel|label|notify_mode)_[a-z]+)'/g)].map((m) => m[1]!);
const manifestKeys = Object.values(
  (JSON.parse(source('manifest.json')) as { settings: Record<string, { name: string }> }).settings,
).map((entry) => entry.name.replace(/^settings\./, ''));
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('settings strings', () => {
  it('the code asks for the keys this test scans (the scan works)', () => {
    expect(problemKeys).toEqual(expect.arrayContaining(['problem_ws_insecure', 'problem_phones_bad_extension', 'problem_notify_mode']));
    expect(problemKeys.length).toBeGreaterThanOrEqual(17);
    expect(panelKeys).toEqual(expect.arrayContaining(['panel_title', 'panel_ok', 'panel_unavailable', 'label_error', 'label_warning']));
  });

  it.each(LOCALES)('%s has every key the code and the manifest use, with the placeholders of en', (locale) => {
    const en = settingsOf('en');
    const strings = settingsOf(locale);
    for (const key of [...problemKeys, ...panelKeys, ...manifestKeys, 'save_refused', 'notify_mode_widget', 'notify_mode_events']) {
      expect({ key, present: typeof strings[key] === 'string' && strings[key] !== '' }).toEqual({ key, present: true });
      expect({ key, placeholders: placeholders(strings[key]!) }).toEqual({ key, placeholders: placeholders(en[key]!) });
    }
  });
});
