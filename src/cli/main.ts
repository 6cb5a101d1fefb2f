/** The `tsbpf` command: a table of verbs, each in commands/. */
import { BpfError } from '../errors.js';
import type { Command, Output } from './command.js';
import { UsageError } from './io.js';
import { runCommand } from './commands/run.js';
import { asmCommand, disasmCommand } from './commands/asm.js';

export const COMMANDS: readonly Command[] = [runCommand, asmCommand, disasmCommand];

const VERSION = '0.1.0';

function help(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'tsbpf — the Linux BPF system in TypeScript',
    '',
    'Usage: tsbpf <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Run `tsbpf <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, '', c.summary, '', ...c.details.map((d) => '  ' + d), ''].join('\n');
}

const processOutput: Output = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    const c = verb === 'help' && rest[0] ? COMMANDS.find((x) => x.name === rest[0]) : undefined;
    out.stdout(c ? commandHelp(c) : help());
    return 0;
  }
  if (verb === '--version' || verb === '-V') {
    out.stdout(VERSION + '\n');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === verb);
  if (!cmd) {
    out.stderr(`tsbpf: unknown command '${verb}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.stdout(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(rest, out);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      out.stderr(`tsbpf ${cmd.name}: ${(e as Error).message}\nUsage: ${cmd.usage}\n`);
      return 2;
    }
    if (e instanceof BpfError) {
      out.stderr(`tsbpf ${cmd.name}: error: ${e.message}\n`);
      return 1;
    }
    // Anything else is a bug in tsbpf: say so plainly, with the stack for the report.
    out.stderr(`tsbpf ${cmd.name}: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
