/** The JIT: eBPF compiled to WebAssembly (compile.ts), run in linear memory (context.ts). */
export { compile, type JitProgram, type JitFunction, type CompileResult } from './compile.js';
export { executeJit, jitOf, interpreterHandOvers, JitContext } from './context.js';
export { ENGINES, DEFAULT_ENGINE, DEFAULT_RAW_ENGINE, parseEngine, type Engine } from './engine.js';
export { wasmText } from './dump.js';
