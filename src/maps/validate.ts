/**
 * Spec checks shared by the map types, in the shape the type table wants: a problem (errno code and
 * reason) or undefined. Each mirrors a test in the kernel's map_alloc_check / map_alloc functions.
 */
import type { BpfErrorCode } from '../errors.js';
import { MAP_FLAGS, type MapSpec } from './types.js';

export interface MapProblem {
  code: BpfErrorCode;
  reason: string;
}

export function problem(code: BpfErrorCode, reason: string): MapProblem {
  return { code, reason };
}

/** Flags outside `allowed` are EINVAL, and so are contradictory access flags (bpf_map_flags_access_ok). */
export function checkFlags(spec: MapSpec, allowed: number): MapProblem | undefined {
  const extra = spec.flags & ~allowed;
  if (extra !== 0) {
    return problem('EINVAL', `${spec.type} maps do not accept map_flags 0x${extra.toString(16)} (allowed: 0x${allowed.toString(16)})`);
  }
  const f = spec.flags;
  if ((f & MAP_FLAGS.RDONLY && f & MAP_FLAGS.WRONLY) || (f & MAP_FLAGS.RDONLY_PROG && f & MAP_FLAGS.WRONLY_PROG)) {
    return problem('EINVAL', 'map_flags ask for both read-only and write-only access');
  }
  return undefined;
}

export function checkMaxEntries(spec: MapSpec): MapProblem | undefined {
  if (spec.maxEntries === 0) return problem('EINVAL', `${spec.type} maps need max_entries > 0`);
  return undefined;
}

export function checkKeySize(spec: MapSpec, size: number): MapProblem | undefined {
  if (spec.keySize !== size) return problem('EINVAL', `${spec.type} maps need key_size ${size}, got ${spec.keySize}`);
  return undefined;
}

export function checkValueSize(spec: MapSpec, size: number): MapProblem | undefined {
  if (spec.valueSize !== size) return problem('EINVAL', `${spec.type} maps need value_size ${size}, got ${spec.valueSize}`);
  return undefined;
}

export function checkNonZeroValue(spec: MapSpec): MapProblem | undefined {
  if (spec.valueSize === 0) return problem('EINVAL', `${spec.type} maps need value_size > 0`);
  return undefined;
}

/** The first problem of several checks. */
export function first(...checks: (() => MapProblem | undefined)[]): MapProblem | undefined {
  for (const c of checks) {
    const p = c();
    if (p) return p;
  }
  return undefined;
}
