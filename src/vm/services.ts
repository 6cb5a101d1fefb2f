/**
 * What the runtime (vm/runtime.ts) offers the helpers of a running program. The interpreter only
 * passes it through; helpers reach maps, the environment and the program's context through it.
 * Bare interpreter runs (tsbpf run, the conformance suite) have none.
 */
export interface RunServices {
  /** Marks the object as services; the runtime's class carries the real members. */
  readonly kind: 'tsbpf-run-services';
}
