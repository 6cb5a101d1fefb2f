/**
 * The verifier's log and its error. Messages use the kernel's exact wording (kernel/bpf/verifier.c)
 * so a line from tsbpf can be compared with, and searched for like, a line from the real verifier.
 * Each format lives here once; the checks call these functions and never spell a message themselves.
 *
 * The log is a character stream, as the kernel's is: at log level 1 a finished path is cut off
 * again (the kernel rewinds to where the branch was pushed, so what remains is the path that
 * failed), and a state printed right after an instruction joins that instruction's line. The trace
 * hooks (`insn`, `jump`, `resume`, ...) are what verify.ts calls to get this; at level 0 they only
 * keep what an error needs (the state, the branch decisions of the path).
 */
import { BpfError, type BpfErrorCode } from '../errors.js';
import type { Insn, InsnForm } from '../isa/insn.js';
import type { ProgramSpec } from '../elf/object.js';
import { MAX_BPF_STACK, NOT_INIT, type Frame, type VState } from './state.js';
import { type PrintEnv, type Scratch, formatFrame, formatInsn, formatReg, liveRegsListing, newScratch, stateColumnPad } from './print.js';
import { explainRejection, type Explanation } from './explain.js';

/** The errnos the verifier returns for a refused program. */
export type VerifierErrno = Extract<BpfErrorCode, 'EINVAL' | 'EACCES' | 'E2BIG' | 'EPERM' | 'EFAULT' | 'ENOTSUPP'>;

/** The kernel's log_level bits (BPF_LOG_LEVEL1, BPF_LOG_LEVEL2, BPF_LOG_STATS). */
export const VLOG = { LEVEL1: 1, LEVEL2: 2, STATS: 4 } as const;

export const BPF_COMPLEXITY_LIMIT = 1_000_000;

/** A conditional jump on the path being verified, and which way the path went. */
export interface BranchDecision {
  insn: number;
  taken: boolean;
  /** The verifier knew the outcome (only one side was possible). */
  known: boolean;
}

interface PathNode {
  d: BranchDecision;
  prev: PathNode | undefined;
}

/** Where a pushed branch resumes: the log position (level 1 rewinds to it), the jump, its path. */
export interface BranchMark {
  pos: number;
  from: number;
  path: PathNode | undefined;
}

/** What the trace needs to know about the program: its instructions by slot, maps, helpers, line info. */
export interface TraceProgram extends PrintEnv {
  bySlot: readonly (Insn | undefined)[];
  forms: readonly (InsnForm | undefined)[];
  program?: ProgramSpec;
}

export interface SourceRef {
  file: string;
  line: number;
  col: number;
  text: string;
}

/** An append-only log of lines, as the kernel's `verbose()` writes them (without the trailing newline). */
export class VerifierLog {
  private buf = '';
  /** The trace: set by `begin`; without it the log holds only messages. */
  private prog: TraceProgram | undefined;
  /** The state being checked and its slot (kept at every level, for the error's explanation). */
  private state: VState | undefined;
  private pc = -1;
  private processed = 0;
  private totalStates = 0;
  private maxStatesPerInsn = 0;
  private stats = false;
  private path: PathNode | undefined;
  private scratch: Scratch = newScratch(true);
  private prevLogPos = 0;
  private prevInsnPrintLen = 0;
  private prevInsnIdx = 0;
  private doPrintState = false;
  private prevLinfo = -1;

  constructor(readonly level: number = VLOG.LEVEL1) {}

  private get tracing(): boolean {
    return this.prog !== undefined && (this.level & (VLOG.LEVEL1 | VLOG.LEVEL2)) !== 0;
  }

  /** The lines so far. */
  get lines(): string[] {
    if (this.buf === '') return [];
    const l = this.buf.split('\n');
    if (l.at(-1) === '') l.pop();
    return l;
  }

  /** A line printed at any log level (the kernel's `verbose`). */
  line(text: string): void {
    this.buf += text + '\n';
  }

  /** A line printed only at log level 2 (the kernel's `if (env->log.level & BPF_LOG_LEVEL2) verbose(...)`). */
  verbose(text: string): void {
    if (this.level & VLOG.LEVEL2) this.line(text);
  }

  /** The log as the kernel hands it to user space: lines joined by newlines, ending with one. */
  text(): string {
    return this.buf === '' || this.buf.endsWith('\n') ? this.buf : this.buf + '\n';
  }

  /** End the check: log the message and return (for `throw`) the error carrying the whole log. */
  fail(errno: VerifierErrno, message: string, insn?: number): VerifierError {
    const before = this.lines.slice(-3);
    this.line(message);
    if (this.stats) this.line(this.statsLine());
    return new VerifierError(errno, message, this.lines, insn, this.diagnose(message, insn, before));
  }

  // -------------------------------------------------------------------------------------------
  // Trace hooks (verify.ts)

  /** From now on a rejection ends with the statistics line, as the kernel's log does. */
  countStats(): void {
    this.stats = true;
  }

  /** The program is decoded: the trace can print it. */
  begin(prog: TraceProgram): void {
    this.prog = prog;
    if (this.level & VLOG.LEVEL2) for (const l of liveRegsListing(prog.bySlot, prog.forms, prog)) this.line(l);
  }

  /** The kernel's statistics line, with this run's numbers. */
  statsLine(processed = this.processed): string {
    return `processed ${processed} insns (limit ${BPF_COMPLEXITY_LIMIT}) max_states_per_insn ${this.maxStatesPerInsn} ` +
      `total_states ${this.totalStates} peak_states ${this.totalStates} mark_read 0`;
  }

  /** The program is accepted: the statistics line ends the log (level 1 keeps nothing else, as the kernel's). */
  finish(processed: number): void {
    if (this.tracing && !(this.level & VLOG.LEVEL2)) this.buf = '';
    this.line(this.statsLine(processed));
  }

  /** A state was kept at a prune point that already held `before` states. */
  stateAdded(before: number): void {
    this.totalStates++;
    if (before > this.maxStatesPerInsn) this.maxStatesPerInsn = before;
  }

  /** Instruction `pc` is about to be checked in state `st` (`processed` counts it). */
  insn(pc: number, st: VState, processed: number): void {
    this.pc = pc;
    this.state = st;
    this.processed = processed;
    if (!this.tracing) return;
    const prog = this.prog!;
    if ((this.level & VLOG.LEVEL2) && this.doPrintState) {
      this.buf += `\nfrom ${this.prevInsnIdx} to ${pc}:${formatFrame(st, prog)}\n`;
      this.doPrintState = false;
    }
    if (this.scratched()) this.printState(st, pc);
    this.sourceLine(pc);
    const insn = prog.bySlot[pc]!;
    const form = prog.forms[pc]!;
    this.prevLogPos = this.buf.length;
    this.buf += `${pc}: ${formatInsn(insn, form, prog)}\n`;
    this.prevInsnPrintLen = this.buf.length - this.prevLogPos;
    this.prevLogPos = this.buf.length;
    this.touch(insn, form, st);
    this.prevInsnIdx = pc;
  }

  /**
   * A conditional jump was decided: 'maybe' pushes the taken side (returned mark, which `resume`
   * gets back) and the current path goes on falling through. `st` is the state the path goes on with.
   */
  jump(pc: number, outcome: 'always' | 'never' | 'maybe', st: VState): BranchMark | undefined {
    let mark: BranchMark | undefined;
    if (outcome === 'maybe') {
      mark = { pos: this.buf.length, from: pc, path: { d: { insn: pc, taken: true, known: false }, prev: this.path } };
      this.path = { d: { insn: pc, taken: false, known: false }, prev: this.path };
    } else {
      this.path = { d: { insn: pc, taken: outcome === 'always', known: true }, prev: this.path };
    }
    if (this.tracing) this.printState(st, pc);
    return mark;
  }

  /** A path ended (exit of the program): the next path starts from a pushed branch. */
  pathEnd(): void {
    this.scratch = newScratch(true);
  }

  /** A state at `pc` is covered by one already verified: the path stops here. */
  pruned(pc: number): void {
    if (this.tracing) {
      this.buf += this.doPrintState ? `\nfrom ${this.prevInsnIdx} to ${pc}: safe\n` : `${pc}: safe\n`;
    }
    this.scratch = newScratch(true);
  }

  /** The walk takes the next pushed branch (`mark` undefined for the program's entry). */
  resume(mark: BranchMark | undefined): void {
    if (!mark) return;
    this.path = mark.path;
    this.prevInsnIdx = mark.from;
    this.doPrintState = true;
    // Level 1 keeps only the path being explored: what the finished one printed goes.
    if (this.tracing && !(this.level & VLOG.LEVEL2)) this.buf = this.buf.slice(0, mark.pos);
  }

  /** A bpf-to-bpf call pushed a frame onto `st`. */
  call(st: VState): void {
    if (!this.tracing) return;
    const n = st.frames.length;
    // The caller's r0-r5 are clobbered by the call: the kernel shows the caller without them.
    const caller = { ...st, frames: st.frames.map((f, i) => (i === n - 2 ? { ...f, regs: f.regs.map((r, j) => (j <= 5 ? NOT_INIT : r)) } : f)) };
    this.buf += `caller:\n${formatFrame(caller, this.prog!, undefined, n - 2)}\ncallee:\n${formatFrame(st, this.prog!, undefined, n - 1)}\n`;
    this.scratch = newScratch(true);
  }

  /** A subprogram returned: `callee` is the frame popped from `st`, which goes on at `to`. */
  ret(st: VState, callee: Frame, to: number): void {
    if (!this.tracing) return;
    const withCallee: VState = { ...st, frames: [...st.frames, callee] };
    this.buf += `returning from callee:\n${formatFrame(withCallee, this.prog!, undefined, st.frames.length)}\n` +
      `to caller at ${to}:\n${formatFrame(st, this.prog!)}\n`;
    this.doPrintState = true;
  }

  private scratched(): boolean {
    return this.scratch.all || this.scratch.regs.size > 0 || this.scratch.slots.size > 0;
  }

  /** print_insn_state: on the instruction's own line when nothing came between, else on a `N:` line. */
  private printState(st: VState, label: number): void {
    if (this.prevLogPos > 0 && this.prevLogPos === this.buf.length) {
      this.buf = this.buf.slice(0, -1) + ' '.repeat(stateColumnPad(this.prevInsnPrintLen)) + ';';
    } else {
      this.buf += `${label}:`;
    }
    this.buf += formatFrame(st, this.prog!, this.scratch) + '\n';
    this.scratch = newScratch(false);
  }

  /** verbose_linfo: `; C source @ file.c:12` when the line-info record changes. */
  private sourceLine(pc: number): void {
    const records = this.prog!.program?.lineInfoRecords;
    if (!records?.length) return;
    let at = -1;
    for (let i = 0; i < records.length && records[i]!.insnOff <= pc; i++) at = i;
    if (at < 0 || at === this.prevLinfo) return;
    this.prevLinfo = at;
    const r = records[at]!;
    this.buf += `; ${r.lineText.trimStart()} @ ${r.fileName.replace(/^.*\//, '')}:${r.line}\n`;
  }

  /** What checking `insn` touches (check_reg_arg and the stack accesses): printed after it. */
  private touch(insn: Insn, form: InsnForm, st: VState): void {
    const s = this.scratch;
    const regs = st.frames[st.frames.length - 1]!.regs;
    const slots = (base: number, off: number, size: number): void => {
      const r = regs[base];
      if (r?.t !== 'fp' || !r.var.isConst()) return;
      const lo = r.off + Number(BigInt.asIntN(64, r.var.value)) + off;
      for (let b = lo; b < lo + size; b++) {
        const spi = Math.floor((MAX_BPF_STACK + b) / 8);
        if (spi >= 0 && spi < MAX_BPF_STACK / 8) s.slots.add(spi);
      }
    };
    switch (form.kind) {
      case 'alu':
        if (form.useReg) s.regs.add(insn.src);
        s.regs.add(insn.dst);
        break;
      case 'neg': case 'end': case 'lddw':
        s.regs.add(insn.dst);
        break;
      case 'jcond':
        s.regs.add(insn.dst);
        if (form.useReg) s.regs.add(insn.src);
        break;
      case 'ldx':
        s.regs.add(insn.src).add(insn.dst);
        slots(insn.src, insn.off, form.size);
        break;
      case 'stx': case 'atomic':
        s.regs.add(insn.src).add(insn.dst);
        if (form.kind === 'atomic' && form.op.fetchName === 'cmpxchg') s.regs.add(0);
        slots(insn.dst, insn.off, form.size);
        break;
      case 'st':
        s.regs.add(insn.dst);
        slots(insn.dst, insn.off, form.size);
        break;
      case 'ldpkt':
        for (let r = 0; r <= 6; r++) s.regs.add(r);
        break;
      case 'call': {
        for (let r = 0; r <= 5; r++) s.regs.add(r);
        const def = form.callKind === 'helper' ? this.prog!.helpers?.get(insn.imm) : undefined;
        if (!def) break;
        // Memory a helper writes on the stack is touched; memory it only reads is not.
        def.args.forEach((kind, i) => {
          const reg = regs[i + 1];
          if (kind === 'ptr_to_uninit_map_value') {
            const mp = def.args.findIndex((k) => k === 'const_map_ptr');
            const m = mp >= 0 ? regs[mp + 1] : undefined;
            if (m?.t === 'map_ptr') slots(i + 1, 0, this.prog!.maps[m.map]?.valueSize ?? 0);
          } else if ((kind === 'ptr_to_uninit_mem' || kind === 'ptr_to_writable_mem_or_null') && reg) {
            const size = regs[i + 2];
            if (size?.t === 'scalar' && size.v.umax <= BigInt(MAX_BPF_STACK)) slots(i + 1, 0, Number(size.v.umax));
          }
        });
        break;
      }
      default:
        break;
    }
  }

  // -------------------------------------------------------------------------------------------
  // The error's account of itself

  private diagnose(message: string, insn: number | undefined, before: readonly string[]): Diagnosis {
    const d: Diagnosis = { path: [], processed: this.processed };
    // A long loop leaves hundreds of thousands of decisions: the last ones explain the rejection.
    let omitted = 0;
    for (let n = this.path; n; n = n.prev) {
      if (d.path.length < MAX_PATH) d.path.push(n.d);
      else omitted++;
    }
    d.path.reverse();
    if (omitted) d.pathOmitted = omitted;
    const prog = this.prog;
    const at = insn ?? (this.pc >= 0 ? this.pc : undefined);
    if (prog && at !== undefined) {
      const i = prog.bySlot[at], f = prog.forms[at];
      if (i && f) d.insnText = formatInsn(i, f, prog).replace(/^\(\w\w\) /, '');
      const src = prog.program?.lineInfo[at];
      if (src) d.source = { file: src.fileName, line: src.line, col: src.col, text: src.lineText.trim() };
      d.pathText = d.path.map((b) => {
        const j = prog.bySlot[b.insn], g = prog.forms[b.insn];
        return j && g ? formatInsn(j, g, prog).replace(/^\(\w\w\) /, '') : '';
      });
    }
    const st = this.state;
    if (st && prog && insn !== undefined && insn === this.pc) {
      const frame = st.frames[st.frames.length - 1]!;
      d.registers = {};
      frame.regs.forEach((r, i) => {
        if (r.t !== 'not_init') d.registers![`r${i}`] = formatReg(r, prog, st.frames.length - 1);
      });
    }
    d.explanation = explainRejection(message, {
      lines: before,
      ...(st && insn !== undefined && insn === this.pc ? { state: st } : {}),
      ...(prog ? { env: prog } : {}),
      ...(prog && at !== undefined && prog.bySlot[at] ? { insn: prog.bySlot[at], form: prog.forms[at] } : {}),
    });
    return d;
  }
}

/** What an error knows beyond the kernel's message: where, in which state, along which path. */
/** How many branch decisions a rejection keeps (the last ones of its path). */
export const MAX_PATH = 1000;

export interface Diagnosis {
  /** Instructions processed before the rejection (the statistics line's first number). */
  processed: number;
  /** The failing instruction in the verifier log's syntax. */
  insnText?: string;
  /** The failing frame's registers as the log prints them (`r2` → `map_value(...)`). */
  registers?: { [reg: string]: string };
  /** The conditional jumps of the failing path, first to last. */
  path: BranchDecision[];
  /** Their instructions' text, index for index with `path`. */
  pathText?: string[];
  /** Earlier decisions left out of `path` (it keeps the last MAX_PATH). */
  pathOmitted?: number;
  /** The C source line of the failing instruction (BTF line info). */
  source?: SourceRef;
  explanation?: Explanation;
}

/** A program refused by the verifier: `code` is the errno the kernel returns, `log` its log lines. */
export class VerifierError extends BpfError {
  readonly log: readonly string[];
  /** The message of the rejection (the last log line). */
  readonly reason: string;
  readonly insnText?: string;
  readonly registers?: { readonly [reg: string]: string };
  readonly path: readonly BranchDecision[];
  readonly pathText?: readonly string[];
  readonly source?: SourceRef;
  readonly explanation?: Explanation;
  readonly insnsProcessed: number;
  /** Branch decisions before those in `path`, left out. */
  readonly pathOmitted: number;
  constructor(code: VerifierErrno, reason: string, log: readonly string[], insn?: number, diagnosis?: Diagnosis) {
    super(code, `verifier: ${reason}${insn !== undefined ? ` (insn ${insn})` : ''}`, insn !== undefined ? { insn } : {});
    this.name = 'VerifierError';
    this.reason = reason;
    this.log = log;
    this.path = diagnosis?.path ?? [];
    this.insnsProcessed = diagnosis?.processed ?? 0;
    this.pathOmitted = diagnosis?.pathOmitted ?? 0;
    if (diagnosis?.insnText !== undefined) this.insnText = diagnosis.insnText;
    if (diagnosis?.registers) this.registers = diagnosis.registers;
    if (diagnosis?.pathText) this.pathText = diagnosis.pathText;
    if (diagnosis?.source) this.source = diagnosis.source;
    if (diagnosis?.explanation) this.explanation = diagnosis.explanation;
  }

  /** The branch decisions in words: `insn 4: if r4 > r3 goto pc+3 → taken`. */
  pathLines(): string[] {
    const head = this.pathOmitted ? [`(${this.pathOmitted} earlier branch decisions left out)`] : [];
    return head.concat(this.path.map((b, i) => {
      const text = this.pathText?.[i];
      return `insn ${b.insn}${text ? `: ${text}` : ''} → ${b.taken ? 'taken' : 'not taken'}${b.known ? ' (always, the values were known)' : ''}`;
    }));
  }

  /** The structured fields, for `--json`. */
  toJSON(): { [k: string]: unknown } {
    return {
      errno: this.code,
      message: this.reason,
      ...(this.place.insn !== undefined ? { insn: this.place.insn } : {}),
      ...(this.insnText !== undefined ? { insn_text: this.insnText } : {}),
      ...(this.source ? { source: this.source } : {}),
      ...(this.registers ? { registers: this.registers } : {}),
      ...(this.explanation ? { explanation: this.explanation } : {}),
      branch_path: this.path.map((b, i) => ({ insn: b.insn, ...(this.pathText?.[i] ? { text: this.pathText[i] } : {}), taken: b.taken, known: b.known })),
      ...(this.pathOmitted ? { branch_path_omitted: this.pathOmitted } : {}),
    };
  }
}

export function isVerifierError(e: unknown): e is VerifierError {
  return e instanceof VerifierError;
}

/** The kernel's messages for the subprogram and control-flow checks; instruction numbers are slots. */
export const MSG = {
  /** add_subprog: a call or function pointer whose target is outside the program. */
  callToInvalidDestination: (): string => 'call to invalid destination',
  /** add_subprog: more than BPF_MAX_SUBPROGS functions. */
  tooManySubprograms: (): string => 'too many subprograms',
  /** check_subprogs: a jump leaves its subprogram (or the program). */
  jumpOutOfRange: (from: number, to: number): string => `jump out of range from insn ${from} to ${to}`,
  /** check_subprogs: a subprogram's last instruction falls through into the next one (or off the end). */
  lastInsnNotExit: (): string => 'last insn is not an exit or jmp',
  /** check_cfg: a loop, refused when the loader is not bpf_capable. */
  backEdge: (from: number, to: number): string => `back-edge from insn ${from} to ${to}`,
  /** check_cfg: an instruction no path from the entry (or a callback) reaches. */
  unreachableInsn: (insn: number): string => `unreachable insn ${insn}`,
  /** check_cfg: a path that lands on the second half of an lddw. */
  jumpIntoLdimm64: (insn: number): string => `jump into the middle of ldimm64 insn ${insn}`,
  /** check_subprogs at log level 2: each function's start. */
  funcStart: (index: number, start: number): string => `func#${index} @${start}`,
} as const;
