/**
 * What the call feed is doing, for the settings modal, in the user's language, with how it should
 * read: a refused token is a problem the admin must act on, not a line of plain text under "The
 * settings look correct." (issue 17), so each state carries a tone the modal styles and orders by.
 */
import type { Lifecycle } from './lifecycle';

/** `ok`: calls pop up; `pending`: on its way or switched off; `problem`: the admin must act (or wait for the PBX). */
export type ConnectionTone = 'ok' | 'pending' | 'problem';

export interface ConnectionStatus {
  /** Key in the i18n `status` section. */
  key: string;
  tone: ConnectionTone;
}

const ok = (key: string): ConnectionStatus => ({ key, tone: 'ok' });
const pending = (key: string): ConnectionStatus => ({ key, tone: 'pending' });
const problem = (key: string): ConnectionStatus => ({ key, tone: 'problem' });

export function connectionStatus(lifecycle: Lifecycle): ConnectionStatus {
  const state = lifecycle.state;
  if (state.status === 'misconfigured') return problem('misconfigured');
  if (state.status !== 'running') return pending('off');
  const telephony = state.telephony.status();
  switch (telephony.status) {
    case 'no-extension':
      return problem('no_extension');
    case 'follower':
      // The leading tab shares only its feed's state: open, or not (yet).
      return telephony.feed === 'open' ? ok('other_tab') : pending('connecting');
    case 'leader': {
      const feed = telephony.feed;
      switch (feed.status) {
        case 'open':
          return ok('connected');
        case 'connecting':
        case 'idle':
          return pending('connecting');
        case 'backoff':
          // A failure retrying soon cannot fix (404, a body outside the protocol) is retried rarely: say so.
          return problem(feed.error !== null && !feed.error.transient ? 'failing' : 'retrying');
        case 'unavailable':
          // leader.js or poll.js did not load: a missing file or the network; retried with backoff.
          return problem('transport_unavailable');
        case 'closed':
          return feed.reason === 'stopped' ? pending('off') : problem(CLOSED_TEXT[feed.reason]);
      }
    }
  }
}

export function connectionStatusText(lifecycle: Lifecycle, text: (key: string) => string): string {
  return text(connectionStatus(lifecycle).key);
}

const CLOSED_TEXT = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  'no-extension': 'no_extension',
  config: 'misconfigured',
  'signin-refused': 'signin_refused',
  'no-tickets': 'no_tickets',
} as const;

/**
 * The shared token warning: with it every user of the account can read every extension (issue 13).
 * Not while the relay has closed the feed (a refused token reads nothing): that problem comes first.
 */
export function connectionWarningText(lifecycle: Lifecycle, text: (key: string) => string): string | null {
  const state = lifecycle.state;
  if (state.status !== 'running') return null;
  const telephony = state.telephony.status();
  if (telephony.status === 'leader' && telephony.feed.status === 'closed') return null;
  return telephony.status !== 'no-extension' && telephony.access === 'shared-token' ? text('shared_token') : null;
}
