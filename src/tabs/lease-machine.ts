/**
 * The lease election (no Web Locks) as data. A follower checks the record every `checkMs` and
 * claims it once expired or removed: it writes, waits `settleMs`, reads back, and only the last
 * writer finds itself there and writes again to confirm. A leader renews every `renewMs` and
 * steps down when it finds another tab's live record. The shell reads the record before each
 * input (`verdict`), writes when told and answers `written`.
 */
import type { LeaseVerdict } from './lease';
import type { TabTiming } from './types';

export type LeasePhase =
  | { phase: 'idle' }
  | { phase: 'following' }
  /** The claim is being written. */
  | { phase: 'claiming' }
  /** The claim is written: read it back after `settleMs`. */
  | { phase: 'settling' }
  /** The claim survived: writing it again before leading. */
  | { phase: 'confirming' }
  | { phase: 'leading' }
  | { phase: 'stopped' };

export type LeaseInput =
  | { type: 'start'; verdict: LeaseVerdict }
  /** The leader left: check now rather than at the next tick. */
  | { type: 'nudge'; verdict: LeaseVerdict }
  | { type: 'tick'; verdict: LeaseVerdict }
  | { type: 'written'; ok: boolean }
  | { type: 'stop'; verdict: LeaseVerdict };

export type LeaseEffect =
  | { kind: 'write' }
  | { kind: 'remove' }
  | { kind: 'tick-in'; ms: number }
  | { kind: 'cancel-tick' }
  | { kind: 'elected' }
  | { kind: 'deposed' }
  | { kind: 'log'; message: string; context: Record<string, unknown> };

type Step = { state: LeasePhase; effects: LeaseEffect[] };
type LeaseTiming = Pick<TabTiming, 'checkMs' | 'renewMs' | 'settleMs'>;

const follow = (timing: LeaseTiming, ...before: LeaseEffect[]): Step => ({ state: { phase: 'following' }, effects: [...before, { kind: 'tick-in', ms: timing.checkMs }] });
const lead = (timing: LeaseTiming): Step => ({ state: { phase: 'leading' }, effects: [{ kind: 'tick-in', ms: timing.renewMs }, { kind: 'elected' }] });

function check(timing: LeaseTiming, verdict: LeaseVerdict): Step {
  if (verdict.kind === 'held') return follow(timing);
  if (verdict.kind === 'mine') return lead(timing);
  return { state: { phase: 'claiming' }, effects: [{ kind: 'write' }] };
}

export function stepLease(state: LeasePhase, input: LeaseInput, timing: LeaseTiming): Step {
  const unchanged: Step = { state, effects: [] };
  if (state.phase === 'stopped') return unchanged;
  switch (input.type) {
    case 'start':
      return state.phase === 'idle' ? check(timing, input.verdict) : unchanged;
    case 'nudge':
      return state.phase === 'following' ? check(timing, input.verdict) : unchanged;
    case 'tick':
      if (state.phase === 'following') return check(timing, input.verdict);
      if (state.phase === 'settling') return input.verdict.kind === 'mine' ? { state: { phase: 'confirming' }, effects: [{ kind: 'write' }] } : follow(timing);
      if (state.phase !== 'leading') return unchanged;
      if (input.verdict.kind === 'held') {
        const log: LeaseEffect = { kind: 'log', message: 'tabs: another tab holds the lease; stepping down', context: { by: input.verdict.by } };
        const down = follow(timing, log);
        return { state: down.state, effects: [...down.effects, { kind: 'deposed' }] };
      }
      return { state, effects: [{ kind: 'write' }, { kind: 'tick-in', ms: timing.renewMs }] };
    case 'written':
      if (state.phase === 'claiming') return input.ok ? { state: { phase: 'settling' }, effects: [{ kind: 'tick-in', ms: timing.settleMs }] } : follow(timing);
      if (state.phase === 'confirming') return input.ok ? lead(timing) : follow(timing);
      return unchanged; // a renewal: the next one tries again
    case 'stop': {
      // Past `following`, this tab wrote a claim (or leads): remove it if it is still its own.
      const holds = state.phase !== 'idle' && state.phase !== 'following';
      return { state: { phase: 'stopped' }, effects: [{ kind: 'cancel-tick' }, ...(holds && input.verdict.kind === 'mine' ? [{ kind: 'remove' } as const] : [])] };
    }
  }
}
