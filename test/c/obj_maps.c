// BTF-defined maps of several types: sizes given by type (key/value) and by number (key_size),
// flags, map_extra, numa_node, pinning, a ring buffer, and map-in-map / prog-array with `values`
// initialisation (relocations in .rel.maps).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct value_t {
	__u64 packets;
	__u64 bytes;
	char name[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct value_t);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, __u64);
	__uint(numa_node, 0);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 5000);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100);
	__type(value, __u32);
	__uint(map_extra, 3);
} seen SEC(".maps");

struct inner_t {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_t inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_t);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_t);
} outer_hash SEC(".maps");

int tail_a(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&tail_a },
};

SEC("tc")
int tail_a(struct __sk_buff *skb)
{
	return 1;
}

SEC("tc")
int maps_user(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct value_t *v = bpf_map_lookup_elem(&flows, &k);
	if (v)
		v->packets++;
	__u64 *c = bpf_map_lookup_elem(&counters, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
	void *inner = bpf_map_lookup_elem(&outer, &k);
	if (inner)
		bpf_map_lookup_elem(inner, &k);
	bpf_map_push_elem(&seen, &k, 0);
	bpf_ringbuf_output(&events, &k, sizeof(k), 0);
	bpf_map_lookup_elem(&scratch, &k);
	bpf_map_lookup_elem(&outer_hash, &k);
	bpf_tail_call(skb, &jumps, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
