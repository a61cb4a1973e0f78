/**
 * "world", the second Asterisk: it plays the desk phones 101-103 and the outside world. Every
 * call the pbx sends it (to a phone, or out through the trunk) lands in [world-in], which acts
 * out the behaviour the test stored in AstDB before the call (phone/<ext> or outside/<number>):
 *   answer:<after s>:<talk s>   ring, answer after <after>, hang up after <talk> ('' = stay)
 *   busy | noanswer | congestion
 * No behaviour stored: congestion, so a forgotten setPhone() shows as a failed call.
 * Calls into the pbx (a customer calling a DID, a phone dialling out) start with AMI Originate
 * of Local/<target>@world-call/n; the variables CID_NUM / CID_NAME / RING_SECONDS / TALK_SECONDS
 * say who calls, how long the caller lets it ring and how long they talk.
 */
import { asteriskConf, loggerConf, managerConf, modulesConf, quietConfs, rtpConf, type AmiUser, type InstanceLayout } from './config-common';

export interface WorldConfig extends InstanceLayout {
  sipPort: number;
  amiPort: number;
  rtp: readonly [number, number];
  pbxSipPort: number;
  amiUser: AmiUser;
}

export function worldConfigFiles(c: WorldConfig): Record<string, string> {
  return {
    ...quietConfs(),
    'asterisk.conf': asteriskConf(c, { transmitSilence: true }),
    'modules.conf': modulesConf(),
    'logger.conf': loggerConf(),
    'rtp.conf': rtpConf(c.rtp),
    'manager.conf': managerConf({ port: c.amiPort, users: [c.amiUser] }),
    'cdr.conf': '[general]\nenable = no\n',
    'sip.conf': sipConf(c),
    'extensions.conf': EXTENSIONS,
  };
}

function sipConf(c: WorldConfig): string {
  // One peer: everything comes from, and goes to, the pbx. The From user the pbx sees is the
  // caller's number (CALLERID(num)), which is how the pbx tells phone 101 from the trunk.
  return `[general]
context = world-nowhere
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
useragent = kommo-test-world

[pbx]
type = friend
host = 127.0.0.1
port = ${c.pbxSipPort}
insecure = invite,port
context = world-in
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
`;
}

const worldCall = (pattern: string) => `exten => ${pattern},1,Set(CALLERID(num)=\${CID_NUM})
 same => n,Set(CALLERID(name)=\${CID_NAME})
 same => n,Dial(SIP/pbx/\${EXTEN},\${RING_SECONDS},\${IF($["\${TALK_SECONDS}" = ""]?:S(\${TALK_SECONDS}))})
 same => n,Hangup()
`;

const EXTENSIONS = `[general]
static = yes
writeprotect = yes

[world-in]
exten => _1XX,1,Gosub(world-behave,s,1(phone/\${EXTEN}))
 same => n,Hangup()
exten => _X.,1,Gosub(world-behave,s,1(outside/\${EXTEN}))
 same => n,Hangup()
exten => _+X.,1,Gosub(world-behave,s,1(outside/\${EXTEN}))
 same => n,Hangup()

[world-behave]
exten => s,1,Set(B=\${DB(\${ARG1})})
 same => n,GotoIf($["\${B}" = ""]?congestion)
 same => n,Set(MODE=\${CUT(B,:,1)})
 same => n,Set(AFTER=\${CUT(B,:,2)})
 same => n,Set(TALK=\${CUT(B,:,3)})
 same => n,Goto(\${MODE})
 same => n(busy),Busy(30)
 same => n,Return()
 same => n(congestion),Congestion(30)
 same => n,Return()
 same => n(noanswer),Ringing()
 same => n,Wait(3600)
 same => n,Return()
 same => n(answer),Ringing()
 same => n,Wait(\${AFTER})
 same => n,Answer()
 same => n,GotoIf($["\${TALK}" = ""]?stay)
 same => n,Wait(\${TALK})
 same => n,Return()
 same => n(stay),Wait(3600)
 same => n,Return()

[world-call]
${worldCall('_X.')}${worldCall('_+X.')}
[world-hold]
exten => s,1,Wait(3600)
 same => n,Hangup()

[world-nowhere]
exten => _X.,1,Hangup(21)
`;
