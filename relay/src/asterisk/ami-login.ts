/**
 * What the relay asks Asterisk for at Login, and what the manager.conf user must allow.
 * Classes per Asterisk 20's sources (main/manager_channels.c, main/manager_bridges.c,
 * main/stasis_bridges.c, main/cdr.c + cdr/cdr_manager.c, apps/app_queue.c, main/manager.c):
 *
 *   call     Newchannel, Newstate, NewCallerid, NewConnectedLine, DialBegin/DialEnd/DialState,
 *            BridgeEnter/BridgeLeave, Hangup, BlindTransfer, AttendedTransfer, MixMonitorStart,
 *            OriginateResponse
 *   cdr      Cdr (FreePBX's recordingfile when cdr_manager maps it; the billed duration)
 *   agent    QueueCallerJoin/QueueCallerLeave, AgentCalled, AgentConnect, AgentComplete
 *   dialplan VarSet (MIXMONITOR_FILENAME: the recording's file name; no other event carries it,
 *            MixMonitorStart has no file name) and, unwanted, Newexten
 *
 * `dialplan` is the chatty class (in the captures 629 of 891 events: VarSet and Newexten). The
 * `Filter` action would cut it per session but needs write=system (ModuleLoad, Reload...): far
 * more than least privilege. So the relay reads `dialplan` and the tracker ignores what it does
 * not need; an admin who wants the traffic cut does it server-side, with Asterisk 20's advanced
 * eventfilter for the relay's user (no extra permission; docs/asterisk.md shows it):
 *   eventfilter(action(exclude),name(Newexten)) =
 *   eventfilter(action(exclude),name(VarSet),header(Variable),method(regex)) = ^[^M]|^M[^I]|^MI[^X]
 * https://docs.asterisk.org/Asterisk_20_Documentation/API_Documentation/AMI_Actions/Login/
 * https://github.com/asterisk/asterisk/blob/20/configs/samples/manager.conf.sample (eventfilter)
 *
 * The user's least permissions (manager.conf):
 *   read  = call,cdr,agent,dialplan
 *   write = originate,reporting      ; Originate (click-to-call); CoreShowChannels (resync, system|reporting)
 * Login, Ping and Logoff need no write class.
 */
export const AMI_EVENT_CLASSES = 'call,cdr,agent,dialplan';

export function loginAction(username: string, secret: string, events: string = AMI_EVENT_CLASSES): Record<string, string> {
  return { Action: 'Login', Username: username, Secret: secret, Events: events };
}

/** Asterisk's answer to a refused Login: `Response: Error`, `Message: Authentication failed`. */
export function loginRefusal(response: Readonly<Record<string, string>>): string | undefined {
  if ((response.Response ?? '').toLowerCase() === 'success') return undefined;
  return response.Message ?? response.Response ?? 'no Response';
}
