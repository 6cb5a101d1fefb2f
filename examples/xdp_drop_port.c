// XDP: drop TCP segments to one destination port (80), pass everything else. A per-CPU array
// counts the drops (index 0) and the passes (index 1).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BLOCKED_PORT 80

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

static __always_inline int account(__u32 idx, int action)
{
	__u64 *n = bpf_map_lookup_elem(&verdicts, &idx);
	if (n)
		*n += 1;
	return action;
}

SEC("xdp")
int xdp_drop_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_TCP)
		return account(1, XDP_PASS);
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return account(1, XDP_PASS);
	if (tcp->dest == bpf_htons(BLOCKED_PORT))
		return account(0, XDP_DROP);
	return account(1, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
