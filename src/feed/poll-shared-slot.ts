/**
 * poll-shared.ts as poll.js sees it: the same names, bound when script.js hands its own
 * functions over (installPollShared, called by poll-part.ts before anything runs). ES modules
 * export live bindings, so the poll-*.ts files read the handed-over functions with no wrapper.
 */
import type * as Shared from './poll-shared';

export type PollShared = typeof Shared;

export let classifyFetchFailure: PollShared['classifyFetchFailure'];
export let createEmitter: PollShared['createEmitter'];
export let createSingleTimer: PollShared['createSingleTimer'];
export let ProtocolError: PollShared['ProtocolError'];
export let parsePollBody: PollShared['parsePollBody'];
export let parsePollPayload: PollShared['parsePollPayload'];
export let formatCursorParam: PollShared['formatCursorParam'];
export let PROTOCOL_VERSION: PollShared['PROTOCOL_VERSION'];
export let isOverloadAnswer: PollShared['isOverloadAnswer'];
export let pollRetryDelay: PollShared['pollRetryDelay'];
export let runMachine: PollShared['runMachine'];
export let recoverFrom: PollShared['recoverFrom'];
export let pollCredential: PollShared['pollCredential'];

export function installPollShared(shared: PollShared): void {
  ({ classifyFetchFailure, createEmitter, createSingleTimer, ProtocolError, parsePollBody, parsePollPayload, formatCursorParam, PROTOCOL_VERSION, isOverloadAnswer, pollRetryDelay, runMachine, recoverFrom, pollCredential } = shared);
}
