/**
 * The tracing example a newcomer runs: examples/trace_execve.mjs (built examples/trace_execve.o,
 * the compiled library in dist/) loads the object into the kernel, attaches it, runs /bin/true N
 * times and prints the ring-buffer events, the per-command counts and the bpf_printk lines.
 * Needs root and bpf(2); skipped with the reason otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';
import { noKernel } from './support/kernel-kit.js';
import { noClang } from './support/tools.js';

const obj = join(REPO_ROOT, 'examples', 'trace_execve.o');
const why = noKernel() ?? (existsSync(obj) ? undefined : noClang);
if (why) console.log(`# examples-tracing: skipped: ${why}`);

test('examples/trace_execve.mjs traces /bin/true: events, counts, Hello lines', { skip: why }, () => {
  if (!existsSync(obj)) {
    const b = spawnSync(process.execPath, [join(REPO_ROOT, 'examples', 'build.mjs')], { encoding: 'utf8' });
    assert.equal(b.status, 0, `examples/build.mjs failed:\n${b.stderr}`);
  }
  const n = 7;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'examples', 'trace_execve.mjs'), String(n)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const out = r.stdout;
  assert.match(out, /attached hello +-> tracepoint syscalls\/sys_enter_execve/);
  assert.match(out, /attached count_exec +-> tracepoint syscalls\/sys_exit_execve/);
  const pids = /ran \/bin\/true 7 times \(pids ([\d, ]+)\)/.exec(out)?.[1]?.split(', ').map(Number);
  assert.ok(pids && pids.length === n, out);
  for (const pid of pids) assert.match(out, new RegExp(`pid ${pid} exec'd true\\n`), `event for pid ${pid}`);
  const count = /^ {2}true +(\d+)$/m.exec(out);
  assert.ok(count && Number(count[1]) >= n, `count for "true" >= ${n}:\n${out}`);
  const hello = out.split('\n').filter((l) => /-\d+ +\[\d+\] .*bpf_trace_printk: Hello, BPF World!$/.test(l));
  assert.ok(hello.length >= 1, `a Hello line:\n${out}`);
  for (const l of hello) assert.ok(pids.includes(Number(/-(\d+) +\[/.exec(l)![1])), `the Hello lines are ours: ${l}`);
  assert.match(out, /detached and closed\n$/);
  // The same lines through the CLI, reading tracefs without consuming it (other tests read it too).
  const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'tsbpf.js'), 'prog', 'tracelog', '--target', 'kernel', '--keep', '--json'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const lines = (JSON.parse(cli.stdout) as { lines: string[] }).lines.filter((l) => l.endsWith('bpf_trace_printk: Hello, BPF World!'));
  for (const pid of pids) assert.ok(lines.some((l) => new RegExp(`-${pid} +\\[`).test(l)), `tsbpf prog tracelog --target kernel shows pid ${pid}'s Hello`);
});
