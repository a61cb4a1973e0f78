/** The benchmark report's data: what report.json holds and report.md shows. */
import type { BundleReport } from '../bundle';
import type { Summary } from './stats';

/** One measured figure. `value: null` means it was not measured, and `note` says why. */
export interface Figure {
  label: string;
  value: number | null;
  unit: string;
  /** How it was measured, in a sentence. */
  method: string;
  note?: string;
}

/** A latency scenario: its raw samples (ms) and their summary. */
export interface LatencySeries {
  name: string;
  samplesMs: number[];
  summary: Summary;
  /** Pop-ups expected but never seen within the scenario's wait (counted, not in the samples). */
  missing: number;
  method: string;
}

export interface Section {
  title: string;
  figures: Figure[];
  latency?: LatencySeries[];
  /** Its latency series go into the chart (latency.png). */
  chart?: boolean;
}

export interface Target {
  label: string;
  /** The figure beside it, formatted; "not measured: ..." when it could not be. */
  figure: string;
  limit: string;
  verdict: 'pass' | 'fail' | 'not measured';
}

export interface Environment {
  date: string;
  node: string;
  platform: string;
  cpus: string;
  cpuCount: number;
  memoryGb: number;
  chromium: string | null;
  commit: string | null;
}

export interface BenchReport {
  environment: Environment;
  bundle: BundleReport | { missing: string };
  sections: Section[];
  targets: Target[];
  /** Notes that apply to the whole report (sample sizes, what was skipped). */
  notes: string[];
  durationS: number;
}
