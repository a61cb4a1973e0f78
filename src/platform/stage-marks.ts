/** The core's stage marks (src/core/stage-marks.ts) as User Timing marks `telephony:<stage>`, detail `{ callId }`. */
import type { StageMarks } from '../core/stage-marks';

export function browserStageMarks(win: Window & typeof globalThis): StageMarks | undefined {
  const performance = win.performance;
  if (typeof performance?.mark !== 'function') return undefined;
  return {
    mark(stage, callId) {
      try {
        performance.mark(`telephony:${stage}`, { detail: { callId } });
      } catch {
        // A page that replaced or froze performance: the breakdown is a measurement, never a failure.
      }
    },
  };
}
