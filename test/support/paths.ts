/** Where things are, seen from the compiled tests in dist/test/. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The shared conformance vectors, read in place (never copied into the project). */
export const CONFORMANCE_DIR = join(REPO_ROOT, '..', 'shared', 'conformance');
