/**
 * Map types the helper tests do not drive from BPF (per-CPU hash, LRU hashes, LPM trie, hash of
 * maps), run from a clang-compiled XDP program in the VM and in the real kernel on the same
 * packets; the verdicts and the maps' contents afterwards must agree.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loadObjectSpec } from '../src/elf/object.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { testRun } from '../src/progtypes/index.js';
import { packet } from '../src/net/index.js';
import { fixedEnv } from '../src/vm/env.js';
import { loadObjectIntoVm } from '../src/vm/load-object.js';
import { Vm } from '../src/vm/runtime.js';
import { clangMissing, compileObject, elfTools } from './support/elf-tools.js';
import { kernelCleanup, kernelLoad, kernelMissing, kernelRun } from './support/kernel-oracle.js';

after(() => kernelCleanup());
const skip = clangMissing() ?? kernelMissing();

/** The same number of CPUs as the kernel's per-CPU maps have, so per-CPU dumps line up. */
function possibleCpus(): number {
  const text = execFileSync('cat', ['/sys/devices/system/cpu/possible'], { encoding: 'utf8' }).trim();
  return text.split(',').reduce((n, part) => {
    const [a, b] = part.split('-').map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}

const frames = [
  packet({ src: '10.0.0.1', dst: '192.168.1.7', ttl: 64, udp: { srcPort: 1000, dstPort: 53 } }),
  packet({ src: '10.0.0.2', dst: '10.1.2.3', ttl: 32, tcp: { srcPort: 2000, dstPort: 80, flags: 0x02 } }),
  packet({ src: '10.0.0.1', dst: '10.9.9.9', ttl: 17, tcp: { srcPort: 2001, dstPort: 443, flags: 0x10 } }),
  packet({ src: '10.0.0.3', dst: '8.8.8.8', ttl: 5, protocol: 1, payload: 'ping' }),
];

const routes: [number, string, number][] = [[8, '10.0.0.0', 1], [16, '10.1.0.0', 2], [24, '192.168.1.0', 3]];

function lpmKey(prefix: number, addr: string): Uint8Array {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setUint32(0, prefix, true);
  k.set(addr.split('.').map(Number), 4);
  return k;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/** bpftool's JSON dump of a pinned map as key hex → value hex (per-CPU: the values summed as u64). */
function kernelDump(pinned: string): Map<string, bigint> {
  const out = JSON.parse(execFileSync(elfTools.bpftool!, ['-j', 'map', 'dump', 'pinned', pinned], { encoding: 'utf8' })) as
    { key: string[]; value?: string[]; values?: { value: string[] }[] }[];
  const bytes = (h: string[]): Uint8Array => Uint8Array.from(h.map((x) => parseInt(x, 16)));
  const num = (b: Uint8Array): bigint => (b.length >= 8 ? new DataView(b.buffer).getBigUint64(0, true) : BigInt(new DataView(b.buffer).getUint32(0, true)));
  return new Map(out.map((e) => [hex(bytes(e.key)), e.values ? e.values.reduce((s, c) => s + num(bytes(c.value)), 0n) : num(bytes(e.value!))]));
}

test('per-CPU hash, LRU hashes, LPM trie and hash of maps agree with the kernel', { skip }, () => {
  const obj = compileObject('maps_prog');
  const nCpus = possibleCpus();
  const vm = new Vm({ helpers: kernelHelpers(), env: fixedEnv(), nCpus });
  const loaded = loadObjectIntoVm(vm, loadObjectSpec(obj.bytes, { file: obj.path }));
  const dir = kernelLoad(obj.path, 'mapsdiff');
  const mapsDir = `${dir}-maps`;
  for (const [prefix, addr, cls] of routes) {
    loaded.maps.get('routes')!.map.update(lpmKey(prefix, addr), u32(cls));
    execFileSync(elfTools.bpftool!, ['map', 'update', 'pinned', `${mapsDir}/routes`, 'key', 'hex', ...hex(lpmKey(prefix, addr)).match(/../g)!, 'value', 'hex', ...hex(u32(cls)).match(/../g)!]);
  }
  const prog = loaded.programs.get('maps_prog')!;
  const verdicts: number[] = [];
  for (const f of frames) {
    const ours = testRun(vm, prog, { dataIn: f });
    const theirs = kernelRun(`${dir}/maps_prog`, f);
    assert.equal(ours.retval, theirs.ret >>> 0, `verdict for ${hex(f.subarray(26, 34))}`);
    verdicts.push(ours.retval);
  }
  assert.deepEqual(verdicts, [2, 1, 2, 2], 'the /16 route (class 2) drops; others pass');

  const sumOf = (name: string): Map<string, bigint> => {
    const m = loaded.maps.get(name)!.map;
    const out = new Map<string, bigint>();
    for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) {
      const v = m.lookup(k)!;
      const stride = m.userValueSize / (m.perCpu ? nCpus : 1);
      let sum = 0n;
      for (let o = 0; o < v.length; o += stride) sum += stride >= 8 ? new DataView(v.buffer, v.byteOffset + o).getBigUint64(0, true) : BigInt(new DataView(v.buffer, v.byteOffset + o).getUint32(0, true));
      out.set(hex(k), sum);
    }
    return out;
  };
  for (const name of ['pc_hash', 'lru', 'lru_pc', 'routes', 'inner0']) {
    assert.deepEqual(sumOf(name), kernelDump(`${mapsDir}/${name}`), `map ${name}`);
  }
  // Concrete values, so that agreeing on nothing cannot pass: two TCP frames; saddr's low byte
  // in memory order is 10 for all four sources, so one LRU entry sums every TTL.
  assert.equal(sumOf('pc_hash').get(hex(u32(6))), 2n);
  assert.equal(sumOf('lru').get(hex(u32(10))), 64n + 32n + 17n + 5n);
  assert.equal(sumOf('inner0').get(hex(u32(0))), BigInt((3 + 1) + (2 + 1) + (1 + 1) + (0 + 1)));
});
