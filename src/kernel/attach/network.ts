/**
 * Networking attach points, all through BPF_LINK_CREATE (no netlink): XDP on an interface
 * (attach type BPF_XDP, target_ifindex), tcx ingress/egress (BPF_TCX_INGRESS/EGRESS, Linux 6.6+:
 * the link-based tc hook, which coexists with other tc programs) and cgroup_skb on a cgroup v2
 * directory (BPF_CGROUP_INET_INGRESS/EGRESS, target the directory's fd, multi-attach).
 */
import { closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { ATTACH_TYPE } from '../../elf/sections.js';
import type { KernelProgram } from '../kernel-program.js';
import { LinkAttachment, linkCreate } from './link.js';

/** The interface index of `ifname` in this network namespace (sysfs), or an error naming it. */
export function ifindexOf(ifname: string): number {
  const f = `/sys/class/net/${ifname}/ifindex`;
  if (!existsSync(f)) throw new BpfError('ENODEV', `there is no network interface '${ifname}' here (see \`ip link\`)`);
  return Number(readFileSync(f, 'utf8').trim());
}

function ifindex(iface: string | number): number {
  return typeof iface === 'number' ? iface : ifindexOf(iface);
}

/** XDP mode flags (XDP_FLAGS_*): default lets the kernel pick native where the driver has it. */
export const XDP_FLAGS = { SKB_MODE: 1 << 1, DRV_MODE: 1 << 2, HW_MODE: 1 << 3 } as const;

export function attachXdp(prog: KernelProgram, iface: string | number, flags = 0): LinkAttachment {
  const target = `xdp on ${iface}`;
  if (prog.type !== 'xdp') throw new BpfError('EINVAL', `program '${prog.name}' is of type ${prog.type}; ${target} takes an xdp program`);
  const link = linkCreate({ progFd: prog.fd, target: ifindex(iface), attachType: ATTACH_TYPE.xdp, flags }, `program '${prog.name}' on ${target}`, {
    EBUSY: `${iface} already has an XDP program attached in another mode or without a link (detach it with \`ip link set dev ${iface} xdp off\`)`,
    EEXIST: `${iface} already has an XDP program attached through a link`,
    EOPNOTSUPP: `the driver of ${iface} does not support this XDP mode (try XDP_FLAGS.SKB_MODE)`,
  });
  return new LinkAttachment(target, [link]);
}

export function attachTcx(prog: KernelProgram, iface: string | number, direction: 'ingress' | 'egress'): LinkAttachment {
  const target = `tcx ${direction} on ${iface}`;
  if (prog.type !== 'sched_cls') throw new BpfError('EINVAL', `program '${prog.name}' is of type ${prog.type}; ${target} takes a sched_cls program (SEC("tcx/${direction}") or "tc")`);
  const type = direction === 'ingress' ? ATTACH_TYPE.tcx_ingress : ATTACH_TYPE.tcx_egress;
  const link = linkCreate({ progFd: prog.fd, target: ifindex(iface), attachType: type }, `program '${prog.name}' on ${target}`, {
    EINVAL: 'this kernel has no tcx (Linux 6.6+), or the program was loaded with another expected attach type',
  });
  return new LinkAttachment(target, [link]);
}

export function attachCgroupSkb(prog: KernelProgram, cgroupDir: string, direction: 'ingress' | 'egress'): LinkAttachment {
  const target = `cgroup_skb ${direction} on ${cgroupDir}`;
  if (prog.type !== 'cgroup_skb') throw new BpfError('EINVAL', `program '${prog.name}' is of type ${prog.type}; ${target} takes a cgroup_skb program`);
  let dirFd: number;
  try {
    dirFd = openSync(cgroupDir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    throw new BpfError('ENOENT', `cannot open cgroup directory ${cgroupDir}: ${e instanceof Error ? e.message : String(e)} (a cgroup v2 directory, e.g. under /sys/fs/cgroup)`);
  }
  try {
    const type = direction === 'ingress' ? ATTACH_TYPE.cgroup_inet_ingress : ATTACH_TYPE.cgroup_inet_egress;
    // The link holds the cgroup; the directory fd is only needed for the call.
    const link = linkCreate({ progFd: prog.fd, target: dirFd, attachType: type }, `program '${prog.name}' on ${target}`, {
      EBADF: `${cgroupDir} is not a cgroup v2 directory`,
      EINVAL: `${cgroupDir} is not a cgroup v2 directory, or the program was loaded for the other direction`,
    });
    return new LinkAttachment(target, [link]);
  } finally {
    closeSync(dirFd);
  }
}
