/** The pin store across processes: where it is, concurrent writers, and a writer that died holding the lock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inStore, ok, okJson, tempStore, tsbpf, tsbpfAsync } from './support/cli-kit.js';

test('the store is --bpffs DIR, else $TSBPF_BPFFS, else $XDG_STATE_HOME/tsbpf/bpffs', () => {
  const a = tempStore();
  const xdg = tempStore();
  ok(tsbpf(['map', 'create', 'm', 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'in_env'], { TSBPF_BPFFS: a }));
  ok(tsbpf(['map', 'create', 'm', 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'in_xdg'], { TSBPF_BPFFS: '', XDG_STATE_HOME: xdg }));
  assert.ok(existsSync(join(a, 'm')));
  assert.ok(existsSync(join(xdg, 'tsbpf', 'bpffs', 'm')));
  // --bpffs wins over the environment, before or after the verb.
  assert.equal((okJson(tsbpf(['--bpffs', a, 'map', 'show', 'pinned', 'm', '--json'], { TSBPF_BPFFS: xdg })) as { name: string }).name, 'in_env');
  assert.equal((okJson(tsbpf(['-j', 'map', 'show', 'pinned', 'm', '--bpffs', a])) as { name: string }).name, 'in_env');
});

test('concurrent writers in separate processes do not lose each other\'s updates', async () => {
  const dir = tempStore();
  const t = inStore(dir);
  ok(t('map', 'create', 'h', 'type', 'hash', 'key', '4', 'value', '4', 'entries', '64', 'name', 'h'));
  ok(t('map', 'create', 'c', 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'c'));
  const writers = Array.from({ length: 8 }, (_, i) =>
    tsbpfAsync(['map', 'update', 'pinned', 'h', 'key', String(i), '0', '0', '0', 'value', String(i * 2), '0', '0', '0', '--bpffs', dir]));
  for (const r of await Promise.all(writers)) assert.equal(r.status, 0, r.stderr);
  const dump = okJson(t('map', 'dump', 'pinned', 'h', '--json')) as { key: string[] }[];
  assert.deepEqual(dump.map((e) => Number(e.key[0])).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('a lock left by a process that died is taken over', () => {
  const dir = tempStore();
  const t = inStore(dir);
  ok(t('map', 'create', 'h', 'type', 'hash', 'key', '4', 'value', '4', 'entries', '4', 'name', 'h'));
  // A pid that cannot be running: the kernel's pid_max is at most 2^22.
  writeFileSync(join(dir, '.lock'), '4194999\n');
  ok(t('map', 'update', 'pinned', 'h', 'key', '1', '0', '0', '0', 'value', '1', '0', '0', '0'));
  assert.equal(existsSync(join(dir, '.lock')), false);
});
