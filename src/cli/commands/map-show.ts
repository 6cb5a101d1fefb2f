/** `tsbpf map show [MAP]` and `tsbpf map pin MAP PATH`. */
import type { Command } from '../command.js';
import { parseCommand } from '../options.js';
import { readSession, resolveMapId, writeSession } from '../store-access.js';
import { parseRef, Tokens } from '../tokens.js';
import { emit, mapShowJson, mapShowText } from './map-common.js';

export const mapShowCommand: Command = {
  name: 'show',
  aliases: ['list'],
  summary: 'show one map or every map in the store',
  usage: 'tsbpf map show [pinned PATH | id N | name NAME] [--bpffs DIR] [--json]',
  details: ['Prints id, type, name, flags, key/value sizes, max_entries, frozen and the pins, as bpftool map show.'],
  run(argv, out) {
    const { positionals, common } = parseCommand(argv, {});
    const t = new Tokens(positionals);
    readSession(common, (_s, store) => {
      if (t.done) {
        const live = store.live();
        const all = store.ids('map').filter((id) => live.maps.has(id)).map((id) => mapShowJson(store, id));
        emit(out, common, all, () => all.map(mapShowText).join('\n'));
        return;
      }
      const ref = parseRef(t, 'map');
      t.end();
      const o = mapShowJson(store, resolveMapId(store, ref));
      emit(out, common, o, () => mapShowText(o));
    });
    return 0;
  },
};

export const mapPinCommand: Command = {
  name: 'pin',
  summary: 'pin a map at another path',
  usage: 'tsbpf map pin (id N | name NAME | pinned PATH) PATH [--bpffs DIR] [--json]',
  details: ['The new pin names the same map: changes through either path are seen through both.'],
  run(argv, out) {
    const { positionals, common } = parseCommand(argv, {});
    const t = new Tokens(positionals);
    const ref = parseRef(t, 'map');
    const path = t.next('PATH');
    t.end();
    writeSession(common, (_s, store) => {
      store.addPin(path, 'map', resolveMapId(store, ref));
    });
    emit(out, common, null, '');
    return 0;
  },
};
