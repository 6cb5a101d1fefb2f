/**
 * `--target kernel` on the CLI, through bin/tsbpf.js, against the running kernel: verify (the
 * verifier's verdict and log), prog load into real bpffs pins, prog show compared with
 * `bpftool -j prog show` for the ids both see, prog run, dump xlated/jited, the map verbs on kernel
 * maps, btf dump by id, and the error messages. Only ids this file created are touched; every pin
 * is removed at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileObject, removeTempDir, tempDir } from './support/tools.js';
import { fails, ok, okJson, tsbpf } from './support/cli-kit.js';
import { noKernelObjects } from './support/kernel-kit.js';

const why = noKernelObjects();
const bpftool = spawnSync('bpftool', ['version']).status === 0;
const BASE = `/sys/fs/bpf/tsbpf-clik-${process.pid}`;
const PIN = `${BASE}-prog`;
const MAPS = `${BASE}-maps`;

after(() => {
  rmSync(PIN, { force: true });
  rmSync(MAPS, { recursive: true, force: true });
  removeTempDir();
});

const k = (...args: string[]) => tsbpf([...args, '--target', 'kernel']);

describe('tsbpf --target kernel', { skip: why }, () => {
  let obj = '';
  let reject = '';
  let frame = '';
  let progId = 0;
  before(() => {
    obj = compileObject('kernel_xdp').path;
    reject = compileObject('kernel_reject').path;
    frame = join(tempDir(), 'f60.bin');
    const f = new Uint8Array(60);
    f[12] = 0x08;
    writeFileSync(frame, f);
  });

  test('verify: the kernel verifier accepts kernel_xdp.o and rejects kernel_reject.o with its log', () => {
    const good = okJson(k('verify', obj, '--json')) as { target: string; programs: { name: string; verdict: string }[] };
    assert.equal(good.target, 'kernel');
    assert.deepEqual(good.programs.map((p) => p.verdict), ['accepted', 'accepted']);
    const bad = k('verify', reject);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /rejected/);
    assert.match(bad.stdout, /EACCES/);
    assert.match(bad.stdout, /invalid access to packet/, 'the verifier log is printed');
    const log2 = okJson(k('verify', obj, '--log-level', '2', '--json', '--prog', 'xdp_tail')) as { programs: { log: string }[] };
    assert.match(log2.programs[0]!.log, /processed \d+ insns/);
    const vm = ok(tsbpf(['verify', obj]));
    assert.match(vm.stdout, /accepted by tsbpf's verifier/);
  });

  test('prog load pins into bpffs; prog show matches bpftool -j prog show', () => {
    ok(k('prog', 'load', obj, PIN, '--prog', 'xdp_main', 'pinmaps', MAPS));
    assert.ok(existsSync(PIN));
    assert.ok(existsSync(`${MAPS}/stats`) && existsSync(`${MAPS}/kernel_x_rodata`), 'maps pinned, dots made underscores');
    const mine = okJson(k('prog', 'show', 'pinned', PIN, '--json')) as Record<string, unknown>;
    progId = mine.id as number;
    assert.equal(mine.name, 'xdp_main');
    assert.equal(mine.type, 'xdp');
    const list = okJson(k('prog', 'show', '--json')) as { id: number }[];
    assert.ok(list.some((p) => p.id === progId), 'the list has the new program');
    const text = ok(k('prog', 'show', 'id', String(progId))).stdout;
    assert.match(text, new RegExp(`^${progId}: xdp  name xdp_main  tag [0-9a-f]{16}  gpl\\n\\tloaded_at .*  uid 0\\n\\txlated \\d+B  jited \\d+B  memlock \\d+B  map_ids [\\d,]+\\n\\tbtf_id \\d+\\n$`));
    if (bpftool) {
      const theirs = JSON.parse(spawnSync('bpftool', ['-j', 'prog', 'show', 'id', String(progId)], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
      assert.ok(Math.abs((theirs.loaded_at as number) - (mine.loaded_at as number)) <= 2, 'loaded_at within 2 s');
      assert.deepEqual({ ...mine, loaded_at: 0 }, { ...theirs, loaded_at: 0 });
      assert.deepEqual(Object.keys(mine), Object.keys(theirs), 'members in bpftool\'s order');
    }
  });

  test('map verbs on the pinned kernel maps, and prog run on the pinned program', () => {
    const stats = `${MAPS}/stats`;
    const show = okJson(k('map', 'show', 'pinned', stats, '--json')) as Record<string, unknown>;
    assert.equal(show.type, 'array');
    assert.equal(show.bytes_value, 24);
    ok(k('map', 'update', 'pinned', stats, 'key', '2', '0', '0', '0', 'value', 'hex', '07000000000000000800000000000000', '09000000', '00000000'));
    const got = okJson(k('map', 'lookup', 'pinned', stats, 'key', '2', '0', '0', '0', '--json')) as { formatted: { value: { frames: number; last_len: number } } };
    assert.equal(got.formatted.value.frames, 7, 'typed through the map\'s BTF');
    assert.equal(got.formatted.value.last_len, 9);
    fails(k('map', 'delete', 'pinned', stats, 'key', '2', '0', '0', '0'), /EINVAL/);
    const r = okJson(k('prog', 'run', 'pinned', PIN, '--data-in', frame, '--json')) as { retval: string; verdict: string; maps: Record<string, { key: string; value: string }[]> };
    assert.equal(r.retval, '0x2');
    assert.equal(r.verdict, 'XDP_PASS');
    const byProto = okJson(k('map', 'dump', 'pinned', `${MAPS}/by_proto`, '--json')) as { key: string[]; value: string[] }[];
    assert.deepEqual(byProto.map((e) => e.key), [['0x08', '0x00']], 'the run counted its EtherType in the kernel map');
    ok(k('map', 'freeze', 'pinned', `${MAPS}/kernel_x_data`));
    fails(k('map', 'update', 'pinned', `${MAPS}/kernel_x_data`, 'key', '0', '0', '0', '0', 'value', '1', '0', '0', '0'), /EPERM/);
  });

  test('prog run on an object file: same output shape as the VM, same verdicts', () => {
    const kr = okJson(k('prog', 'run', obj, '--prog', 'xdp_main', '--data-in', frame, '--json')) as Record<string, unknown>;
    const vr = okJson(tsbpf(['prog', 'run', obj, '--prog', 'xdp_main', '--data-in', frame, '--json', '--bpffs', tempDir()])) as Record<string, unknown>;
    assert.equal(kr.retval, vr.retval);
    assert.equal(kr.verdict, vr.verdict);
    assert.equal(kr.data_out, vr.data_out);
    assert.deepEqual((kr.maps as Record<string, unknown>).stats, (vr.maps as Record<string, unknown>).stats);
  });

  test('prog dump xlated is bpftool\'s listing; jited is hex with a note', () => {
    const mine = ok(k('prog', 'dump', 'xlated', 'id', String(progId))).stdout;
    assert.match(mine, /call __htab_map_lookup_elem#\d+|call bpf_map_lookup_elem#\d+/);
    if (bpftool) {
      const theirs = spawnSync('bpftool', ['prog', 'dump', 'xlated', 'id', String(progId)], { encoding: 'utf8' }).stdout;
      const insnLines = (s: string) => s.split('\n').filter((l) => /^\s*\d+: \(/.test(l)).map((l) => l.replace(/(call pc[+-]\d+)#.*/, '$1'));
      assert.deepEqual(insnLines(mine), insnLines(theirs));
    }
    const j = okJson(k('prog', 'dump', 'jited', 'id', String(progId), '--json')) as { bytes: number; hex: string; note: string };
    assert.equal(j.hex.length, j.bytes * 2);
    assert.match(j.note, /no .* disassembler/);
  });

  test('btf dump of the program\'s BTF by id, and of a kernel map', () => {
    const show = okJson(k('prog', 'show', 'id', String(progId), '--json')) as { btf_id: number };
    const raw = ok(k('btf', 'dump', 'id', String(show.btf_id))).stdout;
    assert.match(raw, /STRUCT 'stats' size=24 vlen=4/);
    const c = ok(k('btf', 'dump', 'map', 'pinned', `${MAPS}/stats`, 'format', 'c')).stdout;
    assert.match(c, /struct stats \{/);
  });

  test('errors say what happened and what to do', () => {
    fails(k('prog', 'show', 'pinned', `${BASE}-missing`), /no such pin/);
    fails(k('map', 'dump', 'pinned', '/tmp/not-bpffs-pin'), /no such pin|not on a bpf filesystem/);
    fails(k('prog', 'load', obj, `${BASE}.dotted`), /does not allow '\.'/);
    fails(k('prog', 'load', obj, PIN), /already exists/);
    fails(k('prog', 'load', obj, '/tmp/x-pin'), /not on a bpf filesystem.*mount -t bpf/);
    fails(k('map', 'push', 'id', '1', 'value', '1'), /no --target kernel form/, '', 2);
    fails(k('prog', 'pin', 'id', '1', '/sys/fs/bpf/x'), /no --target kernel form/, '', 2);
    fails(tsbpf(['prog', 'show', '--target', 'linux']), /--target must be vm or kernel/, '', 2);
  });

  test('nothing is left loaded after removing the pins', () => {
    rmSync(PIN, { force: true });
    rmSync(MAPS, { recursive: true, force: true });
    fails(k('prog', 'show', 'id', String(progId)), /no prog with id/);
  });
});
