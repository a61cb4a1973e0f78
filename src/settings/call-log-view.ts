/**
 * What the settings modal says about the relay's call log (issue 16), from the relay's answer to
 * `GET <relay>/call-log` (relay/src/calllog/status.ts): a key of the `call_log` texts, its
 * values, and how it should read. Pure: the modal (src/platform/call-log-block.ts) fetches and
 * renders.
 */
import type { CallLogStrings } from './call-log-strings';

export type CallLogTone = 'ok' | 'pending' | 'problem';

export interface CallLogView {
  tone: CallLogTone;
  key: keyof CallLogStrings;
  values: Record<string, string | number>;
}

const view = (tone: CallLogTone, key: keyof CallLogStrings, values: Record<string, string | number> = {}): CallLogView => ({ tone, key, values });

const count = (value: unknown): number => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0);
const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : fallback);

/** `status` 0: no answer. `nowS`: unix seconds, for "N min ago". */
export function callLogView(answer: { status: number; body: unknown }, nowS: number): CallLogView {
  const { status, body } = answer;
  if (status === 0) return view('problem', 'unreachable');
  if (status === 404) return view('pending', 'unsupported');
  if (status === 401) return view('problem', 'signin_refused');
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null;
  if (status !== 200 || record === null || typeof record.configured !== 'boolean') return view('problem', 'bad_answer', { status });
  if (!record.configured) return view('pending', 'off');
  const pending = count(record.pending);
  const firstFailure = Array.isArray(record.failures) ? (record.failures[0] as { reason?: unknown } | undefined) : undefined;
  switch (record.problem) {
    case 'unauthorized':
      return view('problem', 'unauthorized', { pending });
    case 'refused':
      return view('problem', 'refused', { failed: count(record.failed), reason: text(firstFailure?.reason, '?') });
    case 'retrying':
      return view('problem', 'retrying', { pending, reason: text(record.last_retry_reason, '?') });
  }
  const last = record.last_success_at;
  if (typeof last !== 'number' || !Number.isFinite(last)) return view('ok', 'ok_none_yet');
  return view('ok', 'ok', { minutes: Math.max(0, Math.floor((nowS - last) / 60)) });
}
