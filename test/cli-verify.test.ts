/**
 * `tsbpf verify` with tsbpf's own verifier, through bin/tsbpf.js: exit status (0 accepted, 1
 * rejected, 2 bad input), the JSON fields, assembly files with directives, and a rejection's
 * explanation naming the register, its source line from BTF and the branch decisions.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempStore, tsbpf } from './support/cli-kit.js';
import { assemble } from '../src/isa/asm.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { isVerifierError } from '../src/verifier/index.js';
import { Vm } from '../src/vm/runtime.js';
import { compileObject, noClang, removeTempDir, tempDir } from './support/tools.js';

after(() => removeTempDir());

let dir = '';
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

before(() => {
  dir = tempDir();
});

const UNBOUNDED = `; section: xdp
; map counts array key=4 value=64 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r2 = *(u64 *)(r0 + 0)
r2 >>= 1
r0 += r2
r0 = *(u8 *)(r0 + 0)
r0 = 2
exit
`;

interface VerifyJson {
  accepted: boolean;
  insns_processed: number;
  error?: string;
  errno?: string;
  insn?: number;
  insn_text?: string;
  explanation?: { reason: string; fix: string; register?: string };
  branch_path?: { insn: number; taken: boolean; known: boolean; text?: string }[];
  source?: { file: string; line: number; text: string };
  log?: string;
  programs: { name: string; accepted: boolean; insns_processed: number }[];
}

const json = (r: { stdout: string }): VerifyJson => JSON.parse(r.stdout) as VerifyJson;

test('an accepted assembly program: exit 0, accepted, the instructions processed', () => {
  const p = file('ok.s', '; section: xdp\nr0 = 2\nif r1 == 0 goto +1\nr0 = 1\nexit\n');
  const r = tsbpf(['verify', p, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = json(r);
  assert.equal(j.accepted, true);
  assert.equal(j.error, undefined);
  assert.ok(j.insns_processed >= 4, `insns_processed ${j.insns_processed}`);
  assert.deepEqual(j.programs.map((x) => x.name), ['ok']);
  const text = tsbpf(['verify', p]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /ok \(sec 'xdp', xdp\): accepted \(\d+ instructions processed\)/);
});

test('a rejected program: exit 1, the kernel\'s message, an explanation naming the register, the path, the log', () => {
  const p = file('unbounded.s', UNBOUNDED);
  const r = tsbpf(['verify', p, '--json']);
  assert.equal(r.status, 1, r.stderr);
  const j = json(r);
  assert.equal(j.accepted, false);
  assert.equal(j.errno, 'EACCES');
  assert.match(j.error!, /^R0 unbounded memory access/);
  assert.equal(j.insn, 10);
  assert.equal(j.insn_text, 'r0 = *(u8 *)(r0 +0)');
  assert.equal(j.explanation?.register, 'r0');
  assert.match(j.explanation!.reason, /in r0 may be any number up to 2\^63/);
  assert.match(j.explanation!.fix, /if \(len > 64\) return 0;/);
  assert.deepEqual(j.branch_path?.map((b) => [b.insn, b.taken, b.known]), [[6, false, true]], 'a lookup in an array with a constant key is never NULL');
  // The failing path in the kernel's format (level 1 when none was asked for), ending with the statistics line.
  assert.match(j.log!, /^0: R1=ctx\(\) R10=fp0$/m);
  assert.match(j.log!, /^9: \(0f\) r0 \+= r2 +; R0=map_value\(map=counts,ks=4,vs=64,smin=/m);
  assert.match(j.log!, /^processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+$/m);
  assert.ok(j.insns_processed > 0);
  const text = tsbpf(['verify', p]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /rejected/);
  assert.match(text.stdout, /why: .*r0/);
  assert.match(text.stdout, /fix: /);
  assert.match(text.stdout, /insn 6: if r0 == 0x0 goto pc\+5 → not taken/);
});

test('--log-level 2 prints every instruction with its state, for an accepted program too', () => {
  const p = file('ok2.s', '; section: socket\nr0 = 0\nr1 = 5\nr0 += r1\nexit\n');
  const r = tsbpf(['verify', p, '--log-level', '2', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const log = json(r).log!;
  assert.match(log, /^Live regs before insn:$/m);
  assert.match(log, /^2: \(0f\) r0 \+= r1 +; R0=5 R1=5$/m);
});

test('--prog and --section pick programs; --type overrides the section\'s type', () => {
  const p = file('ctxread.s', '; section: socket\nr0 = *(u32 *)(r1 + 0)\nexit\n');
  // __sk_buff's first field (len) reads fine in a socket filter; xdp_md's first field is data, a pointer.
  assert.equal(tsbpf(['verify', p, '--section', 'socket']).status, 0);
  const asXdp = tsbpf(['verify', p, '--type', 'kprobe', '--json']);
  assert.equal(json(asXdp).programs.length, 1);
  assert.equal(tsbpf(['verify', p, '--prog', 'ctxread']).status, 0);
  assert.equal(tsbpf(['verify', p, '--prog', 'other']).status, 2);
});

test('bad input exits 2: no such file, malformed assembly or ELF, unknown type', () => {
  const missing = tsbpf(['verify', join(dir, 'nope.o')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file/);
  const badAsm = tsbpf(['verify', file('bad.s', 'r0 = = 1\nexit\n')]);
  assert.equal(badAsm.status, 2);
  assert.match(badAsm.stderr, /bad\.s:1/);
  const elf = new Uint8Array(64);
  elf.set([0x7f, 0x45, 0x4c, 0x46]);
  const badElf = tsbpf(['verify', file('bad.o', Buffer.from(elf).toString('latin1'))]);
  assert.equal(badElf.status, 2);
  const badType = tsbpf(['verify', file('t.s', 'r0 = 0\nexit\n'), '--type', 'nonesuch', '--json']);
  assert.equal(badType.status, 2);
  assert.match(JSON.parse(badType.stdout).error, /unknown program type 'nonesuch'/);
  assert.equal(tsbpf(['verify', file('t2.s', 'r0 = 0\nexit\n'), '--log-level', '7']).status, 2);
});

test('a C object: the rejection carries the C source line from BTF line info', { skip: noClang }, () => {
  const obj = compileObject('kernel_reject').path;
  const r = tsbpf(['verify', obj, '--json']);
  assert.equal(r.status, 1, r.stderr);
  const j = json(r);
  assert.match(j.error!, /R1 offset is outside of the packet/);
  assert.equal(j.source?.file.replace(/^.*\//, ''), 'kernel_reject.c');
  assert.match(j.source!.text, /data\[20\]/);
  assert.match(j.explanation!.fix, /data \+ 21 > data_end/);
  assert.match(j.log!, /^; return data\[20\] == 7 \? XDP_DROP : XDP_PASS; @ kernel_reject\.c:\d+$/m);
});

test('loading into the VM verifies first; verify: false and --no-verify skip it', { skip: noClang }, () => {
  const insns = assemble('r0 = *(u8 *)(r1 + 0)\nexit', 'unsafe.s');
  const vm = new Vm({ helpers: kernelHelpers() });
  assert.throws(() => vm.loadProgram({ name: 'unsafe', type: 'xdp', insns }), (e: unknown) => isVerifierError(e) && /program 'unsafe': verifier: R1 invalid mem access 'scalar'|invalid bpf_context access/.test(e.message));
  assert.equal(vm.loadProgram({ name: 'unsafe', type: 'xdp', insns, verify: false }).name, 'unsafe');
  assert.equal(new Vm({ helpers: kernelHelpers(), verify: false }).loadProgram({ name: 'unsafe', type: 'xdp', insns }).type, 'xdp');
  // Through the CLI: the object's unchecked packet read is refused by `prog load`, unless told not to verify.
  const obj = compileObject('kernel_reject').path;
  const store = tempStore();
  const refused = tsbpf(['prog', 'load', obj, join(store, 'p1'), '--bpffs', store]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /program 'xdp_unchecked': verifier: R1 offset is outside of the packet/);
  const loaded = tsbpf(['prog', 'load', obj, join(store, 'p2'), '--bpffs', store, '--no-verify']);
  assert.equal(loaded.status, 0, loaded.stderr);
});
