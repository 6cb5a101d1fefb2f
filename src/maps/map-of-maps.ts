/**
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and HASH_OF_MAPS: values are inner map ids. The spec's `inner` plays
 * the kernel's inner_map_fd: the template every inner map must match (type, key_size, value_size,
 * map_flags apart from access flags, and max_entries unless the template has BPF_F_INNER_MAP).
 * A program's lookup gets the inner map id (`innerMapId`, or the 4 bytes from lookupView) and the
 * runtime turns it into the map; user-space lookups return the id, as bpf(2) does.
 */
import { FdArrayMap, validateFdArray } from './fd-array.js';
import { HashMap, validateHash } from './hash.js';
import { readU32 } from './bytes.js';
import { ACCESS_FLAGS, MAP_FLAGS, type MapOptions, type MapSpec } from './types.js';
import { checkValueSize, first, problem, type MapProblem } from './validate.js';
import type { MapBase } from './base.js';

function checkInnerTemplate(spec: MapSpec): MapProblem | undefined {
  const inner = spec.inner;
  if (!inner) return problem('EINVAL', `${spec.type} maps need an inner map spec (the kernel's inner_map_fd)`);
  if (inner.type === 'array_of_maps' || inner.type === 'hash_of_maps') {
    return problem('EINVAL', 'maps of maps cannot nest: the inner map is itself a map of maps');
  }
  if (inner.type === 'prog_array') return problem('ENOTSUPP', 'prog_array maps cannot be inner maps');
  return undefined;
}

export function validateArrayOfMaps(spec: MapSpec): MapProblem | undefined {
  return first(() => validateFdArray(spec), () => checkInnerTemplate(spec));
}

export function validateHashOfMaps(spec: MapSpec): MapProblem | undefined {
  return first(() => validateHash(spec), () => checkValueSize(spec, 4), () => checkInnerTemplate(spec));
}

/** Refuse an inner map id that is unknown (EBADF) or does not match the template (bpf_map_meta_equal: EINVAL). */
function checkInnerMap(outer: MapBase, resolve: MapOptions['resolveMap'], id: number): void {
  if (!resolve) return;
  const template = outer.spec.inner!;
  const inner = resolve(id);
  if (!inner) outer.fail('EBADF', `no map with id ${id}`);
  const ignore = ACCESS_FLAGS | MAP_FLAGS.INNER_MAP;
  const diffs: string[] = [];
  if (inner.type !== template.type) diffs.push(`type ${inner.type} ≠ ${template.type}`);
  if (inner.keySize !== template.keySize) diffs.push(`key_size ${inner.keySize} ≠ ${template.keySize}`);
  if (inner.valueSize !== template.valueSize) diffs.push(`value_size ${inner.valueSize} ≠ ${template.valueSize}`);
  if ((inner.flags & ~ignore) !== (template.flags & ~ignore)) diffs.push(`map_flags 0x${inner.flags.toString(16)} ≠ 0x${template.flags.toString(16)}`);
  if (!(template.flags & MAP_FLAGS.INNER_MAP) && inner.maxEntries !== template.maxEntries) {
    diffs.push(`max_entries ${inner.maxEntries} ≠ ${template.maxEntries} (the template lacks BPF_F_INNER_MAP)`);
  }
  if (diffs.length > 0) outer.fail('EINVAL', `map ${id} ('${inner.name}') does not match the inner map spec: ${diffs.join(', ')}`);
}

export class ArrayOfMapsMap extends FdArrayMap {
  private readonly resolve: MapOptions['resolveMap'];

  constructor(spec: MapSpec, nCpus: number, opts: MapOptions = {}) {
    super(spec, nCpus);
    this.resolve = opts.resolveMap;
  }

  protected override checkId(id: number): void {
    checkInnerMap(this, this.resolve, id);
  }

  /** The inner map id at this key (what a program's lookup resolves to), or undefined. */
  innerMapId(key: Uint8Array): number | undefined {
    this.checkKey(key);
    return this.getId(readU32(key));
  }

  protected override lookupViewElem(key: Uint8Array, _cpu: number): Uint8Array | undefined {
    return this.idView(readU32(key));
  }
}

export class HashOfMapsMap extends HashMap {
  private readonly resolve: MapOptions['resolveMap'];

  constructor(spec: MapSpec, nCpus: number, opts: MapOptions = {}) {
    super(spec, nCpus);
    this.resolve = opts.resolveMap;
  }

  protected override checkUserValue(value: Uint8Array): void {
    checkInnerMap(this, this.resolve, readU32(value));
  }

  /** The inner map id at this key (what a program's lookup resolves to), or undefined. */
  innerMapId(key: Uint8Array): number | undefined {
    const v = this.lookupView(key, 0);
    return v === undefined ? undefined : readU32(v);
  }

  protected override updateElemFromProgram(): void {
    this.fail('EINVAL', 'programs cannot update maps of maps');
  }
}
