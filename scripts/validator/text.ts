/** Text files in the package: UTF-8 without BOM (Kommo's rule for the archive). */
import type { Fault } from './types';
import { fault } from './types';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The file's text, or null after pushing a fault. */
export function readText(file: string, bytes: Buffer, faults: Fault[]): string | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    faults.push(fault(file, 'starts with a UTF-8 byte order mark (BOM)', 'save it as UTF-8 without BOM'));
    return null;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    faults.push(fault(file, 'is not valid UTF-8', 'save it as UTF-8 (without BOM)'));
    return null;
  }
}

/** Parsed JSON, or null after pushing a fault. */
export function readJson(file: string, bytes: Buffer, faults: Fault[]): unknown {
  const text = readText(file, bytes, faults);
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    faults.push(fault(file, `is not valid JSON (${(error as Error).message})`, 'correct the JSON syntax'));
    return null;
  }
}

export { isRecord } from '../../src/protocol/record';
