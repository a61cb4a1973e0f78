/**
 * The entry of leader.js (webpack.config.js): the leading tab's feed, lookup and notifier
 * (leader.ts), fetched by script.js when its tab leads (deferred-leader.ts). It imports nothing
 * from script.js at run time; the little of src/core both use is bundled in each.
 */
export { startLeader } from './leader';
