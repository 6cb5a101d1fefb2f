/** `tsbpf prog show [PROG]`, `tsbpf prog pin PROG PATH` and `tsbpf prog tracelog`. */
import type { Command } from '../command.js';
import { parseCommand } from '../options.js';
import { writeSession } from '../store-access.js';
import { Tokens } from '../tokens.js';
import { emit } from './map-common.js';
import { kernelProgShow } from '../kernel/prog-show.js';
import { requireKernel } from '../kernel/target.js';
import { readTraceLog } from '../../kernel/tracelog.js';
import { UsageError } from '../io.js';
import { pinStoredObject, showCommand } from './object-verbs.js';
import { isRefWord, pickOne, progShowJson, progShowText, readObject } from './prog-common.js';

export const progShowCommand: Command = showCommand({ kind: 'prog', showJson: progShowJson, showText: progShowText, kernel: kernelProgShow }, {
  summary: 'show one program or every program in the store (or the kernel)',
  usage: 'tsbpf prog show [pinned PATH | id N | name NAME | tag TAG] [--target vm|kernel] [--bpffs DIR] [--json]',
  details: [
    'Prints id, type, name, tag, gpl_compatible, loaded_at, bytes_xlated, map_ids and the pins, as bpftool prog show.',
    '--target kernel: every program the kernel has loaded (or PROG: id N, pinned PATH in bpffs, name, tag), in',
    'bpftool prog show\'s text and -j shapes (jited and memlock sizes, map_ids, btf_id).',
  ],
});

export const progPinCommand: Command = {
  name: 'pin',
  summary: 'pin a program (from the store, or from an object file) at a path',
  usage: 'tsbpf prog pin (id N | name NAME | pinned PATH | tag TAG | OBJ [--prog NAME | --section SEC]) PATH [--btf FILE] [--bpffs DIR] [--json]',
  details: ['From an object file the program is loaded with its maps (not pinned, kept alive by the program).'],
  run(argv, out) {
    const { values, positionals, common } = parseCommand(argv, {
      prog: { type: 'string' }, section: { type: 'string' }, btf: { type: 'string' },
    });
    const t = new Tokens(positionals);
    if (isRefWord(t.peek())) {
      pinStoredObject(t, common, 'prog');
    } else {
      const objPath = t.next('OBJ or PROG');
      const path = t.next('PATH');
      t.end();
      const spec = readObject(objPath, { btf: values.btf as string | undefined }, out, 'prog pin');
      const p = pickOne(spec, values.prog as string | undefined, values.section as string | undefined);
      writeSession(common, (s, store) => {
        store.resolve(path);
        const obj = s.loadObject(spec);
        store.addPin(path, 'prog', s.persistProg(obj.programs.get(p.name)!));
      });
    }
    emit(out, common, null, '');
    return 0;
  },
};

export const progTracelogCommand: Command = {
  name: 'tracelog',
  summary: 'print the bpf_printk output of programs run with this store',
  usage: 'tsbpf prog tracelog [--keep] [--wait MS] [--target kernel] [--bpffs DIR] [--json]',
  details: [
    'Lines as /sys/kernel/tracing/trace_pipe shows them. Reading consumes them, as trace_pipe does; --keep leaves them.',
    '--target kernel reads the kernel\'s own trace buffer (tracefs) instead of the store\'s, without blocking;',
    '  --wait MS keeps reading for up to MS milliseconds while nothing has arrived.',
    '--json: {"lines": [...]}.',
  ],
  async run(argv, out) {
    const { values, positionals, common } = parseCommand(argv, { keep: { type: 'boolean', default: false }, wait: { type: 'string' } }, { kernel: true });
    new Tokens(positionals).end();
    if (common.target === 'kernel') {
      requireKernel();
      const wait = values.wait === undefined ? 0 : Number(values.wait);
      if (!Number.isInteger(wait) || wait < 0) throw new UsageError(`--wait takes milliseconds, not '${String(values.wait)}'`);
      const lines = await readTraceLog({ consume: !values.keep, timeoutMs: wait });
      emit(out, common, { lines }, lines.join('\n'));
      return 0;
    }
    const store = common.store();
    const lines = values.keep ? store.readTrace(false) : store.write(() => store.readTrace(true));
    emit(out, common, { lines }, lines.join('\n'));
    return 0;
  },
};
