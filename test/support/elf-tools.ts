/**
 * The object-loader tests' names for what test/support/tools.ts provides (kept because other
 * tests import them): compiling test/c programs, the temp dir, running llvm-readelf and bpftool.
 */
import { noClang, removeTempDir, tempDir, tools } from './tools.js';

export { C_DIR, compileObject, compileSource, run, runStatus, type CompiledObject } from './tools.js';

export const elfTools = tools;

/** Why the compiled-object tests cannot run here, or undefined when they can. */
export function clangMissing(): string | undefined {
  return noClang;
}

export const elfTempDir = tempDir;
export const removeElfTempDir = removeTempDir;
