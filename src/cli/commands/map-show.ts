/** `tsbpf map show [MAP]` and `tsbpf map pin MAP PATH`. */
import type { Command } from '../command.js';
import { parseCommand } from '../options.js';
import { Tokens } from '../tokens.js';
import { emit, mapShowJson, mapShowText } from './map-common.js';
import { kernelMapShow } from '../kernel/map.js';
import { pinStoredObject, showCommand } from './object-verbs.js';

export const mapShowCommand: Command = showCommand({ kind: 'map', showJson: mapShowJson, showText: mapShowText, kernel: kernelMapShow }, {
  summary: 'show one map or every map in the store (or the kernel)',
  usage: 'tsbpf map show [pinned PATH | id N | name NAME] [--target vm|kernel] [--bpffs DIR] [--json]',
  details: [
    'Prints id, type, name, flags, key/value sizes, max_entries, frozen and the pins, as bpftool map show.',
    '--target kernel: the kernel\'s maps (or MAP: id N, pinned PATH in bpffs, name NAME), as bpftool map show.',
  ],
});

export const mapPinCommand: Command = {
  name: 'pin',
  summary: 'pin a map at another path',
  usage: 'tsbpf map pin (id N | name NAME | pinned PATH) PATH [--bpffs DIR] [--json]',
  details: ['The new pin names the same map: changes through either path are seen through both.'],
  run(argv, out) {
    const { positionals, common } = parseCommand(argv, {});
    pinStoredObject(new Tokens(positionals), common, 'map');
    emit(out, common, null, '');
    return 0;
  },
};
