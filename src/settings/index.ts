/** The settings module's public surface. */
export type { ParsedSettings, SettingsContext, SettingsProblem, TransportSettings, WidgetSettings } from './types';
export { parseSettings, extensionsFor, NOTIFY_MODES } from './parse';
export { describeProblem, describeProblems } from './describe';
export type { DescribedProblems, DescribeOptions, SettingsStrings } from './describe';
