/**
 * The dialer that `APP.widgets.notificationsPhone`'s button opens: a small form to type a number
 * and call it. It is in leader.js with the rest of the dialer (script.js stays lean) and gets the
 * page's document from src/platform/click-to-call.ts. One at a time; Enter calls, Escape or the
 * close button closes; nothing of it stays in the page once closed.
 */
import { dialStringsFrom } from './strings';

const FORM_ID = 'telephony-dialer';

/** Opens the form (or focuses the open one); `call` gets what the manager typed. Returns `close`. */
export function openDialerForm(doc: Document, texts: Record<string, unknown> | undefined, call: (number: string) => void): () => void {
  const open = doc.getElementById(FORM_ID);
  if (open !== null) {
    open.querySelector('input')?.focus();
    return () => open.remove();
  }
  const strings = dialStringsFrom(texts);
  const form = doc.createElement('form');
  form.id = FORM_ID;
  form.setAttribute('role', 'dialog');
  form.setAttribute('aria-label', strings.dialer_title);
  form.style.cssText = 'position:fixed;left:72px;bottom:24px;z-index:10000;background:#fff;border:1px solid #c7cdd3;border-radius:6px;padding:12px;box-shadow:0 4px 16px rgba(0,0,0,.18);font:14px sans-serif;display:flex;gap:8px;align-items:center';
  const input = doc.createElement('input');
  input.type = 'tel';
  input.name = 'number';
  input.maxLength = 64;
  input.placeholder = strings.dialer_placeholder;
  input.setAttribute('aria-label', strings.dialer_placeholder);
  input.autocomplete = 'tel';
  const submit = doc.createElement('button');
  submit.type = 'submit';
  submit.textContent = strings.dialer_call;
  const close = doc.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Close');
  const remove = () => form.remove();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value.trim() === '') return input.focus();
    call(input.value);
    remove();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') remove();
  });
  close.addEventListener('click', remove);
  form.append(input, submit, close);
  doc.body.appendChild(form);
  input.focus();
  return remove;
}
