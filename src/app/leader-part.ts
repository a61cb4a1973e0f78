/**
 * The entry of leader.js (webpack.config.js): the leading tab's feed, lookup and notifier
 * (leader.ts), fetched by script.js when its tab leads (deferred-leader.ts), and the click-to-call
 * dialer, fetched by the tab that is clicked (click-to-call.ts). It imports nothing
 * from script.js at run time; the little of src/core both use is bundled in each.
 */
export { startLeader } from './leader';
import { createDialer } from '../dial/dialer';
import { createClickToCall } from './click-to-call';

/** Click-to-call: the clicked tab hands every click here (src/platform/click-to-call.ts). */
export const { dial } = createClickToCall(createDialer);
export { openDialerForm } from '../dial/dialer-form';
