/*
 * Packet counters for test/kernel-attach.test.ts: XDP, tcx ingress and egress, cgroup_skb
 * ingress and egress, each counting frames into its own slot and letting them pass.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} pkts SEC(".maps");

enum { XDP, TCX_IN, TCX_OUT, CG_IN, CG_OUT };

static void bump(__u32 k)
{
	__u64 *n = bpf_map_lookup_elem(&pkts, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("xdp")
int count_xdp(struct xdp_md *ctx) { bump(XDP); return XDP_PASS; }

SEC("tcx/ingress")
int count_tcx_in(struct __sk_buff *skb) { bump(TCX_IN); return -1; /* TCX_NEXT */ }

SEC("tcx/egress")
int count_tcx_out(struct __sk_buff *skb) { bump(TCX_OUT); return -1; }

SEC("cgroup_skb/ingress")
int count_cg_in(struct __sk_buff *skb) { bump(CG_IN); return 1; }

SEC("cgroup_skb/egress")
int count_cg_out(struct __sk_buff *skb) { bump(CG_OUT); return 1; }
