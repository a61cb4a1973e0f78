/**
 * The outside party's number as the feed carries it (`phone`: any format, at most 64
 * characters, '' when withheld). Asterisk writes `<unknown>` for a caller ID it does not have;
 * carriers send `anonymous` / `restricted` for a withheld one.
 */

const WITHHELD = new Set(['', '<unknown>', 'unknown', 'anonymous', 'restricted', 'private', 'withheld']);
const MAX_PHONE_CHARS = 64;

export function callerNumber(raw: string | undefined): string {
  const value = (raw ?? '').trim();
  return WITHHELD.has(value.toLowerCase()) ? '' : value.slice(0, MAX_PHONE_CHARS);
}

/**
 * The number an extension dialled: the exten it entered the dialplan with (FreePBX's dial
 * patterns included, as the employee typed it), else the Dial resource without the trunk
 * (`pstn/14155237743`, `SIP/pstn/14155237743`, `PJSIP/14155237743@pstn`).
 */
export function dialledNumber(exten: string | undefined, dialString: string | undefined): string {
  const typed = (exten ?? '').trim();
  if (typed !== '' && typed !== 's') return callerNumber(typed);
  const resource = (dialString ?? '').split(',')[0]?.trim() ?? '';
  const last = resource.slice(resource.lastIndexOf('/') + 1);
  const user = last.includes('@') ? last.slice(0, last.indexOf('@')) : last;
  return callerNumber(user.replace(/^(sip|sips|tel):/i, ''));
}
