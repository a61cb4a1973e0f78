/**
 * Click-to-call over AMI as pure functions: the Originate action a request becomes, and what
 * Asterisk's answers mean as an OriginateOutcome. The shell (ami-originate.ts) sends and waits.
 *
 * Asterisk 20, main/manager.c `action_originate`: with `Async: true` the Response comes at once,
 * `Success` / `Originate successfully queued`, or `Error` with a Message (`Extension does not
 * exist.` when Exten has no match in Context, `Permission denied` for a manager user without the
 * originate class). `fast_originate` then rings the Channel and, once it is answered or has
 * failed, sends the `OriginateResponse` event: Response Success/Failure, `Uniqueid` (our
 * ChannelId, even when no channel could be made) and `Reason`, an AST_CONTROL_* code from
 * main/pbx.c `pbx_dial_reason`: 4 answered; 5 busy (cause USER_BUSY); 8 congestion (call
 * rejected, network/destination out of order, temporary failure); 3 no answer (the phone rang
 * until Timeout); 1 hung up; 0 anything else: no such device, the phone is not registered.
 * https://docs.asterisk.org/Asterisk_20_Documentation/API_Documentation/AMI_Actions/Originate/
 */
import type { OriginateOutcome, OriginateRequest } from '../originate/pbx-adapter';
import { truncateReason } from '../originate/originate-rules';
import type { AmiMessage } from './ami-types';

export interface OriginateConfig {
  /** `SIP/{extension}`, `PJSIP/{extension}`, `Local/{extension}@from-internal`. */
  channel: string;
  context: string;
  /** How long the user's phone rings (Asterisk's `Timeout`, ms). */
  timeoutMs: number;
  /** `"{number}" <{extension}>`: see ami-originate.ts. */
  callerId: string;
  /** Dial E.164 numbers without their `+` (FreePBX outbound routes match digits). */
  stripPlus: boolean;
  /** Put before an E.164 number once its `+` is handled (`00`, `011`, `9` for an outside line); never before an internal number. */
  dialPrefix: string;
}

/** A channel's resource: what a dial string of SIP/PJSIP/Local holds for a device, nothing that changes its meaning (`&` `,` `/` `@`). */
const EXTENSION = /^[A-Za-z0-9_.*#+-]{1,64}$/;
const NUMBER = /^\+?[0-9]{1,20}$/;
/** Asterisk's ChannelId: at most AST_MAX_PUBLIC_UNIQUEID (149) characters; the relay's are UUIDs. */
const CHANNEL_ID = /^[A-Za-z0-9._-]{1,149}$/;
const CONTEXT = /^[A-Za-z0-9_.-]{1,79}$/;

export function checkOriginateConfig(c: OriginateConfig): OriginateConfig {
  const junk = /[\u0000-\u001f\u007f]/;
  if (junk.test(c.channel) || !/^[A-Za-z0-9]+\/.*\{extension\}/.test(c.channel)) {
    throw new Error(`the AMI originate channel must be a template like PJSIP/{extension} or Local/{extension}@from-internal, got ${JSON.stringify(c.channel)}`);
  }
  if (!CONTEXT.test(c.context)) throw new Error(`the AMI originate context must be a dialplan context name (from-internal), got ${JSON.stringify(c.context)}`);
  if (!Number.isSafeInteger(c.timeoutMs) || c.timeoutMs < 1000 || c.timeoutMs > 600_000) throw new RangeError(`the AMI originate ring timeout must be 1000..600000 ms, got ${String(c.timeoutMs)}`);
  if (junk.test(c.callerId) || /\{(?!number\}|extension\})/.test(c.callerId)) throw new Error(`the AMI originate caller ID must be a template of {number} and {extension}, got ${JSON.stringify(c.callerId)}`);
  if (!/^[0-9*#]{0,10}$/.test(c.dialPrefix)) throw new Error(`the AMI dial prefix must be at most 10 digits, got ${JSON.stringify(c.dialPrefix)}`);
  return c;
}

/** What Exten holds for the number: `+74951234567` -> `74951234567` (stripPlus) -> `0074951234567` (dialPrefix 00). */
export function dialledNumber(number: string, c: Pick<OriginateConfig, 'stripPlus' | 'dialPrefix'>): string {
  if (!number.startsWith('+')) return number;
  return c.dialPrefix + (c.stripPlus ? number.slice(1) : number);
}

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(number|extension)\}/g, (_, name: string) => values[name] ?? '');

/** The Originate action, or the refusal for a request no AMI line may carry (CR/LF, junk). */
export function originateAction(request: OriginateRequest, c: OriginateConfig): { ok: true; action: Record<string, string> } | { ok: false; outcome: OriginateOutcome } {
  if (typeof request.number !== 'string' || !NUMBER.test(request.number)) return { ok: false, outcome: { ok: false, code: 'bad_number', reason: 'the number must be + and digits or digits alone' } };
  if (typeof request.extension !== 'string' || !EXTENSION.test(request.extension)) {
    return { ok: false, outcome: { ok: false, code: 'unknown_extension', reason: 'the extension has characters no Asterisk device name holds' } };
  }
  if (typeof request.id !== 'string' || !CHANNEL_ID.test(request.id)) return { ok: false, outcome: { ok: false, code: 'other', reason: 'the request id cannot be an Asterisk channel id' } };
  const values = { number: request.number, extension: request.extension };
  return {
    ok: true,
    action: {
      Action: 'Originate',
      Channel: fill(c.channel, values),
      Context: c.context,
      Exten: dialledNumber(request.number, c),
      Priority: '1',
      Timeout: String(c.timeoutMs),
      CallerID: fill(c.callerId, values),
      Async: 'true',
      ChannelId: request.id,
      Variable: `KOMMO_ORIGINATE_ID=${request.id}`,
    },
  };
}

/** The action's Response: `queued` (the outcome comes in OriginateResponse), or the refusal. */
export function outcomeOfResponse(response: AmiMessage, request: OriginateRequest): 'queued' | OriginateOutcome {
  const said = (response.Message ?? '').trim();
  if ((response.Response ?? '').toLowerCase() === 'success') return 'queued';
  const reason = (text: string) => truncateReason(said === '' ? text : `${text} (Asterisk: ${said})`);
  if (/^permission denied/i.test(said) || /access forbidden/i.test(said)) {
    return { ok: false, code: 'not_allowed', reason: reason('the relay\'s AMI user may not originate (manager.conf: write = originate)') };
  }
  if (/extension does not exist/i.test(said)) return { ok: false, code: 'bad_number', reason: reason('the dialplan has no match for this number') };
  if (/shutting down/i.test(said)) return { ok: false, code: 'unreachable', reason: reason('Asterisk is shutting down') };
  return { ok: false, code: 'other', reason: reason(`Asterisk refused to ring extension ${request.extension}`) };
}

/** The OriginateResponse event: the user's phone answered, or why it could not ring. */
export function outcomeOfOriginateResponse(event: AmiMessage, request: OriginateRequest): OriginateOutcome {
  if ((event.Response ?? '').toLowerCase() === 'success') return { ok: true, callId: request.id };
  const ext = request.extension;
  switch (event.Reason) {
    case '5':
      return { ok: false, code: 'busy', reason: `extension ${ext} is busy (on a call, or do-not-disturb)` };
    case '8':
      return { ok: false, code: 'other', reason: `extension ${ext} rejected the call or is out of order (congestion)` };
    case '3':
      return { ok: false, code: 'other', reason: `extension ${ext} did not answer` };
    case '1':
      return { ok: false, code: 'other', reason: `the call to extension ${ext} was hung up before it was answered` };
    default:
      return { ok: false, code: 'unknown_extension', reason: `extension ${ext} could not be rung: no such device, or its phone is not registered` };
  }
}
