/**
 * Kommo's writes take arrays (at most 50 per request): POST /api/v4/calls, leads/unsorted/sip.
 * Items that wait for the limiter together go in one request, cut when the limiter lets it go,
 * so a burst of completed calls costs one request per 50 calls instead of one each (Kommo allows
 * 7 requests a second). Each item still gets its own answer (a call: filed on a card, unknown
 * number, duplicate, or refused). A batch Kommo refuses as a whole (400/422, one bad item among
 * good ones) is sent again item by item, so one bad call never takes the others down with it.
 * They take the limiter's first lane: what lands on the card goes before tasks and lookups.
 */
import type { KommoAnswer, KommoHttp, KommoRequest } from './http';

/** Kommo asks for at most 50 entities in one write. */
export const ENTITIES_PER_WRITE = 50;

interface Waiting<B, R> {
  item: B;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** How one item of an answer reads (answers.ts): its result, or an error to throw. A kept 400/422 is one item's (a batch's is split first). */
export type ReadItem<B, R> = (request: KommoRequest, answer: KommoAnswer, item: B) => R;

export function createWriteBatcher<B, R>(http: KommoHttp, path: string, read: ReadItem<B, R>): (item: B) => Promise<R> {
  const queue: Array<Waiting<B, R>> = [];
  let sending = 0;

  /** `alone`: a call of a refused batch, sent without the queue joining it. */
  async function sendOne(batch: Array<Waiting<B, R>>, alone = false): Promise<void> {
    let request: KommoRequest | null = null;
    let answer: KommoAnswer;
    try {
      answer = await http.send(() => {
        // Cut at the limiter's go: everything that joined meanwhile rides along.
        if (!alone) batch.push(...queue.splice(0, ENTITIES_PER_WRITE - batch.length));
        request = { method: 'POST', path, body: batch.map((w) => w.item) };
        return request;
      }, [400, 422], 'first');
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    if ((answer.status === 400 || answer.status === 422) && batch.length > 1) {
      // Refused as a whole: each call on its own, so only a bad one is refused.
      await Promise.all(batch.map((waiting) => sendOne([waiting], true)));
      return;
    }
    for (const waiting of batch) {
      try {
        waiting.resolve(read(request as unknown as KommoRequest, answer, waiting.item));
      } catch (error) {
        waiting.reject(error);
      }
    }
  }

  function pump(): void {
    // One request waits for the limiter at a time: the calls behind it join it when it goes.
    if (sending > 0 || queue.length === 0) return;
    sending += 1;
    sendOne([])
      .finally(() => {
        sending -= 1;
        pump();
      })
      .catch(() => {});
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
