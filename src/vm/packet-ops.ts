/**
 * What packet helpers (skb_load_bytes, xdp_adjust_head, l3_csum_replace...) need from the packet
 * of a run. Program types (src/progtypes) implement it for their context (xdp_md, __sk_buff) and
 * put it in RunContext.state.packetOps; helpers only call it, so neither side knows the other's
 * layout. Methods return 0 or a negative errno, as the kernel's helpers do.
 */
export interface PacketOps {
  /** The bytes from data to data_end, live: writes change the packet. */
  bytes(): Uint8Array;
  /** Move data by `delta` bytes (negative grows the packet at the front); fixes data/data_meta in the context. */
  adjustHead(delta: number): number;
  /** Move data_meta by `delta` (XDP). */
  adjustMeta(delta: number): number;
  /** Move data_end by `delta` (negative shrinks). */
  adjustTail(delta: number): number;
  /** Total length the program type reports (skb->len, or data_end - data for XDP). */
  length(): number;
}

/** The key under which a program type stores its PacketOps in RunContext.state. */
export const PACKET_OPS = 'packetOps';
/** Where redirect helpers leave their target (read by the program type's test-run). */
export const REDIRECT = 'redirect';

export type RedirectTarget =
  | { kind: 'ifindex'; ifindex: number; flags: number }
  | { kind: 'map'; mapId: number; key: number; flags: number };
