/**
 * The socket buffer of a test run (net/bpf/test_run.c, bpf_prog_test_run_skb), for tc programs
 * (sched_cls, sched_act: the program sees the frame from layer 2) and socket filters and cgroup_skb
 * programs (the kernel has pulled the Ethernet header: skb->data is at layer 3).
 *
 * Like the kernel's skb it lives across the runs of a --repeat: what a run changes (the packet,
 * mark, cb[], tc_index...) the next run sees, and data_out and ctx_out show the state after the
 * last run. The __sk_buff the program reads is a 192-byte context whose writable fields are the
 * skb's own storage; the read-only ones are kept up to date by this class.
 */
import { bytesView, freshBytes, ownBytes } from '../vm/fresh-bytes.js';
import { LOW_BASE, type Region } from '../vm/memory.js';
import type { PacketView } from '../vm/interpreter.js';
import type { RunContext } from '../vm/runtime.js';
import { PACKET_OPS, type PacketOps } from '../vm/packet-ops.js';
import { BPF_SOCK, SKB } from './context.js';
import { ethProtocol, findDevice, LOOPBACK, packetType, type NetDevice } from './devices.js';
import { refuse } from './errors.js';

export const ETH_HLEN = 14;
/** NET_SKB_PAD + NET_IP_ALIGN on x86-64: the headroom test_run reserves before the frame. */
export const SKB_HEADROOM = 64;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64. */
export const SKB_SHINFO = 320;
/** The largest frame a test run accepts: a page less headroom and shared info. */
export const SKB_MAX_FRAME = 4096 - SKB_HEADROOM - SKB_SHINFO;
/** GSO_LEGACY_MAX_SIZE and GSO_MAX_SEGS: limits of ctx_in's wire_len and gso_segs. */
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;
/**
 * BPF_SKB_MAX_LEN (SKB_MAX_ALLOC: four pages less the shared info), the longest packet
 * bpf_skb_change_head and bpf_skb_change_tail may make; 16064 on x86-64, as the kernel confirms.
 */
export const SKB_MAX_LEN = 4 * 4096 - SKB_SHINFO;
const ENOTSUPP = 524;
const EINVAL = 22;
/** The bytes of ctx_in that may be non-zero (convert___skb_to_skb): everything else must be 0. */
const CTX_IN_ALLOWED: readonly [number, number][] = [
  [SKB.mark, 4], [SKB.priority, 4], [SKB.ingress_ifindex, 4], [SKB.ifindex, 4], [SKB.cb, 20],
  [SKB.tstamp, 8], [SKB.wire_len, 4], [SKB.gso_segs, 4], [SKB.gso_size, 4], [SKB.hwtstamp, 8],
];

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;

export interface SkbOptions {
  /** tc: skb->data at the Ethernet header. Otherwise (socket filter, cgroup_skb) at layer 3. */
  l2: boolean;
  /** ctx_in as given (checked and zero padded to 192 bytes here). */
  ctx?: Uint8Array;
  /** ctx_out was asked for: the kernel then has a context even without ctx_in (all zero). */
  ctxOut?: boolean;
  devices?: readonly NetDevice[];
}

/**
 * bpf_ctx_init's rule for ctx_in: at most `max` bytes are used; a longer ctx_in must have zeros
 * past them (E2BIG otherwise, bpf_check_uarg_tail_zero). The result is `max` bytes, zero padded.
 */
export function sizedContext(ctxIn: Uint8Array, max: number): Uint8Array {
  if (ctxIn.length > 4096) throw refuse('E2BIG', `ctx_in is ${ctxIn.length} bytes, more than a page`);
  for (let i = max; i < ctxIn.length; i++) {
    if (ctxIn[i] !== 0) throw refuse('E2BIG', `ctx_in byte ${i} is not zero, and the context is only ${max} bytes`);
  }
  const out = new Uint8Array(max);
  out.set(ctxIn.subarray(0, max));
  return out;
}

export class SkbTestBuffer implements PacketOps {
  /** head..end of the skb; skb->data is at `data`. Replaced when a helper needs more room. */
  buf: Uint8Array;
  data: number;
  len: number;
  /** mac and network header offsets in `buf` (the SKF_LL_OFF and SKF_NET_OFF bases). */
  mac: number;
  net: number;
  /** The __sk_buff the program sees (and whose writable fields are the skb's). */
  readonly ctx: Uint8Array;
  private readonly ctxView: DataView;
  /** struct bpf_sock of the test run's dummy socket (what __sk_buff.sk points to). */
  readonly sock = freshBytes(BPF_SOCK.size);
  readonly l2: boolean;
  readonly device: NetDevice;
  readonly view: PacketView;
  private region: Region | undefined;
  private run: RunContext | undefined;
  private readonly ctxIn: Uint8Array | undefined;

  constructor(frame: Uint8Array, opts: SkbOptions) {
    if (frame.length < ETH_HLEN) throw refuse('EINVAL', `data_in is ${frame.length} bytes, shorter than an Ethernet header (${ETH_HLEN})`);
    if (frame.length > SKB_MAX_FRAME) throw refuse('EINVAL', `data_in is ${frame.length} bytes; skb test runs take at most ${SKB_MAX_FRAME}`);
    this.l2 = opts.l2;
    // The kernel's order: the frame's size, then ctx_in's size, the device, the L3 header, the fields.
    this.ctxIn = opts.ctx ? sizedContext(opts.ctx, SKB.size) : opts.ctxOut ? new Uint8Array(SKB.size) : undefined;
    const ctxIfindex = this.ctxIn ? bytesView(this.ctxIn).getUint32(SKB.ifindex, true) : 0;
    const dev = ctxIfindex > 1 ? findDevice(opts.devices, ctxIfindex) : findDevice(opts.devices, 1);
    if (dev === undefined) throw refuse('ENODEV', `ctx_in names ifindex ${ctxIfindex}, and no such device exists (pass it in devices)`);
    this.device = dev ?? LOOPBACK;
    this.buf = freshBytes(SKB_HEADROOM + frame.length + SKB_SHINFO);
    this.buf.set(frame, SKB_HEADROOM);
    this.mac = SKB_HEADROOM;
    this.net = SKB_HEADROOM + ETH_HLEN;
    // eth_type_trans pulls the Ethernet header; tc pushes it back.
    this.data = this.l2 ? this.mac : this.net;
    this.len = frame.length - (this.l2 ? 0 : ETH_HLEN);
    const ethType = (frame[12]! << 8) | frame[13]!;
    const l3 = frame.length - ETH_HLEN;
    if (ethType === ETH_P_IP && l3 < 20) throw refuse('EINVAL', `an IPv4 frame needs at least ${ETH_HLEN + 20} bytes (Ethernet and IPv4 headers); data_in has ${frame.length}`);
    if (ethType === ETH_P_IPV6 && l3 < 40) throw refuse('EINVAL', `an IPv6 frame needs at least ${ETH_HLEN + 40} bytes (Ethernet and IPv6 headers); data_in has ${frame.length}`);
    this.ctx = freshBytes(SKB.size);
    this.ctxView = bytesView(this.ctx);
    this.initContext(frame, ethType);
    this.view = { region: undefined as unknown as Region, data: this.data, end: this.data + this.len, mac: this.mac, net: this.net };
  }

  /** eth_type_trans, the dummy socket, and convert___skb_to_skb's checks and copies of ctx_in. */
  private initContext(frame: Uint8Array, ethType: number): void {
    const c = this.ctxView;
    c.setUint32(SKB.pkt_type, packetType(frame.subarray(0, 6), this.device), true);
    c.setUint32(SKB.protocol, ethProtocol(frame), true);
    c.setUint32(SKB.ifindex, this.device.ifindex, true);
    this.initSocket(frame, ethType);
    const s = bytesView(this.sock);
    c.setUint32(SKB.family, s.getUint32(BPF_SOCK.family, true), true);
    this.ctx.set(this.sock.subarray(BPF_SOCK.src_ip4, BPF_SOCK.src_ip4 + 4), SKB.local_ip4);
    this.ctx.set(this.sock.subarray(BPF_SOCK.dst_ip4, BPF_SOCK.dst_ip4 + 4), SKB.remote_ip4);
    this.ctx.set(this.sock.subarray(BPF_SOCK.src_ip6, BPF_SOCK.src_ip6 + 16), SKB.local_ip6);
    this.ctx.set(this.sock.subarray(BPF_SOCK.dst_ip6, BPF_SOCK.dst_ip6 + 16), SKB.remote_ip6);
    // Without a context the kernel skips convert___skb_to_skb, which sets cb->pkt_len (wire_len).
    let wireLen = this.ctxIn ? this.len : 0;
    const ci = this.ctxIn;
    if (ci) {
      let at = 0;
      for (const [off, size] of [...CTX_IN_ALLOWED, [SKB.size, 0] as [number, number]]) {
        for (let i = at; i < off; i++) {
          if (ci[i] !== 0) throw refuse('EINVAL', `ctx_in byte ${i} is not zero: only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp may be set`);
        }
        at = off + size;
      }
      const v = new DataView(ci.buffer, ci.byteOffset, ci.byteLength);
      for (const f of [SKB.mark, SKB.priority, SKB.ingress_ifindex, SKB.gso_segs, SKB.gso_size]) c.setUint32(f, v.getUint32(f, true), true);
      this.ctx.set(ci.subarray(SKB.cb, SKB.cb + 20), SKB.cb);
      c.setBigUint64(SKB.tstamp, v.getBigUint64(SKB.tstamp, true), true);
      c.setBigUint64(SKB.hwtstamp, v.getBigUint64(SKB.hwtstamp, true), true);
      const w = v.getUint32(SKB.wire_len, true);
      if (w !== 0) {
        if (w < this.len || w > GSO_LEGACY_MAX_SIZE) throw refuse('EINVAL', `ctx_in wire_len ${w} is below the packet's length ${this.len} or above ${GSO_LEGACY_MAX_SIZE}`);
        wireLen = w;
      }
      if (v.getUint32(SKB.gso_segs, true) > GSO_MAX_SEGS) throw refuse('EINVAL', `ctx_in gso_segs ${v.getUint32(SKB.gso_segs, true)} is above ${GSO_MAX_SEGS}`);
    }
    c.setUint32(SKB.wire_len, wireLen, true);
    this.syncContext();
  }

  /** The test run's socket: its family and addresses come from the IP header (sk_rcv_saddr, sk_daddr). */
  private initSocket(frame: Uint8Array, ethType: number): void {
    const s = bytesView(this.sock);
    s.setUint32(BPF_SOCK.state, 7, true); // TCP_CLOSE, from sock_init_data
    s.setInt32(BPF_SOCK.rx_queue_mapping, -1, true);
    if (ethType === ETH_P_IP) {
      s.setUint32(BPF_SOCK.family, 2, true); // AF_INET
      this.sock.set(frame.subarray(ETH_HLEN + 12, ETH_HLEN + 16), BPF_SOCK.src_ip4);
      this.sock.set(frame.subarray(ETH_HLEN + 16, ETH_HLEN + 20), BPF_SOCK.dst_ip4);
    } else if (ethType === ETH_P_IPV6) {
      s.setUint32(BPF_SOCK.family, 10, true); // AF_INET6
      this.sock.set(frame.subarray(ETH_HLEN + 8, ETH_HLEN + 24), BPF_SOCK.src_ip6);
      this.sock.set(frame.subarray(ETH_HLEN + 24, ETH_HLEN + 40), BPF_SOCK.dst_ip6);
    }
  }

  /** Packet pointers and lengths in the context after the packet moved or changed size. */
  private syncContext(): void {
    const c = this.ctxView;
    c.setUint32(SKB.len, this.len, true);
    const lo = (off: number): number => (this.region ? this.region.lo(off) : LOW_BASE + off) >>> 0;
    c.setUint32(SKB.data, lo(this.data), true);
    c.setUint32(SKB.data_end, lo(this.data + this.len), true);
    c.setUint32(SKB.data_meta, lo(this.data), true);
    const v = this.view as PacketView | undefined;
    if (v) {
      v.data = this.data;
      v.end = this.data + this.len;
      v.mac = this.mac;
      v.net = this.net;
    }
  }

  /**
   * Make this run's regions: the buffer in the low window (so the 32-bit data/data_end fields are
   * whole pointers), the socket, and the context. Returns what Vm.run's setup returns.
   */
  setup(run: RunContext): { r1: bigint; packet: PacketView } {
    this.run = run;
    this.region = run.memory.setLow('packet', 'packet', this.buf, true);
    this.view.region = this.region;
    const sock = run.addRegion('struct bpf_sock', 'other', this.sock, false);
    this.ctxView.setBigUint64(SKB.sk, sock.addr(0), true);
    this.syncContext();
    const ctx = run.addRegion('struct __sk_buff', 'ctx', this.ctx, true);
    run.ctx = ctx;
    run.packet = this.view;
    run.state[PACKET_OPS] = this;
    return { r1: ctx.addr(0), packet: this.view };
  }

  /**
   * After a run: the skb's narrower fields keep what their width holds (tc_index and tc_classid
   * are 16 bits in the skb; a queue_mapping of 65535 or more is not stored at all).
   */
  settle(queueMappingBefore: number): void {
    const c = this.ctxView;
    c.setUint32(SKB.tc_index, c.getUint32(SKB.tc_index, true) & 0xffff, true);
    c.setUint32(SKB.tc_classid, c.getUint32(SKB.tc_classid, true) & 0xffff, true);
    if (c.getUint32(SKB.queue_mapping, true) >= 0xffff) c.setUint32(SKB.queue_mapping, queueMappingBefore, true);
    this.syncContext();
  }

  get queueMapping(): number {
    return this.ctxView.getUint32(SKB.queue_mapping, true);
  }

  /** data_out: from skb->data, with the Ethernet header zeroed back in front for layer-3 types. */
  dataOut(alloc: (n: number) => Uint8Array = ownBytes): Uint8Array {
    const body = this.buf.subarray(this.data, this.data + this.len);
    const out = alloc((this.l2 ? 0 : ETH_HLEN) + body.length);
    out.set(body, this.l2 ? 0 : ETH_HLEN);
    return out;
  }

  /** ctx_out: ctx_in with the fields convert_skb_to___skb writes back. */
  ctxOut(): Uint8Array {
    const out = new Uint8Array(SKB.size);
    if (this.ctxIn) out.set(this.ctxIn);
    const o = new DataView(out.buffer);
    const c = this.ctxView;
    for (const f of [SKB.mark, SKB.priority, SKB.ingress_ifindex, SKB.ifindex, SKB.wire_len, SKB.gso_segs]) o.setUint32(f, c.getUint32(f, true), true);
    out.set(this.ctx.subarray(SKB.cb, SKB.cb + 20), SKB.cb);
    o.setBigUint64(SKB.tstamp, c.getBigUint64(SKB.tstamp, true), true);
    o.setBigUint64(SKB.hwtstamp, c.getBigUint64(SKB.hwtstamp, true), true);
    return out;
  }

  // ---- PacketOps ----

  bytes(): Uint8Array {
    return this.buf.subarray(this.data, this.data + this.len);
  }

  length(): number {
    return this.len;
  }

  /**
   * bpf_skb_change_head's part (a negative delta pushes -delta zeroed bytes in front and resets
   * the mac header there), or a pull of `delta` bytes. The buffer grows when the headroom is short,
   * as skb_cow would reallocate it.
   */
  adjustHead(delta: number): number {
    if (delta < 0) {
      const room = -delta;
      if (this.len + room > SKB_MAX_LEN) return -EINVAL;
      if (this.data < room) this.grow(room - this.data + SKB_HEADROOM, 0);
      this.data -= room;
      this.len += room;
      this.buf.fill(0, this.data, this.data + room);
      this.mac = this.data;
    } else if (delta > 0) {
      if (delta > this.len) return -EINVAL;
      this.data += delta;
      this.len -= delta;
    }
    this.syncContext();
    return 0;
  }

  /** skbs carry no XDP-style metadata area a program can grow. */
  adjustMeta(_delta: number): number {
    return -ENOTSUPP;
  }

  /**
   * bpf_skb_change_tail's part: the packet may not end before its network header (its transport
   * header is unset in a test run) nor grow past SKB_MAX_LEN; grown bytes are zero.
   */
  adjustTail(delta: number): number {
    const newLen = this.len + delta;
    const minLen = Math.max(0, this.net - this.data);
    if (newLen < minLen || newLen > SKB_MAX_LEN) return -EINVAL;
    const end = this.data + this.len;
    if (delta > 0 && end + delta > this.buf.length) this.grow(0, end + delta - this.buf.length + SKB_SHINFO);
    if (delta > 0) this.buf.fill(0, end, end + delta);
    this.len = newLen;
    this.syncContext();
    return 0;
  }

  /** pskb_expand_head: a bigger buffer, the same bytes, headers moved with them. */
  private grow(front: number, back: number): void {
    const next = new Uint8Array(front + this.buf.length + back);
    next.set(this.buf, front);
    this.buf = next;
    this.data += front;
    this.mac += front;
    this.net += front;
    // A run in progress sees the new buffer in the low window from now on; the program must
    // reload its packet pointers, as after any kernel helper that may reallocate the skb.
    if (this.run) {
      this.region = this.run.memory.setLow('packet', 'packet', this.buf, true);
      this.view.region = this.region;
    }
  }
}
