/**
 * The entry of poll.js, the polling part (webpack.config.js): script.js loads it only when the
 * settings choose polling, and hands over the shared code (poll-shared.ts) with each use, so
 * poll.js holds only the poll-*.ts files.
 */
import type { CallTransport } from './types';
import { installPollShared } from './poll-shared-slot';
import type { PollShared } from './poll-shared-slot';
import { createPollTransport } from './poll-transport';
import type { PollTransportDeps } from './poll-transport';

export function createPollTransportWith(shared: PollShared, deps: PollTransportDeps): CallTransport {
  installPollShared(shared);
  return createPollTransport(deps);
}
