/**
 * USDT argument specs (x86-64 GNU as operand syntax, as <sys/sdt.h> emits them): space-separated
 * "SIZE@OPERAND", SIZE negative for signed, OPERAND one of $imm (a constant), %reg (a register),
 * off(%reg) or (%reg) (memory at a register plus offset). Each becomes libbpf's
 * struct __bpf_usdt_arg_spec (usdt.bpf.h): {u64 val_off; u32 arg_type; s16 reg_off (the register's
 * offset in struct pt_regs); u8 arg_signed; s8 arg_bitshift (64 - 8*size)}.
 */
import { BpfError } from '../../errors.js';

export type UsdtArg =
  | { kind: 'const'; size: number; signed: boolean; value: bigint }
  | { kind: 'reg'; size: number; signed: boolean; reg: string; regOff: number }
  | { kind: 'deref'; size: number; signed: boolean; reg: string; regOff: number; offset: number };

/** offsetof(struct pt_regs, X) on x86-64, for every name of the register and its low parts. */
const PT_REGS_X86_64: Record<string, number> = {};
for (const [off, names] of [
  [0, 'r15 r15d r15w r15b'], [8, 'r14 r14d r14w r14b'], [16, 'r13 r13d r13w r13b'], [24, 'r12 r12d r12w r12b'],
  [32, 'rbp ebp bp bpl'], [40, 'rbx ebx bx bl bh'], [48, 'r11 r11d r11w r11b'], [56, 'r10 r10d r10w r10b'],
  [64, 'r9 r9d r9w r9b'], [72, 'r8 r8d r8w r8b'], [80, 'rax eax ax al ah'], [88, 'rcx ecx cx cl ch'],
  [96, 'rdx edx dx dl dh'], [104, 'rsi esi si sil'], [112, 'rdi edi di dil'], [128, 'rip eip'], [152, 'rsp esp sp spl'],
] as const) for (const n of names.split(' ')) PT_REGS_X86_64[n] = off;

const ARG_TYPE = { const: 0, reg: 1, deref: 2 } as const;
/** libbpf's BPF_USDT_MAX_ARG_CNT and the size of struct __bpf_usdt_spec. */
export const USDT_MAX_ARGS = 12;
export const USDT_SPEC_SIZE = 208;

function regOff(reg: string, where: string): number {
  const off = PT_REGS_X86_64[reg];
  if (off === undefined) throw new BpfError('EOPNOTSUPP', `${where}: register %${reg} is not supported (x86-64 general registers only)`);
  return off;
}

export function parseUsdtArgs(spec: string, where: string): UsdtArg[] {
  const out: UsdtArg[] = [];
  for (const tok of spec.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(-?)(\d+)@(.+)$/.exec(tok);
    if (!m) throw new BpfError('EINVAL', `${where}: cannot parse argument '${tok}'`);
    const signed = m[1] === '-';
    const size = Number(m[2]);
    const op = m[3]!;
    let r: RegExpExecArray | null;
    if ((r = /^\$(-?(?:0x[0-9a-f]+|\d+))$/i.exec(op))) {
      out.push({ kind: 'const', size, signed, value: BigInt(r[1]!.startsWith('-') ? -BigInt(r[1]!.slice(1)) : BigInt(r[1]!)) });
    } else if ((r = /^%(\w+)$/.exec(op))) {
      out.push({ kind: 'reg', size, signed, reg: r[1]!, regOff: regOff(r[1]!, where) });
    } else if ((r = /^(-?(?:0x[0-9a-f]+|\d+))?\(%(\w+)\)$/i.exec(op))) {
      out.push({ kind: 'deref', size, signed, reg: r[2]!, regOff: regOff(r[2]!, where), offset: r[1] ? Number(r[1]) : 0 });
    } else {
      throw new BpfError('EOPNOTSUPP', `${where}: argument operand '${op}' is not supported (constants, registers and off(%reg) are)`);
    }
  }
  if (out.length > USDT_MAX_ARGS) throw new BpfError('E2BIG', `${where}: ${out.length} arguments, at most ${USDT_MAX_ARGS}`);
  return out;
}

/** struct __bpf_usdt_spec for `args` (+ the user's cookie), as libbpf writes it into __bpf_usdt_specs. */
export function encodeUsdtSpec(args: readonly UsdtArg[], cookie = 0n): Uint8Array {
  const b = new Uint8Array(USDT_SPEC_SIZE);
  const dv = new DataView(b.buffer);
  args.forEach((a, i) => {
    const o = i * 16;
    const val = a.kind === 'const' ? a.value : a.kind === 'deref' ? BigInt(a.offset) : 0n;
    dv.setBigUint64(o, BigInt.asUintN(64, val), true);
    dv.setUint32(o + 8, ARG_TYPE[a.kind], true);
    dv.setInt16(o + 12, a.kind === 'const' ? 0 : a.regOff, true);
    b[o + 14] = a.signed ? 1 : 0;
    dv.setInt8(o + 15, 64 - 8 * a.size);
  });
  dv.setBigUint64(192, cookie, true);
  dv.setInt16(200, args.length, true);
  return b;
}
