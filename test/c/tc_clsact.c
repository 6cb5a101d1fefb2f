/*
 * Packet counters for test/kernel-tc-clsact.test.ts: one SEC("tc") program per clsact hook,
 * each counting frames into its own slot and letting them through (TC_ACT_OK).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pkts SEC(".maps");

static int bump(__u32 k)
{
	__u64 *n = bpf_map_lookup_elem(&pkts, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_OK;
}

SEC("tc")
int count_ingress(struct __sk_buff *skb) { return bump(0); }

SEC("tc")
int count_egress(struct __sk_buff *skb) { return bump(1); }
