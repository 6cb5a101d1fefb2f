/** Ring buffer and perf event output from compiled C, drained from user space. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { assemble } from '../src/isa/asm.js';
import { PerfEventArrayMap, RingbufMap } from '../src/maps/index.js';
import { clangMissing, ctxWords, loadHelpersObject, runCtx } from './support/helpers-kit.js';
import { removeElfTempDir } from './support/elf-tools.js';

const skip = clangMissing();
if (skip) console.log(`# skipping helpers-events tests: ${skip}`);
after(() => removeElfTempDir());

const OBJ = 'helpers_events';

function event(b: Uint8Array): { pid: number; seq: number; comm: string } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const comm = b.subarray(8, 24);
  const nul = comm.indexOf(0);
  return { pid: dv.getUint32(0, true), seq: dv.getUint32(4, true), comm: new TextDecoder().decode(comm.subarray(0, nul < 0 ? 16 : nul)) };
}

test('ringbuf_reserve + submit/discard: user space drains the submitted records only', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const p = t.prog('rb_reserve');
  for (const [seq, discard] of [[1, 0], [2, 1], [3, 0]]) assert.equal(runCtx(t.vm, p, ctxWords(seq!, discard!)).ret, 0);
  const rb = t.obj.maps.get('rb')!.map as RingbufMap;
  const events = rb.drain().map(event);
  assert.deepEqual(events, [
    { pid: 4242, seq: 1, comm: 'tsbpf-test' },
    { pid: 4242, seq: 3, comm: 'tsbpf-test' },
  ]);
  assert.equal(rb.consumerPosition, 3 * 32, 'three 24-byte records with their 8-byte headers, discarded one included');
});

test('ringbuf_output copies a record; ringbuf_query reports positions; bad flags are -EINVAL', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('rb_output'), ctxWords(0x1234));
  const q = Array.from({ length: 6 }, (_, i) => t.value('out', i));
  assert.deepEqual(q, [0n, 16n, 4096n, 16n, 0n, 0n]);
  const rb = t.obj.maps.get('rb')!.map as RingbufMap;
  const recs = rb.drain();
  assert.equal(recs.length, 1);
  assert.equal(new DataView(recs[0]!.buffer).getBigUint64(0, true), 0x1234n);
  runCtx(t.vm, t.prog('rb_output'), ctxWords(1, 4));
  assert.equal(t.value('out', 0), -22n);
  assert.equal(t.value('out', 1), 0n, 'nothing was written');
});

test('a full ring buffer makes reserve return NULL until user space consumes', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const p = t.prog('rb_big');
  const rets = Array.from({ length: 5 }, (_, i) => runCtx(t.vm, p, ctxWords(i + 1)).ret);
  assert.deepEqual(rets, [0, 0, 0, 0, -1], 'four 1008-byte records fit in 4096 bytes, a fifth does not');
  const rb = t.obj.maps.get('rb')!.map as RingbufMap;
  assert.deepEqual(rb.drain().map((r) => r[0]), [1, 2, 3, 4]);
  assert.equal(runCtx(t.vm, p, ctxWords(9)).ret, 0);
});

test('ringbuf_submit of an address that is not a reserved record fails the run', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const prog = t.vm.loadProgram({ name: 'bad_submit', insns: assemble('r1 = r10\nr1 += -8\nr2 = 0\ncall bpf_ringbuf_submit\nr0 = 0\nexit', 'bad.s') });
  assert.throws(() => runCtx(t.vm, prog), (e: unknown) => e instanceof BpfError && /bpf_ringbuf_submit: 0x[0-9a-f]+ is not the start of a record reserved by bpf_ringbuf_reserve/.test(e.message));
});

test('perf_event_output: samples per CPU, and the kernel\'s errors', { skip }, () => {
  const t = loadHelpersObject(OBJ, { nCpus: 2 });
  const p = t.prog('perf_out');
  const events = t.obj.maps.get('events')!.map as PerfEventArrayMap;
  assert.equal(runCtx(t.vm, p, ctxWords(0xffffffffn, 1)).ret, -2, 'no perf event in the slot yet: ENOENT');
  events.openPerCpuBuffers();
  assert.equal(runCtx(t.vm, p, ctxWords(0xffffffffn, 2), undefined, 1).ret, 0, 'BPF_F_CURRENT_CPU');
  assert.equal(runCtx(t.vm, p, ctxWords(0, 3), undefined, 0).ret, 0);
  assert.equal(runCtx(t.vm, p, ctxWords(0, 4), undefined, 1).ret, -95, 'slot 0 is CPU 0\'s event: EOPNOTSUPP on CPU 1');
  assert.equal(runCtx(t.vm, p, ctxWords(7, 5)).ret, -7, 'index past max_entries: E2BIG');
  assert.equal(runCtx(t.vm, p, ctxWords(1n << 32n, 6)).ret, -22, 'a tracing program may set no bits above the index');
  const samples = events.drain();
  assert.deepEqual(samples.map((s) => ({ cpu: s.cpu, ...event(s.data) })), [
    { cpu: 1, pid: 4242, seq: 2, comm: 'tsbpf-test' },
    { cpu: 0, pid: 4242, seq: 3, comm: 'tsbpf-test' },
  ]);
  assert.equal(samples[0]!.data.length, 24);
});
