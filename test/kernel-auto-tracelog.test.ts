/**
 * readTraceLog: the trace line parser, and reading a trace buffer both ways (the `trace` file and
 * a non-blocking trace_pipe) on a tracefs instance made for the test and fed through its
 * trace_marker, so that consuming never takes lines other tracers on the machine are waiting for.
 * (bpf_printk into the top-level buffer is read in kernel-auto.test.ts and examples-tracing.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { parseTraceLine, readTraceLog, readTraceLogSync } from '../src/kernel/tracelog.js';
import { tracefsRoot } from '../src/kernel/attach/tracefs.js';

test('parseTraceLine splits trace_pipe lines', () => {
  const t = parseTraceLine('           <...>-12345   [003] ...21  6165.426213: bpf_trace_printk: Hello, BPF World!');
  assert.deepEqual({ ...t, raw: undefined }, {
    comm: '<...>', pid: 12345, cpu: 3, flags: '...21', timestamp: 6165.426213, event: 'bpf_trace_printk', message: 'Hello, BPF World!', raw: undefined,
  });
  const dashed = parseTraceLine('  kworker/u8:2-a-77 (     77) [000] d..3.   12.5: tracing_mark_write: x: y');
  assert.equal(dashed?.comm, 'kworker/u8:2-a');
  assert.equal(dashed?.pid, 77);
  assert.equal(dashed?.message, 'x: y');
  assert.equal(parseTraceLine('# tracer: nop'), undefined);
  assert.equal(parseTraceLine(''), undefined);
});

const why = process.getuid?.() !== 0 ? 'needs root (tracefs)' : (() => {
  try {
    tracefsRoot();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
})();
if (why) console.log(`# kernel-auto-tracelog: skipped: ${why}`);

describe('readTraceLog on a tracefs instance', { skip: why }, () => {
  const instance = `tsbpf-tl-${process.pid}`;
  let dir: string;
  const mark = (text: string): void => writeFileSync(`${dir}/trace_marker`, text);

  before(() => {
    dir = `${tracefsRoot()}/instances/${instance}`;
    mkdirSync(dir);
  });
  after(() => {
    if (dir && existsSync(dir)) rmdirSync(dir);
  });

  test('the trace file: lines stay, headers go', async () => {
    mark('tsbpf first');
    mark('tsbpf second');
    const lines = await readTraceLog({ instance, filter: 'tsbpf' });
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => !l.startsWith('#')));
    const t = parseTraceLine(lines[0]!)!;
    assert.equal(t.pid, process.pid);
    assert.equal(t.event, 'tracing_mark_write');
    assert.equal(t.message, 'tsbpf first');
    assert.deepEqual(readTraceLogSync({ instance, filter: /tsbpf (first|second)/ }), lines, 'not consumed');
  });

  test('trace_pipe with consume: read without blocking, and gone once read', async () => {
    const lines = await readTraceLog({ instance, consume: true, filter: 'tsbpf' });
    assert.deepEqual(lines.map((l) => parseTraceLine(l)!.message), ['tsbpf first', 'tsbpf second']);
    const t0 = Date.now();
    assert.deepEqual(await readTraceLog({ instance, consume: true }), [], 'empty now');
    assert.deepEqual(readTraceLogSync({ instance, consume: true }), []);
    assert.ok(Date.now() - t0 < 500, 'an empty pipe does not block');
    assert.deepEqual(await readTraceLog({ instance, filter: 'tsbpf' }), [], 'consumed from the trace file too');
  });

  test('timeoutMs waits for lines to come, and gives up on time', async () => {
    const timer = setTimeout(() => mark('tsbpf later'), 150);
    const t0 = Date.now();
    const lines = await readTraceLog({ instance, consume: true, timeoutMs: 5000, filter: 'tsbpf' });
    clearTimeout(timer);
    assert.deepEqual(lines.map((l) => parseTraceLine(l)!.message), ['tsbpf later']);
    assert.ok(Date.now() - t0 < 4000, 'returned once the line came');
    const t1 = Date.now();
    assert.deepEqual(await readTraceLog({ instance, consume: true, timeoutMs: 200 }), []);
    const waited = Date.now() - t1;
    assert.ok(waited >= 190 && waited < 2000, `waited ${waited} ms`);
    mark('tsbpf a');
    mark('tsbpf b');
    assert.equal((await readTraceLog({ instance, filter: 'tsbpf', timeoutMs: 2000, minLines: 2 })).length, 2);
  });

  test('a bad instance is named', async () => {
    await assert.rejects(readTraceLog({ instance: 'tsbpf-no-such-instance' }), /no tracefs instance 'tsbpf-no-such-instance'/);
    assert.throws(() => readTraceLogSync({ instance: '../x' }), /not a tracefs instance name/);
  });
});
