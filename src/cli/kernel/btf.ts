/**
 * BTF from the kernel for `tsbpf btf dump --target kernel`: `id N` (any BTF object the kernel holds:
 * vmlinux, a module's, or one a loader handed it) or `map MAP` (the BTF a kernel map was created
 * with). Module BTF is split BTF over vmlinux, so it is parsed on top of /sys/kernel/btf/vmlinux.
 */
import { parseBtf, type Btf } from '../../btf/btf.js';
import { loadTargetBtf } from '../../btf/core.js';
import { BpfError } from '../../errors.js';
import { btfInfo, getFdById, mapInfo } from '../../kernel/objects.js';
import { parseRef, parseUint, type Tokens } from '../tokens.js';
import { openRef, requireKernel, withFd } from './target.js';

export function kernelBtfById(id: number): Btf {
  return withFd(getFdById('btf', id), (fd) => {
    const info = btfInfo(fd, { bytes: true });
    if (!info.bytes) throw new BpfError('ENOENT', `BTF id ${id} is empty`);
    const name = `btf id ${id}${info.name ? ` (${info.name})` : ''}`;
    if (info.kernelBtf && info.name !== 'vmlinux') return parseBtf(info.bytes, { name, base: loadTargetBtf('/sys/kernel/btf/vmlinux') });
    return parseBtf(info.bytes, { name });
  });
}

/** After `btf dump`: `id N` or `map MAP` (the word `map` already taken). */
export function kernelBtfSource(t: Tokens, word: 'id' | 'map'): Btf {
  requireKernel();
  if (word === 'id') return kernelBtfById(parseUint(t.next('the BTF id after id'), 'id'));
  const ref = parseRef(t, 'map');
  const info = withFd(openRef('map', ref), mapInfo);
  if (!info.btfId) throw new BpfError('ENOENT', `kernel map id ${info.id} ('${info.name}') has no BTF`);
  return kernelBtfById(info.btfId);
}
