/**
 * Helpers every program type has (snprintf, strncmp, bpf_loop, for_each_map_elem, probe_read_kernel)
 * run in one XDP program by the VM and by the kernel (BPF_PROG_TEST_RUN): the packets must be equal.
 * The expected values below are what Linux 6.18 returned, so the VM is checked without a kernel too.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { clangMissing, loadHelpersObject, runPacket, TestXdp } from './support/helpers-kit.js';
import { kernelCleanup, kernelLoad, kernelMissing, kernelRun } from './support/kernel-oracle.js';
import { removeElfTempDir } from './support/elf-tools.js';

const skip = clangMissing();
const noKernel = skip ?? kernelMissing();
if (skip) console.log(`# skipping helpers-oracle tests: ${skip}`);
else if (noKernel) console.log(`# not comparing with the kernel: ${noKernel}`);
after(() => {
  kernelCleanup();
  removeElfTempDir();
});

const cstr = (b: Uint8Array): string => new TextDecoder().decode(b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)));

test('base helpers give the kernel\'s results, byte for byte', { skip }, () => {
  const t = loadHelpersObject('helpers_oracle');
  const input = new Uint8Array(300);
  const xdp = new TestXdp(input);
  const { ret } = runPacket(t.vm, t.prog('xdp_misc'), xdp);
  assert.equal(ret, 2);
  const data = xdp.packet();
  if (!noKernel) {
    const k = kernelRun(`${kernelLoad(t.path, 'oracle')}/xdp_misc`, input);
    assert.equal(k.ret, ret);
    assert.deepEqual(xdp.testRunOutput(), k.data, 'the same packet as the kernel');
  }
  assert.equal(cstr(data.subarray(0, 64)), '-42|  word|beef  |Q|18446744073709551615|00007');
  assert.equal(cstr(data.subarray(64, 72)), '4294967');
  const dv = new DataView(data.buffer, data.byteOffset + 128);
  const out = Array.from({ length: 20 }, (_, i) => dv.getBigInt64(i * 8, true));
  assert.deepEqual(out, [
    47n, 13n, 9n, 9n, // snprintf: full lengths with the NUL, whatever the buffer held
    0n, -1n, 1n, 0n, // strncmp
    100n, 328350n, -22n, 0xfffffff9n, // bpf_loop: stopped at i == 99; flags; too many loops (inlined: a 32-bit -E2BIG)
    5n, 35n, // for_each_map_elem over 5 array elements, writing 3k+1 into each
    -34n, 0n, 5n, 3n, 0x6f77n, -34n, // probe_read_kernel(_str): a user address is ERANGE; strings with their NUL
  ]);
  assert.deepEqual([0, 1, 2, 3, 4].map((k) => t.value('nums', k)), [1n, 4n, 7n, 10n, 13n]);
});
