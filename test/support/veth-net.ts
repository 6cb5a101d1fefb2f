/**
 * A veth pair into a network namespace the test makes itself, with an address on each side, so
 * network programs see real traffic (ping) without touching the machine's own interfaces.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const pingTool = ['/usr/bin/ping', '/bin/ping'].find(existsSync);

/** Why a veth test cannot run here, or undefined. */
export const noVethNet: string | undefined = !['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'].some(existsSync)
  ? 'iproute2 (ip) is not installed'
  : pingTool ? undefined : 'ping is not installed (apt-get install iputils-ping)';

export interface VethNet {
  ns: string;
  host: string;
  peer: string;
  hostIp: string;
  peerIp: string;
  /** `ping -c count` from the host side to the peer; the ping must succeed. */
  ping(count: number): void;
  /** Remove the pair and the namespace (idempotent). */
  close(): void;
}

/** Names and addresses from `tag` (a few letters) and the pid, so parallel test files do not collide. */
export function vethNet(tag: string, subnet: number): VethNet {
  const ns = `tsbpf-${tag}-${process.pid}`;
  const host = `${tag}a${process.pid}`.slice(0, 15);
  const peer = `${tag}b${process.pid}`.slice(0, 15);
  const net = 10 + (process.pid % 200);
  const hostIp = `10.${subnet}.${net}.1`;
  const peerIp = `10.${subnet}.${net}.2`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  const quietly = (...args: string[]) => {
    try {
      ip(...args);
    } catch {
      // already gone, or never made
    }
  };
  ip('netns', 'add', ns);
  ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer, 'netns', ns);
  ip('addr', 'add', `${hostIp}/24`, 'dev', host);
  ip('link', 'set', host, 'up');
  ip('-n', ns, 'addr', 'add', `${peerIp}/24`, 'dev', peer);
  ip('-n', ns, 'link', 'set', peer, 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  return {
    ns, host, peer, hostIp, peerIp,
    ping(count) {
      const r = spawnSync(pingTool!, ['-c', String(count), '-i', '0.05', '-W', '1', peerIp], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    },
    close() {
      quietly('link', 'del', host);
      quietly('netns', 'del', ns);
    },
  };
}
