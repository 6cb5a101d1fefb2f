/**
 * Event delivery from real tracing programs: test/c/attach_trace.c sends execve events (pid, tgid,
 * comm) to a ring buffer (discarding those of odd pids) and to a perf buffer, read here through the
 * readers' async iterators while /bin/true runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadObjectIntoKernel, type KernelObject } from '../src/kernel/load-object.js';
import { attachTracepoint } from '../src/kernel/attach/index.js';
import { PerfBufferReader, RingBufferReader } from '../src/kernel/events/index.js';
import { openFdCount } from '../src/kernel/syscall.js';
import { kernelObject, noKernelObjects } from './support/kernel-kit.js';
import { removeTempDir } from './support/tools.js';

const why = noKernelObjects();
if (why) console.log(`# kernel-events: skipped: ${why}`);

after(removeTempDir);

interface ExecEvent {
  pid: number;
  tgid: number;
  comm: string;
}

function execEvent(b: Uint8Array): ExecEvent {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const c = b.subarray(8, 24);
  const end = c.indexOf(0);
  return { pid: dv.getUint32(0, true), tgid: dv.getUint32(4, true), comm: Buffer.from(end < 0 ? c : c.subarray(0, end)).toString() };
}

/** Run /bin/true `n` times, one after another, without blocking the event loop; their pids. */
async function runTrue(n: number): Promise<number[]> {
  const pids: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = spawn('/bin/true');
    pids.push(c.pid!);
    await once(c, 'exit');
  }
  return pids;
}

describe('ring buffer and perf buffer readers', { skip: why }, () => {
  let obj: KernelObject;
  const fdsAtStart = why ? 0 : openFdCount();

  before(() => {
    obj = loadObjectIntoKernel(kernelObject('attach_trace'), { programs: ['ring_execs', 'perf_execs'] });
  });
  after(() => obj?.close());

  test('ring buffer: execve events (pid + comm) through the async iterator; discarded records are skipped', async () => {
    const rb = new RingBufferReader(obj.maps.get('events')!);
    const att = attachTracepoint(obj.programs.get('ring_execs')!, 'syscalls', 'sys_exit_execve');
    try {
      const pids = await runTrue(8);
      const even = pids.filter((p) => p % 2 === 0);
      const seen: ExecEvent[] = [];
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 3000);
      for await (const rec of rb.records({ signal: ac.signal })) {
        const e = execEvent(rec);
        if (pids.includes(e.pid)) seen.push(e);
        if (even.every((p) => seen.some((s) => s.pid === p))) break;
      }
      clearTimeout(timer);
      assert.deepEqual(seen.map((s) => s.pid).sort(), even.sort(), 'every even pid, no odd one');
      for (const s of seen) {
        assert.equal(s.comm, 'true');
        assert.equal(s.tgid, s.pid);
      }
      if (pids.length > even.length) assert.ok(rb.discarded > 0, 'odd pids were discarded');
    } finally {
      att.close();
      rb.close();
    }
  });

  test('perf buffer: execve samples on every CPU through the async iterator', async () => {
    const pb = new PerfBufferReader(obj.maps.get('perf_events')!, { pageCount: 4 });
    assert.ok(pb.cpus.length >= 1);
    const att = attachTracepoint(obj.programs.get('perf_execs')!, 'syscalls', 'sys_exit_execve');
    try {
      const pids = await runTrue(6);
      const seen = new Set<number>();
      const cpusSeen = new Set<number>();
      for await (const rec of pb.records({ idleTimeoutMs: 500 })) {
        if (rec.kind !== 'sample') continue;
        assert.ok(rec.data.length >= 24, `sample of ${rec.data.length} bytes`);
        const e = execEvent(rec.data);
        if (!pids.includes(e.pid)) continue;
        assert.equal(e.comm, 'true');
        seen.add(e.pid);
        cpusSeen.add(rec.cpu);
        if (seen.size === pids.length) break;
      }
      assert.equal(seen.size, pids.length, `samples for ${seen.size} of ${pids.length} execs`);
      assert.equal(pb.lost, 0n);
    } finally {
      att.close();
      pb.close();
    }
  });

  test('nothing leaks', () => {
    obj.close();
    assert.equal(openFdCount(), fdsAtStart);
  });
});
