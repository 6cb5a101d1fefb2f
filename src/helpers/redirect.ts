/**
 * Redirect helpers (net/core/filter.c). They only record the target in RunContext.state[REDIRECT]
 * (the program type's test run acts on it) and return the verdict the program should return:
 *   - XDP programs (bpf_xdp_redirect_proto, bpf_xdp_redirect_map_proto): XDP_REDIRECT; any flag
 *     on bpf_redirect is XDP_ABORTED. bpf_redirect_map takes BPF_F_BROADCAST and
 *     BPF_F_EXCLUDE_INGRESS; its low two flag bits are the verdict when the key has no entry.
 *   - every other type (tc's bpf_redirect_proto): TC_ACT_REDIRECT; flags other than BPF_F_INGRESS
 *     are TC_ACT_SHOT. The kernel offers redirect_map to XDP only; a non-XDP program that calls it
 *     here gets TC_ACT_REDIRECT on success and the same low-bit verdict on a miss.
 */
import { REDIRECT, type RedirectTarget } from '../vm/packet-ops.js';
import { u32Bytes } from '../maps/bytes.js';
import type { HelperDef } from './registry.js';
import { helper, mapArg, runOf, u32, withPlace } from './support.js';

export const XDP_ABORTED = 0n;
export const XDP_REDIRECT = 4n;
export const TC_ACT_SHOT = 2n;
export const TC_ACT_REDIRECT = 7n;
export const BPF_F_INGRESS = 1n;
export const BPF_F_BROADCAST = 1n << 3n;
export const BPF_F_EXCLUDE_INGRESS = 1n << 4n;
/** XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX: the verdict bits of redirect_map's flags. */
const ACTION_MASK = 3n;


export const redirectHelpers: readonly HelperDef[] = [
  helper('redirect', {
    proto: 'bpf_redirect_proto',
    args: ['anything', 'anything'],
    ret: 'integer',
    impl(call, r1, r2) {
      const run = runOf(call, 'bpf_redirect');
      const xdp = run.program.type === 'xdp';
      if (xdp ? r2 !== 0n : (r2 & ~BPF_F_INGRESS) !== 0n) return xdp ? XDP_ABORTED : TC_ACT_SHOT;
      const target: RedirectTarget = { kind: 'ifindex', ifindex: u32(r1), flags: Number(r2) };
      run.state[REDIRECT] = target;
      return xdp ? XDP_REDIRECT : TC_ACT_REDIRECT;
    },
  }),
  helper('redirect_map', {
    proto: 'bpf_xdp_redirect_map_proto',
    args: ['const_map_ptr', 'anything', 'anything'],
    ret: 'integer',
    impl(call, r1, r2, r3) {
      const name = 'bpf_redirect_map';
      const run = runOf(call, name);
      const m = mapArg(call, name, r1);
      if ((r3 & ~(ACTION_MASK | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)) !== 0n) return XDP_ABORTED;
      const broadcast = (r3 & BPF_F_BROADCAST) !== 0n;
      const found = broadcast || (m.map.spec.keySize === 4
        && withPlace(call, name, () => m.map.lookupView(u32Bytes(u32(r2)), run.cpu)) !== undefined);
      if (!found) return r3 & ACTION_MASK;
      const target: RedirectTarget = { kind: 'map', mapId: m.id, key: u32(r2), flags: Number(r3) };
      run.state[REDIRECT] = target;
      return run.program.type === 'xdp' ? XDP_REDIRECT : TC_ACT_REDIRECT;
    },
  }),
];
