/** The extensions a widget subscribes to or polls for, checked against the relay's limit. */
import { RequestRefused } from './errors';

/** A list (WebSocket) or a comma-separated string (poll query); throws RequestRefused 400. */
export function parseExtensions(raw: unknown, maxExtensions: number): Set<string> {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (list === null) throw new RequestRefused(400, 'bad_request', 'extensions must be a list');
  const set = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string') throw new RequestRefused(400, 'bad_request', 'each extension must be a string');
    const ext = item.trim();
    if (ext === '' || ext.length > 64) throw new RequestRefused(400, 'bad_request', 'each extension must be 1..64 characters');
    set.add(ext);
  }
  if (set.size === 0) throw new RequestRefused(400, 'bad_request', 'extensions is empty');
  if (set.size > maxExtensions) throw new RequestRefused(400, 'bad_request', `at most ${maxExtensions} extensions`);
  return set;
}
