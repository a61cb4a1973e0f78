/**
 * `notify_mode: events`: let Kommo match the caller and notify, as its call-notification page
 * describes (POST /api/v2/events, https://developers.kommo.com/docs/call-event). Rejects on any
 * failure so the notifier can fall back to the widget's own pop-up.
 */
import { HttpError, NetworkError } from '../core/errors';

export function createEventsPoster(deps: { fetch: typeof fetch; origin: string }) {
  return async (body: unknown): Promise<void> => {
    const url = `${deps.origin}/api/v2/events`;
    let response: Response;
    try {
      response = await deps.fetch(url, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw new NetworkError('POST', url, { cause });
    }
    if (!response.ok) throw new HttpError(response.status, 'POST', url);
  };
}
