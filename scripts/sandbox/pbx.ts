/**
 * The simulated PBX: keeps its own calls and, on every state change, POSTs one call event to the
 * relay's PBX endpoint with the PBX token, exactly as a vendor's PBX would (docs/call-feed-protocol.md).
 * The sandbox page's PBX panel and `npm run call` both drive it through the sandbox server.
 */
import { EVENT_LIMITS } from '../../src/protocol/event';

export type PbxDirection = 'inbound' | 'outbound';
export type PbxState = 'ringing' | 'answered' | 'ended';

export interface PbxCall {
  callId: string;
  direction: PbxDirection;
  phone: string;
  extension: string;
  state: PbxState;
  /** ms since the epoch. */
  startedAt: number;
  answeredAt?: number;
  duration?: number;
  recordingUrl?: string;
  result?: 'answered' | 'missed' | 'busy' | 'failed';
}

export type PbxAction =
  /** `phone` '' is a withheld number (the protocol's `""`); it must still be given. */
  | { action: 'ring'; direction?: PbxDirection; phone: string; extension: string; callId?: string }
  | { action: 'answer'; callId?: string }
  | { action: 'hangup'; callId?: string; recording?: boolean; duration?: number; result?: 'missed' | 'busy' | 'failed' };

/** What the PBX sends the relay: one protocol event, snake_case on the wire. */
export interface WireCallEvent {
  call_id: string;
  state: PbxState;
  direction: PbxDirection;
  phone: string;
  extension: string;
  at: number;
  duration?: number;
  recording_url?: string;
  result?: 'answered' | 'missed' | 'busy' | 'failed';
}

export class PbxInputError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = 'PbxInputError';
  }
}

export interface PbxDeps {
  /** Delivers one event to the relay (an HTTP POST in the sandbox). */
  send(event: WireCallEvent): Promise<void>;
  /** Base URL of the sandbox, for recording links. */
  recordingBase(): string;
  now?: () => number;
}

export interface Pbx {
  apply(action: PbxAction): Promise<PbxCall>;
  calls(): PbxCall[];
  /** Recently ended calls are kept for the panel; only the last few. */
  reset(): void;
}

const MAX_CALLS = 50;

export function createPbx(deps: PbxDeps): Pbx {
  const now = deps.now ?? (() => Date.now());
  const calls = new Map<string, PbxCall>();
  let counter = 0;

  function toWire(call: PbxCall): WireCallEvent {
    const at = Math.floor(now() / 1000);
    const event: WireCallEvent = {
      call_id: call.callId,
      state: call.state,
      direction: call.direction,
      phone: call.phone,
      extension: call.extension,
      at,
    };
    if (call.state === 'ended') {
      event.duration = call.duration ?? 0;
      if (call.recordingUrl) event.recording_url = call.recordingUrl;
      if (call.result) event.result = call.result;
    }
    return event;
  }

  function pick(callId: string | undefined, wanted: PbxState[]): PbxCall {
    if (callId) {
      const call = calls.get(callId);
      if (!call) throw new PbxInputError(`no call with id ${callId}`, 404);
      if (!wanted.includes(call.state)) throw new PbxInputError(`call ${callId} is ${call.state}`, 409);
      return call;
    }
    // Without an id: the most recent call in a fitting state, so `npm run call -- answer` just works.
    const candidates = [...calls.values()].filter((c) => wanted.includes(c.state));
    const last = candidates[candidates.length - 1];
    if (!last) throw new PbxInputError(`no call is ${wanted.join(' or ')}`, 409);
    return last;
  }

  function trim(): void {
    while (calls.size > MAX_CALLS) {
      const oldestEnded = [...calls.values()].find((c) => c.state === 'ended');
      const first = oldestEnded ?? calls.values().next().value;
      if (!first) return;
      calls.delete(first.callId);
    }
  }

  return {
    async apply(action) {
      let call: PbxCall;
      switch (action.action) {
        case 'ring': {
          if (typeof action.phone !== 'string') throw new PbxInputError('ring needs a phone number ("" for a withheld one)');
          const phone = action.phone.trim();
          // The protocol's limit: the relay would refuse a longer one, after the PBX kept the call.
          if (phone.length > EVENT_LIMITS.phone) throw new PbxInputError(`the phone number is longer than ${EVENT_LIMITS.phone} characters`);
          const extension = String(action.extension ?? '').trim();
          if (!/^[0-9A-Za-z*#+_-]{1,32}$/.test(extension)) throw new PbxInputError('ring needs an extension (1..32 of 0-9 A-Z * # + _ -)');
          const direction = action.direction ?? 'inbound';
          if (direction !== 'inbound' && direction !== 'outbound') throw new PbxInputError('direction is inbound or outbound');
          counter += 1;
          const callId = action.callId?.trim() || `sbx-${now().toString(36)}-${counter}`;
          if (callId.length > 128) throw new PbxInputError('call id longer than 128 characters');
          if (calls.has(callId)) throw new PbxInputError(`call ${callId} exists`, 409);
          call = { callId, direction, phone, extension, state: 'ringing', startedAt: now() };
          calls.set(callId, call);
          trim();
          break;
        }
        case 'answer': {
          call = pick(action.callId, ['ringing']);
          call.state = 'answered';
          call.answeredAt = now();
          break;
        }
        case 'hangup': {
          call = pick(action.callId, ['ringing', 'answered']);
          const talked = call.answeredAt !== undefined ? Math.round((now() - call.answeredAt) / 1000) : 0;
          call.duration = typeof action.duration === 'number' && action.duration >= 0 ? Math.floor(action.duration) : talked;
          call.result = action.result ?? (call.answeredAt !== undefined ? 'answered' : 'missed');
          if (action.recording && call.result === 'answered') {
            call.recordingUrl = `${deps.recordingBase()}/recordings/${encodeURIComponent(call.callId)}.wav`;
          }
          call.state = 'ended';
          break;
        }
        default:
          throw new PbxInputError(`unknown action ${(action as { action?: unknown }).action as string}`);
      }
      await deps.send(toWire(call));
      return { ...call };
    },
    calls: () => [...calls.values()].map((c) => ({ ...c })),
    reset: () => calls.clear(),
  };
}

/** A one-second 440 Hz tone as a WAV file: the "recording" the sandbox links to. */
export function recordingWav(seconds = 1, sampleRate = 8000): Buffer {
  const samples = seconds * sampleRate;
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVE', 8);
  buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 8000), 44 + i * 2);
  }
  return buf;
}
