/**
 * Drives call flows through the pair: behaviours go into the world's AstDB (read by its
 * [world-behave] dialplan, config-world.ts), calls start with the world's AMI Originate,
 * transfers are the pbx's AMI BlindTransfer / Atxfer (the actions a PBX admin's tools use).
 * https://docs.asterisk.org/Asterisk_20_Documentation/API_Documentation/AMI_Actions/Originate/
 */
import type { AmiActions, AmiAnswer, AmiMessage } from '../../../relay/src/asterisk/ami-types';
import { waitUntil } from '../wait';

/** What a desk phone or an outside number does when the pbx calls it. */
export type Behaviour =
  /** Rings, answers after `afterS`, hangs up after `hangUpAfterS` of talk (absent: stays until the other side hangs up). */
  | { kind: 'answer'; afterS: number; hangUpAfterS?: number }
  | { kind: 'busy' }
  /** Rings until the pbx gives up (or the caller does). */
  | { kind: 'noAnswer' }
  | { kind: 'congestion' };

export interface CallOptions {
  /** The caller lets it ring this long, then hangs up (default: 120 s). */
  giveUpAfterS?: number;
  /** The caller hangs up after this long of talk (default: stays until the other side hangs up). */
  hangUpAfterS?: number;
}

export interface Drive {
  setPhone(extension: string, behaviour: Behaviour): Promise<void>;
  setOutside(number: string, behaviour: Behaviour): Promise<void>;
  /** A customer calls a DID of the pbx through the trunk (From: "name" <from>). */
  callIn(call: { from: string; name?: string; did: string } & CallOptions): Promise<void>;
  /** Desk phone `extension` dials `number` (an extension or an outside number). */
  dialOut(extension: string, number: string, options?: CallOptions): Promise<void>;
  /** AMI BlindTransfer: the party talking to `extension` goes to `to` (from-internal). */
  blindTransfer(extension: string, to: string): Promise<AmiAnswer>;
  /** AMI Atxfer: `extension` consults `to`; once `to` answered, `extension` hangs up, which completes the transfer. */
  attendedTransfer(extension: string, to: string, options?: { timeoutMs?: number }): Promise<void>;
  /** The pbx's channels now (CoreShowChannels). */
  pbxChannels(): Promise<AmiMessage[]>;
  /** Hangs up every channel on both sides and waits until none is left. */
  hangupAll(options?: { timeoutMs?: number }): Promise<void>;
}

export function encodeBehaviour(b: Behaviour): string {
  if (b.kind !== 'answer') return b.kind.toLowerCase();
  return `answer:${b.afterS}:${b.hangUpAfterS ?? ''}`;
}

// AMI's Variable header takes name=value pairs separated by commas: values must not hold one.
function variables(vars: Record<string, string | number | undefined>): string {
  return Object.entries(vars)
    .map(([k, v]) => {
      const value = v === undefined ? '' : String(v);
      if (value.includes(',')) throw new Error(`drive: variable ${k}=${value} holds a comma`);
      return `${k}=${value}`;
    })
    .join(',');
}

async function expectSuccess(ami: AmiActions, action: Record<string, string>): Promise<AmiAnswer> {
  const answer = await ami.send(action);
  if (answer.response.Response !== 'Success') {
    throw new Error(`drive: ${action.Action} failed: ${answer.response.Message ?? JSON.stringify(answer.response)}`);
  }
  return answer;
}

const isUp = (c: AmiMessage) => c.ChannelState === '6';

export function createDrive(ami: { pbx: AmiActions; world: AmiActions }): Drive {
  const pbxChannels = async () => (await expectSuccess(ami.pbx, { Action: 'CoreShowChannels' })).events;
  const worldChannels = async () => (await expectSuccess(ami.world, { Action: 'CoreShowChannels' })).events;
  const talkingChannelOf = async (extension: string) => {
    const channel = (await pbxChannels()).find((c) => c.Channel?.startsWith(`SIP/${extension}-`) && isUp(c) && c.BridgeId);
    if (!channel?.Channel) throw new Error(`drive: no bridged channel of ${extension} on the pbx`);
    return channel.Channel;
  };
  const originate = (target: string, caller: { num: string; name: string }, options: CallOptions = {}) =>
    expectSuccess(ami.world, {
      Action: 'Originate',
      Channel: `Local/${target}@world-call/n`,
      Context: 'world-hold',
      Exten: 's',
      Priority: '1',
      Async: 'true',
      Variable: variables({
        CID_NUM: caller.num,
        CID_NAME: caller.name,
        RING_SECONDS: options.giveUpAfterS ?? 120,
        TALK_SECONDS: options.hangUpAfterS,
      }),
    }).then(() => undefined);

  return {
    async setPhone(extension, behaviour) {
      await expectSuccess(ami.world, { Action: 'DBPut', Family: 'phone', Key: extension, Val: encodeBehaviour(behaviour) });
    },
    async setOutside(number, behaviour) {
      await expectSuccess(ami.world, { Action: 'DBPut', Family: 'outside', Key: number, Val: encodeBehaviour(behaviour) });
    },
    callIn: (call) => originate(call.did, { num: call.from, name: call.name ?? '' }, call),
    dialOut: (extension, number, options) => originate(number, { num: extension, name: `Phone ${extension}` }, options),
    async blindTransfer(extension, to) {
      const channel = await talkingChannelOf(extension);
      return expectSuccess(ami.pbx, { Action: 'BlindTransfer', Channel: channel, Exten: to, Context: 'from-internal' });
    },
    async attendedTransfer(extension, to, options = {}) {
      const transferer = await talkingChannelOf(extension);
      await expectSuccess(ami.pbx, { Action: 'Atxfer', Channel: transferer, Exten: to, Context: 'from-internal' });
      let targetUp = false;
      await waitUntil(
        `${to} answers the attended transfer of ${extension}`,
        async () => {
          targetUp = (await pbxChannels()).some((c) => c.Channel?.startsWith(`SIP/${to}-`) && isUp(c));
          return targetUp;
        },
        { timeoutMs: options.timeoutMs ?? 20_000, everyMs: 100 },
      );
      // The transferer hanging up in the consultation completes the transfer (main/bridge_basic.c).
      await expectSuccess(ami.pbx, { Action: 'Hangup', Channel: transferer });
    },
    pbxChannels,
    async hangupAll(options = {}) {
      for (const side of [ami.world, ami.pbx]) {
        const answer = await side.send({ Action: 'Hangup', Channel: '/./' });
        // "No such channel" when there is none: nothing to do.
        if (answer.response.Response !== 'Success' && !/no such channel/i.test(answer.response.Message ?? '')) {
          throw new Error(`drive: Hangup failed: ${answer.response.Message}`);
        }
      }
      await waitUntil('no channel left on the pbx and the world', async () => (await pbxChannels()).length === 0 && (await worldChannels()).length === 0, {
        timeoutMs: options.timeoutMs ?? 10_000,
        everyMs: 100,
      });
    },
  };
}
