#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm install`/`npm ci` through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tsbpf: the compiled code is missing; run `npm install` (or `npm run build`) in the tsbpf folder first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
