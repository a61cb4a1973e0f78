/**
 * HTML escaping for everything the CRM or the PBX hands us (names, numbers, URLs) and for
 * settings values echoed back. Kommo puts `show_notification`'s `text.text` into the page as
 * HTML (https://developers.kommo.com/docs/call-notification), so one missed escape is an XSS
 * hole. Quotes are escaped too, so the result is safe inside a quoted attribute as well as in text.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}
