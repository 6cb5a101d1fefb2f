/** `tsbpf map ...`: bpftool's map verbs over the pin store. */
import type { Command } from '../command.js';
import { mapCreateCommand } from './map-create.js';
import {
  mapDeleteCommand, mapDumpCommand, mapFreezeCommand, mapGetnextCommand, mapLookupCommand, mapPeekCommand, mapPopCommand,
  mapPushCommand, mapUpdateCommand,
} from './map-elem.js';
import { mapPinCommand, mapShowCommand } from './map-show.js';

export const mapCommand: Command = {
  name: 'map',
  summary: 'create, inspect and change maps in the pin store (bpftool map)',
  usage: 'tsbpf map <command> ...',
  details: [
    'MAP is pinned PATH | id N | name NAME. DATA is bytes as numbers (0x01 0 0 0) or hex (hex 01 00 00 00).',
    'PATH is relative to the store (--bpffs DIR), or under /sys/fs/bpf/ which means the store root.',
    '--target kernel: show, dump, lookup, getnext, update, delete and freeze act on the kernel\'s maps instead',
    '(MAP: id N, pinned PATH on a real bpffs, name NAME).',
  ],
  subcommands: [
    mapShowCommand, mapCreateCommand, mapDumpCommand, mapLookupCommand, mapUpdateCommand, mapDeleteCommand, mapGetnextCommand,
    mapPushCommand, mapPopCommand, mapPeekCommand, mapFreezeCommand, mapPinCommand,
  ],
};
