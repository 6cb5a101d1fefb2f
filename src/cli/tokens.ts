/**
 * bpftool's keyword syntax: `pinned PATH`, `id 3`, `key 0x01 0 0 0`, `value hex 02 00 00 00`,
 * `type hash key 4 value 8 entries 16 name counts`. A Tokens stream hands out the words in order and
 * says precisely what it expected when a word is missing or wrong.
 */
import { UsageError } from './io.js';

export class Tokens {
  private i = 0;

  constructor(private readonly words: readonly string[]) {}

  get done(): boolean {
    return this.i >= this.words.length;
  }

  peek(): string | undefined {
    return this.words[this.i];
  }

  next(what: string): string {
    const w = this.words[this.i];
    if (w === undefined) throw new UsageError(`missing ${what}`);
    this.i++;
    return w;
  }

  /** Consume `word` if it is next. */
  accept(word: string): boolean {
    if (this.words[this.i] !== word) return false;
    this.i++;
    return true;
  }

  expect(word: string, context: string): void {
    const w = this.words[this.i];
    if (w !== word) throw new UsageError(`${context}: expected '${word}'${w === undefined ? '' : `, got '${w}'`}`);
    this.i++;
  }

  rest(): string[] {
    const r = this.words.slice(this.i);
    this.i = this.words.length;
    return r;
  }

  end(): void {
    if (!this.done) throw new UsageError(`unexpected '${this.words[this.i]}'`);
  }
}

/** A non-negative whole number, decimal or 0x hex. */
export function parseUint(text: string, what: string, max = 0xffffffff): number {
  const v = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v) || v > max) throw new UsageError(`${what}: '${text}' is not a number from 0 to ${max}`);
  return v;
}

export type ObjectRef =
  | { by: 'pinned'; path: string }
  | { by: 'id'; id: number }
  | { by: 'name'; name: string }
  | { by: 'tag'; tag: string };

export const REF_WORDS = ['pinned', 'id', 'name', 'tag'];

/** `pinned PATH` | `id N` | `name NAME` (and `tag TAG` for programs). */
export function parseRef(t: Tokens, what: 'map' | 'prog'): ObjectRef {
  const kw = t.next(`${what === 'map' ? 'MAP' : 'PROG'} (pinned PATH, id N or name NAME)`);
  switch (kw) {
    case 'pinned': return { by: 'pinned', path: t.next('the pin path after pinned') };
    case 'id': return { by: 'id', id: parseUint(t.next('the id after id'), 'id') };
    case 'name': return { by: 'name', name: t.next('the name after name') };
    case 'tag': {
      if (what !== 'prog') break; // maps have no tags
      const tag = t.next('the tag after tag');
      if (!/^[0-9a-f]{16}$/i.test(tag)) throw new UsageError(`tag '${tag}' is not 16 hex digits`);
      return { by: 'tag', tag: tag.toLowerCase() };
    }
    default:
      break;
  }
  throw new UsageError(`expected ${what === 'map' ? 'MAP' : 'PROG'} as pinned PATH, id N or name NAME, got '${kw}'`);
}

export function describeRef(r: ObjectRef): string {
  switch (r.by) {
    case 'pinned': return `pinned ${r.path}`;
    case 'id': return `id ${r.id}`;
    case 'name': return `name ${r.name}`;
    case 'tag': return `tag ${r.tag}`;
  }
}

/**
 * DATA as bpftool reads it: bytes as numbers (`0x01 0 0 0`, each 0..255, decimal or 0x hex) up to
 * the next word that is not one, or `hex` followed by hex bytes (`hex 01 00 00 00`, or `hex 01000000`).
 */
export function parseData(t: Tokens, what: string): Uint8Array {
  const bytes: number[] = [];
  if (t.accept('hex')) {
    while (!t.done && /^([0-9a-f]{2})+$/i.test(t.peek()!)) {
      const w = t.next('hex');
      for (let i = 0; i < w.length; i += 2) bytes.push(parseInt(w.slice(i, i + 2), 16));
    }
    if (bytes.length === 0) throw new UsageError(`${what}: 'hex' must be followed by hex bytes like 01 00 00 00`);
    return Uint8Array.from(bytes);
  }
  while (!t.done && /^(0x[0-9a-f]{1,2}|\d{1,3})$/i.test(t.peek()!)) bytes.push(parseUint(t.next(what), `${what} byte`, 255));
  if (bytes.length === 0 && !t.done) {
    throw new UsageError(`${what}: '${t.peek()}' is not a byte (give bytes like 0x01 0 0 0, or hex 01 00 00 00)`);
  }
  return Uint8Array.from(bytes);
}
