/**
 * Where a ringing call's time goes between the relay's frame and the pop-up (issue 18's per-stage
 * breakdown; scripts/bench/naive.ts reads them). The core names the stages; the platform layer
 * records them (src/platform/stage-marks.ts: performance.mark, cheap enough to stay always on).
 */
export type CallStage =
  /** A call frame reached the leader's socket (before it is parsed). */
  | 'frame-received'
  /** The frame parsed and the tracker's change came out of the feed. */
  | 'tracker'
  /** The by_phone request handed to fetch. */
  | 'lookup-sent'
  /** The lookup's answer parsed into a caller. */
  | 'answer-parsed'
  /** The pop-up's text built, handed to the tab layer. */
  | 'text-built'
  /** The tab layer routed it to this tab for display. */
  | 'routed'
  /** The host's show_notification returned. */
  | 'shown';

export interface StageMarks {
  mark(stage: CallStage, callId?: string): void;
}
