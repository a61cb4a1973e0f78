/**
 * jest's jsdom environment lacks TextEncoder/TextDecoder, which Node and every browser have; the
 * relay (run in-process by some jsdom tests) needs them for its JWTs (jose).
 */
import { TextDecoder, TextEncoder } from 'node:util';

const scope = globalThis as unknown as Record<string, unknown>;
scope.TextEncoder ??= TextEncoder;
scope.TextDecoder ??= TextDecoder;
