#!/usr/bin/env node
// A real tracer, run in the kernel (Linux, as root): load examples/trace_execve.o, attach its
// programs where their SEC() names say, run /bin/true N times, and show what the programs saw:
// the ring-buffer events, the per-command exec counts in the hash map, and the bpf_printk lines.
//
//   npm run build && node examples/build.mjs && sudo node examples/trace_execve.mjs [N]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadObjectSpec, kernelAvailable, loadObjectIntoKernel, attachAll, RingBufferReader, readTraceLog, parseTraceLine, tracefsRoot,
} from '../dist/src/index.js';

const n = Number(process.argv[2] ?? 5);
const file = join(dirname(fileURLToPath(import.meta.url)), 'trace_execve.o');
const avail = kernelAvailable();
if (!avail.ok) {
  console.error(`trace_execve: cannot use bpf(2) here: ${avail.reason}`);
  process.exit(2);
}
if (!existsSync(file)) {
  console.error('trace_execve: examples/trace_execve.o is missing: run `node examples/build.mjs` first');
  process.exit(2);
}

const cstr = (b) => Buffer.from(b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0))).toString();

const obj = loadObjectIntoKernel(loadObjectSpec(readFileSync(file), { file: 'trace_execve.o' }));
const events = new RingBufferReader(obj.maps.get('events'));
let links;
try {
  links = attachAll(obj);
  for (const [prog, att] of links.attachments) console.log(`attached ${prog.padEnd(10)} -> ${att.target}`);

  // Run /bin/true n times, one after another, without blocking the event loop.
  const pids = [];
  for (let i = 0; i < n; i++) {
    const child = spawn('/bin/true');
    pids.push(child.pid);
    await once(child, 'exit');
  }
  console.log(`ran /bin/true ${n} times (pids ${pids.join(', ')})\n`);

  console.log('ring buffer events:');
  const seen = new Set();
  for await (const rec of events.records({ idleTimeoutMs: 1000 })) {
    const pid = new DataView(rec.buffer, rec.byteOffset).getUint32(0, true);
    if (!pids.includes(pid)) continue; // other processes exec too
    seen.add(pid);
    console.log(`  pid ${pid} exec'd ${cstr(rec.subarray(4, 20))}`);
    if (seen.size === pids.length) break;
  }

  links.close();
  console.log('\nexecs per command (hash map exec_counts, every process while attached):');
  const counts = obj.maps.get('exec_counts');
  const rows = [];
  for (let k = counts.getNextKey(undefined); k; k = counts.getNextKey(k)) {
    const v = counts.lookup(k);
    if (v) rows.push([cstr(k), Buffer.from(v).readBigUInt64LE()]);
  }
  rows.sort((a, b) => (a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1] < b[1] ? 1 : -1));
  for (const [comm, count] of rows) console.log(`  ${comm.padEnd(16)} ${count}`);

  // The trace buffer is read, not consumed (other tools may be reading it too); our lines are
  // those of our children's pids.
  const mine = (line) => {
    const t = parseTraceLine(line);
    return t !== undefined && pids.includes(t.pid) && t.message.includes('Hello, BPF World!');
  };
  const lines = await readTraceLog({ filter: mine, timeoutMs: 2000, minLines: n });
  console.log(`\nbpf_printk output (${lines.length} lines, from ${tracefsRoot()}/trace):`);
  for (const l of lines) console.log(`  ${l.trim()}`);
} finally {
  links?.close();
  events.close();
  obj.close();
}
console.log('\ndetached and closed');
