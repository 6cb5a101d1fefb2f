/**
 * One writer at a time per store: a `.lock` file created with O_EXCL holding the owner's pid.
 * Readers need no lock (every file is replaced atomically); writers hold it across their
 * read-modify-write, so two `map update`s in parallel cannot lose one another's change. A lock
 * whose process is gone (killed mid-write) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { BpfError } from '../errors.js';

const WAIT_MS = 10;
const TIMEOUT_MS = 15_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StoreLock {
  private depth = 0;

  constructor(readonly path: string) {}

  /** Run `fn` holding the lock (re-entrant within this process). */
  hold<T>(fn: () => T): T {
    if (this.depth === 0) this.acquire();
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0) this.release();
    }
  }

  private acquire(): void {
    const start = Date.now();
    for (;;) {
      try {
        const fd = openSync(this.path, 'wx', 0o644);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new BpfError('EIO', `${this.path}: cannot create the store lock: ${code ?? (e as Error).message}`, { file: this.path });
      }
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(this.path, 'utf8'), 10);
      } catch {
        continue; // released between our open and read: try again
      }
      // No pid yet (the owner is between open and write) counts as alive for a moment.
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        try {
          unlinkSync(this.path);
        } catch {
          /* someone else took it over first */
        }
        continue;
      }
      if (Date.now() - start > TIMEOUT_MS) {
        throw new BpfError('EBUSY', `the pin store is locked by process ${Number.isNaN(owner) ? '?' : owner} (${this.path}); remove the file if that process is gone`, { file: this.path });
      }
      sleep(WAIT_MS);
    }
  }

  private release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
