/**
 * Where the widget's settings and its on/off switch live between page loads: in the sandbox,
 * the browser's localStorage (`sandbox.*` keys, so a reload keeps them, as Kommo's account does);
 * in a test harness, memory.
 */
import type { RawSettings } from '../../../src/platform/kommo';

export interface SettingsStore {
  read(): RawSettings;
  /** Merges `values` over what is stored. */
  merge(values: RawSettings): void;
  active(): boolean;
  setActive(on: boolean): void;
}

export const STORAGE_KEYS = { user: 'sandbox.user', lang: 'sandbox.lang', settings: 'sandbox.settings', active: 'sandbox.active' } as const;

export function memorySettings(initial: RawSettings, active = true): SettingsStore {
  let values: RawSettings = { ...initial };
  let on = active;
  return {
    read: () => ({ ...values }),
    merge(more) {
      values = { ...values, ...more };
    },
    active: () => on,
    setActive(value) {
      on = value;
    },
  };
}

/** `defaults` answer until something is saved. */
export function localSettings(storage: Storage, defaults: () => RawSettings): SettingsStore {
  const read = (): RawSettings => {
    try {
      const stored: unknown = JSON.parse(storage.getItem(STORAGE_KEYS.settings) ?? 'null');
      if (stored && typeof stored === 'object') return stored as RawSettings;
    } catch {
      // Unreadable: start from the defaults.
    }
    return defaults();
  };
  return {
    read,
    merge(more) {
      storage.setItem(STORAGE_KEYS.settings, JSON.stringify({ ...read(), ...more }));
    },
    active: () => (storage.getItem(STORAGE_KEYS.active) ?? 'Y') === 'Y',
    setActive(on) {
      storage.setItem(STORAGE_KEYS.active, on ? 'Y' : 'N');
    },
  };
}
