/** Talking to the fixture CRM's v4 routes over loopback HTTP, as the relay's client would. */
import { DEFAULT_API_TOKEN, startCrmServer } from '../../../scripts/crm/crm-server';
import type { CrmOptions } from '../../../scripts/crm/crm-server';

export type CrmServer = Awaited<ReturnType<typeof startCrmServer>>;

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON; null when there was no body. */
  body: any;
}

export async function startV4Crm(options?: CrmOptions): Promise<CrmServer> {
  return startCrmServer(undefined, options);
}

export function v4Client(server: CrmServer, token: string | null = DEFAULT_API_TOKEN) {
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? null : JSON.parse(text) };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    send: call,
  };
}

/** A valid POST /api/v4/calls item (the relay's KommoCallBody). */
export function callBody(phone: string, uniq: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { direction: 'inbound', duration: 42, source: 'PBX relay', phone, uniq, call_status: 4, created_at: 1_700_000_100, request_id: uniq, ...extra };
}
