// The pre-BTF way to define maps: struct bpf_map_def objects in a section named "maps". libbpf 1.x
// refuses these; tsbpf loads them with a warning.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 64,
	.map_flags = 0,
};

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = 16,
	.max_entries = 8,
	.map_flags = 0,
};

SEC("socket")
int legacy_user(struct __sk_buff *skb)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&legacy_hash, &k);
	if (v)
		return *v;
	return bpf_map_lookup_elem(&legacy_array, &k) != 0;
}

char LICENSE[] SEC("license") = "GPL";
