/**
 * What the notifier asks of the host, as plain data. The platform layer maps these onto
 * `APP.notifications.show_notification` / `add_call` (see src/platform/kommo.ts).
 */
export interface CallPopup {
  /** The call it announces: lets the tab layer route it and show it once. */
  callId?: string;
  header: string;
  /** HTML: every untrusted piece already escaped. */
  text: string;
  /** Unix seconds. */
  date: number;
}

/** `text`, `from` and `to` are escaped HTML (whether Kommo renders them as HTML is not documented). */
export interface CompletedCall {
  /** The call it files: lets the tab layer file it once across leaders. Not sent to Kommo. */
  callId?: string;
  text: string;
  /** Unix seconds. */
  date: number;
  from: string;
  to: string;
  /** Seconds talked; absent when nobody talked (Kommo would show 0:00). */
  duration?: number;
  /** The recording URL (http/https only). */
  link?: string;
  element?: { id: number; type: 'contact' | 'lead' | 'company' };
}

export interface NotificationSink {
  showPopup(popup: CallPopup): void;
  addCall(call: CompletedCall): void;
}
