/**
 * The XDP buffer of a test run (net/bpf/test_run.c, bpf_prog_test_run_xdp): one 4096-byte page,
 * the frame at XDP_PACKET_HEADROOM (256) with metadata (ctx_in's data) in front of it, the skb
 * shared info's 320 bytes reserved at the end, and what does not fit in the page carried as
 * fragments. Received on the loopback device's rx queue 0 unless ctx_in names another.
 *
 * The buffer lives across the runs of a --repeat, as the kernel's does: adjustments and writes
 * accumulate, and data_out (from data_meta to data_end, then the fragments) shows the last state.
 */
import { ownBytes } from '../vm/fresh-bytes.js';
import { LOW_BASE, type Region } from '../vm/memory.js';
import type { RunContext } from '../vm/runtime.js';
import { PACKET_OPS, type PacketOps } from '../vm/packet-ops.js';
import { XDP_MD } from './context.js';
import { findDevice, LOOPBACK, type NetDevice } from './devices.js';
import { refuse } from './errors.js';
import { ETH_HLEN, sizedContext } from './skb.js';

export const XDP_PAGE = 4096;
export const XDP_PACKET_HEADROOM = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)): the tailroom every XDP buffer keeps free. */
export const XDP_TAILROOM = 320;
/** sizeof(struct xdp_frame): the start of the headroom that data and data_meta may not enter. */
export const XDP_FRAME_SIZE = 40;
/** The longest frame (from data) the linear part holds: 4096 - 256 - 320. */
export const XDP_MAX_LINEAR = XDP_PAGE - XDP_PACKET_HEADROOM - XDP_TAILROOM;
/** Metadata must be a multiple of 4 bytes and at most this long (xdp_metalen_invalid). */
export const XDP_MAX_METALEN = 255;
/** MAX_SKB_FRAGS (CONFIG_MAX_SKB_FRAGS's default): the fragments a multi-buffer frame may have. */
export const MAX_SKB_FRAGS = 17;
/** BPF_F_TEST_XDP_LIVE_FRAMES */
export const BPF_F_TEST_XDP_LIVE_FRAMES = 2;

const EINVAL = 22;
const EACCES = 13;

export interface XdpOptions {
  /** ctx_in as given (struct xdp_md; checked and zero padded to 24 bytes here). */
  ctx?: Uint8Array;
  /** Whether ctx_out was asked for: the kernel then makes a context even without ctx_in. */
  ctxOut?: boolean;
  devices?: readonly NetDevice[];
}

function metaLenInvalid(n: number): boolean {
  return (n & 3) !== 0 || n > XDP_MAX_METALEN;
}

/** A test run's page (data_hard_start at 0) and its context after it: one allocation, not three. */
interface PageAndContext {
  readonly page: Uint8Array;
  readonly ctx: Uint8Array;
  readonly ctxView: DataView;
}

/**
 * Pages test runs gave back (XdpTestBuffer.release): a new one is a buffer outside V8's heap,
 * which costs more than a short program's whole test run.
 */
const sparePages: PageAndContext[] = [];
const SPARE_PAGES = 4;

function takePage(): PageAndContext {
  const spare = sparePages.pop();
  if (spare !== undefined) return spare;
  const buffer = new ArrayBuffer(XDP_PAGE + XDP_MD.size);
  return { page: new Uint8Array(buffer, 0, XDP_PAGE), ctx: new Uint8Array(buffer, XDP_PAGE, XDP_MD.size), ctxView: new DataView(buffer, XDP_PAGE, XDP_MD.size) };
}

export class XdpTestBuffer implements PacketOps {
  private readonly held = takePage();
  readonly page = this.held.page;
  meta: number;
  data: number;
  end: number;
  /** Fragments after the linear part (multi-buffer frames), each in a page of its own. */
  frags: Uint8Array[] = [];
  readonly ctx = this.held.ctx;
  private readonly ctxView = this.held.ctxView;
  /** The context the caller gets back (ctx_in's fields, data and data_end rewritten). */
  private readonly userCtx: Uint8Array | undefined;
  readonly device: NetDevice;
  readonly rxQueue: number;
  private region: Region | undefined;

  constructor(frame: Uint8Array, opts: XdpOptions) {
    // bpf_ctx_init: a context exists when ctx_in or ctx_out is given (all zero without ctx_in).
    const user = opts.ctx ? sizedContext(opts.ctx, XDP_MD.size) : opts.ctxOut ? new Uint8Array(XDP_MD.size) : undefined;
    if (frame.length < ETH_HLEN) throw refuse('EINVAL', `data_in is ${frame.length} bytes, shorter than an Ethernet header (${ETH_HLEN})`);
    this.userCtx = user;
    let metaLen = 0;
    let linearFromMeta = frame.length;
    let device = LOOPBACK;
    let rxQueue = 0;
    if (user) {
      const u = new DataView(user.buffer, user.byteOffset, user.byteLength);
      const cData = u.getUint32(XDP_MD.data, true), cEnd = u.getUint32(XDP_MD.data_end, true);
      if (u.getUint32(XDP_MD.data_meta, true) !== 0) throw refuse('EINVAL', 'ctx_in data_meta must be 0 (the metadata starts the buffer)');
      if (cEnd > frame.length) throw refuse('EINVAL', `ctx_in data_end ${cEnd} is past the ${frame.length} bytes of data_in`);
      if (cData > cEnd) throw refuse('EINVAL', `ctx_in data ${cData} is past data_end ${cEnd}`);
      if (metaLenInvalid(cData)) throw refuse('EINVAL', `ctx_in data ${cData} makes invalid metadata (a multiple of 4, at most ${XDP_MAX_METALEN} bytes)`);
      if (XDP_PACKET_HEADROOM - cData < XDP_FRAME_SIZE) throw refuse('EINVAL', `ctx_in data ${cData}: metadata longer than ${XDP_PACKET_HEADROOM - XDP_FRAME_SIZE} bytes leaves no room for the xdp_frame`);
      metaLen = cData;
      // The linear part ends at ctx_in's data_end; the rest of data_in becomes fragments.
      linearFromMeta = cEnd;
      if (u.getUint32(XDP_MD.egress_ifindex, true) !== 0) throw refuse('EINVAL', 'ctx_in egress_ifindex must be 0');
      const ifindex = u.getUint32(XDP_MD.ingress_ifindex, true);
      rxQueue = u.getUint32(XDP_MD.rx_queue_index, true);
      if (ifindex === 0 && rxQueue !== 0) throw refuse('EINVAL', 'ctx_in rx_queue_index needs an ingress_ifindex');
      if (ifindex !== 0) {
        const d = findDevice(opts.devices, ifindex);
        if (!d) throw refuse('ENODEV', `ctx_in ingress_ifindex ${ifindex}: no such device (pass it in devices)`);
        if (rxQueue >= d.rxQueues) throw refuse('EINVAL', `ctx_in rx_queue_index ${rxQueue}: device ${d.name} has ${d.rxQueues} rx queue(s)`);
        device = d;
      }
    }
    this.device = device;
    this.rxQueue = rxQueue;
    // The page holds at most XDP_MAX_LINEAR bytes after data (more before it when there is metadata).
    const linear = Math.min(linearFromMeta, XDP_MAX_LINEAR + metaLen);
    this.meta = XDP_PACKET_HEADROOM - metaLen;
    this.data = XDP_PACKET_HEADROOM;
    this.end = this.meta + linear;
    // A page another test run had: zero but the frame, as the kernel's new one is.
    this.page.fill(0, 0, this.meta);
    this.page.set(frame.subarray(0, linear), this.meta);
    this.page.fill(0, this.end);
    this.ctx.fill(0);
    for (let at = linear; at < frame.length; at += XDP_PAGE) {
      if (this.frags.length === MAX_SKB_FRAGS) throw refuse('ENOMEM', `data_in of ${frame.length} bytes needs more than ${MAX_SKB_FRAGS} fragments of a page`);
      this.frags.push(frame.slice(at, Math.min(frame.length, at + XDP_PAGE)));
    }
    const c = this.ctxView;
    c.setUint32(XDP_MD.ingress_ifindex, device.ifindex, true);
    c.setUint32(XDP_MD.rx_queue_index, rxQueue, true);
    this.syncContext();
  }

  private syncContext(): void {
    const lo = (off: number): number => (this.region ? this.region.lo(off) : LOW_BASE + off) >>> 0;
    this.ctxView.setUint32(XDP_MD.data, lo(this.data), true);
    this.ctxView.setUint32(XDP_MD.data_end, lo(this.end), true);
    this.ctxView.setUint32(XDP_MD.data_meta, lo(this.meta), true);
  }

  /** This run's regions: the page in the low window and a read-only xdp_md. */
  setup(run: RunContext): { r1: bigint } {
    this.region = run.memory.setLow('xdp buffer', 'packet', this.page, true);
    this.syncContext();
    const ctx = run.addRegion('struct xdp_md', 'ctx', this.ctx, false);
    run.ctx = ctx;
    run.state[PACKET_OPS] = this;
    return { r1: ctx.addr(0) };
  }

  /**
   * Give the page back for another test run, once data_out and ctx_out are made: nothing of a
   * run keeps its bytes (the VM's regions and the JIT's copies go with the run).
   */
  release(): void {
    if (sparePages.length < SPARE_PAGES && !sparePages.includes(this.held)) sparePages.push(this.held);
  }

  /**
   * data_out: from data_meta to data_end, then the fragments, in bytes of its own (a caller that
   * copies it again may pass freshBytes).
   */
  dataOut(alloc: (n: number) => Uint8Array = ownBytes): Uint8Array {
    const fragLen = this.fragsLength();
    const out = alloc(this.end - this.meta + fragLen);
    out.set(this.page.subarray(this.meta, this.end));
    let at = this.end - this.meta;
    for (const f of this.frags) {
      out.set(f, at);
      at += f.length;
    }
    return out;
  }

  /** ctx_out (xdp_convert_buff_to_md): data and data_end relative to data_meta; the rest as given. */
  ctxOut(): Uint8Array | undefined {
    if (!this.userCtx) return undefined;
    const out = new Uint8Array(XDP_MD.size);
    out.set(this.userCtx.subarray(0, XDP_MD.size));
    const o = new DataView(out.buffer);
    o.setUint32(XDP_MD.data, this.data - this.meta, true);
    o.setUint32(XDP_MD.data_end, this.end - this.meta, true);
    return out;
  }

  fragsLength(): number {
    return this.frags.reduce((n, f) => n + f.length, 0);
  }

  // ---- PacketOps ----

  bytes(): Uint8Array {
    return this.page.subarray(this.data, this.end);
  }

  length(): number {
    return this.end - this.data;
  }

  /** The whole frame's length with its fragments (bpf_xdp_get_buff_len). */
  bufferLength(): number {
    return this.end - this.data + this.fragsLength();
  }

  /** bpf_xdp_adjust_head: data stays after the xdp_frame and metadata, and 14 bytes before data_end. */
  adjustHead(delta: number): number {
    const metaLen = this.data - this.meta;
    const data = this.data + delta;
    if (data < XDP_FRAME_SIZE + metaLen || data > this.end - ETH_HLEN) return -EINVAL;
    if (metaLen > 0) this.page.copyWithin(this.meta + delta, this.meta, this.data);
    this.meta += delta;
    this.data = data;
    this.syncContext();
    return 0;
  }

  /** bpf_xdp_adjust_meta: data_meta between the xdp_frame and data, the metadata 4-byte sized. */
  adjustMeta(delta: number): number {
    const meta = this.meta + delta;
    if (meta < XDP_FRAME_SIZE || meta > this.data) return -EINVAL;
    if (metaLenInvalid(this.data - meta)) return -EACCES;
    this.meta = meta;
    this.syncContext();
    return 0;
  }

  /**
   * bpf_xdp_adjust_tail: the linear frame keeps 14 bytes and ends before the reserved tailroom;
   * grown bytes are zero. With fragments, the last fragment grows within its page, and shrinking
   * frees fragments from the end before it cuts into the linear part.
   */
  adjustTail(delta: number): number {
    if (this.frags.length > 0) return delta < 0 ? this.shrinkFrags(-delta) : this.growFrags(delta);
    const end = this.end + delta;
    if (end > XDP_PAGE - XDP_TAILROOM || end < this.data + ETH_HLEN) return -EINVAL;
    if (delta > 0) this.page.fill(0, this.end, end);
    this.end = end;
    this.syncContext();
    return 0;
  }

  private growFrags(delta: number): number {
    const last = this.frags[this.frags.length - 1]!;
    if (delta > XDP_PAGE - last.length) return -EINVAL;
    const grown = new Uint8Array(last.length + delta);
    grown.set(last);
    this.frags[this.frags.length - 1] = grown;
    return 0;
  }

  private shrinkFrags(n: number): number {
    if (n > this.bufferLength() - ETH_HLEN) return -EINVAL;
    while (n > 0 && this.frags.length > 0) {
      const last = this.frags[this.frags.length - 1]!;
      const cut = Math.min(n, last.length);
      n -= cut;
      if (cut === last.length) this.frags.pop();
      else this.frags[this.frags.length - 1] = last.slice(0, last.length - cut);
    }
    if (n > 0) this.end -= n;
    this.syncContext();
    return 0;
  }
}
