/** One line for the settings modal: what the call feed is doing, in the user's language. */
import type { Lifecycle } from './lifecycle';

export function connectionStatusText(lifecycle: Lifecycle, text: (key: string) => string): string {
  const state = lifecycle.state;
  if (state.status === 'misconfigured') return text('misconfigured');
  if (state.status !== 'running') return text('off');
  const telephony = state.telephony.status();
  switch (telephony.status) {
    case 'no-extension':
      return text('no_extension');
    case 'follower':
      // The leading tab shares only its feed's state: open, or not (yet).
      return text(telephony.feed === 'open' ? 'other_tab' : 'connecting');
    case 'leader': {
      const feed = telephony.feed;
      switch (feed.status) {
        case 'open':
          return text('connected');
        case 'connecting':
        case 'idle':
          return text('connecting');
        case 'backoff':
          // A failure retrying soon cannot fix (404, a body outside the protocol) is retried rarely: say so.
          return text(feed.error !== null && !feed.error.transient ? 'failing' : 'retrying');
        case 'unavailable':
          // leader.js or poll.js did not load: a missing file or the network; retried with backoff.
          return text('transport_unavailable');
        case 'closed':
          return text(CLOSED_TEXT[feed.reason]);
      }
    }
  }
}

const CLOSED_TEXT = {
  stopped: 'off',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  'no-extension': 'no_extension',
  config: 'misconfigured',
  'signin-refused': 'signin_refused',
  'no-tickets': 'no_tickets',
} as const;

/** The shared token warning: with it every user of the account can read every extension (issue 13). */
export function connectionWarningText(lifecycle: Lifecycle, text: (key: string) => string): string | null {
  const state = lifecycle.state;
  if (state.status !== 'running') return null;
  const telephony = state.telephony.status();
  return telephony.status !== 'no-extension' && telephony.access === 'shared-token' ? text('shared_token') : null;
}
