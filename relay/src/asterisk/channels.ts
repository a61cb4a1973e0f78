/**
 * Who a channel is, from its name alone: an employee's extension, a trunk (the outside world) or
 * something else (a dialplan Local that leads to a number, DAHDI...). Asterisk names a channel
 * `<tech>/<resource>-<sequence>`; a Local channel `Local/<exten>@<context>-<sequence>;<1|2>`, its
 * two halves (;1 faces the caller, ;2 runs the dialplan).
 * https://docs.asterisk.org/Configuration/Channel-Drivers/Local-Channel/
 */

export interface LocalHalf {
  /** The name without `;1` / `;2`: both halves share it. */
  base: string;
  half: 1 | 2;
}

export type ChannelIdentity =
  | { kind: 'extension'; tech: string; extension: string; local?: LocalHalf }
  | { kind: 'trunk'; tech: string; peer: string; local?: undefined }
  | { kind: 'other'; tech: string; local?: LocalHalf };

export interface ChannelNaming {
  /** A peer name (or a Local's exten) that is an employee's extension. */
  extensionPattern: RegExp;
  /** Peer names that are trunks even when they look like an extension. */
  trunks: ReadonlySet<string>;
}

export const DEFAULT_EXTENSION_PATTERN = /^[0-9]{2,6}$/;
/** The protocol's limit for `extension`. */
const MAX_EXTENSION_CHARS = 64;

/** SIP/101-00000003, PJSIP/101-0000000a, IAX2/101-12345: phones and trunks alike. */
const DEVICE = /^(SIP|PJSIP|IAX2)\/(.+)-[0-9a-fA-F]+$/i;
const LOCAL = /^(Local\/([^@]*)@(.+)-[0-9a-fA-F]+);([12])$/i;
/** Technologies that only ever carry the outside world (PSTN cards). */
const PSTN = /^(DAHDI|Zap|mISDN|ooh323|H323)\//i;
/** FreePBX's follow-me Locals: Local/FMPR-101@..., Local/FMGL-101#@... */
const LOCAL_EXTEN_DECORATION = /^(?:[A-Za-z]+-)?([^#]*)#?$/;

export function channelIdentity(name: string, naming: ChannelNaming): ChannelIdentity {
  const tech = name.includes('/') ? name.slice(0, name.indexOf('/')) : name;
  const local = LOCAL.exec(name);
  if (local) {
    const [, base = '', rawExten = '', , which] = local;
    const half: LocalHalf = { base, half: which === '1' ? 1 : 2 };
    const exten = LOCAL_EXTEN_DECORATION.exec(rawExten)?.[1] ?? rawExten;
    return isExtension(exten, naming) ? { kind: 'extension', tech, extension: exten, local: half } : { kind: 'other', tech, local: half };
  }
  const device = DEVICE.exec(name);
  if (device) {
    const peer = device[2] ?? '';
    if (!naming.trunks.has(peer) && isExtension(peer, naming)) return { kind: 'extension', tech, extension: peer };
    return { kind: 'trunk', tech, peer };
  }
  if (PSTN.test(name)) return { kind: 'trunk', tech, peer: name.slice(tech.length + 1) };
  return { kind: 'other', tech };
}

function isExtension(candidate: string, naming: ChannelNaming): boolean {
  if (candidate.length === 0 || candidate.length > MAX_EXTENSION_CHARS) return false;
  naming.extensionPattern.lastIndex = 0;
  return naming.extensionPattern.test(candidate);
}
