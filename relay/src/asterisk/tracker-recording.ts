/**
 * Where the call's recording is, as the dialplan announced it; the best name wins:
 * MixMonitor's own MIXMONITOR_FILENAME (the full path it writes), then FreePBX's
 * CDR(recordingfile) (the file name under monitor/YYYY/MM/DD; seen as a `Set` in Newexten, or in
 * the Cdr event when cdr_manager.conf maps it), then FreePBX's CALLFILENAME (no extension).
 * https://docs.asterisk.org/Latest_API/API_Documentation/Dialplan_Applications/MixMonitor/
 */
import type { AmiMessage } from './ami-types';
import type { Out } from './tracker-calls';
import { ensureChannel } from './tracker-channels';
import type { TrackerState } from './tracker-state';

const RANK: Readonly<Record<string, number | undefined>> = { MIXMONITOR_FILENAME: 3, 'CDR(recordingfile)': 2, CALLFILENAME: 1 };
const CDR_RANK = 2;
const CDR_SET = /^CDR\(recordingfile\)=(.+)$/;

function note(state: TrackerState, callId: string | undefined, file: string | undefined, rank: number): void {
  const call = callId === undefined ? undefined : state.calls.get(callId);
  const name = (file ?? '').trim();
  if (!call || name === '' || (call.recording && call.recording.rank > rank)) return;
  call.recording = { file: name, rank };
}

export function onVarSet(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  const rank = RANK[m.Variable ?? ''];
  if (rank === undefined) return;
  note(state, ensureChannel(state, m, '', at, out)?.callId, m.Value, rank);
}

export function onNewexten(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  const chan = ensureChannel(state, m, '', at, out);
  if (m.Application !== 'Set') return;
  const set = CDR_SET.exec(m.AppData ?? '');
  if (set) note(state, chan?.callId, set[1], CDR_RANK);
}

export function onCdr(state: TrackerState, m: AmiMessage): void {
  const file = m.recordingfile ?? m.RecordingFile;
  if (file === undefined) return;
  const chan = state.channels.get(m.UniqueID ?? m.Uniqueid ?? '');
  note(state, chan?.callId, file, CDR_RANK);
}
