/**
 * Which extensions the current Kommo user listens to: their entry in the `phones` setting
 * (`users` type: Kommo user id -> "101, 102"). No entry means no feed at all (the settings
 * panel hints at it; the feed raises no errors).
 */
export function extensionsForUser(phones: Record<string, string[]>, userId: string | number | null | undefined): string[] {
  if (userId === null || userId === undefined || userId === '') return [];
  const list = phones[String(userId)] ?? [];
  const seen = new Set<string>();
  for (const raw of list) {
    const ext = raw.trim();
    if (ext !== '') seen.add(ext);
  }
  return [...seen];
}

/**
 * The current user's id as Kommo gives it: `APP.constant('user').id`, else `system().amouser_id`
 * (https://developers.kommo.com/docs/script-js). The platform layer passes both values in.
 */
export function currentUserId(constantUser: unknown, amouserId: unknown): string | null {
  const fromConstant = typeof constantUser === 'object' && constantUser !== null ? (constantUser as { id?: unknown }).id : undefined;
  for (const id of [fromConstant, amouserId]) {
    if ((typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.trim() !== '')) return String(id).trim();
  }
  return null;
}
