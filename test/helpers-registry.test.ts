/** The helper table: kernel ids, names and prototypes (what the verifier will check calls against). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helperId } from '../src/isa/helper-names.js';
import { HELPER_GROUPS, KERNEL_HELPERS, kernelHelpers } from '../src/helpers/index.js';

const REQUIRED = [
  'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'map_push_elem', 'map_pop_elem', 'map_peek_elem',
  'probe_read', 'probe_read_kernel', 'probe_read_user', 'probe_read_str', 'probe_read_kernel_str', 'probe_read_user_str',
  'ktime_get_ns', 'ktime_get_boot_ns', 'ktime_get_coarse_ns', 'jiffies64', 'trace_printk', 'get_prandom_u32',
  'get_smp_processor_id', 'get_numa_node_id', 'tail_call', 'get_current_pid_tgid', 'get_current_uid_gid',
  'get_current_comm', 'perf_event_output', 'ringbuf_output', 'ringbuf_reserve', 'ringbuf_submit', 'ringbuf_discard',
  'ringbuf_query', 'get_stackid', 'skb_load_bytes', 'skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace', 'csum_diff',
  'xdp_adjust_head', 'xdp_adjust_tail', 'xdp_adjust_meta', 'redirect', 'redirect_map', 'spin_lock', 'spin_unlock',
  'loop', 'for_each_map_elem', 'snprintf', 'strncmp', 'get_func_ip', 'map_lookup_percpu_elem',
];

test('every required helper is registered under its UAPI id and bpf_ name', () => {
  const reg = kernelHelpers();
  for (const n of REQUIRED) {
    const id = helperId(n)!;
    const def = reg.get(id);
    assert.ok(def, `bpf_${n} (#${id}) is registered`);
    assert.equal(def.name, `bpf_${n}`);
    assert.equal(reg.byNameOf(`bpf_${n}`), def);
  }
  assert.equal(new Set(KERNEL_HELPERS.map((h) => h.id)).size, KERNEL_HELPERS.length, 'no id twice');
  assert.notEqual(kernelHelpers(), reg, 'a new registry each call');
});

test('every entry names its bpf_func_proto and has at most five arguments', () => {
  for (const [group, defs] of Object.entries(HELPER_GROUPS)) {
    for (const h of defs) {
      assert.match(h.proto ?? '', /^bpf_\w+_proto(_\w+)?$/, `${group}: ${h.name}`);
      assert.ok(h.args.length <= 5, h.name);
    }
  }
});

test('prototypes are the kernel\'s', () => {
  const reg = kernelHelpers();
  const proto = (n: string) => {
    const h = reg.byNameOf(`bpf_${n}`)!;
    return { args: [...h.args], ret: h.ret, gpl: h.gplOnly };
  };
  assert.deepEqual(proto('map_lookup_elem'), { args: ['const_map_ptr', 'ptr_to_map_key'], ret: 'ptr_to_map_value_or_null', gpl: false });
  assert.deepEqual(proto('map_update_elem'), { args: ['const_map_ptr', 'ptr_to_map_key', 'ptr_to_map_value', 'anything'], ret: 'integer', gpl: false });
  assert.deepEqual(proto('map_pop_elem'), { args: ['const_map_ptr', 'ptr_to_uninit_map_value'], ret: 'integer', gpl: false });
  assert.deepEqual(proto('trace_printk'), { args: ['ptr_to_mem', 'const_size'], ret: 'integer', gpl: true });
  assert.deepEqual(proto('probe_read_kernel'), { args: ['ptr_to_uninit_mem', 'const_size_or_zero', 'anything'], ret: 'integer', gpl: true });
  assert.deepEqual(proto('ringbuf_reserve'), { args: ['const_map_ptr', 'const_alloc_size_or_zero', 'anything'], ret: 'ptr_to_ringbuf_mem_or_null', gpl: false });
  assert.deepEqual(proto('ringbuf_submit'), { args: ['ptr_to_ringbuf_mem_release', 'anything'], ret: 'void', gpl: false });
  assert.deepEqual(proto('tail_call'), { args: ['ptr_to_ctx', 'const_map_ptr', 'anything'], ret: 'void', gpl: false });
  assert.deepEqual(proto('loop'), { args: ['anything', 'ptr_to_func', 'ptr_to_stack_or_null', 'anything'], ret: 'integer', gpl: false });
  assert.deepEqual(proto('csum_diff'), { args: ['ptr_to_mem_or_null', 'const_size_or_zero', 'ptr_to_mem_or_null', 'const_size_or_zero', 'anything'], ret: 'integer', gpl: false });
  assert.deepEqual(proto('snprintf'), { args: ['ptr_to_writable_mem_or_null', 'const_size_or_zero', 'ptr_to_const_str', 'ptr_to_mem_or_null', 'const_size_or_zero'], ret: 'integer', gpl: true });
  assert.deepEqual(proto('spin_lock'), { args: ['ptr_to_spin_lock'], ret: 'void', gpl: false });
  assert.deepEqual(proto('get_current_comm'), { args: ['ptr_to_uninit_mem', 'const_size'], ret: 'integer', gpl: false });
  assert.deepEqual(proto('perf_event_output'), { args: ['ptr_to_ctx', 'const_map_ptr', 'anything', 'ptr_to_mem', 'const_size_or_zero'], ret: 'integer', gpl: true });
  assert.deepEqual(proto('ktime_get_ns'), { args: [], ret: 'integer', gpl: false });
});
