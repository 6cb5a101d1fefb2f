/** `tsbpf run PROG`: assemble or decode a program, run it on the interpreter or the JIT, print r0. */
import { parseArgs } from 'node:util';
import { prepare } from '../../vm/interpreter.js';
import { DEFAULT_RAW_ENGINE, parseEngine } from '../../jit/engine.js';
import { runRepeated } from '../../jit/repeat.js';
import { loadProgram, parseHexBytes, readInput, UsageError } from '../io.js';
import type { Command } from '../command.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program (.s in either syntax, or raw .bin) on the interpreter or the JIT and print r0',
  usage: 'tsbpf run PROG [--mem HEX | --mem-file FILE] [--repeat N] [--budget N] [--syntax kernel|ubpf] [--engine interp|jit] [--json]',
  details: [
    'r1 = address of the input memory, r2 = its length (empty without --mem/--mem-file).',
    '--mem takes contiguous hex pairs, e.g. --mem 0a0b0c.',
    '--repeat N runs N times, each on the input memory as given, and reports the mean time (on the JIT the',
    'runs of a program that writes only its stack go back to back in the compiled code).',
    '--budget N stops a program after N executed instructions (default 1000000).',
    `--engine interp|jit: the reference interpreter or the WebAssembly JIT (default ${DEFAULT_RAW_ENGINE}); both give the same results.`,
    'Not verified: a bare program has no program type, so r1 is plain memory (as uBPF runs it); its memory',
    'accesses are checked at run time instead. `tsbpf verify PROG.s` (with `; section: ...`) verifies one.',
    '--json prints one object: {"retval": "0x..", "insns": N[, "repeat": N, "ns_per_run": X]}.',
  ],
  run(argv, out) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mem: { type: 'string' },
        'mem-file': { type: 'string' },
        repeat: { type: 'string' },
        budget: { type: 'string' },
        syntax: { type: 'string' },
        engine: { type: 'string' },
        json: { type: 'boolean', short: 'j', default: false },
        // Every verb takes the store option; a bare run has no maps to pin.
        bpffs: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('run takes exactly one program file');
    if (values.mem !== undefined && values['mem-file'] !== undefined) throw new UsageError('give --mem or --mem-file, not both');
    const repeat = positiveInt(values.repeat, '--repeat', 1);
    const budget = positiveInt(values.budget, '--budget', 1_000_000);
    const syntax = values.syntax;
    if (syntax !== undefined && syntax !== 'kernel' && syntax !== 'ubpf') throw new UsageError(`--syntax must be kernel or ubpf, not '${syntax}'`);
    const file = positionals[0]!;
    const mem = values.mem !== undefined ? parseHexBytes(values.mem, '--mem')
      : values['mem-file'] !== undefined ? readInput(values['mem-file']) : new Uint8Array(0);

    let engine;
    try {
      engine = parseEngine(values.engine ?? DEFAULT_RAW_ENGINE);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const prog = prepare(loadProgram(file, syntax), { file });
    const { result: r, ns: total } = runRepeated(prog, mem, engine, repeat, budget);
    const retval = '0x' + r.r0.toString(16);
    if (values.json) {
      const obj: Record<string, unknown> = { retval, insns: r.insns };
      if (values.repeat !== undefined) {
        obj.repeat = repeat;
        obj.ns_per_run = Number(total) / repeat;
      }
      out.stdout(JSON.stringify(obj) + '\n');
    } else {
      out.stdout(`${retval}\n`);
      if (values.repeat !== undefined) {
        out.stderr(`${repeat} runs, ${(Number(total) / repeat).toFixed(1)} ns/run, ${r.insns} insns/run\n`);
      }
    }
    return 0;
  },
};

function positiveInt(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name} takes a positive whole number, not '${v}'`);
  return Number(v);
}
