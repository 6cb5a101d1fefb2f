/**
 * The options every prog/map/btf verb shares (--json, --pretty, --bpffs) and the parse of a verb's
 * command line: util.parseArgs for the `--` options, the bpftool-style keywords left as positionals
 * (see tokens.ts).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PinStore } from '../pin/store.js';
import { defaultStoreDir } from '../pin/store-path.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean', short: 'j', default: false },
  pretty: { type: 'boolean', short: 'p', default: false },
  bpffs: { type: 'string' },
} as const satisfies OptionSpecs;

export interface Common {
  /** Print one JSON document (--json, or --pretty for indented JSON). */
  json: boolean;
  pretty: boolean;
  /** The pin store, opened (and created) on first use. */
  store(): PinStore;
  storeDir: string;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  common: Common;
}

export function parseCommand(argv: string[], options: OptionSpecs): ParsedCommand {
  const parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS, ...options } });
  const values = parsed.values as Record<string, unknown>;
  const storeDir = typeof values.bpffs === 'string' ? values.bpffs : defaultStoreDir();
  let store: PinStore | undefined;
  const common: Common = {
    json: values.json === true || values.pretty === true,
    pretty: values.pretty === true,
    storeDir,
    store: () => (store ??= PinStore.open(storeDir)),
  };
  return { values: values as ParsedCommand['values'], positionals: parsed.positionals, common };
}
