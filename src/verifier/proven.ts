/**
 * What a successful verification proved about each instruction, kept for the JIT (the kernel keeps
 * the same in insn_aux_data): for every load, store and atomic, the kinds of pointer its base
 * register held on every path that reached it. An access whose base was only ever a packet
 * pointer is in bounds on every path (check_packet_access), so compiled code may skip its check.
 * For a helper call that takes a map, which map it is when that is the same on every path (the
 * kernel's map_ptr_state), and for bpf_map_lookup_elem the kinds of pointer its key (r2) was.
 */
import type { MapSpec } from '../maps/types.js';
import type { Reg } from './state.js';

/** Bits of ProvenFacts.access. */
export const ACCESS = {
  /** MEM: memory of a size the verifier knows but not where it is (a global function's argument). */
  STACK: 1, CTX: 2, PACKET: 4, MAP_VALUE: 8, MEM: 16, BTF: 32, MAP: 64,
  /** A record bpf_ringbuf_reserve returned. */
  RINGBUF: 128,
} as const;

export interface ProvenFacts {
  /**
   * By slot: the ACCESS bits of the base register of the load or store there, or of the key
   * pointer of a bpf_map_lookup_elem call there (0: none).
   */
  readonly access: Uint8Array;
  /** By slot: the index in `maps` of the map a helper call there takes on every path, else -1. */
  readonly helperMap: Int32Array;
  /** By slot: the first slot of the callback (r2) a helper call there takes on every path, else -1. */
  readonly callback: Int32Array;
  /** The maps `helperMap` indexes: the program's, then the inner maps' templates. */
  readonly maps: readonly MapSpec[];
}

/** BPF_FUNC_map_lookup_elem: the call whose key pointer `access` describes. */
export const MAP_LOOKUP_ELEM = 1;
/** BPF_FUNC_loop. */
export const BPF_LOOP = 181;

/** helperMap's (and callback's) value for a call not seen yet, then for one that differs between paths. */
export const MAP_UNSEEN = -2, MAP_NONE = -1;

/** Merge what a helper call takes on one more path (a map, a callback) into `facts`. */
export function noteSame(facts: Int32Array, slot: number, value: number): void {
  const was = facts[slot]!;
  facts[slot] = was === MAP_UNSEEN || was === value ? value : MAP_NONE;
}

export function accessKind(r: Reg): number {
  switch (r.t) {
    case 'fp': return ACCESS.STACK;
    case 'ctx': return ACCESS.CTX;
    case 'pkt': case 'pkt_meta': return ACCESS.PACKET;
    case 'map_value': return ACCESS.MAP_VALUE;
    case 'mem': return r.ringbuf ? ACCESS.RINGBUF : ACCESS.MEM;
    case 'btf_id': return ACCESS.BTF;
    case 'map_ptr': return ACCESS.MAP;
    default: return 0;
  }
}
