/** `tsbpf prog ...`: bpftool's program verbs over object files and the pin store. */
import type { Command } from '../command.js';
import { progDumpCommand } from './prog-dump.js';
import { progLoadallCommand, progLoadCommand } from './prog-load.js';
import { progRunCommand } from './prog-run.js';
import { progPinCommand, progShowCommand, progTracelogCommand } from './prog-show.js';

export const progCommand: Command = {
  name: 'prog',
  summary: 'load, inspect and run programs (bpftool prog)',
  usage: 'tsbpf prog <command> ...',
  details: [
    'PROG is pinned PATH | id N | name NAME | tag TAG (a program in the pin store); run, dump and pin also take an',
    'object file (OBJ) with --prog NAME or --section SEC.',
  ],
  subcommands: [progShowCommand, progLoadCommand, progLoadallCommand, progDumpCommand, progRunCommand, progTracelogCommand, progPinCommand],
};
