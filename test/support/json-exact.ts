/**
 * A JSON reader that keeps numbers as their source text, so 64-bit values printed by bpftool can be
 * compared exactly (JSON.parse would round them to doubles).
 */
export type ExactJson = { num: string } | string | boolean | null | ExactJson[] | { [k: string]: ExactJson };

export function parseExactJson(text: string): ExactJson {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (why: string): never => {
    throw new Error(`JSON at ${i}: ${why}: ${text.slice(i, i + 40)}`);
  };
  const value = (): ExactJson => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [k: string]: ExactJson } = {};
      ws();
      if (text[i] === '}') return i++, obj;
      for (;;) {
        ws();
        const k = value();
        if (typeof k !== 'string') fail('key is not a string');
        ws();
        if (text[i++] !== ':') fail('expected :');
        obj[k as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return i++, obj;
        else fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const arr: ExactJson[] = [];
      ws();
      if (text[i] === ']') return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return i++, arr;
        else fail('expected , or ]');
      }
    }
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return JSON.parse(text.slice(start, i)) as string;
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected token');
    i += m![1]!.length;
    if (m![1] === 'true') return true;
    if (m![1] === 'false') return false;
    if (m![1] === 'null') return null;
    return { num: m![1]! };
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return v;
}
