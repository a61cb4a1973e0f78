/**
 * Test support for the feed: a manual clock the test advances itself while real loopback I/O
 * happens (jest fake timers and real sockets mix badly), a fake page, and event-loop waits.
 */
import type { Logger } from '../../../src/core/logger';
import { createPollTransport } from '../../../src/feed/poll-transport';

export { ManualClock } from '../../support/manual-clock';

export class FakePage {
  protocol: string;
  visible = true;
  private visibility = new Set<() => void>();
  private online = new Set<() => void>();

  constructor(protocol = 'https:') {
    this.protocol = protocol;
  }

  isVisible = (): boolean => this.visible;
  onVisibilityChange = (h: () => void): (() => void) => {
    this.visibility.add(h);
    return () => this.visibility.delete(h);
  };
  onOnline = (h: () => void): (() => void) => {
    this.online.add(h);
    return () => this.online.delete(h);
  };
  setVisible(visible: boolean): void {
    this.visible = visible;
    for (const h of [...this.visibility]) h();
  }
  goOnline(): void {
    for (const h of [...this.online]) h();
  }
  listeners(): number {
    return this.visibility.size + this.online.size;
  }
}

export interface RecordingLogger extends Logger {
  lines: Array<{ level: string; message: string }>;
}

export function recordingLogger(): RecordingLogger {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}


/** poll.js's code, handed over at once (the widget fetches it: src/platform/widget-part.ts). */
export const pollCodeAtOnce = (loaded: (create: typeof createPollTransport) => void): void => loaded(createPollTransport);
