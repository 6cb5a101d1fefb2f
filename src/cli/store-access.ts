/**
 * How verbs reach pinned objects: MAP/PROG references resolved in the store (`pinned PATH`, `id N`,
 * `name NAME`, `tag TAG`), and sessions that open them in a VM. A writing session holds the store's
 * lock from the first read to the write-back, so concurrent CLI processes serialize their changes.
 */
import { BpfError } from '../errors.js';
import type { PinStore } from '../pin/store.js';
import { StoreSession } from '../pin/session.js';
import type { Common } from './options.js';
import { describeRef, type ObjectRef } from './tokens.js';
import { makeVm } from './vm-factory.js';

function resolve(store: PinStore, ref: ObjectRef, kind: 'map' | 'prog'): number {
  const noun = kind === 'map' ? 'map' : 'program';
  switch (ref.by) {
    case 'pinned': {
      const pin = store.readPin(ref.path);
      if (pin.object !== kind) {
        throw new BpfError('EINVAL', `${store.display(pin.rel)}: is a pinned ${pin.object === 'map' ? 'map' : 'program'}, not a ${noun}`);
      }
      if (!store.has(kind, pin.id)) {
        throw new BpfError('ENOENT', `${store.display(pin.rel)}: pins ${noun} id ${pin.id}, which the store's index does not have`);
      }
      return pin.id;
    }
    case 'id':
      store.entry(kind, ref.id);
      return ref.id;
    case 'name': {
      const ids = store.findByName(kind, ref.name);
      if (ids.length === 0) throw new BpfError('ENOENT', `no ${noun} named '${ref.name}' in the bpffs store ${store.dir}`);
      if (ids.length > 1) throw new BpfError('EINVAL', `${ids.length} ${noun}s are named '${ref.name}' (ids ${ids.join(', ')}): say which with id N`);
      return ids[0]!;
    }
    case 'tag': {
      const ids = store.ids('prog').filter((id) => store.readProg(id).tag === ref.tag);
      if (ids.length === 0) throw new BpfError('ENOENT', `no program with tag ${ref.tag} in the bpffs store ${store.dir}`);
      if (ids.length > 1) throw new BpfError('EINVAL', `${ids.length} programs have tag ${ref.tag} (ids ${ids.join(', ')}): say which with id N`);
      return ids[0]!;
    }
  }
}

export const resolveMapId = (store: PinStore, ref: ObjectRef): number => resolve(store, ref, 'map');
export const resolveProgId = (store: PinStore, ref: ObjectRef): number => resolve(store, ref, 'prog');

export function newSession(store: PinStore, verify = true): StoreSession {
  return new StoreSession(store, makeVm(store.nCpus, verify));
}

/** A session that only reads: no lock, nothing written. */
export function readSession<T>(common: Common, fn: (s: StoreSession, store: PinStore) => T): T {
  const store = common.store();
  return fn(newSession(store, common.verify), store);
}

/**
 * A session that may change things: under the store lock, then every changed map is written back
 * and objects nothing keeps alive are collected.
 */
export function writeSession<T>(common: Common, fn: (s: StoreSession, store: PinStore) => T): T {
  const store = common.store();
  return store.write(() => {
    const s = newSession(store, common.verify);
    let r: T;
    try {
      r = fn(s, store);
    } catch (e) {
      // Nothing is written back; objects the failed command stored but did not pin go.
      try {
        store.collect();
      } catch {
        /* the first error is the one to report */
      }
      throw e;
    }
    s.writeBack();
    store.collect();
    return r;
  });
}

export { describeRef };
