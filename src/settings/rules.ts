/**
 * What the settings modal's code takes from script.js: it is a file of its own (settings.js,
 * loaded when the modal opens), so it gets the rules handed over rather than a second copy of
 * the parser and of libphonenumber's metadata.
 */
import { describeProblem } from './describe';
import { NOTIFY_MODES, parseSettings } from './parse';

export const settingsRules = { parseSettings, describeProblem, NOTIFY_MODES };
export type SettingsRules = typeof settingsRules;
