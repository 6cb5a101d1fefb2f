/** The verifier: control-flow checks, the scalar domain and the abstract interpreter. */
export { verifyProgram, BPF_COMPLEXITY_LIMIT_INSNS, type VerifyOptions, type VerifyResult } from './verify.js';
export { analyzeCfg, type Cfg, type CfgOptions } from './cfg.js';
export { VerifierError, VerifierLog, isVerifierError, MSG, VLOG, type BranchDecision, type SourceRef } from './log.js';
export { explainRejection, describeScalar, type Explanation } from './explain.js';
export { formatInsn as formatVerifierInsn, formatReg } from './print.js';
export { regTypeStr, type Reg, type VState } from './state.js';
