/**
 * Comparing verifier logs line by line (test/verifier-log.test.ts): a log becomes a sequence of
 * records — instruction lines, register-state lines (joined to their instruction with `;` or on
 * their own `N:` line, which the kernel uses when precision-tracking lines come between), `from X
 * to Y` lines, call/return blocks, the live-register listing, source lines and messages — so two
 * logs compare as sequences. Normalised: ids (`id=3`, `ref_obj_id=3`, `refs=3`), and the kernel
 * addresses an lddw of a map loads (the kernel prints the map's address; tsbpf, as the kernel does
 * when it hides pointers, 0x0). Skipped: the kernel's precision-tracking (`mark_precise:`) and
 * stack-liveness (`(0) frame 0 insn 3 +live -8`) debug lines, which tsbpf has no counterpart for.
 */

export interface Stats {
  processed: number;
  limit: number;
  maxStatesPerInsn: number;
  totalStates: number;
  peakStates: number;
  markRead: number;
}

export interface ParsedLog {
  /** Kind letter + text: I insn, S state, F from-line, C call/return block, L live regs, D source, M message, X func#. */
  records: string[];
  /** Instruction text by slot, from the trace and the live-register listing. */
  insns: Map<number, string>;
  stats?: Stats;
}

const STATS = /^processed (\d+) insns \(limit (\d+)\) max_states_per_insn (\d+) total_states (\d+) peak_states (\d+) mark_read (\d+)$/;

export function parseStats(line: string): Stats | undefined {
  const m = STATS.exec(line);
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  return { processed: n[0]!, limit: n[1]!, maxStatesPerInsn: n[2]!, totalStates: n[3]!, peakStates: n[4]!, markRead: n[5]! };
}

const norm = (s: string): string => s
  .replace(/\b(ref_obj_id|id|ref_id)=\d+/g, '$1=N')
  .replace(/ refs=[\d,]+/g, ' refs=N')
  .replace(/= 0xffff[0-9a-f]{12}\b/g, '= 0x0')
  .trimEnd();

export function parseLog(text: string): ParsedLog {
  const records: string[] = [];
  const insns = new Map<number, string>();
  let stats: Stats | undefined;
  // The kernel prints "expected prog array map for tail call" without its newline: the statistics
  // line then follows on the same line.
  const lines = text.split('\n').flatMap((l) => {
    const m = /^(.+?)(processed \d+ insns \(limit .*)$/.exec(l);
    return m ? [m[1]!, m[2]!] : [l];
  });
  for (const raw of lines) {
    const line = norm(raw);
    if (line === '') continue;
    if (/^mark_precise: /.test(line) || /^\(\d+\) (frame \d+ insn|live stack)/.test(line)) continue;
    const st = parseStats(line);
    if (st) { stats = st; continue; }
    let m = /^(\d+): (\([0-9a-f]{2}\) .*?)(?:\s+;(.*))?$/.exec(line);
    if (m) {
      insns.set(Number(m[1]), m[2]!);
      records.push(`I ${m[1]}: ${m[2]}`);
      if (m[3] !== undefined) records.push(`S${m[3]}`);
      continue;
    }
    m = /^(?:\s{4}|\s*\d+ )\s*(\d+): ([.0-9]{10}) (\(.*)$/.exec(line);
    if (m) {
      insns.set(Number(m[1]), m[3]!);
      records.push(`L ${m[1]}: ${m[2]} ${m[3]}`);
      continue;
    }
    m = /^(\d+):((?: frame\d+:)?(?: (?:R\d+|fp-\d+)=.*)?)$/.exec(line);
    if (m) { records.push(`S${m[2]}`); continue; }
    if (/^from \d+ to \d+/.test(line)) { records.push(`F ${line}`); continue; }
    if (/^(caller|callee|returning from callee):$|^to caller at \d+:$|^ /.test(line)) { records.push(`C ${line}`); continue; }
    if (/^; /.test(line)) { records.push(`D ${line}`); continue; }
    if (/^func#\d+ @\d+$|^Live regs before insn:$/.test(line)) { records.push(`X ${line}`); continue; }
    records.push(`M ${line}`);
  }
  return { records, insns, ...(stats ? { stats } : {}) };
}

/** The length of the longest common subsequence of two record lists. */
export function lcs(a: readonly string[], b: readonly string[]): number {
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Records of the kinds the comparison counts: instructions, states, from-lines, call blocks, live regs, source lines. */
export const COMPARED = /^[ISFCLD]/;
