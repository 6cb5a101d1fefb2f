/** The kernel's BPF printf subset (format.ts) and the trace_pipe line, without a VM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bprintf, traceLine, type FormatMemory } from '../src/helpers/index.js';
import { fixedEnv } from '../src/vm/env.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Memory with strings and bytes at made-up addresses; anything else faults. */
function memory(strings: Record<string, string | Uint8Array> = {}): FormatMemory {
  const at = (addr: bigint) => strings['0x' + addr.toString(16)];
  return {
    string(addr, max) {
      const s = at(addr);
      if (s === undefined) return undefined;
      const b = typeof s === 'string' ? enc(s) : s;
      return b.subarray(0, max);
    },
    bytes(addr, n) {
      const s = at(addr);
      if (s === undefined) return undefined;
      const b = typeof s === 'string' ? enc(s) : s;
      return b.length >= n ? b.subarray(0, n) : undefined;
    },
  };
}

function fmt(f: string, args: (bigint | number)[] = [], mem = memory()): string {
  const r = bprintf(enc(f), args.map((a) => BigInt.asUintN(64, BigInt(a))), mem);
  if (!r.ok) return `<${r.errno}>`;
  return new TextDecoder().decode(r.bytes);
}

test('integers: int-sized without l, long with l or ll, signed or not, hex in either case', () => {
  assert.equal(fmt('%d %i %u %x %X', [-1, 0x80000000, -1, 0xabcdef12, 0xabcdef12]), '-1 -2147483648 4294967295 abcdef12 ABCDEF12');
  assert.equal(fmt('%d', [0x1_0000_0005n]), '5', 'the low 32 bits');
  assert.equal(fmt('%ld %lu %lld %llx', [-5, -1, 1n << 63n, -1]), '-5 18446744073709551615 -9223372036854775808 ffffffffffffffff');
  assert.equal(fmt('%%d %d%%', [7]), '%d 7%');
});

test('flags and widths as vsprintf: 0 pads numbers, - left-justifies, + and space signs', () => {
  assert.equal(fmt('[%6d][%-6d][%06d][%+d][% d][%+06d]', [-12, -12, -12, 3, 3, 3]), '[   -12][-12   ][-00012][+3][ 3][+00003]');
  assert.equal(fmt('[%-06x][%08X][%3u]', [255, 255, 12345]), '[ff    ][000000FF][12345]');
  assert.equal(fmt('[%+u][% x]', [3, 3]), '[3][3]', 'no sign on unsigned conversions');
});

test('strings and characters; a bad string address prints nothing', () => {
  const mem = memory({ '0x1000': 'abc' });
  assert.equal(fmt('[%s][%5s][%-5s][%pks][%pus]', [0x1000, 0x1000, 0x1000, 0x1000, 0x1000], mem), '[abc][  abc][abc  ][abc][abc]');
  assert.equal(fmt('[%s]', [0xbad], mem), '[]');
  assert.equal(fmt('[%c][%3c][%-3c]', [0x141, 0x42, 0x43]), '[A][  B][C  ]');
  assert.equal(fmt('%s.', [0x1000], mem), 'abc.', 'punctuation may follow %s');
  assert.equal(fmt('%sx', [0x1000], mem), '<EINVAL>', 'a letter may not');
});

test('pointers: 16 hex digits; symbols as 0x-addresses; IP addresses from memory', () => {
  assert.equal(fmt('%p %pK %px', [0xffff900000000010n, 0x10, 0]), 'ffff900000000010 0000000000000010 0000000000000000');
  assert.equal(fmt('[%20p][%-20p]', [0xab, 0xab]), '[                  ab][ab                  ]', 'a width replaces the default zero padding');
  assert.equal(fmt('%ps %pS %pB', [0xffffffff81000000n, 0x10, 0x20]), '0xffffffff81000000 0x10 0x20');
  const v6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const mem = memory({ '0x10': Uint8Array.of(192, 168, 1, 20), '0x20': v6 });
  assert.equal(fmt('%pI4 %pi4', [0x10, 0x10], mem), '192.168.1.20 192.168.001.020');
  assert.equal(fmt('%pI6 %pi6', [0x20, 0x20], mem), '2001:0db8:0000:0000:0000:0000:0000:0001 20010db8000000000000000000000001');
  assert.equal(fmt('%pI6c!', [0x20], mem), '2001:0db8:0000:0000:0000:0000:0000:0001!', 'letters after %pI6 are skipped, not compressed');
  assert.equal(fmt('%pI4', [0xbad], mem), '0.0.0.0', 'unreadable: zeros');
  assert.equal(fmt('%pZ', [0]), '<EINVAL>');
  assert.equal(fmt('%pI5', [0x10], mem), '<EINVAL>');
});

test('what the kernel refuses: -EINVAL', () => {
  for (const f of ['%d', '%q', '%hd', '%.2d', '%*d', '%#x', '%zd', '%lf', 'tab\tok %d\x01']) {
    assert.equal(fmt(f, f === '%d' ? [] : [1]), '<EINVAL>', JSON.stringify(f));
  }
  assert.equal(fmt('tab\tand newline\n'), 'tab\tand newline\n', 'white space is allowed');
  assert.equal(fmt('%d %d %d %d', [1, 2, 3]), '<EINVAL>', 'more conversions than arguments');
});

test('the packed arguments may take 512 bytes: long strings are cut, then -ENOSPC', () => {
  const mem = memory({ '0x1000': 'x'.repeat(600) });
  assert.equal(fmt('%s', [0x1000], mem), 'x'.repeat(511));
  assert.equal(fmt('%s%d', [0x1000, 1], mem), '<ENOSPC>');
  assert.equal(fmt('%s%c', [0x1000, 0x41], mem), '<ENOSPC>');
});

test('trace lines: comm right-aligned in 16, pid left-aligned in 7, CPU in 3 digits, seconds.micros', () => {
  const env = fixedEnv();
  assert.equal(traceLine(env, 1, 'd..31', 3_052_015_658_123n, 'bpf_trace_printk', 'hi'),
    '      tsbpf-test-4242    [001] d..31  3052.015658: bpf_trace_printk: hi');
  assert.equal(traceLine({ ...env, comm: 'bpftool', pid: 16176 }, 0, 'b..11', 123_456_789_000_000n, 'bpf_trace_printk', 'x'),
    '         bpftool-16176   [000] b..11 123456.789000: bpf_trace_printk: x');
});
