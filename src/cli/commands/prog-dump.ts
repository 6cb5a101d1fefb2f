/** `tsbpf prog dump xlated (OBJ | PROG) [linum]`: bpftool's listing of the loaded instructions. */
import { BpfError } from '../../errors.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import type { JsonValue } from '../json.js';
import { parseCommand } from '../options.js';
import { readSession, resolveProgId } from '../store-access.js';
import { parseRef, Tokens } from '../tokens.js';
import { makeVm } from '../vm-factory.js';
import { loadObjectWithMeta } from '../../pin/session.js';
import { DEFAULT_NCPUS } from '../../maps/index.js';
import { xlatedJson, xlatedText, type XlatedSource } from '../xlated.js';
import { emit } from './map-common.js';
import { isRefWord, pickPrograms, readObject, xlatedFromRecord, xlatedFromVm } from './prog-common.js';
import { kernelProgDump } from '../kernel/prog-dump.js';
import { wantsKernel } from '../kernel/target.js';
import { jitOf } from '../../jit/context.js';
import { wasmText } from '../../jit/dump.js';
import type { VmProgram } from '../../vm/runtime.js';

export const progDumpCommand: Command = {
  name: 'dump',
  summary: 'print a program\'s instructions as bpftool prog dump xlated does',
  usage: 'tsbpf prog dump (xlated|jited) (OBJ [--prog NAME | --section SEC] | pinned PATH | id N | name NAME | tag TAG) [linum | --linum] [--target vm|kernel] [--bpffs DIR] [--json]',
  details: [
    'Kernel-style lines `   0: (b7) r0 = 1`, map references as map[id:N], the function prototype and `; source` lines',
    'from BTF line info; linum adds `[file:F line_num:N line_col:C]`. From an object file every program is listed',
    '(map ids are those of a fresh VM); --json gives bpftool\'s array of {"disasm", "src", ...} (several programs:',
    'an object keyed by program name).',
    '--target kernel: `dump xlated PROG` is the kernel\'s translated program (PROG_GET_INFO), helper calls named from',
    '/proc/kallsyms; `dump jited PROG` prints the machine code as hex (tsbpf has no native disassembler).',
    'VM: `dump jited` prints the WebAssembly module the JIT makes of the program, as text, each part under a',
    '`;; insn N: ...` comment naming the eBPF instruction it came from; --json gives {"wasm": text, "bytes": N}.',
  ],
  run(argv, out) {
    if (wantsKernel(argv)) return kernelProgDump(argv, out);
    const { values, positionals, common } = parseCommand(argv, {
      linum: { type: 'boolean', default: false }, prog: { type: 'string' }, section: { type: 'string' }, btf: { type: 'string' },
    });
    const t = new Tokens(positionals);
    const what = t.next("'xlated'");
    if (what !== 'xlated' && what !== 'jited') throw new UsageError(`expected 'xlated' or 'jited', got '${what}'`);
    const fromStore = isRefWord(t.peek());
    const ref = fromStore ? parseRef(t, 'prog') : undefined;
    const objPath = fromStore ? undefined : t.next('OBJ or PROG');
    let linum = values.linum === true;
    while (!t.done) {
      const kw = t.next('an option');
      if (kw === 'linum') linum = true;
      else if (kw === 'opcodes' || kw === 'visual' || kw === 'file') throw new UsageError(`'${kw}' is not supported by tsbpf`);
      else throw new UsageError(`unexpected '${kw}'`);
    }
    if (what === 'jited') {
      const progs: VmProgram[] = [];
      if (ref) readSession(common, (s, store) => { progs.push(s.openProg(resolveProgId(store, ref))); });
      else {
        const spec = readObject(objPath!, { btf: values.btf as string | undefined }, out, 'prog dump');
        const picked = pickPrograms(spec, values.prog as string | undefined, values.section as string | undefined);
        const { obj } = loadObjectWithMeta(makeVm(DEFAULT_NCPUS, common.verify), spec);
        for (const p of picked) progs.push(obj.programs.get(p.name)!);
      }
      const dumps = progs.map((p) => {
        const j = jitOf(p.prepared);
        if (typeof j === 'string') throw new BpfError('EOPNOTSUPP', `program '${p.name}' is not compiled: it runs on the interpreter (${j})`);
        return { name: p.name, text: wasmText(j, p.xlated), bytes: j.bytes.length };
      });
      const json: JsonValue = dumps.length === 1
        ? { wasm: dumps[0]!.text, bytes: dumps[0]!.bytes }
        : Object.fromEntries(dumps.map((d) => [d.name, { wasm: d.text, bytes: d.bytes }]));
      emit(out, common, json, () => dumps.map((d) => (dumps.length > 1 ? `;; program '${d.name}'\n` : '') + d.text).join('\n'));
      return 0;
    }
    const sources: { name: string; src: XlatedSource }[] = [];
    if (ref) {
      readSession(common, (_s, store) => {
        const id = resolveProgId(store, ref);
        const rec = store.readProg(id);
        sources.push({ name: rec.name, src: xlatedFromRecord(rec, store.objectPath('prog', id)) });
      });
    } else {
      const spec = readObject(objPath!, { btf: values.btf as string | undefined }, out, 'prog dump');
      const progs = pickPrograms(spec, values.prog as string | undefined, values.section as string | undefined);
      // A throwaway VM gives the maps ids; nothing touches the store.
      const { obj, meta } = loadObjectWithMeta(makeVm(DEFAULT_NCPUS, common.verify), spec);
      for (const p of progs) {
        const vp = obj.programs.get(p.name)!;
        sources.push({ name: p.name, src: xlatedFromVm(vp, meta.get(vp)) });
      }
    }
    const json: JsonValue = sources.length === 1
      ? xlatedJson(sources[0]!.src, linum)
      : Object.fromEntries(sources.map((s) => [s.name, xlatedJson(s.src, linum)]));
    emit(out, common, json, () => sources.map((s) => xlatedText(s.src, linum)).join('\n'));
    return 0;
  },
};
