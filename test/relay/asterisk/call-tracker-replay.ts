/**
 * Replays an AMI transcript (test/fixtures/asterisk/*.jsonl) through a call tracker: the raw
 * bytes through the adapter's own parser, events to onEvent at the capture's time, a
 * CoreShowChannels answer to resync, as the adapter's shell does after a login.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CallEvent } from '../../../src/protocol';
import type { AmiMessage } from '../../../relay/src/asterisk/ami-types';
import { createAmiParser } from '../../../relay/src/asterisk/ami-parser';
import type { CallTracker } from '../../../relay/src/asterisk/call-tracker';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/asterisk');
/** The captures' t = 0, as wall-clock ms. */
export const T0 = 1_796_174_000_000;

export interface Step {
  t: number;
  /** One event, or a whole CoreShowChannels answer (its CoreShowChannel events). */
  message?: AmiMessage;
  channels?: AmiMessage[];
}

export function loadFixture(name: string): { about: string; steps: Step[] } {
  const lines = fs.readFileSync(path.join(FIXTURES, `${name}.jsonl`), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const head = JSON.parse(lines[0] ?? '{}') as { about?: string; banner?: string };
  const parser = createAmiParser();
  if (head.banner) parser.push(head.banner);
  const steps: Step[] = [];
  let list: AmiMessage[] | undefined;
  for (const line of lines.slice(1)) {
    const { t, raw } = JSON.parse(line) as { t: number; raw: string };
    for (const message of parser.push(raw)) {
      if (message.Event === 'CoreShowChannel') (list ??= []).push(message);
      else if (message.Event === 'CoreShowChannelsComplete') {
        steps.push({ t, channels: list ?? [] });
        list = undefined;
      } else if (message.Event !== undefined) steps.push({ t, message });
    }
  }
  return { about: head.about ?? '', steps };
}

export function replay(tracker: CallTracker, steps: readonly Step[]): CallEvent[] {
  const out: CallEvent[] = [];
  for (const step of steps) {
    if (step.message) out.push(...tracker.onEvent(step.message, T0 + step.t));
    if (step.channels) out.push(...tracker.resync(step.channels, T0 + step.t));
  }
  return out;
}

/** The events as short lines, `ext state direction phone result duration @t`, for exact asserts. */
export function brief(events: readonly CallEvent[]): string[] {
  return events.map((e) => [e.extension, e.state, e.direction, JSON.stringify(e.phone), e.result ?? '-', e.duration ?? '-', `@${e.at - T0}`]
    .concat(e.expired ? ['expired'] : [])
    .join(' '));
}

/**
 * What CoreShowChannels would answer after steps[0..k): the live channels and their snapshot
 * (a model of Asterisk's channel list, fed by the same events), for resync tests.
 */
export function channelsAt(steps: readonly Step[], k: number): AmiMessage[] {
  const live = new Map<string, Record<string, string> & { created: string }>();
  const SNAPSHOT = ['Channel', 'ChannelState', 'ChannelStateDesc', 'CallerIDNum', 'ConnectedLineNum', 'Context', 'Exten', 'Linkedid'];
  const update = (m: AmiMessage, prefix: string) => {
    const row = live.get(m[`${prefix}Uniqueid`] ?? '');
    if (!row) return undefined;
    for (const f of SNAPSHOT) {
      const v = m[`${prefix}${f}`];
      if (v !== undefined) row[f] = v;
    }
    return row;
  };
  let t = 0;
  for (const step of steps.slice(0, k)) {
    t = step.t;
    const m = step.message;
    if (!m) continue;
    if (m.Event === 'Newchannel' && m.Uniqueid) {
      live.set(m.Uniqueid, { Uniqueid: m.Uniqueid, Application: '', ApplicationData: '', BridgeId: '', created: String(step.t) });
    }
    const row = update(m, '');
    const dest = update(m, 'Dest');
    if (m.Event === 'Hangup' && m.Uniqueid) live.delete(m.Uniqueid);
    if (m.Event === 'Newexten' && row) Object.assign(row, { Application: m.Application ?? '', ApplicationData: m.AppData ?? '' });
    if (m.Event === 'DialBegin' && dest) dest.Application = row ? 'AppDial' : 'AppDial2';
    if (m.Event === 'DialBegin' && row) Object.assign(row, { Application: 'Dial', ApplicationData: m.DialString ?? '' });
    if (m.Event === 'BridgeEnter' && row) row.BridgeId = m.BridgeUniqueid ?? '';
    if (m.Event === 'BridgeLeave' && row && row.BridgeId === m.BridgeUniqueid) row.BridgeId = '';
  }
  return [...live.values()].map(({ created, ...row }) => {
    const s = Math.max(0, Math.floor((t - Number(created)) / 1000));
    const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
    return { Event: 'CoreShowChannel', ...row, Duration: hms };
  });
}
