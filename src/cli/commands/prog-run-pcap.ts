/**
 * `prog run --pcap-in F [--pcap-out F]`: the program over every frame of a capture (net/pcap-run),
 * reported as verdict counts and the frames the test run would refuse (skipped, with why).
 */
import { writeFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { runPcap } from '../../net/pcap-run.js';
import { writePcap, writePcapng } from '../../net/pcap.js';
import type { Vm, VmProgram } from '../../vm/runtime.js';
import { readInput } from '../io.js';
import type { JsonValue } from '../json.js';

export function runCapture(vm: Vm, prog: VmProgram, inPath: string, outPath?: string): { json: { [k: string]: JsonValue }; text: string[] } {
  const r = runPcap(vm, prog, readInput(inPath));
  const frames = r.results.length + r.skipped;
  if (outPath !== undefined) {
    const packets = r.packets.map((p) => ({ timestampNs: p.timestampNs, data: p.data, originalLength: p.originalLength }));
    const bytes = /\.pcapng$/i.test(outPath) ? writePcapng(packets) : writePcap(packets, { nanosecond: true });
    try {
      writeFileSync(outPath, bytes);
    } catch (e) {
      throw new BpfError('EIO', `${outPath}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: outPath });
    }
  }
  const verdicts = Object.fromEntries(Object.entries(r.verdicts).sort(([a], [b]) => a.localeCompare(b)));
  const json: { [k: string]: JsonValue } = {
    frames, verdicts, skipped: r.skipped,
    skipped_frames: r.skippedPackets.map((s) => ({ index: s.index, reason: s.reason })),
    written: r.packets.length, duration_ns: r.durationNs, insns: r.insns,
  };
  const w = Math.max(0, ...Object.keys(verdicts).map((k) => k.length));
  const text = [
    `${frames} frame${frames === 1 ? '' : 's'}: ${r.results.length} run, ${r.skipped} skipped${outPath !== undefined ? `, ${r.packets.length} written to ${outPath}` : ''}`,
    ...Object.entries(verdicts).map(([k, n]) => `  ${k.padEnd(w)}  ${n}`),
    ...r.skippedPackets.map((s) => `  skipped frame ${s.index}: ${s.reason}`),
  ];
  return { json, text };
}
