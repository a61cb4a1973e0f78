/** The settings module's public surface. */
export type { ParsedSettings, SettingsContext, SettingsProblem, TransportSettings, WidgetSettings } from './types';
export { parseSettings, extensionsFor, POLL_INTERVAL_SECONDS, NOTIFY_MODES } from './parse';
export type { NotifyMode } from './parse';
export { describeProblem, describeProblems, escapeHtml } from './describe';
export type { DescribedProblems, DescribeOptions, SettingsStrings } from './describe';
