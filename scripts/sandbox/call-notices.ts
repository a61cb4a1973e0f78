/**
 * Kommo's side of `notify_mode: events`: Kommo files a call notification under the bell of each
 * user a POST /api/v2/events item names and tells every tab of those users
 * (https://developers.kommo.com/docs/call-event). The sandbox server keeps what the simulated CRM
 * answered (scripts/crm/crm-server.ts: the matched element per item) with the users the request
 * named; every sandbox tab fetches its user's new ones (GET /sandbox/notices,
 * kommo/call-events.ts). Nothing is matched or decided here: it records the CRM's answer.
 */
import type { ServerResponse } from 'node:http';

/** One filed notification: the CRM's answer item as it was, for the users its request item named. */
export interface CallNotice {
  /** 1, 2, ...: a tab asks for the ones after the last it has. */
  seq: number;
  /** When it was filed (ms since the epoch). */
  at: number;
  users: string[];
  item: Record<string, unknown>;
}

/** GET /sandbox/notices?user=ID[&after=SEQ]: without `after` only `last`, where a new tab starts. */
export interface NoticesAnswer {
  last: number;
  notices: CallNotice[];
}

export interface CallNotices {
  /**
   * Files what the CRM answers on `res` (a POST /api/v2/events) once it is accepted (200);
   * `accepted()` is the request body the CRM just recorded (it records and answers in one step).
   */
  watch(res: ServerResponse, accepted: () => unknown): void;
  since(user: string, after: number | null): NoticesAnswer;
}

/** A sandbox runs for hours: the oldest notifications go first. */
const KEEP = 1000;

function addressees(body: unknown): string[][] {
  const add = (body as { add?: unknown } | null)?.add;
  if (!Array.isArray(add)) return [];
  return add.map((item: { users?: unknown } | null) => (Array.isArray(item?.users) ? item.users.map(String) : []));
}

function answerItems(text: string): Array<Record<string, unknown>> {
  try {
    const items = (JSON.parse(text) as { _embedded?: { items?: unknown } })._embedded?.items;
    return Array.isArray(items) ? (items as Array<Record<string, unknown>>) : [];
  } catch {
    return [];
  }
}

export function createCallNotices(now: () => number = Date.now): CallNotices {
  const filed: CallNotice[] = [];
  let last = 0;

  function file(body: unknown, answer: string): void {
    const to = addressees(body);
    const items = answerItems(answer);
    // The CRM answers item for item; anything else is not an answer to this request.
    if (items.length !== to.length) return;
    for (const [i, item] of items.entries()) {
      last += 1;
      filed.push({ seq: last, at: now(), users: to[i] ?? [], item });
    }
    filed.splice(0, Math.max(0, filed.length - KEEP));
  }

  return {
    watch(res, accepted) {
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        const chunk = args[0];
        if (res.statusCode === 200 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) file(accepted(), String(chunk));
        return end(...args);
      }) as ServerResponse['end'];
    },
    since(user, after) {
      if (after === null) return { last, notices: [] };
      return { last, notices: filed.filter((notice) => notice.seq > after && notice.users.includes(user)) };
    },
  };
}
