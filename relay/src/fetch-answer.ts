/**
 * The body of a `fetch` answer from a server the relay calls (the PBX's originate endpoint,
 * Kommo's API), read as text up to a cap: a server that answers without end cannot fill the
 * relay's memory.
 */

/** The body as text; null past `maxBytes` (not read further). */
export async function readCappedText(response: Response, maxBytes: number): Promise<string | null> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
