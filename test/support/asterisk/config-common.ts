/**
 * The configuration files both test Asterisk instances share (asterisk.conf, modules, logger,
 * RTP, manager), as text. Each instance lives in its own folder: etc/ (these files), var/lib
 * (astdb), spool/ (recordings under spool/monitor), run/ (the CLI's control socket), log/;
 * modules and sounds come from the build (PREFIX). Asterisk's reference:
 * https://docs.asterisk.org/Configuration/Core-Configuration/Asterisk-Main-Configuration-File/
 */
import { join } from 'node:path';

/** An instance's folders, all under `dir` but the build's (modules, sounds). */
export interface InstanceLayout {
  /** The instance's own folder (a temp dir). */
  dir: string;
  /** Where ensure-asterisk.sh installed Asterisk (sbin/asterisk, lib/, var/lib/asterisk/sounds). */
  prefix: string;
}

export function instanceDirs(layout: InstanceLayout) {
  const { dir, prefix } = layout;
  return {
    etc: join(dir, 'etc'),
    varLib: join(dir, 'var', 'lib'),
    spool: join(dir, 'spool'),
    monitor: join(dir, 'spool', 'monitor'),
    run: join(dir, 'run'),
    log: join(dir, 'log'),
    modules: join(prefix, 'lib', 'asterisk', 'modules'),
    data: join(prefix, 'var', 'lib', 'asterisk'),
  };
}

export function asteriskConf(layout: InstanceLayout, options: { transmitSilence: boolean }): string {
  const d = instanceDirs(layout);
  return `[directories]
astetcdir => ${d.etc}
astmoddir => ${d.modules}
astvarlibdir => ${d.varLib}
astdbdir => ${d.varLib}
astkeydir => ${d.varLib}
astdatadir => ${d.data}
astagidir => ${join(d.data, 'agi-bin')}
astspooldir => ${d.spool}
astrundir => ${d.run}
astlogdir => ${d.log}
astsbindir => ${join(layout.prefix, 'sbin')}

[options]
; No systemname: Uniqueids then look like the captures' (1796174349.2), not 'pbx-1796174349.2'.
verbose = 3
debug = 0
; A channel waiting in Wait() sends silence, so bridged calls carry RTP and MixMonitor writes audio.
transmit_silence = ${options.transmitSilence ? 'yes' : 'no'}
defaultlanguage = en
documentation_language = en_US
`;
}

/** Everything the build has, minus what the tests never use (faster start, fewer warnings). */
export function modulesConf(): string {
  return `[modules]
autoload = yes
noload => res_stasis.so
noload => pbx_spool.so
noload => cel_manager.so
`;
}

export function loggerConf(): string {
  return `[general]
dateformat = %F %T.%3q

[logfiles]
messages.log => notice,warning,error,verbose
`;
}

/** RTP port range: distinct per instance, so two Asterisks on one host never race for a port. */
export function rtpConf(range: readonly [number, number]): string {
  return `[general]
rtpstart = ${range[0]}
rtpend = ${range[1]}
`;
}

export interface AmiUser {
  username: string;
  secret: string;
  /** manager.conf `read` classes, e.g. "call,cdr,agent,dialplan". */
  read: string;
  /** manager.conf `write` classes, e.g. "originate,reporting". */
  write: string;
}

/** AMI on 127.0.0.1 only; each user may log in from loopback only. https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/AMI-Configuration/ */
export function managerConf(options: { port: number; users: readonly AmiUser[]; timestampEvents?: boolean }): string {
  const users = options.users
    .map(
      (u) => `[${u.username}]
secret = ${u.secret}
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
read = ${u.read}
write = ${u.write}
writetimeout = 5000
`,
    )
    .join('\n');
  return `[general]
enabled = yes
webenabled = no
port = ${options.port}
bindaddr = 127.0.0.1
displayconnects = no
timestampevents = ${options.timestampEvents ? 'yes' : 'no'}

${users}`;
}

/** Files Asterisk warns about when missing; empty or minimal is enough for the tests. */
export function quietConfs(): Record<string, string> {
  return {
    'indications.conf': '[general]\ncountry = us\n\n[us]\ndescription = United States\nringcadence = 2000,4000\nbusy = 480+620/500,0/500\nring = 440+480/2000,0/4000\ncongestion = 480+620/250,0/250\ndial = 350+440\n',
    'musiconhold.conf': '[general]\n',
    'cdr.conf': '[general]\nenable = yes\nunanswered = yes\nbatch = no\n',
    'ccss.conf': '[general]\n',
    'udptl.conf': '[general]\n',
    'cel.conf': '[general]\nenable = no\n',
    'acl.conf': '',
    'cli_aliases.conf': '',
    'queues.conf': '[general]\n',
    'res_parking.conf': '[general]\n',
    'features.conf': '[general]\n',
    'cdr_manager.conf': '[general]\nenabled = no\n',
  };
}
