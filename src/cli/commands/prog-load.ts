/**
 * `tsbpf prog load OBJ PATH` (pins one program, bpftool's first by default) and
 * `tsbpf prog loadall OBJ DIR` (pins every program as DIR/<name>). The object's maps are pinned
 * too, under `pinmaps DIR` or by default `<PATH>.maps/<map name>`, so they can be read and changed
 * with `tsbpf map`. Programs referenced from a prog_array are stored as well (kept alive by it).
 */
import { existsSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { parseCommand } from '../options.js';
import { writeSession } from '../store-access.js';
import { Tokens } from '../tokens.js';
import { emit } from './map-common.js';
import { pickOne, pickPrograms, readObject } from './prog-common.js';
import { kernelProgLoad } from '../kernel/prog-load.js';
import { wantsKernel } from '../kernel/target.js';

function loadVerb(all: boolean): Command {
  const name = all ? 'loadall' : 'load';
  return {
    name,
    summary: all ? 'load an object and pin all its programs under a directory' : 'load an object and pin one program',
    usage: `tsbpf prog ${name} OBJ ${all ? 'DIR' : 'PATH'} [--prog NAME] [--btf FILE] [pinmaps DIR | --pinmaps DIR] [--target vm|kernel] [--bpffs DIR] [--json]`,
    details: [
      all ? 'Pins each program at DIR/<program name>.' : 'Pins the first program (or --prog NAME) at PATH, as bpftool prog load.',
      'Maps are pinned under pinmaps DIR, by default <PATH>.maps/<map name>.',
      '--btf FILE: the kernel BTF for CO-RE relocations (default /sys/kernel/btf/vmlinux when the object needs it).',
      'Warnings (legacy maps, static programs) go to stderr; nothing is printed on success (--json: null).',
      '--target kernel: loads into the kernel and pins in bpffs (PATH under /sys/fs/bpf); maps are pinned only with',
      'pinmaps DIR (the programs keep them alive). The command\'s fds are closed on exit: the pins hold the objects.',
    ],
    run(argv, out) {
      if (wantsKernel(argv)) return kernelProgLoad(argv, out, all);
      const { values, positionals, common } = parseCommand(argv, {
        prog: { type: 'string' }, btf: { type: 'string' }, pinmaps: { type: 'string' },
      });
      const t = new Tokens(positionals);
      const objPath = t.next('OBJ');
      const pinPath = t.next(all ? 'DIR' : 'PATH');
      let pinmaps = values.pinmaps as string | undefined;
      while (!t.done) {
        const kw = t.next('a keyword');
        if (kw === 'pinmaps') pinmaps = t.next('the directory after pinmaps');
        else if (kw === 'type') throw new UsageError(`'type': tsbpf takes the program type from the section name`);
        else throw new UsageError(`unexpected '${kw}'`);
      }
      const spec = readObject(objPath, { btf: values.btf as string | undefined }, out, `prog ${name}`);
      const want = values.prog as string | undefined;
      const progs = all ? pickPrograms(spec, want) : [want !== undefined ? pickOne(spec, want) : pickPrograms(spec)[0]!];
      writeSession(common, (s, store) => {
        const mapsDir = pinmaps ?? `${pinPath}.maps`;
        const progPins = progs.map((p) => ({ p, path: all ? `${pinPath}/${p.name}` : pinPath }));
        const mapPins = spec.maps.map((m) => ({ m, path: `${mapsDir}/${m.name}` }));
        // Every pin path is checked before anything is stored, so a clash leaves the store as it was.
        for (const { path } of [...progPins, ...mapPins]) {
          const r = store.resolve(path);
          if (existsSync(r.abs) && !(all && r.rel === store.resolve(pinPath).rel)) {
            throw new BpfError('EEXIST', `${store.display(r.rel)}: a pin already exists there`);
          }
        }
        const obj = s.loadObject(spec);
        for (const { p, path } of progPins) store.addPin(path, 'prog', s.persistProg(obj.programs.get(p.name)!));
        for (const { m, path } of mapPins) store.addPin(path, 'map', s.persistMap(obj.maps.get(m.name)!));
      });
      emit(out, common, null, '');
      return 0;
    },
  };
}

export const progLoadCommand = loadVerb(false);
export const progLoadallCommand = loadVerb(true);
