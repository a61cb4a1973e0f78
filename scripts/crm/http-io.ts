/**
 * The fixture CRM's HTTP plumbing shared by its v2 and v4 routes: a bounded body reader and the
 * status titles of its problem answers.
 */
import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 64 * 1024;

export function readBody(req: IncomingMessage, done: (error: 'too_large' | 'read' | null, text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: 'too_large' | 'read' | null, text = ''): void => {
    if (finished) return;
    finished = true;
    done(error, text);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      finish('too_large');
      req.resume();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
  req.on('error', () => finish('read'));
}

export function titleOf(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  };
  return titles[status] ?? 'Error';
}
