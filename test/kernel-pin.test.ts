/**
 * Kernel objects by name and by id: pinning in bpffs and opening the pin again (BPF_OBJ_PIN/GET),
 * the id lists (BPF_*_GET_NEXT_ID), opening by id (BPF_*_GET_FD_BY_ID) and what
 * BPF_OBJ_GET_INFO_BY_FD says. Pins are made under /sys/fs/bpf/tsbpf-kt-<pid>-* and removed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../src/isa/insn.js';
import { programTag } from '../src/vm/runtime.js';
import { isKernelError } from '../src/kernel/errors.js';
import { btfLoad, kernelBtfImage } from '../src/kernel/btf.js';
import { KernelMap } from '../src/kernel/kernel-map.js';
import { KernelProgram } from '../src/kernel/kernel-program.js';
import { btfInfo, getFdById, getNextId, listIds, objGet, objPin } from '../src/kernel/objects.js';
import { progLoad } from '../src/kernel/prog-load.js';
import { closeFd, openFdCount } from '../src/kernel/syscall.js';
import { bpffsMounted, hex, kernelObject, noKernel, noKernelObjects, pinPath, removePins, u32 } from './support/kernel-kit.js';
import { removeTempDir } from './support/tools.js';

const why = noKernel() ?? (bpffsMounted() ? undefined : 'bpffs is not mounted at /sys/fs/bpf');
if (why) console.log(`# kernel-pin: skipped: ${why}`);

after(() => {
  removePins();
  removeTempDir();
});

/** r0 = 2 (XDP_PASS); exit */
const PASS = [
  { code: 0xb7, dst: 0, src: 0, off: 0, imm: 2 },
  { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
];

describe('pins, ids and info', { skip: why }, () => {
  const fdsAtStart = why ? 0 : openFdCount();
  after(() => assert.equal(openFdCount(), fdsAtStart, 'every fd the tests opened is closed'));

  test('a map pinned and got back is the same map', () => {
    const m = KernelMap.create({ type: 'hash', name: 'tsbpf_kt_pin', keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 });
    const path = pinPath('map');
    let again: KernelMap | undefined;
    try {
      m.update(u32(1), u32(0xabcd));
      m.pin(path);
      assert.throws(() => m.pin(path), (e: unknown) => isKernelError(e) && e.code === 'EEXIST' && e.message.includes(path));
      again = KernelMap.fromPin(path);
      assert.notEqual(again.fd, m.fd);
      assert.equal(again.id, m.id);
      assert.deepEqual(again.spec, { type: 'hash', name: 'tsbpf_kt_pin', keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 });
      assert.equal(hex(again.lookup(u32(1))), 'cdab0000');
      again.update(u32(2), u32(7));
      assert.equal(hex(m.lookup(u32(2))), '07000000', 'one map behind two fds');
    } finally {
      again?.close();
      m.close();
      removePins();
    }
  });

  test('getting a pin that does not exist is ENOENT "no such pin"', () => {
    const path = pinPath('missing');
    assert.throws(() => objGet(path), (e: unknown) => isKernelError(e) && e.code === 'ENOENT' && /no such pin/.test(e.message) && e.message.includes(path));
  });

  test('a program pinned, listed by id, opened by id', () => {
    const { fd, log } = progLoad({ type: 6, insns: encode(PASS), license: 'GPL', name: 'tsbpf_kt_pass' });
    assert.equal(log, '');
    const prog = new KernelProgram(fd, 'tsbpf_kt_pass', 'xdp');
    const path = pinPath('prog');
    const opened: KernelProgram[] = [];
    try {
      assert.equal(prog.tag, programTag(PASS));
      assert.equal(prog.testRun({ dataIn: new Uint8Array(64) }).retval, 2);
      prog.pin(path);
      const fromPin = KernelProgram.fromPin(path);
      opened.push(fromPin);
      assert.deepEqual([fromPin.id, fromPin.name, fromPin.type, fromPin.tag], [prog.id, 'tsbpf_kt_pass', 'xdp', prog.tag]);
      assert.ok(listIds('prog').includes(prog.id));
      const byId = KernelProgram.fromFd(getFdById('prog', prog.id));
      opened.push(byId);
      assert.equal(byId.tag, prog.tag);
      assert.equal(byId.testRun({ dataIn: new Uint8Array(64) }).retval, 2);
      const xlated = byId.info({ xlated: true }).xlated;
      assert.equal(hex(xlated), hex(encode(PASS)), 'the translated program of a trivial program is the program');
    } finally {
      for (const p of opened) p.close();
      prog.close();
      removePins();
    }
  });

  test('id lists: walking from 0 gives increasing ids; a map opened by id has the same info', () => {
    const m = KernelMap.create({ type: 'array', name: 'tsbpf_kt_ids', keySize: 4, valueSize: 8, maxEntries: 2, flags: 0 });
    try {
      const ids = listIds('map');
      assert.ok(ids.includes(m.id));
      assert.deepEqual([...ids].sort((a, b) => a - b), ids);
      assert.equal(getNextId('map', Math.max(...ids)), undefined, 'past the last id');
      const byId = KernelMap.fromFd(getFdById('map', m.id));
      try {
        assert.deepEqual(byId.info(), m.info());
      } finally {
        byId.close();
      }
      assert.throws(() => getFdById('map', 0x7ffffff0), (e: unknown) => isKernelError(e) && e.code === 'ENOENT' && /no map with id/.test(e.message));
      assert.ok(Array.isArray(listIds('link')));
    } finally {
      m.close();
    }
  });

  test('BTF loaded from an object is listed, and its bytes come back as loaded', { skip: noKernelObjects() }, () => {
    const spec = kernelObject('kernel_xdp');
    const image = kernelBtfImage(spec.btf!);
    const { fd } = btfLoad(image.bytes);
    try {
      const info = btfInfo(fd, { bytes: true });
      assert.ok(listIds('btf').includes(info.id));
      assert.equal(info.kernelBtf, false);
      assert.equal(info.size, image.bytes.length);
      assert.equal(hex(info.bytes), hex(image.bytes));
    } finally {
      closeFd(fd);
    }
  });

  test('objPin of a path outside bpffs is refused with a reason', () => {
    const m = KernelMap.create({ type: 'array', name: 'tsbpf_kt_bad', keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 });
    try {
      assert.throws(() => objPin(m.fd, `/tmp/tsbpf-kt-${process.pid}-not-bpffs`), (e: unknown) => isKernelError(e) && /bpffs/.test(e.message));
    } finally {
      m.close();
    }
  });
});
