/**
 * Source lines for instructions: the line-info record that covers an instruction is the last one at
 * or before it (the compiler emits a record where the source line changes, not one per instruction).
 */
import type { BtfLineInfo } from './btf-ext.js';

/**
 * The closest line-info record at or before `insnIndex` (a slot index in the same section as the
 * records), or undefined before the first record. Records need not be sorted; they are searched by
 * binary search when they are (the common case) and linearly otherwise.
 */
export function sourceLineOf(lineInfo: readonly BtfLineInfo[], insnIndex: number): BtfLineInfo | undefined {
  if (lineInfo.length === 0) return undefined;
  if (isSorted(lineInfo)) {
    let lo = 0;
    let hi = lineInfo.length - 1;
    if (lineInfo[0]!.insnOff > insnIndex) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineInfo[mid]!.insnOff <= insnIndex) lo = mid;
      else hi = mid - 1;
    }
    return lineInfo[lo];
  }
  let best: BtfLineInfo | undefined;
  for (const li of lineInfo) {
    if (li.insnOff <= insnIndex && (!best || li.insnOff >= best.insnOff)) best = li;
  }
  return best;
}

/** Sortedness per array (and its length when checked), so a listing does not rescan per instruction. */
const sortedCache = new WeakMap<readonly BtfLineInfo[], { length: number; sorted: boolean }>();

function isSorted(list: readonly BtfLineInfo[]): boolean {
  const c = sortedCache.get(list);
  if (c && c.length === list.length) return c.sorted;
  const sorted = list.every((li, i) => i === 0 || list[i - 1]!.insnOff <= li.insnOff);
  sortedCache.set(list, { length: list.length, sorted });
  return sorted;
}

/** "file.c:12:5" (col omitted when 0), the form error messages and `--linum` listings use. */
export function formatSourceLine(li: BtfLineInfo): string {
  return `${li.fileName}:${li.line}${li.col ? `:${li.col}` : ''}`;
}
