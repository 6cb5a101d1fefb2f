/**
 * The program's return value (check_return_code): for the types whose return value the kernel acts
 * on in a fixed way (cgroup_skb: allow/drop; fentry/fexit: must be 0), R0 at the main function's
 * exit must be a number within the type's range, on every path. The ranges are data in
 * progtypes/table.ts; the messages are the kernel's.
 */
import { returnRangeOf } from '../progtypes/table.js';
import { S64_MAX, S64_MIN } from './scalar.js';
import type { Scalar } from './scalar.js';
import { type Reg, regTypeStr } from './state.js';

/** The kernel's `has smin=… smax=… should have been in [min, max]` part, or undefined when v is within. */
export function outOfRange(v: Scalar, min: number, max: number): string | undefined {
  if (v.smin >= BigInt(min) && v.smax <= BigInt(max)) return undefined;
  const parts: string[] = [];
  if (v.smin > S64_MIN) parts.push(` smin=${v.smin}`);
  if (v.smax < S64_MAX) parts.push(` smax=${v.smax}`);
  return `has${parts.length ? parts.join('') : ' unknown scalar value'} should have been in [${min}, ${max}]`;
}

/** Why R0 is not an allowed return value of this program, or undefined when it is. */
export function returnValueProblem(r0: Reg, progType: string, attachType: string | undefined): string | undefined {
  const range = returnRangeOf(progType, attachType);
  if (!range) return undefined;
  const at = 'At program exit the register R0';
  if (r0.t !== 'scalar') return `${at} is not a known value (${regTypeStr(r0)})`;
  const bad = outOfRange(r0.v, range.min, range.max);
  return bad && `${at} ${bad}`;
}
