/**
 * Zeroed byte arrays for a test run's buffers (an skb's data and context). V8 puts
 * the bytes of a typed array over 64 bytes outside its heap, and making one costs about a
 * microsecond, more than a short program's whole test run; views into a shared chunk cost a
 * tenth of that. As with Node's Buffer pool, a view's `buffer` is the chunk (byteOffset says
 * where the view starts), and a view kept alive keeps its chunk.
 */

/** Arrays up to this size V8 keeps on its heap: cheap to make on their own. */
const ON_HEAP = 64;
/** Longer arrays than this get bytes of their own (a chunk would hold too few of them). */
const LARGEST = 4096;
const CHUNK = 64 * 1024;

let chunk = new ArrayBuffer(0);
let used = 0;

/** `n` zero bytes, never handed out before. */
export function freshBytes(n: number): Uint8Array {
  if (n <= ON_HEAP || n > LARGEST) return new Uint8Array(n);
  if (used + n > chunk.byteLength) {
    chunk = new ArrayBuffer(CHUNK);
    used = 0;
  }
  const out = new Uint8Array(chunk, used, n);
  // (8-byte aligned, as a DataView or a wider typed array over the result may want.)
  used = (used + n + 7) & ~7;
  return out;
}

/** `n` zero bytes in a buffer of their own (byteOffset 0): what results a user keeps get. */
export function ownBytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

/** A DataView over exactly these bytes (which may be a view into a chunk). */
export function bytesView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
