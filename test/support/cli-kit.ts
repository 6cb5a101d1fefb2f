/** Running bin/tsbpf.js as a user does, with a fresh pin store per test file. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export const BIN = join(REPO_ROOT, 'bin', 'tsbpf.js');

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temporary directory for a pin store (or anything else). */
export function tempStore(prefix = 'tsbpf-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run `tsbpf ARGS` in the repository root; the store comes from --bpffs in args or TSBPF_BPFFS in env. */
export function tsbpf(args: string[], env: NodeJS.ProcessEnv = {}): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The same, asynchronously (for processes that race). */
export function tsbpfAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** A store-bound runner: `t('map', 'show')` runs with --bpffs DIR. */
export function inStore(dir: string): (...args: string[]) => Ran {
  return (...args) => tsbpf([...args, '--bpffs', dir]);
}

/** Succeeded, said nothing on stderr (unless allowed), and stdout is exactly one JSON document. */
export function okJson(r: Ran, what = ''): unknown {
  ok(r, what);
  const lines = r.stdout.trim();
  assert.ok(lines.length > 0, `${what}: no output`);
  return JSON.parse(lines);
}

export function ok(r: Ran, what = ''): Ran {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
  assert.equal(r.status, 0, `${what}: exit ${r.status}\n${r.stderr}`);
  return r;
}

/** Failed cleanly: non-zero exit, the message on stderr matches, no stack trace, nothing on stdout. */
export function fails(r: Ran, re: RegExp, what = '', status?: number): void {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
  assert.notEqual(r.status, 0, `${what}: exited 0\n${r.stdout}`);
  if (status !== undefined) assert.equal(r.status, status, `${what}: exit status\n${r.stderr}`);
  assert.match(r.stderr, re, what);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: printed a stack trace`);
}

/**
 * The CLI in this process (main() is what bin/tsbpf.js calls, and its return value the exit
 * status): for long tables of error cases, where a process each would cost ~100 ms apiece.
 */
export async function inProcess(args: string[]): Promise<Ran> {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const status = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { status, signal: null, stdout, stderr };
}
