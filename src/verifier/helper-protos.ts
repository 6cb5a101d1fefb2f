/**
 * Prototypes the verifier needs for kernel helpers tsbpf's VM does not implement: a program calling
 * them can still be checked as the kernel checks it (it cannot run in the VM, which refuses the call
 * by name). The VM's own helpers carry their prototypes in src/helpers/; these add no implementation.
 */
import type { HelperDef } from '../helpers/registry.js';
import { helperId } from '../isa/helper-names.js';

export type HelperProto = Pick<HelperDef, 'id' | 'name' | 'args' | 'ret' | 'gplOnly'>;

function proto(name: string, args: HelperProto['args'], ret: HelperProto['ret'], gplOnly = false): HelperProto {
  const id = helperId(name);
  if (id === undefined) throw new Error(`verifier/helper-protos: no helper is named ${name}`);
  return { id, name: `bpf_${name}`, args, ret, gplOnly };
}

export const VERIFIER_ONLY_PROTOS: readonly HelperProto[] = [
  proto('perf_event_read', ['const_map_ptr', 'anything'], 'integer', true),
  proto('get_current_task', [], 'integer', true),
  proto('get_stack', ['ptr_to_ctx', 'ptr_to_uninit_mem', 'const_size_or_zero', 'anything'], 'integer', true),
  proto('get_current_cgroup_id', [], 'integer'),
  proto('send_signal', ['anything'], 'integer'),
  proto('get_cgroup_classid', ['ptr_to_ctx'], 'integer'),
  proto('get_hash_recalc', ['ptr_to_ctx'], 'integer'),
  proto('skb_pull_data', ['ptr_to_ctx', 'anything'], 'integer'),
];

const BY_ID = new Map(VERIFIER_ONLY_PROTOS.map((p) => [p.id, p]));
export const verifierOnlyProto = (id: number): HelperProto | undefined => BY_ID.get(id);

/**
 * Helpers after which every packet pointer is invalid (bpf_helper_changes_pkt_data): they may move
 * or resize the packet.
 */
export const CHANGES_PKT_DATA: ReadonlySet<string> = new Set([
  'skb_store_bytes', 'skb_change_head', 'skb_change_tail', 'skb_pull_data', 'xdp_adjust_head', 'xdp_adjust_meta',
  'xdp_adjust_tail', 'l3_csum_replace', 'l4_csum_replace', 'skb_vlan_push', 'skb_vlan_pop', 'clone_redirect',
  'skb_change_proto', 'skb_adjust_room', 'skb_generic_push', 'lwt_push_encap', 'lwt_seg6_store_bytes',
  'lwt_seg6_adjust_srh', 'lwt_seg6_action', 'msg_pull_data', 'msg_push_data', 'msg_pop_data', 'xdp_store_bytes',
]);

/** The kernel's license_is_gpl_compatible. */
export function gplCompatible(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}
