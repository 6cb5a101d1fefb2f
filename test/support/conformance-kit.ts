/** What the tests of the conformance suite (interpreter and JIT) share: its files and its helper. */
import { existsSync, readdirSync } from 'node:fs';
import { HelperRegistry } from '../../src/helpers/registry.js';
import { CONFORMANCE_DIR } from './paths.js';

/** The suite's .data files in order ([] when the shared vectors are not there). */
export function conformanceFiles(): string[] {
  return existsSync(CONFORMANCE_DIR) ? readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.data')).sort() : [];
}

/** The conformance suite's test-only helper 5: returns r1; the program stops when that is 0. */
export function conformanceHelpers(): HelperRegistry {
  return new HelperRegistry([{
    id: 5, name: 'unwind', args: ['anything'], ret: 'integer',
    impl: (call, r1) => {
      if (r1 === 0n) call.exit();
      return r1;
    },
  }]);
}
