/**
 * Crash-safe file writes for the pin store. A pin is replaced by writing a temporary file in the
 * same directory, fsyncing it and renaming it over the old one (rename is atomic within a file
 * system), then fsyncing the directory so the new name itself survives a power cut. A writer that
 * dies half way leaves at most a stray `.tmp-*` file; readers only ever see the old or the new file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BpfError } from '../errors.js';

/** Prefix of temporary files; the store ignores names that start with it. */
export const TMP_PREFIX = '.tmp-';

function ioError(path: string, what: string, e: unknown): BpfError {
  const code = (e as NodeJS.ErrnoException).code;
  return new BpfError('EIO', `${path}: cannot ${what}: ${code ?? (e as Error).message}`, { file: path });
}

function fsyncDir(dir: string): void {
  // Not every platform lets a directory be opened for fsync; the rename has happened either way.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write `data` to `path` atomically (temp file + fsync + rename + fsync of the directory). */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(dir, 'create directory', e);
  }
  const tmp = join(dir, `${TMP_PREFIX}${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e instanceof BpfError ? e : ioError(path, 'write', e);
  }
  fsyncDir(dir);
}

/**
 * Append `text` with one write(2) on an O_APPEND descriptor, then fsync: concurrent appenders never
 * interleave inside one call's text on a local file system.
 */
export function appendFileDurable(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a', 0o644);
    try {
      const bytes = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw ioError(path, 'append to', e);
  }
}
