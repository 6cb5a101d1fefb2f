/**
 * A function body being written: one method per kind of instruction, each writing its bytes at
 * once. `mark()` records where the code of each eBPF instruction starts, for the text dump.
 */
import { ByteWriter } from './encoder.js';
import { FC, FC_PREFIX, OP, VALTYPE, alignOf, type ValType } from './opcodes.js';

export class Code extends ByteWriter {
  /** [offset in this body, eBPF slot] pairs, in order. */
  readonly marks: [number, number][] = [];

  mark(slot: number): void {
    this.marks.push([this.length, slot]);
  }
  op(code: number): this {
    return this.byte(code);
  }
  i32(v: number): this {
    return this.byte(OP.i32_const).s32(v);
  }
  i64(v: bigint | number): this {
    // Most constants are 32-bit immediates: no BigInt for them.
    if (typeof v === 'number' && (v | 0) === v) return this.byte(OP.i64_const).s32(v);
    return this.byte(OP.i64_const).s64(BigInt(v));
  }
  get(l: number): this {
    return this.byte(OP.local_get).u32(l);
  }
  set(l: number): this {
    return this.byte(OP.local_set).u32(l);
  }
  gget(g: number): this {
    return this.byte(OP.global_get).u32(g);
  }
  gset(g: number): this {
    return this.byte(OP.global_set).u32(g);
  }
  tee(l: number): this {
    return this.byte(OP.local_tee).u32(l);
  }
  load(op: number, offset = 0): this {
    return this.byte(op).u32(alignOf(op)).u32(offset);
  }
  store(op: number, offset = 0): this {
    return this.byte(op).u32(alignOf(op)).u32(offset);
  }
  block(result?: ValType): this {
    return this.byte(OP.block).byte(result ? VALTYPE[result] : 0x40);
  }
  loop(): this {
    return this.byte(OP.loop).byte(0x40);
  }
  if(result?: ValType): this {
    return this.byte(OP.if).byte(result ? VALTYPE[result] : 0x40);
  }
  else(): this {
    return this.byte(OP.else);
  }
  end(): this {
    return this.byte(OP.end);
  }
  br(depth: number): this {
    return this.byte(OP.br).u32(depth);
  }
  brIf(depth: number): this {
    return this.byte(OP.br_if).u32(depth);
  }
  call(f: number): this {
    return this.byte(OP.call).u32(f);
  }
  /** Call the function at the table index on the stack, of type `type`, through table 0. */
  callIndirect(type: number): this {
    return this.byte(OP.call_indirect).u32(type).byte(0);
  }
  ret(): this {
    return this.byte(OP.return);
  }
  unreachable(): this {
    return this.byte(OP.unreachable);
  }
  memoryFill(): this {
    return this.byte(FC_PREFIX).u32(FC['memory.fill']).byte(0);
  }
}
