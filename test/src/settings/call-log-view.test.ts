import { callLogView } from '../../../src/settings/call-log-view';
import { ENGLISH_CALL_LOG_STRINGS } from '../../../src/settings/call-log-strings';
import { describeTranslations } from '../../support/i18n-sections';

const NOW_S = 1_800_000_000;
const healthy = { configured: true, healthy: true, problem: null, pending: 0, failed: 0, last_success_at: NOW_S - 150, last_retry_reason: null, failures: [] };

describe('what the settings modal says about the relay\'s call log', () => {
  test('a healthy call log says when the last call was logged', () => {
    expect(callLogView({ status: 200, body: healthy }, NOW_S)).toEqual({ tone: 'ok', key: 'ok', values: { minutes: 2 } });
    expect(callLogView({ status: 200, body: { ...healthy, last_success_at: null } }, NOW_S)).toEqual({ tone: 'ok', key: 'ok_none_yet', values: {} });
  });

  test('a relay without an API token, and a relay from before the call log, are not problems but say how calls are still seen', () => {
    expect(callLogView({ status: 200, body: { configured: false } }, NOW_S)).toMatchObject({ tone: 'pending', key: 'off' });
    expect(callLogView({ status: 404, body: { error: 'not_found' } }, NOW_S)).toMatchObject({ tone: 'pending', key: 'unsupported' });
  });

  test('a refused token, refused writes and retries are problems, with the figures the admin needs', () => {
    expect(callLogView({ status: 200, body: { ...healthy, problem: 'unauthorized', pending: 7 } }, NOW_S)).toEqual({ tone: 'problem', key: 'unauthorized', values: { pending: 7 } });
    expect(callLogView({ status: 200, body: { ...healthy, problem: 'refused', failed: 2, failures: [{ kind: 'log-call', reason: 'Kommo answered 400: Bad Request', at: NOW_S }] } }, NOW_S)).toEqual({
      tone: 'problem',
      key: 'refused',
      values: { failed: 2, reason: 'Kommo answered 400: Bad Request' },
    });
    expect(callLogView({ status: 200, body: { ...healthy, problem: 'retrying', pending: 3, last_retry_reason: 'Kommo answered 429' } }, NOW_S)).toEqual({
      tone: 'problem',
      key: 'retrying',
      values: { pending: 3, reason: 'Kommo answered 429' },
    });
  });

  test('no answer, a refused sign-in and an unreadable answer each say so', () => {
    expect(callLogView({ status: 0, body: null }, NOW_S).key).toBe('unreachable');
    expect(callLogView({ status: 401, body: { error: 'unauthorized' } }, NOW_S).key).toBe('signin_refused');
    expect(callLogView({ status: 200, body: 'garbage' }, NOW_S)).toEqual({ tone: 'problem', key: 'bad_answer', values: { status: 200 } });
    expect(callLogView({ status: 500, body: { error: 'internal' } }, NOW_S)).toEqual({ tone: 'problem', key: 'bad_answer', values: { status: 500 } });
  });

  test('hostile figures cannot become text of any length or kind', () => {
    const view = callLogView({ status: 200, body: { ...healthy, problem: 'refused', failed: -4, failures: [{ reason: 'x'.repeat(5000) }] } }, NOW_S);
    expect(view.values.failed).toBe(0);
    expect(String(view.values.reason)).toHaveLength(200);
  });
});

describeTranslations('call_log', ENGLISH_CALL_LOG_STRINGS);
