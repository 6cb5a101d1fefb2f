/**
 * USDT probes as SystemTap's <sys/sdt.h> records them: one ELF note per probe site in
 * .note.stapsdt (owner "stapsdt", type 3), whose descriptor is three addresses (the probe's pc,
 * the link-time address of .stapsdt.base, the semaphore's address or 0) and three strings
 * (provider, name, argument specs like "-4@%edi 8@-8(%rbp)"). When the binary was prelinked or
 * otherwise moved, .stapsdt.base's address now differs from the recorded one, and pc moves by the
 * same amount. The uprobe PMU takes file offsets, found through the program headers.
 */
import { BpfError } from '../../errors.js';
import { HostElf } from '../attach/host-elf.js';
import { parseUsdtArgs, type UsdtArg } from './args.js';

const NT_STAPSDT = 3;

export interface UsdtProbe {
  provider: string;
  name: string;
  /** The probe's address as linked (after the .stapsdt.base adjustment). */
  pc: number;
  /** Its file offset: where the uprobe goes. */
  fileOffset: number;
  /** The semaphore's address (0 when the probe has none) and its file offset. */
  semaphore: number;
  semaphoreOffset: number;
  /** The argument spec string and its parse. */
  argSpec: string;
  args: UsdtArg[];
}

/** Every USDT probe site in a binary. */
export function readUsdtProbes(path: string): UsdtProbe[] {
  const elf = new HostElf(path);
  const base = elf.section('.stapsdt.base');
  const out: UsdtProbe[] = [];
  for (const n of elf.notes('.note.stapsdt')) {
    if (n.name !== 'stapsdt' || n.type !== NT_STAPSDT) continue;
    const dv = new DataView(n.desc.buffer, n.desc.byteOffset, n.desc.byteLength);
    let pc = Number(dv.getBigUint64(0, true));
    const recordedBase = Number(dv.getBigUint64(8, true));
    const semaphore = Number(dv.getBigUint64(16, true));
    if (base && recordedBase) pc += base.addr - recordedBase;
    const strs = Buffer.from(n.desc.subarray(24)).toString('utf8').split('\0');
    const [provider = '', name = '', argSpec = ''] = strs;
    out.push({
      provider, name, pc, fileOffset: elf.fileOffset(pc), semaphore,
      // The semaphore lives in a data section (.probes); the kernel's ref_ctr_offset is a file offset too.
      semaphoreOffset: semaphore ? semaphoreFileOffset(elf, semaphore) : 0,
      argSpec, args: parseUsdtArgs(argSpec, `${path}: USDT ${provider}:${name}`),
    });
  }
  return out;
}

function semaphoreFileOffset(elf: HostElf, addr: number): number {
  const s = elf.sections.find((x) => x.addr && addr >= x.addr && addr < x.addr + x.size);
  return s ? addr - s.addr + s.offset : elf.fileOffset(addr);
}

/** The sites of provider:name in `path`, or an error that lists the probes it has. */
export function findUsdtProbe(path: string, provider: string, name: string): UsdtProbe[] {
  const all = readUsdtProbes(path);
  const sites = all.filter((p) => p.provider === provider && p.name === name);
  if (sites.length === 0) {
    const have = [...new Set(all.map((p) => `${p.provider}:${p.name}`))];
    throw new BpfError('ENOENT', `${path} has no USDT probe ${provider}:${name} (${have.length ? `it has ${have.join(', ')}` : 'it has no .note.stapsdt notes: was it built with <sys/sdt.h> probes?'})`);
  }
  return sites;
}
