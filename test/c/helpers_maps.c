/* Map helpers: counting in a hash, errno results, queue/stack/bloom, per-CPU values, maps of maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args { __u64 a, b, c, d; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, __u32);
} stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 16);
	__type(value, __u32);
	__uint(map_extra, 3);
} bloom SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a },
};

static __always_inline void put(__u32 i, __s64 v)
{
	bpf_map_update_elem(&out, &i, &v, BPF_ANY);
}

/* Count events by the key in the first context word. */
SEC("kprobe/count")
int count(struct args *ctx)
{
	__u32 key = ctx->a;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		*v += 1;
		return 1;
	}
	__u64 one = 1;
	return bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
}

/* The errno results of update and delete. */
SEC("kprobe/errors")
int errors(struct args *ctx)
{
	__u32 k = 100;
	__u64 v = 7;
	put(0, bpf_map_update_elem(&counts, &k, &v, BPF_NOEXIST));
	put(1, bpf_map_update_elem(&counts, &k, &v, BPF_NOEXIST));
	k = 101;
	put(2, bpf_map_update_elem(&counts, &k, &v, BPF_EXIST));
	put(3, bpf_map_delete_elem(&counts, &k));
	k = 8;
	put(4, bpf_map_update_elem(&out, &k, &v, BPF_ANY));
	k = 1;
	put(5, bpf_map_update_elem(&counts, &k, &v, 7));
	put(6, bpf_map_delete_elem(&out, &k));
	k = 100;
	put(7, bpf_map_delete_elem(&counts, &k));
	return 0;
}

/* Push ctx->a onto the queue and the stack with flags ctx->b. */
SEC("kprobe/push")
int push(struct args *ctx)
{
	__u32 v = ctx->a;
	put(0, bpf_map_push_elem(&queue, &v, ctx->b));
	put(1, bpf_map_push_elem(&stack, &v, ctx->b));
	return 0;
}

/* Peek then pop both: out[0..3] = queue peek, queue pop, stack peek, stack pop; out[4..7] their results. */
SEC("kprobe/pop")
int pop(struct args *ctx)
{
	__u32 v = 0xdead;
	put(4, bpf_map_peek_elem(&queue, &v));
	put(0, v);
	v = 0xdead;
	put(5, bpf_map_pop_elem(&queue, &v));
	put(1, v);
	v = 0xdead;
	put(6, bpf_map_peek_elem(&stack, &v));
	put(2, v);
	v = 0xdead;
	put(7, bpf_map_pop_elem(&stack, &v));
	put(3, v);
	return 0;
}

/* Add ctx->a to the bloom filter when ctx->b is 1; answer whether ctx->a may be in it. */
SEC("kprobe/bloom_op")
int bloom_op(struct args *ctx)
{
	__u32 v = ctx->a;
	if (ctx->b == 1)
		put(0, bpf_map_push_elem(&bloom, &v, 0));
	put(1, bpf_map_peek_elem(&bloom, &v));
	put(2, bpf_map_pop_elem(&bloom, &v));
	return 0;
}

/* Add ctx->a to this CPU's counter; out[0] = the counter of CPU ctx->b, or -1 if there is none. */
SEC("kprobe/percpu_add")
int percpu_add(struct args *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&percpu, &k);
	if (!v)
		return -1;
	*v += ctx->a;
	__u64 *other = bpf_map_lookup_percpu_elem(&percpu, &k, ctx->b);
	put(0, other ? (__s64)*other : -1);
	return bpf_get_smp_processor_id();
}

/* The value at inner index ctx->b of the map in outer slot ctx->a, or -1 / -2 when missing. */
SEC("kprobe/of_maps")
int of_maps(struct args *ctx)
{
	__u32 k = ctx->a;
	void *inner = bpf_map_lookup_elem(&outer, &k);
	if (!inner)
		return -1;
	k = ctx->b;
	__u64 *v = bpf_map_lookup_elem(inner, &k);
	if (!v)
		return -2;
	*v += 10;
	return *v;
}

/* Look a key up through a pointer taken from the context (a bad one fails the run). */
SEC("kprobe/bad_key")
int bad_key(struct args *ctx)
{
	void *key = (void *)ctx->a;
	return bpf_map_lookup_elem(&counts, key) != 0;
}

char LICENSE[] SEC("license") = "GPL";
