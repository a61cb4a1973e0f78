/**
 * What a call was, from its legs' ends (issue 16): one CompletedCall per `call_id`, however many
 * extensions its ring group rang and however often it was transferred. Pure: assembly.ts calls
 * it once every leg has ended and stayed ended for the settle delay.
 */
import { internalExtension, stripPhoneSeparators } from '../../../src/protocol';
import type { CallEvent, CallResult } from '../../../src/protocol';
import type { CallOutcome, CompletedCall } from './types';

const NO_EXTENSIONS: ReadonlySet<string> = new Set();

/**
 * The completed call of `legs`: each leg's latest event, in the order the legs first appeared
 * (at least one). `firstSeenAt` (ms) is when the call was first seen (assembly.ts: the earliest
 * start its events show). `knownExtensions`: the account's extensions besides the call's own,
 * so a colleague's 5-digit extension as the phone still makes the call internal.
 *
 * - talked: a leg ended `answered` (an expired answered leg too: the relay knew it was answered,
 *   only its duration is unknown); logged by the last answered leg (by `at`), the answered
 *   legs' durations summed (a transfer is one call), the last recording;
 * - busy / failed: every leg busy / every leg failed;
 * - no_answer otherwise (missed, answered by nobody of ours, expired while ringing, a mix of
 *   busy and failed); logged by the first leg's extension.
 * A leg still live (never the case from assembly.ts) counts as not answered.
 */
export function completedCall(legs: readonly CallEvent[], firstSeenAt: number, knownExtensions: ReadonlySet<string> = NO_EXTENSIONS): CompletedCall {
  const first = legs[0];
  if (first === undefined) throw new RangeError('call log: a completed call needs at least one leg');
  const answered = legs.filter((leg) => resultOf(leg) === 'answered');
  const talkedBy = latest(answered);
  const recorded = latest(answered.filter((leg) => leg.recordingUrl !== undefined));
  const extensions = [...new Set(legs.map((leg) => leg.extension))];
  const call: CompletedCall = {
    uniq: first.callId,
    direction: first.direction,
    // The first leg's party: a transfer's later legs may name the transferring extension instead.
    phone: first.phone,
    internal: isInternal(first.phone, extensions, knownExtensions),
    outcome: outcomeOf(legs, talkedBy !== undefined),
    extension: (talkedBy ?? first).extension,
    extensions,
    duration: answered.reduce((sum, leg) => sum + (leg.duration ?? 0), 0),
    startedAt: firstSeenAt,
    endedAt: Math.max(...legs.map((leg) => leg.at)),
  };
  if (recorded?.recordingUrl !== undefined) call.recordingUrl = recorded.recordingUrl;
  return call;
}

/** An extension's number (1..4 digits, the widget's rule), or one of the call's or the account's extensions. '' (withheld) is not. */
export function isInternal(phone: string, extensions: readonly string[], knownExtensions: ReadonlySet<string> = NO_EXTENSIONS): boolean {
  if (internalExtension(phone) !== null) return true;
  const bare = stripPhoneSeparators(phone);
  return bare !== '' && (extensions.includes(bare) || knownExtensions.has(bare));
}

function outcomeOf(legs: readonly CallEvent[], talked: boolean): CallOutcome {
  if (talked) return 'talked';
  if (legs.every((leg) => resultOf(leg) === 'busy')) return 'busy';
  if (legs.every((leg) => resultOf(leg) === 'failed')) return 'failed';
  return 'no_answer';
}

/** An ended leg's result; the protocol's default when it has none (event.ts always sets one). */
function resultOf(leg: CallEvent): CallResult | undefined {
  if (leg.state !== 'ended') return undefined;
  return leg.result ?? ((leg.duration ?? 0) > 0 ? 'answered' : 'missed');
}

/** The leg with the latest `at`; of equal ones, the later in the list. */
function latest(legs: readonly CallEvent[]): CallEvent | undefined {
  return legs.reduce<CallEvent | undefined>((best, leg) => (best === undefined || leg.at >= best.at ? leg : best), undefined);
}
