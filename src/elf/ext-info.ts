/**
 * The BTF.ext records (func info, line info, CO-RE relocations) of each function, found once per
 * object. BTF.ext keys its records by section name and section-relative slot; every program that
 * places a function needs that function's records, so they are bucketed here rather than filtered
 * again for every program.
 */
import type { BtfCoreRelo, BtfExt, BtfFuncInfo, BtfLineInfo } from '../btf/btf-ext.js';
import { functionAt, type CodeFunction, type CodeSection } from './functions.js';

export interface FunctionExtInfo {
  /** The func info record at the function's first slot, if any. */
  funcInfo?: BtfFuncInfo;
  /** Line info records inside the function, sorted by slot. */
  lineInfo: BtfLineInfo[];
  /** CO-RE relocations inside the function. */
  coreRelos: BtfCoreRelo[];
}

const EMPTY: FunctionExtInfo = Object.freeze({ lineInfo: [], coreRelos: [] }) as FunctionExtInfo;

export class ExtInfoIndex {
  private readonly byFunction = new Map<CodeFunction, FunctionExtInfo>();

  constructor(btfExt: BtfExt | undefined, codeSections: ReadonlyMap<number, CodeSection>) {
    if (!btfExt) return;
    const bucket = (fn: CodeFunction): FunctionExtInfo => {
      let b = this.byFunction.get(fn);
      if (!b) {
        b = { lineInfo: [], coreRelos: [] };
        this.byFunction.set(fn, b);
      }
      return b;
    };
    const seen = new Set<string>();
    for (const cs of codeSections.values()) {
      const name = cs.section.name;
      // BTF.ext names sections; should two ELF sections share a name, the first one owns the records.
      if (seen.has(name)) continue;
      seen.add(name);
      for (const r of btfExt.funcInfo.get(name) ?? []) {
        const fn = functionAt(cs, r.insnOff);
        if (fn && fn.startSlot === r.insnOff) bucket(fn).funcInfo ??= r;
      }
      for (const r of btfExt.lineInfo.get(name) ?? []) {
        const fn = functionAt(cs, r.insnOff);
        if (fn) bucket(fn).lineInfo.push(r);
      }
      for (const r of btfExt.coreRelos.get(name) ?? []) {
        const fn = functionAt(cs, r.insnOff);
        if (fn) bucket(fn).coreRelos.push(r);
      }
    }
    for (const b of this.byFunction.values()) b.lineInfo.sort((x, y) => x.insnOff - y.insnOff);
  }

  of(fn: CodeFunction): FunctionExtInfo {
    return this.byFunction.get(fn) ?? EMPTY;
  }
}
