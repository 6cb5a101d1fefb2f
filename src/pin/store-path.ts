/** Where the pin store lives when `--bpffs DIR` does not say. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** The path bpftool users write pins under; mapped onto the store root so their commands work as written. */
export const SYS_BPFFS = '/sys/fs/bpf';

/**
 * `$TSBPF_BPFFS`, else `$XDG_STATE_HOME/tsbpf/bpffs`, else `~/.local/state/tsbpf/bpffs` (the XDG
 * base-directory spec ignores a relative XDG_STATE_HOME, and so do we).
 */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TSBPF_BPFFS) return resolve(env.TSBPF_BPFFS);
  const xdg = env.XDG_STATE_HOME;
  const stateHome = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state');
  return join(stateHome, 'tsbpf', 'bpffs');
}
