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

/**
 * Text that reads the same whether the host shows it as text or as HTML: without `<`, `>` and `&`
 * nothing in it is markup or an entity. For Kommo's `show_message`, whose rendering is not
 * documented (the widget's dialer messages, src/dial/message.ts).
 */
export function inertText(s: string): string {
  return String(s).replace(/[<>&]/g, '');
}
