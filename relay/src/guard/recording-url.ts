/**
 * A PBX event's `recording_url` with credentials in it (`https://user:pass@host/...`): the relay
 * would hand that password to every subscriber of the extension, and keep it in its store. The
 * widget's parser (src/protocol) accepts such links, as it must for what it already holds; the
 * relay's PBX endpoint refuses them (400 `recording_credentials`), so nothing of the POST is kept.
 */
import { HTTP_SCHEMES, parseUrl } from '../../../src/protocol/url';
import { RequestRefused } from '../errors';

/** Throws for an event (raw, as POSTed) whose `recording_url` carries a user name or password. */
export function refuseRecordingCredentials(raw: unknown, index: number): void {
  if (typeof raw !== 'object' || raw === null) return;
  const link = (raw as { recording_url?: unknown }).recording_url;
  if (typeof link !== 'string' || parseUrl(link, { schemes: HTTP_SCHEMES }) === null) return;
  if (parseUrl(link, { schemes: HTTP_SCHEMES, noCredentials: true }) !== null) return;
  throw new RequestRefused(400, 'recording_credentials', `event ${index}: recording_url carries a user name or password; give the widget a link without credentials (a signed or expiring URL)`, {
    field: 'recording_url',
    index,
  });
}
