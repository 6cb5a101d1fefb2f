/**
 * BPF_MAP_TYPE_PROG_ARRAY: the jump table of bpf_tail_call. Values are program ids; the runtime
 * checks that a program fits (same type, compatible) before it calls update, or at tail call time.
 * Programs cannot look elements up; the tail call reads `tailCallTarget(index)`.
 */
import { FdArrayMap, validateFdArray } from './fd-array.js';

export const validateProgArray = validateFdArray;

export class ProgArrayMap extends FdArrayMap {
  protected override checkId(_id: number): void {}

  /** The program id a bpf_tail_call to `index` jumps to, or undefined (the call falls through). */
  tailCallTarget(index: number): number | undefined {
    return this.getId(index);
  }

  /** bpf_map_delete_elem from a program is refused by the verifier; the kernel helper would work. */
}
