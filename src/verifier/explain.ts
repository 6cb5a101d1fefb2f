/**
 * What the kernel's rejection messages mean, in plain words, with a fix to try. A table keyed by
 * the message pattern (the kernel's wording, as log.ts writes it); each entry fills in what the
 * state at the failure knows: which register, its bounds, the region's size, the helper.
 *
 * An explanation is a reading of one message, not a second verifier: it never changes a verdict.
 */
import type { Insn, InsnForm } from '../isa/insn.js';
import { S64_MIN, U64_MAX, type Scalar } from './scalar.js';
import { type PrintEnv, formatReg } from './print.js';
import type { Reg, VState } from './state.js';

export interface Explanation {
  /** Why the program was refused, in words. */
  reason: string;
  /** What to change. */
  fix: string;
  /** The register the message is about (`r2`), when there is one. */
  register?: string;
}

export interface ExplainContext {
  /** The state at the failing instruction (registers as they were when the check failed). */
  state?: VState;
  env?: PrintEnv;
  insn?: Insn;
  form?: InsnForm;
  /** The log before the message: some messages follow a line with the details (sizes, offsets). */
  lines?: readonly string[];
}

const TWO64 = '2^64';

/** A scalar's possible values in words: "is 5", "is between 0 and 255", "may be any number up to 2^64". */
export function describeScalar(v: Scalar): string {
  if (v.isConst()) return `is ${BigInt.asIntN(64, v.value)}`;
  if (v.umax === U64_MAX && v.smin === S64_MIN) return `may be any number up to ${TWO64}`;
  if (v.smin < 0n && v.smin !== S64_MIN) return `may be negative (from ${v.smin} to ${v.smax})`;
  if (v.smin < 0n) return `may be negative (as low as ${v.smin})`;
  if (v.umax === U64_MAX) return `may be any number from ${v.umin} up to ${TWO64}`;
  // A bound like 2^63 - 1 reads better as a power of two.
  const bits = (v.umax + 1n).toString(2).length - 1;
  if (v.umax > 0xffffn && v.umax + 1n === 1n << BigInt(bits)) return `may be any number ${v.umin ? `from ${v.umin} ` : ''}up to 2^${bits}`;
  return `is between ${v.umin} and ${v.umax}`;
}

/** A pointer kind in words. */
function kindWords(r: Reg): string {
  switch (r.t) {
    case 'not_init': return 'nothing (never written)';
    case 'scalar': return 'a number';
    case 'ctx': return 'the context pointer';
    case 'fp': return 'a stack pointer';
    case 'map_ptr': return 'a map';
    case 'map_value': return r.nullable ? 'a map value pointer that may be NULL' : 'a map value pointer';
    case 'pkt': return 'a packet pointer';
    case 'pkt_meta': return 'a packet metadata pointer';
    case 'pkt_end': return 'the end of the packet';
    case 'mem': return r.nullable ? 'a memory pointer that may be NULL' : 'a memory pointer';
    case 'func': return 'a function pointer';
    case 'btf_id': return 'a pointer to a kernel struct (typed by BTF)';
  }
}

const KIND_WORDS: Record<string, string> = {
  fp: 'a pointer to the stack', map_ptr: 'a map (`r1 = map[...] ll`, `&my_map` in C)', ctx: 'the context pointer (r1 at entry)',
  scalar: 'a number', func: 'a function', ringbuf_mem: 'a record from bpf_ringbuf_reserve',
};

interface Ctx extends ExplainContext {
  reg(n: number): Reg | undefined;
  /** `r2 (scalar(umax=255,...))` */
  show(n: number): string;
}

type Entry = { re: RegExp; explain: (m: RegExpExecArray, c: Ctx) => Explanation };

const regName = (n: string | number): string => `r${n}`;

/** The variable part of a pointer's offset, or the scalar itself, in words. */
function offsetWords(r: Reg | undefined): string | undefined {
  if (!r) return undefined;
  if (r.t === 'scalar') return describeScalar(r.v);
  if ('var' in r && r.var && !r.var.isConst()) return describeScalar(r.var);
  return undefined;
}

/** The bytes a detail line before the message names: `value_size=8 off=255 size=1`. */
function regionDetail(lines: readonly string[] | undefined): { what: string; size?: number; off?: number; access?: number } | undefined {
  const prev = lines?.at(-1);
  if (!prev) return undefined;
  let m = /invalid access to map value, value_size=(\d+) off=(-?\d+) size=(\d+)/.exec(prev);
  if (m) return { what: 'map value', size: Number(m[1]), off: Number(m[2]), access: Number(m[3]) };
  m = /invalid access to memory, mem_size=(\d+) off=(-?\d+) size=(\d+)/.exec(prev);
  if (m) return { what: 'memory', size: Number(m[1]), off: Number(m[2]), access: Number(m[3]) };
  m = /invalid access to packet, off=(-?\d+) size=(\d+), R\d+\(id=\d+,off=-?\d+,r=(\d+)\)/.exec(prev);
  if (m) return { what: 'packet', off: Number(m[1]), access: Number(m[2]), size: Number(m[3]) };
  return undefined;
}

const ENTRIES: Entry[] = [
  {
    re: /^R0 !read_ok/,
    explain: (_m, c) => c.form?.kind === 'exit'
      ? { register: 'r0', reason: 'the program (or function) exits without setting r0, which holds its return value', fix: 'set r0 on every path before `exit` (`r0 = 0`), or `return 0;` in C' }
      : { register: 'r0', reason: 'r0 is read before it was written on this path (a helper call or a function return sets it)', fix: 'set r0 first, or read the value from the register you saved it in' },
  },
  {
    re: /^R(\d+) !read_ok/,
    explain: (m) => ({
      register: regName(m[1]!),
      reason: `${regName(m[1]!)} is read before anything was written to it on this path${Number(m[1]) >= 1 && Number(m[1]) <= 5 ? ' (helper and function calls clobber r1-r5)' : ''}`,
      fix: `write ${regName(m[1]!)} before this instruction on every path leading here; keep values that must survive a call in r6-r9`,
    }),
  },
  {
    re: /^R(\d+) invalid mem access '(\w+)'/,
    explain: (m, c) => {
      const r = regName(m[1]!);
      const t = m[2]!;
      if (t.endsWith('_or_null')) {
        return { register: r, reason: `${r} may be NULL here: it comes from a call (map lookup, ringbuf reserve) whose result was not checked on this path`, fix: `check it before the access: \`if (!p) return 0;\` in C, \`if ${r} == 0 goto <out>\` in assembly` };
      }
      if (t === 'scalar') return { register: r, reason: `${r} holds a number, not a pointer, so it cannot be dereferenced (${c.show(Number(m[1]))})`, fix: `load or store through a pointer the verifier knows (ctx, stack, map value, packet); a pointer saved in a map or cast from an integer is only a number` };
      return { register: r, reason: `${r} is ${KIND_WORDS[t] ?? t}, which cannot be read or written directly`, fix: 'pass it to the helper meant for it instead of dereferencing it' };
    },
  },
  {
    re: /^R(\d+) unbounded memory access/,
    explain: (m, c) => {
      const r = regName(m[1]!);
      const words = offsetWords(c.reg(Number(m[1]))) ?? `may be any number up to ${TWO64}`;
      return {
        register: r,
        reason: `the variable offset (or size) in ${r} ${words}, so the verifier cannot prove the access stays inside the memory (${c.show(Number(m[1]))})`,
        fix: `bound the value before using it as an offset or size, e.g. \`if (len > 64) return 0;\` or \`len &= 63;\``,
      };
    },
  },
  {
    re: /^R(\d+) (min|max) value is outside of the allowed memory range/,
    explain: (m, c) => {
      const r = regName(m[1]!);
      const d = regionDetail(c.lines);
      const words = offsetWords(c.reg(Number(m[1])));
      const region = d?.size !== undefined ? `the ${d.size}-byte ${d.what}` : 'the memory it points to';
      const at = d?.off !== undefined ? ` (the access at offset ${d.off}${d.access ? `, ${d.access} byte${d.access === 1 ? '' : 's'}` : ''})` : '';
      const limit = d?.size !== undefined && d.access !== undefined ? Math.max(0, d.size - d.access) : undefined;
      return {
        register: r,
        reason: `the ${m[2] === 'max' ? 'largest' : 'smallest'} offset ${r} may have reaches outside ${region}${at}${words ? `; its variable part ${words}` : ''}`,
        fix: limit !== undefined
          ? `check the index against the size before the access: \`if (idx > ${limit}) return 0;\` (for ${d!.access}-byte accesses into ${d!.size} bytes)`
          : 'check the index against the size of the memory before the access',
      };
    },
  },
  {
    re: /^R(\d+) min value is negative/,
    explain: (m, c) => ({
      register: regName(m[1]!),
      reason: `the offset in ${regName(m[1]!)} ${offsetWords(c.reg(Number(m[1]))) ?? 'may be negative'}, and memory before the start cannot be accessed`,
      fix: 'use an unsigned type for the index, or check `if (idx < 0) return 0;` first',
    }),
  },
  {
    re: /^R(\d+) offset is outside of the packet/,
    explain: (m, c) => {
      const r = regName(m[1]!);
      const d = regionDetail(c.lines);
      const need = d?.off !== undefined && d.access !== undefined ? d.off + d.access : undefined;
      return {
        register: r,
        reason: `the packet bytes read through ${r}${d?.off !== undefined ? ` (offset ${d.off}, ${d.access} byte${d.access === 1 ? '' : 's'})` : ''} were not proven to be inside the packet: the checks against data_end on this path cover ${d?.size ?? 0} byte${d?.size === 1 ? '' : 's'}`,
        fix: `compare with data_end first: \`if (data + ${need ?? 'N'} > data_end) return XDP_PASS;\` (the check must use the same pointer the read uses)`,
      };
    },
  },
  {
    re: /^R(\d+) type=(\S+) expected=(.*)$/,
    explain: (m) => {
      const r = regName(m[1]!);
      const want = m[3]!.split(', ').map((t) => KIND_WORDS[t] ?? t);
      return {
        register: r,
        reason: `argument ${r} of the call is ${KIND_WORDS[m[2]!] ?? m[2]}, but the function wants ${want.length > 3 ? 'a pointer to memory (stack, map value, packet...)' : want.join(' or ')}`,
        fix: m[2]!.endsWith('_or_null') ? `check ${r} for NULL before passing it` : `pass ${want[0]} in ${r}`,
      };
    },
  },
  {
    re: /^invalid (variable-offset )?(read from|write to|indirect access to) stack R(\d+) (?:off=(-?\d+)|var_off=\(.*?\)(?: off=-?\d+)?) size=(\d+)/,
    explain: (m) => ({
      register: regName(m[3]!),
      reason: `the ${m[5]}-byte stack ${m[2] === 'write to' ? 'write' : 'access'} through ${regName(m[3]!)}${m[4] !== undefined ? ` at offset ${m[4]}` : ''} is outside the 512-byte stack (offsets -512 to -1 from r10)`,
      fix: 'keep stack accesses between r10 - 512 and r10 - 1; large buffers belong in a per-CPU array map',
    }),
  },
  {
    re: /^invalid read from stack R(\d+) off (-?\d+)\+(\d+) size (\d+)/,
    explain: (m) => ({
      register: regName(m[1]!),
      reason: `the stack bytes at offset ${Number(m[2]) + Number(m[3])} are read before anything was written there`,
      fix: 'initialise the variable (`= {}` or __builtin_memset) before reading it or passing it to a helper',
    }),
  },
  {
    re: /^R(\d+) leaks addr into (\w+)/,
    explain: (m) => ({
      register: regName(m[1]!),
      reason: `${regName(m[1]!)} holds a kernel pointer, and storing it into ${m[2]} would show the address to user space`,
      fix: 'store the value the pointer points to, not the pointer',
    }),
  },
  {
    re: /^frame pointer is read only/,
    explain: () => ({ register: 'r10', reason: 'r10 is the stack frame pointer and cannot be changed', fix: 'copy it first: `r1 = r10; r1 += -8`' }),
  },
  {
    re: /^infinite loop detected at insn (\d+)/,
    explain: (m) => ({ reason: `the loop through insn ${m[1]} comes back in exactly the same state, so it can never end`, fix: 'make the loop counter change on every iteration and bound it (`for (i = 0; i < N; i++)`)' }),
  },
  {
    re: /^BPF program is too large/,
    explain: () => ({ reason: 'the verifier walked 1,000,000 instructions without finishing: too many paths (branches inside loops) or too long a loop', fix: 'bound loops more tightly, move long loops into bpf_loop(), or split the program with tail calls' }),
  },
  {
    re: /^back-edge from insn (\d+) to (\d+)/,
    explain: (m) => ({ reason: `insn ${m[1]} jumps back to ${m[2]}: a loop, which only a privileged (CAP_BPF) loader may have`, fix: 'load as root / with CAP_BPF, or unroll the loop (`#pragma unroll`)' }),
  },
  {
    re: /^unreachable insn (\d+)/,
    explain: (m) => ({ reason: `instruction ${m[1]} can never run: no path from the start reaches it`, fix: 'remove the dead code, or fix the jump that should reach it' }),
  },
  {
    re: /^jump out of range from insn (\d+) to (-?\d+)/,
    explain: (m) => ({ reason: `the jump at insn ${m[1]} goes to ${m[2]}, outside its function`, fix: 'fix the jump offset (it counts from the next instruction)' }),
  },
  {
    re: /^jump into the middle of ldimm64 insn (\d+)/,
    explain: (m) => ({ reason: `a jump lands on the second half of the 16-byte load at insn ${m[1]}`, fix: 'jump to the load itself (its first slot)' }),
  },
  {
    re: /^last insn is not an exit or jmp/,
    explain: () => ({ reason: 'the program (or a function) can run past its last instruction', fix: 'end every path with `exit` (or a jump back)' }),
  },
  {
    re: /^Unreleased reference id=(\d+) alloc_insn=(\d+)/,
    explain: (m) => ({ reason: `the reference acquired at insn ${m[2]} (a ringbuf record, a socket...) is still held when the program exits on this path`, fix: 'release it on every path: bpf_ringbuf_submit()/bpf_ringbuf_discard() after the NULL check, bpf_sk_release() for sockets' }),
  },
  {
    re: /^program of this type cannot use helper (\S+)#(\d+)/,
    explain: (m) => ({ reason: `${m[1]} is not available to programs of this type`, fix: 'use a helper this program type allows, or another program type (see `tsbpf helpers`)' }),
  },
  {
    re: /^invalid func unknown#(\d+)/,
    explain: (m) => ({ reason: `there is no helper with id ${m[1]}`, fix: 'check the helper number (bpf_helper_defs.h), or the kernel may be too old for it' }),
  },
  {
    re: /^invalid bpf_context access off=(-?\d+) size=(\d+)/,
    explain: (m) => ({ reason: `the context field at offset ${m[1]} cannot be accessed with ${m[2]} byte${m[2] === '1' ? '' : 's'} (or written) in this program type`, fix: 'read the context struct\'s field with its declared size (e.g. `ctx->data` as __u32); most fields are read-only' }),
  },
  {
    re: /^dereference of modified ctx ptr R(\d+) off=(-?\d+)/,
    explain: (m) => ({ register: regName(m[1]!), reason: `the context pointer in ${regName(m[1]!)} was moved by ${m[2]} before the access`, fix: 'access context fields at a constant offset from the original pointer (`ctx->field`), not through a moved copy' }),
  },
  {
    re: /^R(\d+) pointer arithmetic on (\S+) prohibited(, null-check it first)?/,
    explain: (m) => ({ register: regName(m[1]!), reason: `${regName(m[1]!)} is ${m[2]!.endsWith('_or_null') ? 'a pointer that may still be NULL' : m[2]}, and arithmetic on it is not allowed`, fix: m[3] ? 'check the pointer for NULL first, then add the offset' : 'do the arithmetic on a pointer kind that allows it (stack, map value, packet)' }),
  },
  {
    re: /^math between (\S+) pointer and register with (unbounded|negative) min value is not allowed/,
    explain: (m, c) => {
      // The register added is the instruction's source (or its destination when the pointer is the source).
      const i = c.insn;
      const srcPtr = i && c.reg(i.src) && c.reg(i.src)!.t !== 'scalar';
      const n = i ? (srcPtr ? i.dst : i.src) : undefined;
      const r = n !== undefined ? regName(n) : undefined;
      const words = n !== undefined ? offsetWords(c.reg(n)) : undefined;
      return {
        ...(r ? { register: r } : {}),
        reason: `the value${r ? ` in ${r}` : ''} added to the ${m[1]} pointer ${words ?? 'may be negative or unbounded'}${m[2] === 'unbounded' ? ', and may be negative as a signed number' : ''}`,
        fix: `bound it before the addition, e.g. \`if (${r ?? 'idx'} > 64) return 0;\` with an unsigned type, or \`${r ?? 'idx'} &= 63\``,
      };
    },
  },
  {
    re: /^R(\d+) (bitwise operator \S+ on pointer|pointer \S+ pointer|32-bit pointer arithmetic|pointer arithmetic with \S+ operator) prohibited/,
    explain: (m) => ({ register: regName(m[1]!), reason: `${regName(m[1]!)} is a pointer, and ${m[2]} is not allowed on pointers`, fix: 'only add or subtract numbers to a pointer (64-bit); compute on the offset instead' }),
  },
  {
    re: /^R(\d+) tried to subtract pointer from scalar/,
    explain: (m) => ({ register: regName(m[1]!), reason: 'a pointer is subtracted from a number', fix: 'subtract the number from the pointer instead, or subtract two pointers of the same kind' }),
  },
  {
    re: /^cannot write into packet/,
    explain: () => ({ reason: 'this program type may only read packet data', fix: 'use a program type that may write packets (XDP, tc), or a helper like bpf_skb_store_bytes()' }),
  },
  {
    re: /^the call stack of (\d+) frames is too deep/,
    explain: (m) => ({ reason: `the calls nest ${m[1]} deep; the limit is 8 frames`, fix: 'inline some functions (`static __always_inline`)' }),
  },
  {
    re: /^combined stack size of (\d+) calls is (\d+)/,
    explain: (m) => ({ reason: `the ${m[1]} nested functions use ${m[2]} bytes of stack together; the limit is 512`, fix: 'move large locals into a per-CPU array map, or inline less' }),
  },
  {
    re: /^(?:R(\d+) )?invalid zero-sized read/,
    explain: (m, c) => m[1]
      ? { register: regName(m[1]), reason: `the size in ${regName(m[1])} may be 0 (${c.show(Number(m[1]))}), and this helper needs at least 1 byte`, fix: `check it first: \`if (len == 0) return 0;\`` }
      : { reason: 'the size passed to the helper may be 0, and it needs at least 1 byte', fix: 'check the size first: `if (len == 0) return 0;`' },
  },
  {
    re: /^R(\d+) is not a known constant/,
    explain: (m) => ({ register: regName(m[1]!), reason: `the size in ${regName(m[1]!)} must be a constant the verifier knows`, fix: 'pass a constant (`sizeof(struct event)`)' }),
  },
  {
    re: /^misaligned (stack|packet|value|context)? ?access/,
    explain: () => ({ reason: 'the access is not aligned to its size', fix: 'access 2/4/8-byte values at offsets that are multiples of their size' }),
  },
  {
    re: /^At program exit the register R0 has (.*) should have been in (\[.*\])/,
    explain: (m) => ({ register: 'r0', reason: `the return value ${m[1]!.replace(/^value /, '')} may be outside what this program type allows (${m[2]})`, fix: `return a value in ${m[2]} on every path` }),
  },
  {
    re: /^at the time of BPF_LD_ABS\|IND R6 != pointer to skb/,
    explain: () => ({ register: 'r6', reason: 'legacy packet loads (ld_abs/ld_ind) need the context pointer in r6', fix: '`r6 = r1` at the start, before the first packet load' }),
  },
];

ENTRIES.push(
  {
    re: /^(BPF_EXIT instruction in main prog|tail_call) would lead to reference leak/,
    explain: (m) => ({ reason: `a reference (a ringbuf record, a socket...) is still held at the ${m[1] === 'tail_call' ? 'tail call' : 'exit'} on this path`, fix: 'submit/discard or release it on every path before exiting (or before the tail call)' }),
  },
  {
    re: /^cannot pass map_type (\d+) into func (\S+)#(\d+)/,
    explain: (m) => ({ register: 'r1', reason: `${m[2]} does not work on maps of type ${m[1]} (the map in r1)`, fix: 'use a map type this helper accepts (e.g. a hash or array for lookups, a ringbuf for ringbuf helpers, a prog_array for tail calls)' }),
  },
  {
    re: /^expected prog array map for tail call/,
    explain: () => ({ register: 'r2', reason: 'bpf_tail_call needs a BPF_MAP_TYPE_PROG_ARRAY map in r2', fix: 'declare the jump table as a prog_array map' }),
  },
  {
    re: /^cannot call GPL-restricted function from non-GPL compatible program|^Cannot access kernel '.*' from non-GPL compatible program/,
    explain: () => ({ reason: 'this helper (or kernel type) is only for GPL-compatible programs', fix: 'declare a GPL-compatible license: `char LICENSE[] SEC("license") = "GPL";` (`; license: GPL` in assembly)' }),
  },
  {
    re: /^write into map forbidden|^only read from bpf_array is supported/,
    explain: () => ({ reason: 'the map is read-only for programs (BPF_F_RDONLY_PROG, a frozen .rodata, or an array read directly)', fix: 'write through a writable map, or drop the read-only flag' }),
  },
  {
    re: /^div by zero/,
    explain: () => ({ reason: 'the instruction divides by the constant 0', fix: 'divide by a register the program checks for 0, or by a non-zero constant' }),
  },
  {
    re: /^invalid shift (-?\d+)/,
    explain: (m) => ({ reason: `a shift by ${m[1]} is more than the width of the register`, fix: 'shift by less than 64 (32 for 32-bit operations)' }),
  },
  {
    re: /^value (-?\d+) makes (\S+) pointer be out of bounds|^math between (\S+) pointer and (-?\d+) is not allowed|^(\S+) pointer offset (-?\d+) is not allowed/,
    explain: (m) => ({ reason: `the constant added to the ${m[2] ?? m[3] ?? m[5]} pointer (${m[1] ?? m[4] ?? m[6]}) moves it far outside any object`, fix: 'keep pointer offsets within the object they point to' }),
  },
  {
    re: /^R(\d+) subtraction from stack pointer prohibited/,
    explain: (m) => ({ register: regName(m[1]!), reason: `${regName(m[1]!)} is a stack pointer, and subtracting a register from it is not allowed`, fix: 'add a constant offset instead (`r1 = r10; r1 += -8`)' }),
  },
  {
    re: /^cannot return stack pointer to the caller/,
    explain: () => ({ register: 'r0', reason: 'the function returns a pointer into its own stack frame, which is gone after it returns', fix: 'return a value, or pass the caller\'s buffer in as an argument' }),
  },
  {
    re: /^negative offset ctx ptr R(\d+) off=(-?\d+) disallowed|^variable ctx access var_off=/,
    explain: (m) => ({ ...(m[1] ? { register: regName(m[1]) } : {}), reason: 'the context is accessed at an offset that is negative or not a constant', fix: 'read context fields at constant offsets (`ctx->field`)' }),
  },
  {
    re: /^invalid size of register (fill|spill)/,
    explain: (m) => ({ reason: `a register ${m[1] === 'fill' ? 'saved on the stack is read back' : 'is saved on the stack'} with a size that does not match`, fix: 'read a spilled 64-bit value back with a 64-bit load (`*(u64 *)(r10 - 8)`)' }),
  },
  {
    re: /^invalid unbounded variable-offset (write to|read from|indirect access to) stack R(\d+)/,
    explain: (m) => ({ register: regName(m[2]!), reason: `the stack offset in ${regName(m[2]!)} is not bounded`, fix: 'bound the index before adding it to the stack pointer (`if (i >= 16) return 0;`)' }),
  },
  {
    re: /^At program exit the register R0 is not a known value \((\S+)\)/,
    explain: (m) => ({ register: 'r0', reason: `the return value is ${m[1]} where this program type needs a number`, fix: 'return a constant or a computed number, not a pointer' }),
  },
  {
    re: /^BPF_ATOMIC stores into R(\d+) (\S+) is not allowed/,
    explain: (m) => ({ register: regName(m[1]!), reason: `atomic operations on ${m[2]} memory are not allowed`, fix: 'use atomics on map values or the stack' }),
  },
  {
    re: /^R(\d+) must have zero offset when passed to release func/,
    explain: (m) => ({ register: regName(m[1]!), reason: `${regName(m[1]!)} was moved from the start of the record it must release`, fix: 'pass the pointer the reserve (or lookup) returned, unmodified' }),
  },
  {
    re: /^R(\d+) is ptr_(\S+) invalid variable offset/,
    explain: (m) => ({ register: regName(m[1]!), reason: `${regName(m[1]!)} points into a kernel ${m[2]} at an offset that is not a constant`, fix: 'read kernel struct fields at constant offsets (BPF_CORE_READ(task, field))' }),
  },
  {
    re: /^The sequence of (\d+) jumps is too complex/,
    explain: (m) => ({ reason: `one path has ${m[1]} conditional jumps pending exploration, more than the verifier keeps`, fix: 'reduce branching inside loops (bpf_loop() for long loops), or split the program with tail calls' }),
  },
  {
    re: /^tail_call is not allowed in subprogs without BTF/,
    explain: () => ({ reason: 'a function other than the program\'s entry makes a tail call, which needs BTF function info', fix: 'compile with -g (BTF), or make the tail call from the main program' }),
  },
);

/** The explanation of a rejection message, or undefined when the table has none for it. */
export function explainRejection(message: string, ctx: ExplainContext = {}): Explanation | undefined {
  const regs = ctx.state?.frames[ctx.state.frames.length - 1]?.regs;
  const c: Ctx = {
    ...ctx,
    reg: (n) => regs?.[n],
    show: (n) => {
      const r = regs?.[n];
      if (!r) return `r${n}`;
      return `r${n}=${ctx.env ? formatReg(r, ctx.env, ctx.state!.frames.length - 1) : kindWords(r)}`;
    },
  };
  for (const e of ENTRIES) {
    const m = e.re.exec(message);
    if (m) return e.explain(m, c);
  }
  return undefined;
}
