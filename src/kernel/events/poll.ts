/**
 * Waiting for events without blocking Node's event loop. Readers here poll: the positions the
 * kernel advances are in mapped memory, so "is there data?" is a memory read, and between empty
 * reads the iterator sleeps on a timer (default 10 ms, doubling up to 4x when idle). A blocking
 * epoll_wait through FFI would stall the event loop, and koffi's async calls need a thread each;
 * a timer costs at most a few ms of latency and no threads.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** Milliseconds between polls while there is nothing to read (default 10). */
  intervalMs?: number;
  /** Stop iterating once this signal aborts (the iterator then ends normally). */
  signal?: AbortSignal;
  /** Stop after this many milliseconds without a record (the iterator then ends). */
  idleTimeoutMs?: number;
}

/**
 * An async iterator over what `drain` returns each time it is called, polling until `done()`
 * (the reader was closed), the signal aborts, or nothing came for idleTimeoutMs.
 */
export async function* pollRecords<T>(drain: () => T[], done: () => boolean, opts: PollOptions = {}): AsyncGenerator<T> {
  const base = opts.intervalMs ?? 10;
  let idleSince = Date.now();
  let wait = base;
  while (!done() && !opts.signal?.aborted) {
    const batch = drain();
    if (batch.length) {
      idleSince = Date.now();
      wait = base;
      for (const r of batch) yield r;
      continue;
    }
    if (opts.idleTimeoutMs !== undefined && Date.now() - idleSince >= opts.idleTimeoutMs) return;
    try {
      await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : {});
    } catch {
      return; // aborted
    }
    wait = Math.min(wait * 2, base * 4);
  }
}
