/**
 * Click-to-call in the tab that was clicked (any tab, leader or not): the double-click gate
 * (src/dial/gate.ts), then a dialer built with what the page knows at that moment (settings may
 * have been saved since). It is in leader.js, whose one instance per page (RequireJS evaluates
 * the part once) keeps the gate across clicks; script.js only forwards the click
 * (src/platform/click-to-call.ts). It holds no timer nor listener.
 */
import { initialGate, stepGate } from '../dial/gate';
import type { CreateDialer, DialerDeps } from '../dial/dialer';
import type { GateState } from '../dial/gate';

export interface ClickToCall {
  /** A phone number clicked (a card's number, a "Call back" link) or typed in the dialer; `now` in ms. Never throws. */
  dial(raw: unknown, deps: DialerDeps, now: number): void;
}

export function createClickToCall(create: CreateDialer): ClickToCall {
  let gate: GateState = initialGate;
  return {
    dial(value, deps, now) {
      if (typeof value !== 'string' || value.trim() === '') return;
      const raw = value.trim().slice(0, 256);
      const step = stepGate(gate, { kind: 'click', number: raw, now });
      gate = step.state;
      if (step.decision === 'ignore') return;
      // Only the click that dials holds the gate; a "still starting" one leaves it to that one.
      const finish = () => {
        if (step.decision === 'dial') gate = stepGate(gate, { kind: 'done' }).state;
      };
      try {
        const dialer = create(deps);
        if (step.decision === 'still-starting') return dialer.stillStarting(raw);
        void dialer.dial(raw).then(finish, finish);
      } catch (error) {
        deps.logger.error('dial: failed', { error });
        finish();
      }
    },
  };
}
