/**
 * `notify_mode: events`: let Kommo match the caller and notify, as its call-notification page
 * describes (POST /api/v2/events, https://developers.kommo.com/docs/call-event). Rejects on any
 * failure so the notifier can fall back to the widget's own pop-up.
 */
import { classifyFetchFailure } from '../core/fetch-failure';

export function createEventsPoster(deps: { fetch: typeof fetch; origin: string }) {
  return async (body: unknown): Promise<void> => {
    const url = `${deps.origin}/api/v2/events`;
    const request = { method: 'POST', url };
    let response: Response;
    try {
      response = await deps.fetch(url, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw classifyFetchFailure(request, { kind: 'rejected', cause });
    }
    // No Retry-After: a failed post is not retried, the pop-up takes over.
    if (!response.ok) throw classifyFetchFailure(request, { kind: 'status', status: response.status });
  };
}
