/** The `tsbpf` command as a user runs it: through bin/tsbpf.js, in a child process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';
import { BIN, tempStore, tsbpf as tsbpfArgs, type Ran } from './support/cli-kit.js';

const tsbpf = (...args: string[]): Ran => tsbpfArgs(args);

const tmp = tempStore();
function file(name: string, text: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

test('bin/tsbpf.js is an executable node script and --help lists run', () => {
  const head = readFileSync(BIN, 'utf8').split('\n')[0];
  assert.equal(head, '#!/usr/bin/env node');
  assert.ok((statSync(BIN).mode & 0o111) !== 0, 'bin/tsbpf.js is not executable');
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.bin.tsbpf, 'bin/tsbpf.js');
  const r = tsbpf('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^\s+run\s/m);
  assert.match(r.stdout, /^\s+asm\s/m);
  assert.match(r.stdout, /^\s+disasm\s/m);
});

test('run --json prints exactly one object with retval and insns', () => {
  const p = file('a.s', '# comment only line\n# another\nmov %r0, -1\nexit\n');
  const r = tsbpf('run', p, '--json');
  assert.equal(r.status, 0, r.stderr);
  const obj = JSON.parse(r.stdout);
  assert.deepEqual(obj, { retval: '0xffffffffffffffff', insns: 2 });
  assert.equal(r.stdout.trim().split('\n').length, 1);
});

test('run gives r1/r2 from --mem and --mem-file, and the input is empty without them', () => {
  const p = file('len.s', 'r0 = r2\nexit\n');
  assert.equal(JSON.parse(tsbpf('run', p, '--json', '--mem', '0a0b0c').stdout).retval, '0x3');
  assert.equal(JSON.parse(tsbpf('run', p, '--json').stdout).retval, '0x0');
  const m = file('m.bin', new Uint8Array(7));
  assert.equal(JSON.parse(tsbpf('run', p, '--json', '--mem-file', m).stdout).retval, '0x7');
  const rd = file('rd.s', 'ldxh %r0, [%r1+1]\nexit\n');
  assert.equal(JSON.parse(tsbpf('run', rd, '--json', '--mem', '0a0b0c').stdout).retval, '0xc0b');
});

test('run --repeat resets the input before each run and reports ns_per_run', () => {
  // Adds 1 to the first input byte and returns it: with a reset, every run returns 1.
  const p = file('inc.s', 'ldxb %r0, [%r1]\nadd %r0, 1\nstxb [%r1], %r0\nexit\n');
  for (const engine of ['interp', 'jit']) {
    const r = tsbpf('run', p, '--json', '--repeat', '50', '--mem', '00', '--engine', engine);
    assert.equal(r.status, 0, r.stderr);
    const obj = JSON.parse(r.stdout);
    assert.equal(obj.retval, '0x1', engine);
    assert.equal(obj.insns, 4);
    assert.equal(typeof obj.ns_per_run, 'number');
    assert.ok(obj.ns_per_run > 0);
  }
});

test('run accepts raw .bin programs and both syntaxes give the same result', () => {
  const k = file('k.s', 'r0 = 7\nr0 *= 6\nexit\n');
  const u = file('u.s', 'mov %r0, 7\nmul %r0, 6\nexit\n');
  const bin = join(tmp, 'k.bin');
  assert.equal(tsbpf('asm', k, '-o', bin).status, 0);
  for (const prog of [k, u, bin]) assert.equal(JSON.parse(tsbpf('run', prog, '--json').stdout).retval, '0x2a');
  const d = tsbpf('disasm', bin);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /r0 = 7/);
  assert.match(d.stdout, /r0 \*= 6/);
});

test('faults and bad input exit non-zero with a message, never by a signal', () => {
  const cases: [string[], RegExp][] = [
    [[file('oob.s', 'ldxdw %r0, [%r10]\nexit\n')], /insn 0: invalid read of 8 bytes/],
    [[file('loop.s', 'l:\nja l\nexit\n')], /budget of 1000000 exhausted/],
    [[file('bad.s', 'mov %r0, 1\nfrobnicate %r1\nexit\n')], /bad\.s:2: /],
    [[file('badreg.s', 'mov %r11, 1\nexit\n')], /badreg\.s:1: /],
    [[file('label.s', 'ja nowhere\nexit\n')], /label\.s:1: .*nowhere/],
    [[file('trunc.bin', new Uint8Array(12))], /not a multiple of 8/],
    [[file('jump.bin', Uint8Array.from([0x05, 0, 9, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]))], /insn 0: jump out of range/],
    [[file('callx.s', 'mov %r2, 5\ncall %r2\nexit\n')], /callx/],
    [[join(tmp, 'missing.s')], /no such file/],
    [[file('x.s', 'exit\n'), '--mem', 'abc'], /odd number of hex digits/],
  ];
  for (const [args, re] of cases) {
    const r = tsbpf('run', ...args);
    assert.equal(r.signal, null, `${args.join(' ')} died by a signal`);
    assert.notEqual(r.status, 0, `${args.join(' ')} exited 0`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stdout, '', `${args.join(' ')} wrote to stdout`);
    assert.doesNotMatch(r.stderr, /internal error|    at /, `${args.join(' ')} printed a stack trace`);
  }
});

test('the README examples run as written', () => {
  const r = tsbpf('run', 'examples/tcp_port.s', '--mem-file', 'examples/packets/tcp_syn.bin', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { retval: '0x1bb', insns: 17 });
  const f = tsbpf('run', 'examples/fib.s', '--mem', '0a');
  assert.equal(f.stdout, '0x37\n');
});
