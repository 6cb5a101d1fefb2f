#!/usr/bin/env node
// Builds the C examples: every examples/*.c becomes examples/*.o with
//   clang -O2 -g -target bpf -c X.c -o X.o -I/usr/include/<multiarch>
// Objects are build outputs (not committed); only out-of-date ones are rebuilt.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch] ?? `${process.arch}-linux-gnu`;
const clang = process.env.CLANG ?? 'clang';

const probe = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  process.stderr.write(`examples/build.mjs: '${clang}' is not available: install clang (and libbpf-dev for <bpf/bpf_helpers.h>)\n`);
  process.exit(1);
}

let failed = 0;
for (const c of readdirSync(dir).filter((f) => f.endsWith('.c')).sort()) {
  const src = join(dir, c);
  const obj = src.replace(/\.c$/, '.o');
  if (existsSync(obj) && statSync(obj).mtimeMs >= statSync(src).mtimeMs) continue;
  const args = ['-O2', '-g', '-target', 'bpf', '-c', src, '-o', obj, `-I/usr/include/${multiarch}`];
  const r = spawnSync(clang, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`examples/build.mjs: ${c} did not compile\n`);
  } else {
    process.stderr.write(`built examples/${c.replace(/\.c$/, '.o')}\n`);
  }
}
process.exit(failed ? 1 : 0);
