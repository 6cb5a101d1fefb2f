/**
 * `tsbpf prog run`: BPF_PROG_TEST_RUN on a program from an object file or the pin store, over one
 * input (--data-in/--ctx-in) or over every frame of a capture (--pcap-in). Runs of pinned programs
 * change their pinned maps: the changes are written back before the command reports. bpf_printk
 * lines go to the store's trace log (`tsbpf prog tracelog`).
 */
import { writeFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { loadObjectWithMeta, type StoreSession } from '../../pin/session.js';
import type { PinStore } from '../../pin/store.js';
import { progTypeInfo, runWithContext, testRun, type TestRunOptions } from '../../progtypes/index.js';
import type { Vm, VmProgram } from '../../vm/runtime.js';
import type { Command, Output } from '../command.js';
import { readInput, UsageError } from '../io.js';
import type { JsonValue } from '../json.js';
import { fprintHex } from '../map-view.js';
import { parseCommand, type Common } from '../options.js';
import { mapsJson } from '../run-maps.js';
import { resolveProgId, writeSession } from '../store-access.js';
import { parseRef, parseUint, Tokens } from '../tokens.js';
import { makeVm } from '../vm-factory.js';
import { displayValue, emit } from './map-common.js';
import { isRefWord, pickOne, readObject } from './prog-common.js';
import { runCapture } from './prog-run-pcap.js';
import { kernelProgRun } from '../kernel/prog-run.js';
import { wantsKernel } from '../kernel/target.js';
import { DEFAULT_ENGINE, parseEngine, type Engine } from '../../jit/engine.js';

interface RunArgs {
  dataIn?: string;
  ctxIn?: string;
  dataOut?: string;
  ctxOut?: string;
  repeat?: number;
  pcapIn?: string;
  pcapOut?: string;
  /** --engine: the VM's engine for this run's programs. */
  engine?: Engine;
}

/** bpftool's keywords (data_in F ...) and our --options mean the same. */
const KEYWORDS: Record<string, Exclude<keyof RunArgs, 'engine'>> = {
  data_in: 'dataIn', ctx_in: 'ctxIn', data_out: 'dataOut', ctx_out: 'ctxOut', repeat: 'repeat', pcap_in: 'pcapIn', pcap_out: 'pcapOut',
};

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function writeOut(path: string, bytes: Uint8Array): void {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new BpfError('EIO', `${path}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
}

/** One test run (or, for types the kernel cannot test-run, a run on a context), printed. */
function runOnce(vm: Vm, prog: VmProgram, a: RunArgs, out: Output): { json: { [k: string]: JsonValue }; text: string[] } {
  const info = progTypeInfo(prog.type);
  const dataIn = a.dataIn !== undefined ? readInput(a.dataIn) : undefined;
  const ctxIn = a.ctxIn !== undefined ? readInput(a.ctxIn) : undefined;
  const json: { [k: string]: JsonValue } = {};
  const text: string[] = [];
  let retval: number;
  let dataOut: Uint8Array | undefined;
  let ctxOut: Uint8Array | undefined;
  let durationNs: number;
  let verdict: string | undefined;
  if (info.testRun === 'unsupported') {
    // The kernel answers ENOTSUPP; tsbpf can still run the program on a context, which is what a
    // user of a tracepoint or kprobe program wants to see.
    if (dataIn !== undefined) throw new BpfError('ENOTSUPP', `BPF_PROG_TEST_RUN: ${info.name} programs take no data_in (they have no packet); give --ctx-in FILE, a ${info.contextName}`);
    const ctx = ctxIn ?? new Uint8Array(Math.min(info.context.size, 4096));
    if (ctxIn === undefined) {
      out.stderr(`tsbpf prog run: note: the kernel has no test run for ${info.name} programs (ENOTSUPP); ran on a zeroed ${info.contextName} of ${ctx.length} bytes (--ctx-in FILE gives another)\n`);
    }
    const n = a.repeat ?? 1;
    const t0 = process.hrtime.bigint();
    let r = runWithContext(vm, prog, ctx);
    for (let i = 1; i < n; i++) r = runWithContext(vm, prog, ctx);
    durationNs = Number((process.hrtime.bigint() - t0) / BigInt(n));
    retval = r.retval;
    verdict = r.verdict?.name;
    if (a.ctxOut !== undefined) ctxOut = r.ctxOut;
  } else {
    const opts: TestRunOptions = {};
    if (dataIn !== undefined) opts.dataIn = dataIn;
    if (ctxIn !== undefined) opts.ctxIn = ctxIn;
    if (a.ctxOut !== undefined) opts.ctxOut = true;
    if (a.repeat !== undefined) opts.repeat = a.repeat;
    const r = testRun(vm, prog, opts);
    retval = r.retval;
    verdict = r.verdict.name;
    dataOut = r.dataOut;
    ctxOut = r.ctxOut;
    durationNs = r.durationNs;
  }
  if (a.dataOut !== undefined) writeOut(a.dataOut, dataOut ?? new Uint8Array(0));
  if (a.ctxOut !== undefined) writeOut(a.ctxOut, ctxOut ?? new Uint8Array(0));
  json.retval = '0x' + (retval >>> 0).toString(16);
  if (verdict !== undefined) json.verdict = verdict;
  if (dataOut !== undefined) json.data_out = hex(dataOut);
  if (ctxOut !== undefined) json.ctx_out = hex(ctxOut);
  json.duration_ns = Math.round(durationNs);
  if (a.repeat !== undefined) json.repeat = a.repeat;
  text.push(`Return value: ${retval >>> 0}${verdict !== undefined ? ` (${verdict})` : ''}, duration${(a.repeat ?? 1) > 1 ? ' (average)' : ''}: ${Math.round(durationNs)}ns`);
  if (dataOut !== undefined && a.dataOut === undefined) text.push(`data_out (${dataOut.length} bytes):${dataOut.length ? '\n' + fprintHex(dataOut) : ''}`);
  if (ctxOut !== undefined && a.ctxOut === undefined) text.push(`ctx_out (${ctxOut.length} bytes):${ctxOut.length ? '\n' + fprintHex(ctxOut) : ''}`);
  return { json, text };
}

function execute(vm: Vm, prog: VmProgram, a: RunArgs, out: Output, session?: StoreSession): { json: { [k: string]: JsonValue }; text: string[] } {
  const r = a.pcapIn !== undefined ? runCapture(vm, prog, a.pcapIn, a.pcapOut) : runOnce(vm, prog, a, out);
  const display = session ? (m: Parameters<typeof displayValue>[1], v: Uint8Array) => displayValue(session, m, v) : undefined;
  r.json.maps = mapsJson(vm, display);
  return r;
}

function appendTrace(store: PinStore, vm: Vm): void {
  if (vm.traceLog.length > 0) store.write(() => store.appendTrace(vm.traceLog));
}

export const progRunCommand: Command = {
  name: 'run',
  summary: 'run a program on test input, as BPF_PROG_TEST_RUN (bpftool prog run)',
  usage: 'tsbpf prog run (OBJ [--prog NAME | --section SEC] | PROG) [--data-in F] [--ctx-in F] [--data-out F] [--ctx-out F] [--repeat N] [--pcap-in F [--pcap-out F]] [--engine interp|jit] [--target vm|kernel] [--bpffs DIR] [--json]',
  details: [
    'PROG is pinned PATH | id N | name NAME | tag TAG: its maps are read from and written back to the store.',
    'bpftool\'s keywords work too: data_in F data_out F ctx_in F ctx_out F repeat N.',
    `--engine interp|jit: run on the reference interpreter or the WebAssembly JIT (default ${DEFAULT_ENGINE}); the results are the same.`,
    'Prints the return value (and its meaning for the type), data_out and the mean duration. Input the kernel would',
    'refuse exits 1 naming its errno (EINVAL, E2BIG, ENOTSUPP...). Types the kernel cannot test-run (tracepoint,',
    'kprobe, perf_event) run once on --ctx-in, or on a zeroed context.',
    '--pcap-in F runs over every frame of a pcap/pcapng capture and prints the verdict counts and skipped frames;',
    '--pcap-out F writes the frames the program passed (with its changes).',
    '--json: {"retval": "0x...", "verdict", "data_out": hex, "duration_ns", "maps": {name: [{"key", "value"}]}}',
    '(--pcap-in: {"frames", "verdicts", "skipped", "maps"}); retval is the 32-bit value as the kernel reports it.',
    '--target kernel: BPF_PROG_TEST_RUN in the kernel, on OBJ (loaded, run, released) or PROG (id N, pinned PATH in',
    'bpffs, name, tag); the same output, with the maps the program holds. --pcap-in is VM-only.',
  ],
  run(argv, out) {
    if (wantsKernel(argv)) return kernelProgRun(argv, out);
    const { values, positionals, common } = parseCommand(argv, {
      prog: { type: 'string' }, section: { type: 'string' }, btf: { type: 'string' },
      'data-in': { type: 'string' }, 'ctx-in': { type: 'string' }, 'data-out': { type: 'string' }, 'ctx-out': { type: 'string' },
      repeat: { type: 'string' }, 'pcap-in': { type: 'string' }, 'pcap-out': { type: 'string' }, engine: { type: 'string' },
    });
    const a: RunArgs = {};
    const str = (k: string): string | undefined => values[k] as string | undefined;
    for (const [opt, key] of [['data-in', 'dataIn'], ['ctx-in', 'ctxIn'], ['data-out', 'dataOut'], ['ctx-out', 'ctxOut'], ['pcap-in', 'pcapIn'], ['pcap-out', 'pcapOut']] as const) {
      const v = str(opt);
      if (v !== undefined) a[key] = v;
    }
    if (str('repeat') !== undefined) a.repeat = parseUint(str('repeat')!, '--repeat');
    const t = new Tokens(positionals);
    const ref = isRefWord(t.peek()) ? parseRef(t, 'prog') : undefined;
    const objPath = ref ? undefined : t.next('OBJ or PROG');
    while (!t.done) {
      const kw = t.next('a keyword');
      const key = KEYWORDS[kw];
      if (!key) throw new UsageError(`unexpected '${kw}'`);
      const v = t.next(`the value after ${kw}`);
      if (key === 'repeat') a.repeat = parseUint(v, 'repeat');
      else a[key] = v;
    }
    if (a.pcapOut !== undefined && a.pcapIn === undefined) throw new UsageError('--pcap-out needs --pcap-in');
    if (a.pcapIn !== undefined && (a.dataIn ?? a.ctxIn ?? a.dataOut ?? a.ctxOut) !== undefined) {
      throw new UsageError('--pcap-in takes its frames from the capture: give no --data-in/--ctx-in/--data-out/--ctx-out');
    }
    if (a.repeat === 0) a.repeat = 1;
    let engine: Engine | undefined;
    try {
      if (str('engine') !== undefined) engine = parseEngine(str('engine')!);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    a.engine = engine;
    const result = ref ? runPinned(common, ref, a, out) : runObject(common, objPath!, str('prog'), str('section'), str('btf'), a, out);
    emit(out, common, result.json, result.text.join('\n'));
    return 0;
  },
};

function runPinned(common: Common, ref: ReturnType<typeof parseRef>, a: RunArgs, out: Output) {
  return writeSession(common, (s, store) => {
    if (a.engine !== undefined) s.vm.engine = a.engine;
    const prog = s.openProg(resolveProgId(store, ref));
    const r = execute(s.vm, prog, a, out, s);
    store.appendTrace(s.vm.traceLog);
    return r;
  });
}

function runObject(common: Common, path: string, prog: string | undefined, section: string | undefined, btf: string | undefined, a: RunArgs, out: Output) {
  const spec = readObject(path, { btf }, out, 'prog run');
  const p = pickOne(spec, prog, section);
  const store = common.store();
  const vm = makeVm(store.nCpus, common.verify);
  if (a.engine !== undefined) vm.engine = a.engine;
  const { obj } = loadObjectWithMeta(vm, spec);
  const r = execute(vm, obj.programs.get(p.name)!, a, out);
  appendTrace(store, vm);
  return r;
}
