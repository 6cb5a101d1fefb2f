/** The `tsbpf` command: a table of verbs, each in commands/; `map`, `prog` and `btf` have sub-verbs. */
import { BpfError } from '../errors.js';
import type { Command, Output } from './command.js';
import { UsageError } from './io.js';
import { runCommand } from './commands/run.js';
import { asmCommand, disasmCommand } from './commands/asm.js';
import { mapCommand } from './commands/map.js';
import { progCommand } from './commands/prog.js';
import { btfCommand } from './commands/btf.js';
import { verifyCommand } from './commands/verify.js';

export const COMMANDS: readonly Command[] = [runCommand, asmCommand, disasmCommand, verifyCommand, progCommand, mapCommand, btfCommand];

const VERSION = '0.1.0';

function listing(cmds: readonly Command[]): string[] {
  const w = Math.max(...cmds.map((c) => c.name.length));
  return cmds.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`);
}

function help(): string {
  return [
    'tsbpf — the Linux BPF system in TypeScript',
    '',
    'Usage: tsbpf <command> [options]',
    '',
    'Commands:',
    ...listing(COMMANDS),
    '',
    'Options every prog/map/btf command takes: --json (-j), --pretty (-p), --bpffs DIR (the pin store;',
    'default $TSBPF_BPFFS, else $XDG_STATE_HOME/tsbpf/bpffs, else ~/.local/state/tsbpf/bpffs).',
    '--target kernel (default vm): work on the running kernel through bpf(2) instead of tsbpf\'s VM and store',
    '(verify, prog show/load/run/dump, map show/dump/lookup/update/delete/getnext/freeze, btf dump).',
    'Programs loaded into the VM (prog load/run/dump OBJ) are verified first, as bpf(2) does; --no-verify skips',
    'that (for testing unsafe programs). `tsbpf verify` explains a rejection; `tsbpf run` runs bare programs unverified.',
    'Run `tsbpf <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

function commandHelp(c: Command, path: string): string {
  if (c.subcommands) {
    return [`Usage: ${c.usage}`, '', c.summary, '', 'Commands:', ...listing(c.subcommands), '', ...c.details, '',
      `Run \`tsbpf ${path} <command> --help\` for a command's options.`, ''].join('\n');
  }
  return [`Usage: ${c.usage}`, '', c.summary, '', ...c.details.map((d) => '  ' + d), ''].join('\n');
}

// A reader that goes away (`tsbpf btf dump ... | head`) ends the command quietly, as for any Unix tool.
let pipeGuard = false;
function guardPipes(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}

const processOutput: Output = {
  stdout: (t) => {
    guardPipes();
    process.stdout.write(t);
  },
  stderr: (t) => {
    guardPipes();
    process.stderr.write(t);
  },
};

function find(cmds: readonly Command[], word: string): Command | undefined {
  return cmds.find((c) => c.name === word || c.aliases?.includes(word));
}

/** Options that may come before the verb, as in `bpftool -j map show`; they move after it. */
const GLOBAL_FLAGS = new Set(['--json', '-j', '--pretty', '-p']);

function hoistGlobalOptions(argv: string[]): string[] {
  const lead: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (GLOBAL_FLAGS.has(a)) lead.push(a);
    else if (a === '--bpffs' && i + 1 < argv.length) lead.push(a, argv[++i]!);
    else if (a.startsWith('--bpffs=')) lead.push(a);
    else if (a === '--target' && i + 1 < argv.length) lead.push(a, argv[++i]!);
    else if (a.startsWith('--target=')) lead.push(a);
    else break;
  }
  return [...argv.slice(i), ...lead];
}

/** Errno-style codes are named after the message, so scripts and people see which errno it was. */
const ERRNO_LIKE = /^E(?!ASM$|DECODE$|IO$)[A-Z0-9]+$/;

function errorText(e: BpfError): string {
  return ERRNO_LIKE.test(e.code) && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message;
}

const wantsJson = (argv: readonly string[]): boolean => argv.some((a) => a === '--json' || a === '-j' || a === '--pretty' || a === '-p');

export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  const args = hoistGlobalOptions(argv);
  const [verb, ...rest0] = args;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    const c = verb === 'help' && rest0[0] ? find(COMMANDS, rest0[0]) : undefined;
    out.stdout(c ? commandHelp(c, c.name) : help());
    return 0;
  }
  if (verb === '--version' || verb === '-V') {
    out.stdout(VERSION + '\n');
    return 0;
  }
  let cmd = find(COMMANDS, verb);
  if (!cmd) {
    out.stderr(`tsbpf: unknown command '${verb}'\n\n${help()}`);
    return 2;
  }
  let path = cmd.name;
  let rest = rest0;
  while (cmd.subcommands) {
    const [sub, ...more] = rest;
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      out.stdout(commandHelp(cmd, path));
      return 0;
    }
    if (sub === undefined || sub.startsWith('-')) {
      out.stderr(`tsbpf ${path}: which command?\n\n${commandHelp(cmd, path)}`);
      return 2;
    }
    const next = find(cmd.subcommands, sub);
    if (!next) {
      out.stderr(`tsbpf ${path}: unknown command '${sub}'\n\n${commandHelp(cmd, path)}`);
      return 2;
    }
    cmd = next;
    path = `${path} ${next.name}`;
    rest = more;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.stdout(commandHelp(cmd, path));
    return 0;
  }
  const json = wantsJson(rest);
  try {
    return await cmd.run!(rest, out);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      if (json) out.stdout(JSON.stringify({ error: (e as Error).message }) + '\n');
      out.stderr(`tsbpf ${path}: ${(e as Error).message}\nUsage: ${cmd.usage}\n`);
      return 2;
    }
    if (e instanceof BpfError) {
      const msg = errorText(e);
      if (json) out.stdout(JSON.stringify({ error: msg }) + '\n');
      out.stderr(`tsbpf ${path}: error: ${msg}\n`);
      return 1;
    }
    // Anything else is a bug in tsbpf: say so plainly, with the stack for the report.
    out.stderr(`tsbpf ${path}: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
