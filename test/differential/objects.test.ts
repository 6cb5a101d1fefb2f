/**
 * The kernel is the oracle for the project's own test objects: every test/c object with XDP, tc or
 * socket-filter programs is loaded with loadObjectIntoKernel and loadObjectIntoVm, each such program
 * is test-run on the same frames in both, and retval, data_out and afterwards every map's contents
 * must agree. Objects (or programs) the kernel refuses are skipped and listed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { ObjectSpec } from '../../src/elf/object.js';
import { loadObjectIntoKernel, type KernelObject } from '../../src/kernel/load-object.js';
import { possibleCpus } from '../../src/kernel/cpus.js';
import { isKernelError } from '../../src/kernel/errors.js';
import type { BpfMap } from '../../src/maps/types.js';
import { packet } from '../../src/net/packet.js';
import { testRun } from '../../src/progtypes/test-run.js';
import { loadObjectIntoVm } from '../../src/vm/load-object.js';
import { Vm } from '../../src/vm/runtime.js';
import { hex, kernelObject, noKernelObjects } from '../support/kernel-kit.js';
import { rng } from '../support/rng.js';
import { testHelpers } from '../support/progtypes-oracle.js';
import { C_DIR, removeTempDir } from '../support/tools.js';

const why = noKernelObjects();
if (why) console.log(`differential objects: skipped: ${why}`);
after(removeTempDir);

const RUNNABLE = new Set(['xdp', 'sched_cls', 'sched_act', 'socket_filter']);
/** Maps whose values are ids or kernel objects, not data both sides can hold alike. */
const OPAQUE = new Set(['prog_array', 'array_of_maps', 'hash_of_maps', 'perf_event_array', 'ringbuf', 'user_ringbuf', 'devmap', 'devmap_hash', 'cpumap', 'xskmap', 'sockmap', 'sockhash', 'cgroup_array', 'stack_trace', 'queue', 'stack', 'cgroup_storage', 'percpu_cgroup_storage', 'sk_storage', 'inode_storage', 'task_storage', 'cgrp_storage', 'arena', 'bloom_filter', 'struct_ops', 'lpm_trie']);

function frames(): Uint8Array[] {
  const r = rng(0xd1ff);
  const mac = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
  return [
    packet({ eth: mac, src: '10.0.0.1', dst: '10.0.0.2', udp: { srcPort: 1234, dstPort: 53 }, payload: 'hello, kernel' }),
    packet({ eth: mac, src: '192.168.1.7', dst: '10.1.2.3', tcp: { srcPort: 40000, dstPort: 80, flags: 0x02 }, payload: 'GET / HTTP/1.0\r\n\r\n' }),
    packet({ eth: mac, src: 'fd00::1', dst: 'fd00::2', udp: { srcPort: 5353, dstPort: 5353 }, payload: r.bytes(40) }),
    packet({ eth: mac, src: '10.9.8.7', dst: '10.0.0.1', protocol: 1, payload: Uint8Array.from([8, 0, 0, 0, 0, 1, 0, 1]) }),
    Uint8Array.from([...r.bytes(12), 0x08, 0x06, ...r.bytes(46)]), // ARP-typed, random
    Uint8Array.from([...r.bytes(12), 0x08, 0x00]), // an Ethernet header alone
    r.bytes(200),
  ];
}

const PER_CPU = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash']);

/**
 * Per-CPU values summed over the CPUs, 8 bytes at a time: a kernel test run happens on whichever
 * CPU the calling thread is on (and it may move between runs), the VM's on CPU 0; the counters the
 * programs keep add up the same.
 */
function perCpuSum(v: Uint8Array, valueSize: number): Uint8Array {
  const stride = (valueSize + 7) & ~7;
  const sum = new Uint8Array(stride);
  const dv = new DataView(sum.buffer);
  const src = new DataView(v.buffer, v.byteOffset, v.byteLength);
  for (let c = 0; c + stride <= v.length; c += stride) {
    for (let o = 0; o < stride; o += 8) dv.setBigUint64(o, BigInt.asUintN(64, dv.getBigUint64(o, true) + src.getBigUint64(c + o, true)), true);
  }
  return sum;
}

function contents(m: BpfMap): string[] {
  const out: string[] = [];
  const perCpu = PER_CPU.has(m.spec.type);
  for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) {
    const v = m.lookup(k);
    out.push(`${hex(k)}=${hex(v && perCpu ? perCpuSum(v, m.spec.valueSize) : v)}`);
  }
  return out.sort();
}

function objectNames(): string[] {
  return readdirSync(C_DIR).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
}

test('test objects with packet programs agree with the kernel', { skip: why }, async () => {
  // src/helpers, plus the test shim of the progtypes tests for helpers it does not have yet.
  const { registry, from } = await testHelpers();
  const t0 = Date.now();
  const report: string[] = [];
  const differences: string[] = [];
  let compared = 0, runs = 0;
  for (const name of objectNames()) {
    let spec: ObjectSpec;
    try {
      spec = kernelObject(name);
    } catch {
      continue; // not an object this way (a harness, a CO-RE target...): other tests cover it
    }
    const progs = spec.programs.filter((p) => RUNNABLE.has(p.type));
    if (!progs.length) continue;
    // The whole object, else program by program (the kernel may refuse one of them).
    const groups: string[][] = [];
    let kobjs: { names: string[]; kobj: KernelObject }[] = [];
    try {
      kobjs = [{ names: progs.map((p) => p.name), kobj: loadObjectIntoKernel(spec, { programs: progs.map((p) => p.name) }) }];
    } catch {
      for (const p of progs) groups.push([p.name]);
    }
    for (const g of groups) {
      try {
        kobjs.push({ names: g, kobj: loadObjectIntoKernel(spec, { programs: g }) });
      } catch (e) {
        report.push(`${name}: ${g[0]}: the kernel refuses it (${isKernelError(e) ? e.code : String(e).slice(0, 80)})`);
      }
    }
    for (const { names, kobj } of kobjs) {
      try {
        const vm = new Vm({ helpers: registry, nCpus: possibleCpus() });
        let vobj;
        try {
          vobj = loadObjectIntoVm(vm, spec);
        } catch (e) {
          differences.push(`${name}.c: the kernel loads it, the VM refuses it: ${String(e)}`);
          continue;
        }
        for (const pname of names) {
          compared++;
          for (const [i, f] of frames().entries()) {
            const where = `${name}.c: ${pname}: frame ${i}`;
            let k: { retval?: number; dataOut?: string; error?: string };
            let v: { retval?: number; dataOut?: string; error?: string };
            try {
              const o = kobj.programs.get(pname)!.testRun({ dataIn: f });
              k = { retval: o.retval, dataOut: hex(o.dataOut) };
            } catch (e) {
              k = { error: isKernelError(e) ? e.code : String(e) };
            }
            try {
              const o = testRun(vm, vobj.programs.get(pname)!, { dataIn: f });
              v = { retval: o.retval, dataOut: hex(o.dataOut) };
            } catch (e) {
              v = { error: (e as { code?: string }).code ?? String(e) };
            }
            runs++;
            if (k.retval !== v.retval || k.dataOut !== v.dataOut || k.error !== v.error) {
              differences.push(`${where}: kernel ${JSON.stringify(k)}, vm ${JSON.stringify(v)}`);
            }
          }
        }
        for (const [mname, km] of kobj.maps) {
          if (OPAQUE.has(km.spec.type)) continue;
          const vm2 = vobj.maps.get(mname);
          if (!vm2) continue;
          const a = contents(km), b = contents(vm2.map);
          if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${name}.c: map ${mname} after the runs of ${names.join(', ')}:\n  kernel ${a.join(' ')}\n  vm     ${b.join(' ')}`);
        }
      } finally {
        kobj.close();
      }
    }
  }
  console.log(`differential objects: ${compared} programs, ${runs} runs, ${differences.length} differences, ${report.length} refused by the kernel (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const r of report) console.log(`  ${r}`);
  console.log(`  helpers: ${from}`);
  assert.deepEqual(differences, []);
});
