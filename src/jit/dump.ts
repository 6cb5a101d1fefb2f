/**
 * `tsbpf prog dump jited` for the VM: the module the JIT made for a program, as WebAssembly text
 * (the folded-free WAT of `wasm2wat`, one instruction a line), with the eBPF instruction each part
 * of the code came from written above it as a comment.
 */
import type { Insn } from '../isa/insn.js';
import { formatKernelInsn } from '../isa/disasm-kernel.js';
import { slotOffsets } from '../isa/insn.js';
import type { JitProgram } from './compile.js';
import { FC, FC_PREFIX, OP_INFO, alignOf } from './wasm/opcodes.js';
import { ByteReader, parseModule, valType, type ParsedFunc } from './wasm/reader.js';
import { RT_NAMES } from './runtime-abi.js';

const BPF_LOCALS = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'left', 'depth', 'r10', 'frame', 'dpc', 'a', 'o', 't', 't2', 't3', 'pkt', 'ctx', 'fp0'];
const FC_NAMES: Record<number, string> = Object.fromEntries(Object.entries(FC).map(([k, v]) => [v, k]));

/** The text of one module; `insns` (the program as compiled) names the source of each part. */
export function wasmText(jit: JitProgram, insns?: readonly Insn[]): string {
  const m = parseModule(jit.bytes);
  const lines: string[] = ['(module'];
  for (const im of m.imports) {
    if (im.kind === 'memory') lines.push(`  (import "${im.module}" "${im.name}" (memory ${im.minPages}${im.maxPages === undefined ? '' : ` ${im.maxPages}`}${im.shared ? ' shared' : ''}))`);
    else if (im.kind === 'table') lines.push(`  (import "${im.module}" "${im.name}" (table ${im.min} funcref)) ;; ${RT_NAMES.map((n, i) => `${i}: rt.${n}`).join(', ')}`);
    else lines.push(`  (import "${im.module}" "${im.name}" (func $${im.module}.${im.name}${sig(im.params!, im.results!)}))`);
  }
  const source = new Map<number, string>();
  if (insns) {
    const slots = slotOffsets(insns);
    insns.forEach((x, i) => source.set(slots[i]!, formatKernelInsn(x, slots[i]!)));
  }
  m.funcs.forEach((f, i) => {
    const meta = jit.functions[i];
    const marks = new Map<number, number>((meta?.marks ?? []).map(([off, slot]) => [f.start + off, slot]));
    lines.push('');
    lines.push(...funcText(f, jit.bytes.subarray(f.start, f.end), m.funcNames, marks, source, meta !== undefined && meta.slot >= 0));
  });
  lines.push(')');
  return lines.join('\n') + '\n';
}

function sig(params: readonly string[], results: readonly string[]): string {
  return (params.length ? ` (param ${params.join(' ')})` : '') + (results.length ? ` (result ${results.join(' ')})` : '');
}

function funcText(f: ParsedFunc, body: Uint8Array, funcNames: readonly string[], marks: Map<number, number>, source: Map<number, string>, bpf: boolean): string[] {
  const localName = (i: number): string => (bpf && i < BPF_LOCALS.length ? `$${BPF_LOCALS[i]}` : bpf ? `$c${i - BPF_LOCALS.length}` : `$${i}`);
  const out: string[] = [];
  const head = `  (func $${f.name}${f.export ? ` (export "${f.export}")` : ''}${sig(f.params, f.results)}`;
  out.push(head);
  if (f.locals.length) {
    const first = f.params.length;
    out.push(`    (local ${f.locals.map((t, k) => `${localName(first + k)} ${t}`).join(') (local ')})`);
  }
  const br = new ByteReader(body, 0);
  let depth = 2;
  const base = f.start;
  while (br.at < br.bytes.length) {
    const at = base + br.at;
    const slot = marks.get(at);
    if (slot !== undefined) out.push(`${'  '.repeat(depth)};; insn ${slot}: ${source.get(slot) ?? ''}`.trimEnd());
    const code = br.byte();
    if (code === FC_PREFIX) {
      const sub = br.u32();
      br.byte();
      out.push(`${'  '.repeat(depth)}${FC_NAMES[sub] ?? `0xfc ${sub}`}`);
      continue;
    }
    const info = OP_INFO[code];
    if (!info) {
      out.push(`${'  '.repeat(depth)};; unknown opcode 0x${code.toString(16)}`);
      break;
    }
    if (info.name === 'end' || info.name === 'else') depth--;
    if (info.name === 'end' && br.at === br.bytes.length) break; // the function's own end
    let text = info.name;
    switch (info.imm) {
      case 'block': {
        const t = br.byte();
        if (t !== 0x40) text += ` (result ${valType(t)})`;
        break;
      }
      case 'label': text += ` ${br.u32()}`; break;
      case 'labels': {
        const n = br.u32();
        const ls = Array.from({ length: n + 1 }, () => br.u32());
        text += ` ${ls.join(' ')}`;
        break;
      }
      case 'func': { const i = br.u32(); text += ` $${funcNames[i] ?? i}`; break; }
      case 'indirect': {
        // Type i of a program module is the type of the runtime's table entry i (runtime-abi.ts).
        const t = br.u32();
        br.byte();
        // (and the type after them that of every BPF function: a tail call's target).
        text += RT_NAMES[t] !== undefined ? ` (type $rt.${RT_NAMES[t]})` : t === RT_NAMES.length ? ' (type $bpf_function)' : ` (type ${t})`;
        break;
      }
      case 'local': text += ` ${localName(br.u32())}`; break;
      case 'global': text += ` ${br.u32()}`; break;
      case 'mem': {
        const align = br.u32(), offset = br.u32();
        if (offset) text += ` offset=${offset}`;
        if (align !== alignOf(code)) text += ` align=${2 ** align}`;
        break;
      }
      case 'i32': text += ` ${Number(br.s64())}`; break;
      case 'i64': text += ` ${br.s64()}`; break;
      default: break;
    }
    out.push(`${'  '.repeat(depth)}${text}`);
    if (info.imm === 'block' || info.name === 'else') depth++;
  }
  out[out.length - 1] += ')';
  return out;
}
