/**
 * `tsbpf prog load|loadall --target kernel OBJ PATH`: load the object into the kernel and pin the
 * program(s) in bpffs (maps too, under `pinmaps DIR`), as bpftool does. The process's fds are
 * closed before it exits: the pins are what keeps the programs and maps alive. A failure part way
 * removes the pins made so far, so nothing is left behind.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { loadSpec } from '../../object/load.js';
import type { KernelTargetObject } from '../../object/kernel.js';
import type { Output } from '../command.js';
import { UsageError } from '../io.js';
import { parseCommand } from '../options.js';
import { Tokens } from '../tokens.js';
import { emit } from '../commands/map-common.js';
import { pickOne, pickPrograms, readObject } from '../commands/prog-common.js';
import { bpffsOf, checkPinPath, pinName, requireKernel } from './target.js';
import { describeLoadError } from './verify.js';

export function kernelProgLoad(argv: string[], out: Output, all: boolean): number {
  const name = all ? 'loadall' : 'load';
  const { values, positionals, common } = parseCommand(argv, {
    prog: { type: 'string' }, btf: { type: 'string' }, pinmaps: { type: 'string' },
  }, { kernel: true });
  const t = new Tokens(positionals);
  const objPath = t.next('OBJ');
  const pinPath = t.next(all ? 'DIR' : 'PATH');
  let pinmaps = values.pinmaps as string | undefined;
  while (!t.done) {
    const kw = t.next('a keyword');
    if (kw === 'pinmaps') pinmaps = t.next('the directory after pinmaps');
    else throw new UsageError(`unexpected '${kw}'`);
  }
  requireKernel();
  const spec = readObject(objPath, { btf: values.btf as string | undefined }, out, `prog ${name}`);
  const want = values.prog as string | undefined;
  const progs = all ? pickPrograms(spec, want) : [want !== undefined ? pickOne(spec, want) : pickPrograms(spec)[0]!];
  const progPins = progs.map((p) => ({ name: p.name, path: all ? `${pinPath}/${p.name}` : pinPath }));
  // Map names with '.' (global data) are pinned with '_' instead, as libbpf does: bpffs refuses dots.
  const mapPins = pinmaps !== undefined ? spec.maps.map((m) => ({ name: m.name, path: `${pinmaps}/${pinName(m.name)}` })) : [];
  // Directories first (bpftool creates them too), then every path checked before anything loads.
  for (const dir of [...(all ? [pinPath] : []), ...(pinmaps !== undefined ? [pinmaps] : [])]) {
    if (!dir.startsWith('/') || !bpffsOf(dir)) checkPinPath(`${dir}/x`);
    if (dir.slice(bpffsOf(dir)!.length).includes('.')) checkPinPath(`${dir}/x`);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new BpfError('EPERM', `${dir}: cannot create the directory in bpffs (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  for (const { path } of [...progPins, ...mapPins]) checkPinPath(path);

  let obj: KernelTargetObject;
  try {
    obj = loadSpec(spec, { target: 'kernel' }) as KernelTargetObject;
  } catch (e) {
    throw describeLoadError(e);
  }
  for (const w of obj.native.warnings.slice(spec.warnings.length)) out.stderr(`tsbpf prog ${name}: warning: ${w}\n`);
  const made: string[] = [];
  try {
    for (const { name: n, path } of progPins) {
      const p = obj.native.programs.get(n);
      if (!p) throw new BpfError('ENOENT', `${spec.file}: program '${n}' was not loaded (not autoloaded, or not loadable into the kernel)`);
      p.pin(path);
      made.push(path);
    }
    for (const { name: n, path } of mapPins) {
      obj.native.maps.get(n)!.pin(path);
      made.push(path);
    }
  } catch (e) {
    for (const p of made) rmSync(p, { force: true });
    throw e;
  } finally {
    obj.close();
  }
  emit(out, common, null, '');
  return 0;
}
