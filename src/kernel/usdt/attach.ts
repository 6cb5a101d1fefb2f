/**
 * Attaching a kprobe-type program to a USDT probe: one uprobe per site of provider:name, with the
 * semaphore (if the probe has one) counted up by the kernel while attached, so code guarded by
 * PROBE_ENABLED() runs.
 *
 * Arguments, tsbpf's convention: libbpf's usdt.bpf.h cannot be used with tsbpf's loader yet (it
 * reads the __kconfig extern LINUX_HAS_BPF_COOKIE, which the loader does not resolve). Instead,
 * when `specs` is given (an array map with 208-byte values, the layout of libbpf's
 * struct __bpf_usdt_spec), each site's parsed arguments are written at a slot and the slot number
 * is the site's BPF cookie: the program reads bpf_get_attach_cookie(ctx), looks the spec up, and
 * decodes the argument as usdt.bpf.h's bpf_usdt_arg() does. The parsed arguments are also on the
 * returned object for user space.
 */
import { BpfError } from '../../errors.js';
import { UPDATE } from '../../maps/types.js';
import type { KernelMap } from '../kernel-map.js';
import type { KernelProgram } from '../kernel-program.js';
import { LinkAttachment } from '../attach/link.js';
import { attachUprobe } from '../attach/probes.js';
import { USDT_SPEC_SIZE, encodeUsdtSpec } from './args.js';
import { findUsdtProbe, type UsdtProbe } from './notes.js';

export interface UsdtOptions {
  pid?: number;
  /** An array map (value size 208) for the argument specs; slots from `firstSpecSlot` on. */
  specs?: KernelMap;
  firstSpecSlot?: number;
  /** The user cookie stored in each spec (libbpf's usdt_cookie). */
  cookie?: bigint;
}

export interface UsdtAttachment extends LinkAttachment {
  readonly probes: readonly UsdtProbe[];
}

export function attachUsdt(prog: KernelProgram, path: string, provider: string, name: string, opts: UsdtOptions = {}): UsdtAttachment {
  const sites = findUsdtProbe(path, provider, name);
  if (opts.specs && opts.specs.spec.valueSize !== USDT_SPEC_SIZE) {
    throw new BpfError('EINVAL', `USDT specs map '${opts.specs.spec.name}' has ${opts.specs.spec.valueSize}-byte values; struct __bpf_usdt_spec is ${USDT_SPEC_SIZE}`);
  }
  const parts: LinkAttachment[] = [];
  try {
    sites.forEach((site, i) => {
      const slot = (opts.firstSpecSlot ?? 0) + i;
      if (opts.specs) {
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, slot, true);
        opts.specs.update(key, encodeUsdtSpec(site.args, opts.cookie ?? 0n), UPDATE.ANY);
      }
      parts.push(attachUprobe(prog, path, { fileOffset: site.fileOffset }, {
        ...(opts.pid !== undefined ? { pid: opts.pid } : {}),
        refCtrOffset: site.semaphoreOffset,
        cookie: BigInt(slot),
      }));
    });
  } catch (e) {
    for (const p of parts) p.close();
    throw e;
  }
  const att = new LinkAttachment(`usdt ${path}:${provider}:${name}`, parts.flatMap((p) => [...p.linkFds]), [], () => {
    for (const p of parts) p.close();
  }) as UsdtAttachment;
  Object.defineProperty(att, 'probes', { value: sites, enumerable: true });
  return att;
}
