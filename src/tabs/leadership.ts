/**
 * Who leads, as data: a tab follows (knowing its leader or not), leads a numbered term, works
 * alone (no channel, or the election broke), or has stopped. The election's verdicts and the
 * leader's announcements move it; the effects start and end terms and say so to the others.
 */
import type { TabMode, TabRole } from './types';

type ElectedMode = Exclude<TabMode, 'alone'>;

export type LeadershipState =
  | { phase: 'following'; mode: TabMode; leaderId: string | null; terms: number }
  | { phase: 'leading'; mode: ElectedMode; term: number }
  | { phase: 'alone'; term: number }
  | { phase: 'stopped'; mode: TabMode; role: TabRole };

export type LeadershipInput =
  | { type: 'start' }
  | { type: 'elected' }
  /** Lost the election without stopping (lease: another tab's live record). */
  | { type: 'deposed' }
  /** The election itself broke: work alone. */
  | { type: 'failed' }
  /** Another tab said it leads (`snapshot`), or shared its state as only the leader does. */
  | { type: 'announced'; from: string; via: 'snapshot' | 'state' }
  | { type: 'leader-left' }
  | { type: 'stop' };

export type LeadershipEffect =
  | { kind: 'role'; role: TabRole }
  | { kind: 'begin-term'; term: number; connected: boolean }
  | { kind: 'end-term'; term: number }
  | { kind: 'hello' }
  | { kind: 'start-election' }
  | { kind: 'nudge' }
  /** A new leader may have missed this tab's attention report: repeat it. */
  | { kind: 'repeat-attention' }
  /** Drop the election and the channel: from now on this tab is on its own. */
  | { kind: 'isolate' }
  | { kind: 'bye'; wasLeader: boolean }
  /** Stop the election and close the channel (after the goodbye). */
  | { kind: 'release' }
  | { kind: 'log'; level: 'info' | 'warn'; message: string; context: Record<string, unknown> };

type Step = { state: LeadershipState; effects: LeadershipEffect[] };

/** `mode` is what the browser offers: `alone` without a channel or a way to elect. */
export function initialLeadership(mode: TabMode): LeadershipState {
  return { phase: 'following', mode, leaderId: null, terms: 0 };
}

export function roleOf(state: LeadershipState): TabRole {
  switch (state.phase) {
    case 'following':
      return { role: 'follower', leaderId: state.leaderId };
    case 'leading':
      return { role: 'leader' };
    case 'alone':
      return { role: 'alone' };
    case 'stopped':
      return state.role;
  }
}

export const modeOf = (state: LeadershipState): TabMode => (state.phase === 'alone' ? 'alone' : state.mode);

export const termOf = (state: LeadershipState): number | null => (state.phase === 'leading' || state.phase === 'alone' ? state.term : null);

const sameRole = (a: TabRole, b: TabRole) => a.role === b.role && (a.role !== 'follower' || b.role !== 'follower' || a.leaderId === b.leaderId);

/** The new state, with a `role` effect first when the role changed. */
function moveTo(from: LeadershipState, to: LeadershipState, effects: LeadershipEffect[]): Step {
  const role = roleOf(to);
  return { state: to, effects: sameRole(roleOf(from), role) ? effects : [{ kind: 'role', role }, ...effects] };
}

const lastTerm = (state: LeadershipState & { phase: 'following' | 'leading' | 'alone' }) => (state.phase === 'following' ? state.terms : state.term);

export function stepLeadership(state: LeadershipState, input: LeadershipInput): Step {
  if (state.phase === 'stopped') return { state, effects: [] };
  const term = termOf(state);
  const ending: LeadershipEffect[] = term === null ? [] : [{ kind: 'end-term', term }];
  switch (input.type) {
    case 'start':
      if (state.phase !== 'following' || state.terms > 0) return { state, effects: [] };
      if (state.mode === 'alone') return moveTo(state, { phase: 'alone', term: 1 }, [{ kind: 'begin-term', term: 1, connected: false }]);
      return { state, effects: [{ kind: 'hello' }, { kind: 'start-election' }] };
    case 'elected': {
      if (state.phase !== 'following' || state.mode === 'alone') return { state, effects: [] };
      const next = state.terms + 1;
      return moveTo(state, { phase: 'leading', mode: state.mode, term: next }, [{ kind: 'begin-term', term: next, connected: true }]);
    }
    case 'deposed':
      if (state.phase === 'alone') return { state, effects: [] };
      return moveTo(state, { phase: 'following', mode: state.mode, leaderId: null, terms: lastTerm(state) }, ending);
    case 'failed': {
      if (state.phase === 'alone') return { state, effects: [] };
      const next = lastTerm(state) + 1;
      return moveTo(state, { phase: 'alone', term: next }, [
        { kind: 'log', level: 'warn', message: 'tabs: working alone in this tab', context: { reason: 'the election failed' } },
        ...ending,
        { kind: 'isolate' },
        { kind: 'begin-term', term: next, connected: false },
      ]);
    }
    case 'announced':
      if (state.phase !== 'following') {
        const log: LeadershipEffect[] = input.via === 'snapshot' ? [{ kind: 'log', level: 'warn', message: 'tabs: another tab announced itself leader', context: { other: input.from } }] : [];
        return { state, effects: log };
      }
      if (state.leaderId === input.from) return { state, effects: [] };
      return moveTo(state, { ...state, leaderId: input.from }, input.via === 'snapshot' ? [{ kind: 'repeat-attention' }] : []);
    case 'leader-left':
      if (state.phase !== 'following') return { state, effects: [] };
      return moveTo(state, { ...state, leaderId: null }, [{ kind: 'nudge' }]);
    case 'stop':
      return {
        state: { phase: 'stopped', mode: modeOf(state), role: roleOf(state) },
        effects: [...ending, { kind: 'bye', wasLeader: state.phase === 'leading' }, { kind: 'release' }],
      };
  }
}
