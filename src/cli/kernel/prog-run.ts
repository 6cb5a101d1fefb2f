/**
 * `tsbpf prog run --target kernel (OBJ | PROG)`: BPF_PROG_TEST_RUN in the kernel, printed as the VM
 * form prints it (same JSON members), with the maps the program holds after the run. From an
 * object file the object is loaded, run and released; PROG is a loaded program (id, pinned, name).
 */
import { writeFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { KernelMap } from '../../kernel/kernel-map.js';
import { KernelProgram } from '../../kernel/kernel-program.js';
import { getFdById } from '../../kernel/objects.js';
import { perCpuValues } from '../../maps/index.js';
import type { BpfMap } from '../../maps/types.js';
import { loadSpec } from '../../object/load.js';
import type { ProgramRunOptions, ProgramRunResult } from '../../object/types.js';
import type { Output } from '../command.js';
import { readInput, UsageError } from '../io.js';
import type { JsonValue } from '../json.js';
import { fprintHex } from '../map-view.js';
import { parseCommand } from '../options.js';
import { parseRef, parseUint, Tokens } from '../tokens.js';
import { emit } from '../commands/map-common.js';
import { isRefWord, pickOne, readObject } from '../commands/prog-common.js';
import { openRef, requireKernel } from './target.js';
import { describeLoadError } from './verify.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const KEYWORDS: Record<string, string> = { data_in: 'data-in', ctx_in: 'ctx-in', data_out: 'data-out', ctx_out: 'ctx-out', repeat: 'repeat' };

/** Elements of a map for --json (arrays: only elements that are not all zero, as the VM form). */
export function mapElementsJson(m: BpfMap): JsonValue[] | undefined {
  const type = m.spec.type;
  if (m.spec.keySize === 0 || ['ringbuf', 'perf_event_array', 'bloom_filter', 'user_ringbuf', 'arena'].includes(type)) return undefined;
  const skipZero = type === 'array' || type === 'percpu_array';
  const out: JsonValue[] = [];
  for (let k = m.getNextKey(undefined); k !== undefined; k = m.getNextKey(k)) {
    const v = m.lookup(k);
    if (v === undefined || (skipZero && v.every((b) => b === 0))) continue;
    out.push(m.userValueSize !== m.spec.valueSize ? { key: hex(k), values: perCpuValues(m, v).map(hex) } : { key: hex(k), value: hex(v) });
  }
  return out;
}

function report(r: ProgramRunResult, args: Record<string, string | undefined>, repeat: number | undefined, maps: { [k: string]: JsonValue }) {
  if (args['data-out'] !== undefined) writeFileSync(args['data-out'], r.dataOut ?? new Uint8Array(0));
  if (args['ctx-out'] !== undefined) writeFileSync(args['ctx-out'], r.ctxOut ?? new Uint8Array(0));
  const json: { [k: string]: JsonValue } = { retval: '0x' + (r.retval >>> 0).toString(16) };
  if (r.verdict) json.verdict = r.verdict.name;
  if (r.dataOut) json.data_out = hex(r.dataOut);
  if (r.ctxOut) json.ctx_out = hex(r.ctxOut);
  json.duration_ns = Math.round(r.durationNs);
  if (repeat !== undefined) json.repeat = repeat;
  json.maps = maps;
  const text = [`Return value: ${r.retval >>> 0}${r.verdict ? ` (${r.verdict.name})` : ''}, duration${(repeat ?? 1) > 1 ? ' (average)' : ''}: ${Math.round(r.durationNs)}ns`];
  if (r.dataOut && args['data-out'] === undefined) text.push(`data_out (${r.dataOut.length} bytes):${r.dataOut.length ? '\n' + fprintHex(r.dataOut) : ''}`);
  if (r.ctxOut && args['ctx-out'] === undefined) text.push(`ctx_out (${r.ctxOut.length} bytes):${r.ctxOut.length ? '\n' + fprintHex(r.ctxOut) : ''}`);
  return { json, text: text.join('\n') };
}

export function kernelProgRun(argv: string[], out: Output): number {
  const { values, positionals, common } = parseCommand(argv, {
    prog: { type: 'string' }, section: { type: 'string' }, btf: { type: 'string' },
    'data-in': { type: 'string' }, 'ctx-in': { type: 'string' }, 'data-out': { type: 'string' }, 'ctx-out': { type: 'string' },
    repeat: { type: 'string' }, 'pcap-in': { type: 'string' }, 'pcap-out': { type: 'string' },
  }, { kernel: true });
  if (values['pcap-in'] !== undefined) throw new UsageError('--pcap-in is VM-only for now: run it without --target kernel');
  const args: Record<string, string | undefined> = { ...values } as Record<string, string | undefined>;
  const t = new Tokens(positionals);
  const ref = isRefWord(t.peek()) ? parseRef(t, 'prog') : undefined;
  const objPath = ref ? undefined : t.next('OBJ or PROG');
  while (!t.done) {
    const kw = t.next('a keyword');
    const key = KEYWORDS[kw];
    if (!key) throw new UsageError(`unexpected '${kw}'`);
    args[key] = t.next(`the value after ${kw}`);
  }
  requireKernel();
  const opts: ProgramRunOptions = {};
  if (args['data-in'] !== undefined) opts.dataIn = readInput(args['data-in']);
  if (args['ctx-in'] !== undefined) opts.ctxIn = readInput(args['ctx-in']);
  if (args['ctx-out'] !== undefined) opts.ctxOut = true;
  const repeat = args.repeat !== undefined ? parseUint(args.repeat, 'repeat') || 1 : undefined;
  if (repeat !== undefined) opts.repeat = repeat;

  let res: { json: { [k: string]: JsonValue }; text: string };
  if (ref) {
    const prog = KernelProgram.fromFd(openRef('prog', ref));
    try {
      const r = prog.testRun(opts);
      const maps: { [k: string]: JsonValue } = {};
      for (const id of prog.info().mapIds) {
        const m = KernelMap.fromFd(getFdById('map', id));
        try {
          const els = mapElementsJson(m);
          if (els) maps[maps[m.spec.name] === undefined ? m.spec.name : `${m.spec.name}#${id}`] = els;
        } finally {
          m.close();
        }
      }
      res = report(r, args, repeat, maps);
    } finally {
      prog.close();
    }
  } else {
    const spec = readObject(objPath!, { btf: values.btf as string | undefined }, out, 'prog run');
    const p = pickOne(spec, values.prog as string | undefined, values.section as string | undefined);
    let obj;
    try {
      obj = loadSpec(spec, { target: 'kernel' });
    } catch (e) {
      throw describeLoadError(e);
    }
    try {
      const prog = obj.programs.get(p.name);
      if (!prog) throw new BpfError('ENOENT', `${spec.file}: program '${p.name}' was not loaded into the kernel (not autoloaded?)`);
      const r = prog.testRun(opts);
      const maps: { [k: string]: JsonValue } = {};
      for (const [name, m] of obj.maps) {
        const els = mapElementsJson(m);
        if (els) maps[name] = els;
      }
      res = report(r, args, repeat, maps);
    } finally {
      obj.close();
    }
  }
  emit(out, common, res.json, res.text);
  return 0;
}
