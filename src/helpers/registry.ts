/**
 * Helper functions by kernel id. Each entry is data (id, name, prototype) plus its implementation,
 * so adding a helper is one table row; the verifier reads the prototypes, the VMs call `impl`.
 */
import type { Memory } from '../vm/memory.js';
import type { RunServices } from '../vm/services.js';

export type { RunServices };

/**
 * Argument kinds, named after the kernel's bpf_arg_type (used by the verifier). The kernel adds
 * modifier bits to a base type; the combinations helpers use are spelled out here:
 *   ptr_to_mem                   ARG_PTR_TO_MEM | MEM_RDONLY: initialized memory the helper reads
 *   ptr_to_writable_mem_or_null  ARG_PTR_TO_MEM_OR_NULL: memory the helper writes (snprintf's str), or NULL
 *   ptr_to_mem_or_null           ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY
 *   ptr_to_uninit_mem            ARG_PTR_TO_UNINIT_MEM (MEM_UNINIT | MEM_WRITE): the helper fills it
 *   ptr_to_uninit_map_value      ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE (pop/peek)
 *   ptr_to_stack_or_null         ARG_PTR_TO_STACK_OR_NULL (callback contexts)
 *   ptr_to_ringbuf_mem_release   ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE (ringbuf submit/discard)
 *   const_alloc_size_or_zero     ARG_CONST_ALLOC_SIZE_OR_ZERO (ringbuf reserve)
 * A helper lists only the arguments its proto lists; the rest are ARG_DONTCARE.
 */
export type HelperArgKind =
  | 'anything'
  | 'const_map_ptr'
  | 'ptr_to_map_key'
  | 'ptr_to_map_value'
  | 'ptr_to_uninit_map_value'
  | 'ptr_to_mem'
  | 'ptr_to_mem_or_null'
  | 'ptr_to_writable_mem_or_null'
  | 'ptr_to_uninit_mem'
  | 'const_size'
  | 'const_size_or_zero'
  | 'const_alloc_size_or_zero'
  | 'ptr_to_ctx'
  | 'ptr_to_stack'
  | 'ptr_to_stack_or_null'
  | 'ptr_to_func'
  | 'ptr_to_const_str'
  | 'ptr_to_spin_lock'
  | 'ptr_to_ringbuf_mem_release';

/** Return kinds (the kernel's bpf_return_type); ringbuf memory is RET_PTR_TO_RINGBUF_MEM_OR_NULL. */
export type HelperRetKind = 'integer' | 'void' | 'ptr_to_map_value_or_null' | 'ptr_to_mem_or_null' | 'ptr_to_ringbuf_mem_or_null';

/** What a helper sees of the running program. */
export interface HelperCall {
  readonly memory: Memory;
  /** The instruction index of the call. */
  readonly pc: number;
  /** Stop the program after this helper returns; r0 holds the helper's return value. */
  exit(): void;
  /** The runtime's services, when the program runs inside one (undefined for bare runs). */
  readonly services: RunServices | undefined;
  /**
   * Continue, after this helper returns, at slot 0 of `target` instead (bpf_tail_call). The
   * caller checks and counts the tail-call limit; the stack frame and r1 carry over, as in the kernel.
   */
  tailCall(target: TailCallTarget): void;
  /**
   * Tail calls counted so far in this run. The helper counts an attempt (the kernel counts an
   * in-range index even when its slot is empty); `tailCall` does not count again.
   */
  tailCalls: number;
}

/** A program a tail call can jump to: the interpreter's prepared form (opaque here). */
export interface TailCallTarget {
  readonly slots: number;
}

export type HelperImpl = (call: HelperCall, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

export interface HelperDef {
  readonly id: number;
  readonly name: string;
  readonly args: readonly HelperArgKind[];
  readonly ret: HelperRetKind;
  readonly impl: HelperImpl;
  /** The kernel's bpf_func_proto this entry follows (e.g. 'bpf_map_lookup_elem_proto'). */
  readonly proto?: string;
  /** gpl_only in the kernel: only programs with a GPL-compatible license may call it. */
  readonly gplOnly?: boolean;
}

export class HelperRegistry {
  private readonly byId = new Map<number, HelperDef>();
  private readonly byName = new Map<string, HelperDef>();

  constructor(defs: readonly HelperDef[] = []) {
    for (const d of defs) this.register(d);
  }

  register(def: HelperDef): this {
    this.byId.set(def.id, def);
    this.byName.set(def.name, def);
    return this;
  }

  get(id: number): HelperDef | undefined {
    return this.byId.get(id);
  }

  byNameOf(name: string): HelperDef | undefined {
    return this.byName.get(name);
  }

  all(): HelperDef[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }
}
