/**
 * The verbs `map` and `prog` both have, over the objects of the pin store: `show [REF]` (one object
 * or every live one, as bpftool's show record) and `pin REF PATH` (another pin for the same object).
 */
import type { PinStore } from '../../pin/store.js';
import type { Command, Output } from '../command.js';
import { wantsKernel } from '../kernel/target.js';
import type { JsonValue } from '../json.js';
import { parseCommand, type Common } from '../options.js';
import { readSession, resolveMapId, resolveProgId, writeSession } from '../store-access.js';
import { parseRef, Tokens } from '../tokens.js';
import { emit } from './map-common.js';

type ShowRecord = { [k: string]: JsonValue };

export interface ObjectKind {
  kind: 'map' | 'prog';
  /** bpftool's show record of a store object, and its text form. */
  showJson(store: PinStore, id: number): ShowRecord;
  showText(o: ShowRecord): string;
  /** The --target kernel form of `show`, when the kind has one. */
  kernel?(argv: string[], out: Output): number;
}

const RESOLVE = { map: resolveMapId, prog: resolveProgId };

/** `show [REF]` (alias `list`) for one kind of object; `help` is the verb's summary, usage and details. */
export function showCommand(k: ObjectKind, help: Pick<Command, 'summary' | 'usage' | 'details'>): Command {
  return {
    name: 'show',
    aliases: ['list'],
    ...help,
    run(argv, out) {
      if (k.kernel && wantsKernel(argv)) return k.kernel(argv, out);
      const { positionals, common } = parseCommand(argv, {});
      const t = new Tokens(positionals);
      readSession(common, (_s, store) => {
        if (t.done) {
          const live = store.live();
          const liveIds = k.kind === 'map' ? live.maps : live.progs;
          const all = store.ids(k.kind).filter((id) => liveIds.has(id)).map((id) => k.showJson(store, id));
          emit(out, common, all, () => all.map(k.showText).join('\n'));
          return;
        }
        const ref = parseRef(t, k.kind);
        t.end();
        const o = k.showJson(store, RESOLVE[k.kind](store, ref));
        emit(out, common, o, () => k.showText(o));
      });
      return 0;
    },
  };
}

/** `pin REF PATH` for an object already in the store: reads REF and PATH (the last words) and adds the pin. */
export function pinStoredObject(t: Tokens, common: Common, kind: 'map' | 'prog'): void {
  const ref = parseRef(t, kind);
  const path = t.next('PATH');
  t.end();
  writeSession(common, (_s, store) => {
    store.addPin(path, kind, RESOLVE[kind](store, ref));
  });
}
