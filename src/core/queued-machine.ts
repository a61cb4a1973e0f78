/**
 * Runs a pure state machine whose effects may dispatch again (an election verdict while the
 * session performs, a write answered at once): the nested input is stepped at once and its
 * effects queue behind the ones being performed, so every effect runs, in order.
 */
export function runQueued<S, I, E>(initial: S, step: (state: S, input: I) => { state: S; effects: E[] }, perform: (effect: E) => void) {
  let state = initial;
  const queue: E[] = [];
  let draining = false;
  return {
    dispatch(input: I): void {
      const out = step(state, input);
      state = out.state;
      queue.push(...out.effects);
      if (draining) return;
      draining = true;
      try {
        for (let effect = queue.shift(); effect; effect = queue.shift()) perform(effect);
      } finally {
        draining = false;
      }
    },
    get state(): S {
      return state;
    },
  };
}
