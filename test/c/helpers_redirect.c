/* bpf_redirect_map in the VM. The kernel wants a devmap, cpumap or xskmap, which the VM lacks, so
 * the target table here is an array: a key with an entry is a hit. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

/* The first packet byte is the key, the second the flags. */
SEC("xdp")
int xdp_redirect_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 2 > end)
		return XDP_DROP;
	return bpf_redirect_map(&ports, ((__u8 *)data)[0], ((__u8 *)data)[1]);
}

char LICENSE[] SEC("license") = "GPL";
