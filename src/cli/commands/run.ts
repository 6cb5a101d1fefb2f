/** `tsbpf run PROG`: assemble or decode a program, run it on the interpreter, print r0. */
import { parseArgs } from 'node:util';
import { prepare, execute } from '../../vm/interpreter.js';
import type { RunResult } from '../../vm/api.js';
import { loadProgram, parseHexBytes, readInput, UsageError } from '../io.js';
import type { Command } from '../command.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program (.s in either syntax, or raw .bin) on the interpreter and print r0',
  usage: 'tsbpf run PROG [--mem HEX | --mem-file FILE] [--repeat N] [--budget N] [--syntax kernel|ubpf] [--json]',
  details: [
    'r1 = address of the input memory, r2 = its length (empty without --mem/--mem-file).',
    '--mem takes contiguous hex pairs, e.g. --mem 0a0b0c.',
    '--repeat N runs N times, the input memory reset before each run, and reports the mean time.',
    '--budget N stops a program after N executed instructions (default 1000000).',
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

    const prog = prepare(loadProgram(file, syntax), { file });
    let result: RunResult | undefined;
    let total = 0n;
    for (let i = 0; i < repeat; i++) {
      const input = mem.slice();
      const t0 = process.hrtime.bigint();
      result = execute(prog, { mem: input, budget });
      total += process.hrtime.bigint() - t0;
    }
    const r = result!;
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
