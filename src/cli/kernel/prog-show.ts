/**
 * `tsbpf prog show --target kernel [PROG]`: the kernel's programs as `bpftool prog show` prints
 * them — the same JSON members in the same order (-j), and the same text lines.
 */
import { getFdById, listIds, progInfo, type KernelProgInfo } from '../../kernel/objects.js';
import { PROG_TYPE } from '../../elf/sections.js';
import type { Output } from '../command.js';
import type { JsonValue } from '../json.js';
import { parseCommand } from '../options.js';
import { parseRef, Tokens } from '../tokens.js';
import { emit } from '../commands/map-common.js';
import { bootToEpochSec, memlockOf, openRef, requireKernel, withFd } from './target.js';

const TYPE_NAMES = new Map<number, string>(Object.entries(PROG_TYPE).map(([k, v]) => [v, k]));

export const progTypeName = (t: number): string => TYPE_NAMES.get(t) ?? `type ${t}`;

/** bpftool's show_prog_json members, in its order. */
export function kernelProgJson(info: KernelProgInfo, memlock: number): { [k: string]: JsonValue } {
  const o: { [k: string]: JsonValue } = {
    id: info.id, type: progTypeName(info.type), name: info.name, tag: info.tag, gpl_compatible: info.gplCompatible,
  };
  if (info.runTimeNs > 0n) {
    o.run_time_ns = Number(info.runTimeNs);
    o.run_cnt = Number(info.runCount);
  }
  if (info.recursionMisses > 0n) o.recursion_misses = Number(info.recursionMisses);
  if (info.loadTime > 0n) {
    o.loaded_at = bootToEpochSec(info.loadTime);
    o.uid = info.createdByUid;
  }
  o.bytes_xlated = info.xlatedSize;
  if (info.jitedSize > 0) {
    o.jited = true;
    o.bytes_jited = info.jitedSize;
  } else {
    o.jited = false;
  }
  if (memlock > 0) o.bytes_memlock = memlock;
  if (info.mapIds.length > 0) o.map_ids = info.mapIds;
  if (info.btfId > 0) o.btf_id = info.btfId;
  return o;
}

/** strftime("%FT%T%z") in local time, as bpftool prints loaded_at. */
function localTime(epochSec: number): string {
  const d = new Date(epochSec * 1000);
  const p = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
  const tz = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${tz < 0 ? '-' : '+'}${p(Math.trunc(tz / 60))}${p(tz % 60)}`;
}

/** bpftool's show_prog_plain lines. */
export function kernelProgText(o: { [k: string]: JsonValue }): string {
  let first = `${o.id}: ${o.type}  ${o.name ? `name ${o.name}  ` : ''}tag ${o.tag}${o.gpl_compatible ? '  gpl' : ''}`;
  if (o.run_time_ns !== undefined) first += ` run_time_ns ${o.run_time_ns} run_cnt ${o.run_cnt}`;
  if (o.recursion_misses !== undefined) first += ` recursion_misses ${o.recursion_misses}`;
  const lines = [first];
  if (o.loaded_at !== undefined) lines.push(`\tloaded_at ${localTime(o.loaded_at as number)}  uid ${o.uid}`);
  let sizes = `\txlated ${o.bytes_xlated}B`;
  sizes += o.jited ? `  jited ${o.bytes_jited}B` : '  not jited';
  if (o.bytes_memlock !== undefined) sizes += `  memlock ${o.bytes_memlock}B`;
  if (o.map_ids !== undefined) sizes += `  map_ids ${(o.map_ids as number[]).join(',')}`;
  lines.push(sizes);
  if (o.btf_id !== undefined) lines.push(`\tbtf_id ${o.btf_id}`);
  return lines.join('\n');
}

function showFd(fd: number): { [k: string]: JsonValue } {
  return kernelProgJson(progInfo(fd), memlockOf(fd));
}

export function kernelProgShow(argv: string[], out: Output): number {
  const { positionals, common } = parseCommand(argv, {}, { kernel: true });
  requireKernel();
  const t = new Tokens(positionals);
  if (t.done) {
    const all: { [k: string]: JsonValue }[] = [];
    for (const id of listIds('prog')) {
      let fd: number;
      try {
        fd = getFdById('prog', id);
      } catch {
        continue; // freed between listing and opening
      }
      all.push(withFd(fd, showFd));
    }
    emit(out, common, all, () => all.map(kernelProgText).join('\n'));
    return 0;
  }
  const ref = parseRef(t, 'prog');
  t.end();
  const o = withFd(openRef('prog', ref), showFd);
  emit(out, common, o, () => kernelProgText(o));
  return 0;
}
