/** Reading a request body with a ceiling: the relay's PBX endpoint and the sandbox's forms share it. */
import type { IncomingMessage } from 'node:http';
import { RequestRefused } from './errors';

/** The body passed `maxBytes`: answer 413. The rest of the body is drained unread. */
export class BodyTooLarge extends Error {
  readonly status = 413;
  constructor(readonly maxBytes: number) {
    super(`body larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * The body did not arrive: the client went away, or the server cut it (`requestTimeout`: a body
 * dribbled byte by byte). The socket is gone, so the answer goes nowhere and nothing is logged.
 */
export class BodyAborted extends RequestRefused {
  constructor() {
    super(408, 'request_timeout', 'the request body did not arrive in time');
    this.name = 'BodyAborted';
  }
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyTooLarge(maxBytes));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Drain the rest unread so the client hears the 413 instead of a reset.
        reject(new BodyTooLarge(maxBytes));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (error) => reject(req.complete ? error : new BodyAborted()));
    // A promise that never settled would hold its request's memory for good.
    req.on('close', () => {
      if (!req.complete) reject(new BodyAborted());
    });
  });
}
