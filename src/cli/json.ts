/**
 * JSON as bpftool writes it (its json_writer.c): compact for --json, and for --pretty (and the text
 * form of typed map dumps) the same odd-but-familiar layout, where an object's members go on new
 * lines indented four spaces a level but array elements follow one another (`},{`). Bigints from
 * typed values print as plain digits, as bpftool prints u64s.
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [k: string]: JsonValue | undefined };

class JsonWriter {
  out = '';
  private depth = 0;
  private sep = '';

  constructor(private readonly pretty: boolean) {}

  private eor(): void {
    this.out += this.sep;
    this.sep = ',';
  }

  private eol(): void {
    if (this.pretty) this.out += '\n' + '    '.repeat(this.depth);
  }

  private begin(c: string): void {
    this.eor();
    this.out += c;
    this.depth++;
    this.sep = '';
  }

  private end(c: string): void {
    this.depth--;
    if (this.sep !== '') this.eol();
    this.out += c;
    this.sep = ',';
  }

  private name(n: string): void {
    this.eor();
    this.eol();
    this.sep = '';
    this.out += JSON.stringify(n) + (this.pretty ? ': ' : ':');
  }

  value(v: JsonValue): void {
    if (Array.isArray(v)) {
      this.begin('[');
      for (const x of v) this.value(x);
      this.end(']');
    } else if (v !== null && typeof v === 'object') {
      this.begin('{');
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        this.name(k);
        this.value(x);
      }
      this.end('}');
    } else {
      this.eor();
      this.out += typeof v === 'bigint' ? v.toString() : typeof v === 'number' && !Number.isFinite(v) ? 'null' : JSON.stringify(v);
    }
  }
}

/** One JSON document (no trailing newline); `pretty` gives bpftool's -p layout. */
export function jsonText(v: JsonValue, pretty = false): string {
  const w = new JsonWriter(pretty);
  w.value(v);
  return w.out;
}

/** bpftool's byte arrays: ["0x01","0x00",...]. */
export function hexArray(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b) => '0x' + b.toString(16).padStart(2, '0'));
}

/** bpftool's plain-text bytes: "01 00 00 00". */
export function hexSpaced(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
