/**
 * What a successful verification proved about each instruction, kept for the JIT (the kernel keeps
 * the same in insn_aux_data): for every load, store and atomic, the kinds of pointer its base
 * register held on every path that reached it. An access whose base was only ever a packet
 * pointer is in bounds on every path (check_packet_access), so compiled code may skip its check.
 */
import type { Reg } from './state.js';

/** Bits of ProvenFacts.access. */
export const ACCESS = {
  STACK: 1, CTX: 2, PACKET: 4, MAP_VALUE: 8, MEM: 16, BTF: 32, MAP: 64,
} as const;

export interface ProvenFacts {
  /** By slot: the ACCESS bits of the base register of the load or store there (0: none). */
  readonly access: Uint8Array;
}

export function accessKind(t: Reg['t']): number {
  switch (t) {
    case 'fp': return ACCESS.STACK;
    case 'ctx': return ACCESS.CTX;
    case 'pkt': case 'pkt_meta': return ACCESS.PACKET;
    case 'map_value': return ACCESS.MAP_VALUE;
    case 'mem': return ACCESS.MEM;
    case 'btf_id': return ACCESS.BTF;
    case 'map_ptr': return ACCESS.MAP;
    default: return 0;
  }
}
