/**
 * The `--unknown-callers` policy: what the call log does when Kommo knows no card for a call's
 * number, per direction and outcome. `inbound=lead,outbound=nothing,inbound-busy=nothing`: a
 * direction alone sets all its outcomes, `direction-outcome` one of them; later entries win.
 */
import type { CallLogConfig, CallOutcome, UnknownCallerAction } from './types';

export const OUTCOMES: readonly CallOutcome[] = ['talked', 'no_answer', 'busy', 'failed'];
const ACTIONS: readonly UnknownCallerAction[] = ['lead', 'contact', 'nothing'];
const DIRECTIONS = ['inbound', 'outbound'] as const;

/** Kommo's own advice: an unknown caller becomes an incoming lead; our own calls out add nothing. */
export const DEFAULT_UNKNOWN_CALLERS = 'inbound=lead,outbound=nothing';

export type UnknownCallers = CallLogConfig['unknownCallers'];

/** The policy table, or the reason the text is not one (naming the entry). */
export function parseUnknownCallers(text: string): { ok: true; policy: UnknownCallers } | { ok: false; reason: string } {
  const all = (action: UnknownCallerAction) => Object.fromEntries(OUTCOMES.map((o) => [o, action])) as Record<CallOutcome, UnknownCallerAction>;
  const policy: UnknownCallers = { inbound: all('nothing'), outbound: all('nothing') };
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) return { ok: false, reason: 'is empty' };
  for (const entry of entries) {
    const match = /^([a-z]+)(?:-([a-z_]+))?=([a-z]+)$/.exec(entry);
    const [, direction, outcome, action] = match ?? [];
    if (direction === undefined || action === undefined) return { ok: false, reason: `"${entry}" is not direction[-outcome]=action` };
    if (!(DIRECTIONS as readonly string[]).includes(direction)) return { ok: false, reason: `"${entry}": the direction is one of ${DIRECTIONS.join(', ')}` };
    if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome)) return { ok: false, reason: `"${entry}": the outcome is one of ${OUTCOMES.join(', ')}` };
    if (!(ACTIONS as readonly string[]).includes(action)) return { ok: false, reason: `"${entry}": the action is one of ${ACTIONS.join(', ')}` };
    const row = policy[direction as 'inbound' | 'outbound'];
    for (const o of outcome === undefined ? OUTCOMES : [outcome as CallOutcome]) row[o] = action as UnknownCallerAction;
  }
  return { ok: true, policy };
}
