/**
 * The AMI wire format, both ways, without I/O. Asterisk sends a banner line
 * (`Asterisk Call Manager/9.0.0`), then messages: `Key: value` lines ended by CRLF, a message
 * ended by an empty line. https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/AMI-v2-Specification/
 *
 * The parser takes chunks cut anywhere (inside a CRLF, inside a UTF-8 character): it splits
 * lines on the LF byte, which never occurs inside a multi-byte UTF-8 sequence, and decodes whole
 * lines only. Memory is bounded by maxMessageBytes: a bigger message is dropped (one log line)
 * and the parser skips to the next empty line.
 */
import type { AmiMessage, Log } from './ami-types';
import { AmiError } from './ami-errors';

export interface AmiParserOptions {
  /** Default 64 KiB (line ends included). */
  maxMessageBytes?: number;
  log?: Log;
}

export interface AmiParserStats {
  messages: number;
  bytes: number;
  dropped: number;
  garbageLines: number;
}

export interface AmiParser {
  /** Feeds a chunk; returns the messages it completed, in order. */
  push(chunk: Uint8Array | string): AmiMessage[];
  /** The banner line, once received (`Asterisk Call Manager/9.0.0`). */
  banner(): string | undefined;
  /** Bytes held for a message not complete yet (0 between messages). */
  buffered(): number;
  /** Counters since creation (messages parsed per second = messages / elapsed). */
  stats(): AmiParserStats;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const BANNER = /^Asterisk Call Manager\//;
/** Legacy (Asterisk <= 13) `Command` output: raw lines up to this marker, before the empty line. */
const END_COMMAND = '--END COMMAND--';

export function createAmiParser(options: AmiParserOptions = {}): AmiParser {
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const log = options.log ?? (() => undefined);
  const stats: AmiParserStats = { messages: 0, bytes: 0, dropped: 0, garbageLines: 0 };
  let bannerLine: string | undefined;
  let firstLine = true;
  /** The pieces of the line not ended yet. */
  let partial: Buffer[] = [];
  let partialBytes = 0;
  /** Bytes of the current message so far, complete lines only. */
  let messageBytes = 0;
  let fields: Record<string, string> | null = null;
  let dropping = false;
  /** Inside a `Response: Follows` body: lines are output until END_COMMAND. */
  let follows: 'no' | 'headers' | 'body' | 'done' = 'no';

  const drop = (why: string) => {
    stats.dropped += 1;
    log('ami message dropped: over maxMessageBytes, skipping to the next message', { why, limit: max, event: fields?.Event, response: fields?.Response });
    fields = null;
    follows = 'no';
    dropping = true;
    if (partialBytes > 2) {
      const head = Buffer.concat(partial, partialBytes).subarray(0, 2);
      partial = [Buffer.from(head)];
      partialBytes = 2;
    }
  };

  const endMessage = (out: AmiMessage[]) => {
    if (fields !== null && !dropping) {
      stats.messages += 1;
      out.push(fields);
    }
    fields = null;
    follows = 'no';
    dropping = false;
    messageBytes = 0;
  };

  const line = (text: string, out: AmiMessage[]) => {
    if (firstLine) {
      firstLine = false;
      if (BANNER.test(text)) {
        bannerLine = text;
        messageBytes = 0;
        return;
      }
    }
    if (text === '' && follows !== 'body') return endMessage(out);
    if (dropping) return;
    if (follows === 'body' || follows === 'headers') return followsLine(text);
    if (follows === 'done') return garbage(text);
    const colon = text.indexOf(':');
    if (colon <= 0) return garbage(text);
    const key = text.slice(0, colon);
    let from = colon + 1;
    while (from < text.length && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from += 1;
    const value = text.slice(from);
    addField(key, value);
    if (key === 'Response' && value === 'Follows') follows = 'headers';
  };

  const followsLine = (text: string) => {
    if (follows === 'headers' && /^(Privilege|ActionID): /.test(text)) {
      const colon = text.indexOf(':');
      return addField(text.slice(0, colon), text.slice(colon + 2));
    }
    follows = 'body';
    const end = text.endsWith(END_COMMAND);
    const output = end ? text.slice(0, -END_COMMAND.length) : text;
    if (!end || output !== '') addField('Output', output);
    if (end) follows = 'done';
  };

  const addField = (key: string, value: string) => {
    // No prototype: a key `__proto__` or `constructor` from the wire stays a plain field.
    if (fields === null) fields = Object.create(null) as Record<string, string>;
    const before = fields[key];
    fields[key] = before === undefined ? value : `${before}\n${value}`;
  };

  const garbage = (text: string) => {
    stats.garbageLines += 1;
    log('ami line without a colon skipped', { line: text.slice(0, 200) });
  };

  /** Holds a piece of the line not ended yet; while dropping, only its first 2 bytes (enough to tell an empty line). */
  const hold = (piece: Uint8Array) => {
    if (piece.length === 0) return;
    if (!dropping && messageBytes + partialBytes + piece.length > max) drop('line');
    if (dropping) {
      if (partialBytes >= 2) return;
      const kept = Buffer.from(piece.subarray(0, 2 - partialBytes));
      partial.push(kept);
      partialBytes += kept.length;
      return;
    }
    partial.push(Buffer.from(piece));
    partialBytes += piece.length;
  };

  const takeLine = (): string => {
    const whole = partial.length === 1 ? partial[0]! : Buffer.concat(partial, partialBytes);
    partial = [];
    partialBytes = 0;
    const end = whole.length > 0 && whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
    return Buffer.from(whole.buffer, whole.byteOffset, end).toString('utf8');
  };

  const push = (chunk: Uint8Array | string): AmiMessage[] => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    stats.bytes += bytes.length;
    const out: AmiMessage[] = [];
    let start = 0;
    for (;;) {
      const lf = bytes.indexOf(LF, start);
      if (lf >= 0 && partialBytes === 0) {
        // The common case, a whole line inside this chunk: decoded in place.
        messageBytes += lf - start + 1;
        if (!dropping && messageBytes > max) drop('message');
        const end = lf > start && bytes[lf - 1] === CR ? lf - 1 : lf;
        const text = end === start ? '' : dropping ? 'x' : bytes.toString('utf8', start, end);
        start = lf + 1;
        line(text, out);
        continue;
      }
      hold(bytes.subarray(start, lf < 0 ? bytes.length : lf));
      if (lf < 0) break;
      start = lf + 1;
      // The message's size counts every line end, its empty line's included.
      messageBytes += partialBytes + 1;
      if (!dropping && messageBytes > max) drop('message');
      line(partialBytes === 0 ? '' : takeLine(), out);
    }
    return out;
  };

  return {
    push,
    banner: () => bannerLine,
    buffered: () => messageBytes + partialBytes,
    stats: () => ({ ...stats }),
  };
}

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9_\-()]*$/;

/**
 * An action as AMI text: `Action` first, then the other fields, each `Key: value` CRLF, and the
 * empty line. A CR or LF in a value would start a new header or a new action (header
 * injection): refused with AmiError('invalid_action'), naming the key, never echoing the value.
 */
export function serializeAction(action: Readonly<Record<string, string>>): string {
  const name = action.Action;
  if (name === undefined || name === '') throw new AmiError('invalid_action', 'an AMI action needs an Action field', {});
  let text = '';
  const put = (key: string, value: unknown) => {
    if (!HEADER_NAME.test(key)) throw new AmiError('invalid_action', `AMI action ${safeName(name)}: field name ${JSON.stringify(key.slice(0, 40))} is not a header name`, { action: safeName(name) });
    if (typeof value !== 'string') throw new AmiError('invalid_action', `AMI action ${safeName(name)}: field ${key} is not a string`, { action: safeName(name), key });
    if (/[\r\n]/.test(value)) throw new AmiError('invalid_action', `AMI action ${safeName(name)}: field ${key} holds CR or LF`, { action: safeName(name), key });
    text += `${key}: ${value}\r\n`;
  };
  put('Action', name);
  for (const key of Object.keys(action)) if (key !== 'Action') put(key, action[key]);
  return `${text}\r\n`;
}

const safeName = (name: string) => (/^[A-Za-z0-9_]{1,40}$/.test(name) ? name : '(an invalid Action name)');
