/**
 * Script-mode poll requests (protocol: "Script mode"): a <script> per request that calls a
 * uniquely named callback; the script and the callback go after the answer. A request given up
 * on (stalled, cancelled) leaves a no-op under its name so a late script cannot throw in the page.
 */
import { classifyFetchFailure, parsePollPayload, pollCredential } from './poll-shared';
import type { PollOutcome } from './poll-machine';
import { answerOutcome, pollRequestUrl, streamParams } from './poll-wire';
import type { PollRequests } from './poll-wire';

/** Loads a script URL (adds a <script> tag in the browser); `onError` when it fails to load. */
export type ScriptLoader = (url: string, onError: () => void) => { remove(): void };

export interface ScriptPollDeps {
  url: string;
  extensions: string[];
  loadScript: ScriptLoader;
  /** Where NAME({...}) callbacks are installed (window in the browser). */
  callbacks: Record<string, unknown>;
  random: () => number;
  now(): number;
}

let callbackSeq = 0;

export function createScriptPolls(deps: ScriptPollDeps): PollRequests {
  const request = { method: 'SCRIPT', url: deps.url };
  const { callbacks } = deps;
  /** Callback names whose answer never came: kept as no-ops until the next answer. */
  const stale: string[] = [];

  return {
    send({ since, credential }, done) {
      callbackSeq += 1;
      const name = `kommoCallFeed_${Math.floor(deps.random() * 1e9).toString(36)}_${callbackSeq}`;
      let settled = false;
      let script: { remove(): void } | null = null;
      const cleanUp = (abandoned: boolean) => {
        script?.remove();
        script = null;
        if (abandoned) {
          callbacks[name] = () => {};
          stale.push(name);
        } else {
          delete callbacks[name];
          while (stale.length > 0) delete callbacks[stale.pop() as string];
        }
      };
      const finish = (outcome: PollOutcome, abandoned: boolean) => {
        if (settled) return;
        settled = true;
        cleanUp(abandoned);
        done(outcome);
      };
      const failed = (cause?: unknown): PollOutcome => ({ kind: 'failed', error: classifyFetchFailure(request, { kind: 'rejected', cause }) });
      callbacks[name] = (payload: unknown) => finish(answerOutcome(parsePollPayload(payload, deps.now()), null, deps.url), false);
      const url = pollRequestUrl(deps.url, { extensions: deps.extensions.join(','), ...pollCredential(credential).param, callback: name, ...streamParams(since) });
      try {
        script = deps.loadScript(url, () => finish(failed(), true));
      } catch (cause) {
        finish(failed(cause), false);
      }
      if (settled) script?.remove(); // the loader answered synchronously
      return {
        cancel() {
          if (settled) return;
          settled = true;
          cleanUp(true);
        },
      };
    },
    dispose() {
      for (const name of stale.splice(0)) delete callbacks[name];
    },
  };
}
