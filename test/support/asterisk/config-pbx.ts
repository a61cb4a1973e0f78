/**
 * "pbx", the Asterisk under test, laid out like the FreePBX boxes Kommo customers run (and like
 * the setup that produced /work/shared/asterisk/captures): chan_sip desk phones 101-103 and a
 * trunk `pstn`, both pointing at the "world" instance; from-pstn DIDs (direct, ring group, hunt,
 * queue), from-internal (extensions, outbound through the trunk), FreePBX-style MixMonitor
 * recordings (monitor/YYYY/MM/DD/<name>.wav, CDR(recordingfile)), cdr_manager Cdr events.
 *
 * chan_sip tells the world's calls apart by the From user first (a type=friend peer of that
 * name: the phones), then by source address (the trunk): so the phones are host=dynamic with a
 * defaultip (never matched by address), the trunk is the one peer with the world's address.
 * https://docs.asterisk.org/Configuration/Channel-Drivers/SIP/Configuring-chan_sip/
 */
import {
  asteriskConf,
  instanceDirs,
  loggerConf,
  managerConf,
  modulesConf,
  quietConfs,
  rtpConf,
  type AmiUser,
  type InstanceLayout,
} from './config-common';

export interface PbxConfig extends InstanceLayout {
  sipPort: number;
  amiPort: number;
  rtp: readonly [number, number];
  /** The world instance's SIP port: the phones and the trunk live there. */
  worldSipPort: number;
  /** AMI users: the relay's (least permissions) and the test driver's. */
  amiUsers: readonly AmiUser[];
  /** Desk phone extensions (SIP peers). */
  phones: readonly string[];
  /** Dial timeout of direct calls and ring groups, seconds. */
  ringSeconds: number;
  /** Each step of the hunt group, seconds. */
  huntStepSeconds: number;
  /** The company number outbound calls present (the captures' +15550100). */
  outboundCallerId: string;
  timestampEvents?: boolean;
}

export function pbxConfigFiles(c: PbxConfig): Record<string, string> {
  return {
    ...quietConfs(),
    'asterisk.conf': asteriskConf(c, { transmitSilence: false }),
    'modules.conf': modulesConf(),
    'logger.conf': loggerConf(),
    'rtp.conf': rtpConf(c.rtp),
    'manager.conf': managerConf({ port: c.amiPort, users: c.amiUsers, timestampEvents: c.timestampEvents }),
    'cdr_manager.conf': '[general]\nenabled = yes\n\n[mappings]\nrecordingfile => RecordingFile\n',
    'sip.conf': sipConf(c),
    'extensions.conf': extensionsConf(c),
    'queues.conf': queuesConf(),
    'features.conf': featuresConf(),
  };
}

function sipConf(c: PbxConfig): string {
  const phones = c.phones
    .map(
      (ext) => `[${ext}]
type = friend
host = dynamic
defaultip = 127.0.0.1
port = ${c.worldSipPort}
defaultuser = ${ext}
callerid = "Phone ${ext}" <${ext}>
context = from-internal
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
`,
    )
    .join('\n');
  return `[general]
context = from-nowhere
allowguest = no
alwaysauthreject = yes
udpbindaddr = 127.0.0.1:${c.sipPort}
tcpenable = no
transport = udp
srvlookup = no
disallow = all
allow = ulaw
directmedia = no
qualify = no
callcounter = yes
useragent = kommo-test-pbx

[pstn]
type = friend
host = 127.0.0.1
port = ${c.worldSipPort}
insecure = invite,port
context = from-pstn
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255

${phones}`;
}

function extensionsConf(c: PbxConfig): string {
  const monitor = instanceDirs(c).monitor;
  const ring = c.ringSeconds;
  const outbound = (pattern: string) => `exten => ${pattern},1,NoOp(outbound to \${EXTEN})
 same => n,Gosub(sub-record,s,1(out,\${EXTEN},\${CALLERID(num)}))
 same => n,Set(CALLERID(num)=${c.outboundCallerId})
 same => n,Dial(SIP/pstn/\${EXTEN},30,tT)
 same => n,Hangup()
`;
  return `[general]
static = yes
writeprotect = yes

; FreePBX-style recording: ${monitor}/YYYY/MM/DD/<name>.wav, the name also in CDR(recordingfile).
[sub-record]
exten => s,1,Set(CALLFILENAME=\${ARG1}-\${ARG2}-\${ARG3}-\${STRFTIME(\${EPOCH},,%Y%m%d-%H%M%S)}-\${UNIQUEID})
 same => n,Set(__REC_DIR=\${STRFTIME(\${EPOCH},,%Y/%m/%d)})
 same => n,Set(CDR(recordingfile)=\${CALLFILENAME}.wav)
 same => n,MixMonitor(${monitor}/\${REC_DIR}/\${CALLFILENAME}.wav,ab)
 same => n,Return()

[from-pstn]
exten => 5550100,1,NoOp(direct to 101)
 same => n,Gosub(sub-record,s,1(in,\${EXTEN},\${CALLERID(num)}))
 same => n,Dial(SIP/101,${ring},tT)
 same => n,Hangup()
exten => 5550200,1,NoOp(ring group 101 102)
 same => n,Gosub(sub-record,s,1(in,\${EXTEN},\${CALLERID(num)}))
 same => n,Dial(SIP/101&SIP/102,${ring},tT)
 same => n,Hangup()
exten => 5550300,1,NoOp(hunt 101 then 102)
 same => n,Gosub(sub-record,s,1(in,\${EXTEN},\${CALLERID(num)}))
 same => n,Dial(SIP/101,${c.huntStepSeconds},tT)
 same => n,Dial(SIP/102,${c.huntStepSeconds},tT)
 same => n,Hangup()
exten => 5550400,1,NoOp(queue support)
 same => n,Answer()
 same => n,Gosub(sub-record,s,1(in,\${EXTEN},\${CALLERID(num)}))
 same => n,Queue(support,tr,,,30)
 same => n,Hangup()
exten => 5550500,1,NoOp(direct to 103)
 same => n,Dial(SIP/103,${ring})
 same => n,Hangup()

[from-internal]
exten => _1XX,1,NoOp(internal call to \${EXTEN})
 same => n,Dial(SIP/\${EXTEN},${ring},tT)
 same => n,Hangup()
${outbound('_X.')}${outbound('_+X.')}
; Queue members are Local/<ext>@from-queue/n, as FreePBX does.
[from-queue]
exten => _1XX,1,NoOp(queue member \${EXTEN})
 same => n,Dial(SIP/\${EXTEN},,tT)
 same => n,Hangup()

[from-nowhere]
exten => _X.,1,Hangup(21)
`;
}

function queuesConf(): string {
  return `[general]
persistentmembers = no
shared_lastcall = no

[support]
strategy = ringall
timeout = 15
retry = 1
wrapuptime = 0
joinempty = yes
leavewhenempty = no
ringinuse = no
announce-frequency = 0
periodic-announce-frequency = 0
announce-holdtime = no
announce-position = no
member => Local/101@from-queue/n,0,Phone 101,SIP/101
member => Local/102@from-queue/n,0,Phone 102,SIP/102
`;
}

/**
 * Transfer feature codes: AMI Atxfer queues the atxfer code's DTMF on the channel, so one must
 * exist, and the Dial t/T options let the parties use it. A short digit timeout: the transfer
 * target "102" could still grow into an outbound number (_X.). https://docs.asterisk.org/Configuration/Features/Call-Transfer/
 */
function featuresConf(): string {
  return `[general]
transferdigittimeout = 1
atxfernoanswertimeout = 20
atxferdropcall = no
atxferabort = *1
atxfercomplete = *2
atxferthreeway = *3

[featuremap]
blindxfer = ##
atxfer = *2
`;
}
