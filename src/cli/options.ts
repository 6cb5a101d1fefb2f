/**
 * The options every prog/map/btf verb shares (--json, --pretty, --bpffs) and the parse of a verb's
 * command line: util.parseArgs for the `--` options, the bpftool-style keywords left as positionals
 * (see tokens.ts).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PinStore } from '../pin/store.js';
import { defaultStoreDir } from '../pin/store-path.js';
import { UsageError } from './io.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean', short: 'j', default: false },
  pretty: { type: 'boolean', short: 'p', default: false },
  bpffs: { type: 'string' },
  target: { type: 'string' },
  // Loading into the VM verifies each program, as the kernel does; this skips it (for testing).
  'no-verify': { type: 'boolean', default: false },
} as const satisfies OptionSpecs;

export interface Common {
  /** Print one JSON document (--json, or --pretty for indented JSON). */
  json: boolean;
  pretty: boolean;
  /** The pin store, opened (and created) on first use. */
  store(): PinStore;
  storeDir: string;
  /** --target: tsbpf's VM and pin store (default), or the running kernel through bpf(2). */
  target: 'vm' | 'kernel';
  /** Verify programs as they load into the VM (false with --no-verify). */
  verify: boolean;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  common: Common;
}

/** The verbs that have a kernel form, for the message to a verb that has none. */
export const KERNEL_VERBS = 'verify, prog show/load/run/dump/tracelog, map show/dump/lookup/update/delete/getnext/freeze, btf dump';

/** `kernel`: the verb implements --target kernel; any other verb refuses it rather than ignore it. */
export function parseCommand(argv: string[], options: OptionSpecs, how: { kernel?: boolean } = {}): ParsedCommand {
  const parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS, ...options } });
  const values = parsed.values as Record<string, unknown>;
  const target = values.target ?? 'vm';
  if (target !== 'vm' && target !== 'kernel') throw new UsageError(`--target must be vm or kernel, not '${String(target)}'`);
  if (target === 'kernel' && !how.kernel) throw new UsageError(`this command has no --target kernel form (those with one: ${KERNEL_VERBS})`);
  const storeDir = typeof values.bpffs === 'string' ? values.bpffs : defaultStoreDir();
  let store: PinStore | undefined;
  const common: Common = {
    json: values.json === true || values.pretty === true,
    pretty: values.pretty === true,
    storeDir,
    target,
    verify: values['no-verify'] !== true,
    store: () => (store ??= PinStore.open(storeDir)),
  };
  return { values: values as ParsedCommand['values'], positionals: parsed.positionals, common };
}
