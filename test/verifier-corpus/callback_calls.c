// bpf_loop and bpf_for_each_map_elem: the callback is a static function the kernel checks with the
// arguments the helper gives it, and it must return 0 or 1.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u64);
} trie SEC(".maps");

struct loop_ctx {
	__u64 sum;
	__u64 last;
};

static int add_index(__u32 index, void *data)
{
	struct loop_ctx *c = data;
	c->sum += index;
	return 0;
}

static int stop_at_three(__u32 index, void *data)
{
	return index >= 3;
}

static int returns_two(__u32 index, void *data)
{
	return 2;
}

static int returns_index(__u32 index, void *data)
{
	return index;
}

static int reads_null_ctx(__u32 index, void *data)
{
	struct loop_ctx *c = data;
	return c->sum & 1;
}

static int writes_past_ctx(__u32 index, void *data)
{
	__u64 *c = data;
	c[2] = index;
	return 0;
}

static long sum_values(struct bpf_map *map, __u32 *key, __u64 *val, struct loop_ctx *c)
{
	c->sum += *val + *key;
	return 0;
}

static long value_past_end(struct bpf_map *map, __u32 *key, __u64 *val, struct loop_ctx *c)
{
	c->sum += val[1];
	return 0;
}

static long key_past_end(struct bpf_map *map, __u32 *key, __u64 *val, struct loop_ctx *c)
{
	c->sum += key[1];
	return 0;
}

static long writes_value(struct bpf_map *map, __u32 *key, __u64 *val, void *c)
{
	*val = 0;
	return 0;
}

static long returns_value(struct bpf_map *map, __u32 *key, __u64 *val, void *c)
{
	return *val;
}

static int nested_inner(__u32 index, void *data)
{
	return 0;
}

static int nested_outer(__u32 index, void *data)
{
	bpf_loop(4, nested_inner, 0, 0);
	return 0;
}

static int lookup_in_callback(__u32 index, void *data)
{
	__u32 k = index & 7;
	__u64 *v = bpf_map_lookup_elem(&table, &k);
	if (v)
		*v += 1;
	return 0;
}

static int lookup_unchecked_in_callback(__u32 index, void *data)
{
	__u32 k = index & 7;
	__u64 *v = bpf_map_lookup_elem(&table, &k);
	*v += 1;
	return 0;
}

/* bpf_loop with a callback that adds to a struct on the caller's stack */
SEC("xdp") int accept_loop_sum(struct xdp_md *ctx)
{
	struct loop_ctx c = {};
	bpf_loop(10, add_index, &c, 0);
	return c.sum > 40 ? XDP_PASS : XDP_DROP;
}

/* a callback returning 1 stops the loop; the result is the iteration count */
SEC("xdp") int accept_loop_stop(struct xdp_md *ctx)
{
	long n = bpf_loop(100, stop_at_three, 0, 0);
	return n == 4 ? XDP_PASS : XDP_DROP;
}

/* the callback may call helpers and look maps up */
SEC("xdp") int accept_loop_callback_lookup(struct xdp_md *ctx)
{
	bpf_loop(8, lookup_in_callback, 0, 0);
	return XDP_PASS;
}

/* a callback may itself call bpf_loop */
SEC("xdp") int accept_loop_nested(struct xdp_md *ctx)
{
	bpf_loop(2, nested_outer, 0, 0);
	return XDP_PASS;
}

/* for_each_map_elem over an array: key, value and the context pointer */
SEC("xdp") int accept_for_each_array(struct xdp_md *ctx)
{
	struct loop_ctx c = {};
	bpf_for_each_map_elem(&counts, sum_values, &c, 0);
	return c.sum ? XDP_PASS : XDP_DROP;
}

/* for_each_map_elem over a hash map; the callback writes the value */
SEC("xdp") int accept_for_each_hash_write(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&table, writes_value, 0, 0);
	return XDP_PASS;
}

/* bpf_loop with zero iterations never calls its callback, and the kernel does not check it */
SEC("xdp") int accept_loop_zero_skips_callback(struct xdp_md *ctx)
{
	bpf_loop(0, returns_two, 0, 0);
	return XDP_PASS;
}

/* the callback returns 2, outside [0, 1] */
SEC("xdp") int reject_loop_return_two(struct xdp_md *ctx)
{
	bpf_loop(4, returns_two, 0, 0);
	return XDP_PASS;
}

/* the callback returns the index, which may be any u32 */
SEC("xdp") int reject_loop_return_unbounded(struct xdp_md *ctx)
{
	bpf_loop(4, returns_index, 0, 0);
	return XDP_PASS;
}

/* the context pointer is NULL, and the callback reads through it */
SEC("xdp") int reject_loop_null_ctx(struct xdp_md *ctx)
{
	bpf_loop(4, reads_null_ctx, 0, 0);
	return XDP_PASS;
}

/* the callback writes past the 8 bytes of caller stack it was given */
SEC("xdp") int reject_loop_ctx_overrun(struct xdp_md *ctx)
{
	__u64 one = 0;
	bpf_loop(4, writes_past_ctx, &one, 0);
	return one ? XDP_PASS : XDP_DROP;
}

/* a map lookup in the callback used without its NULL check */
SEC("xdp") int reject_loop_callback_null_value(struct xdp_md *ctx)
{
	bpf_loop(8, lookup_unchecked_in_callback, 0, 0);
	return XDP_PASS;
}

/* the for_each callback reads past the 8-byte value */
SEC("xdp") int reject_for_each_value_past_end(struct xdp_md *ctx)
{
	struct loop_ctx c = {};
	bpf_for_each_map_elem(&counts, value_past_end, &c, 0);
	return c.sum ? XDP_PASS : XDP_DROP;
}

/* the for_each callback reads past the 4-byte key */
SEC("xdp") int reject_for_each_key_past_end(struct xdp_md *ctx)
{
	struct loop_ctx c = {};
	bpf_for_each_map_elem(&counts, key_past_end, &c, 0);
	return c.sum ? XDP_PASS : XDP_DROP;
}

/* the for_each callback returns the map value, not 0 or 1 */
SEC("xdp") int reject_for_each_return_value(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&table, returns_value, 0, 0);
	return XDP_PASS;
}

/* an LPM trie cannot be walked with for_each_map_elem */
SEC("xdp") int reject_for_each_lpm_trie(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&trie, writes_value, 0, 0);
	return XDP_PASS;
}

struct step_ctx {
	__u32 i;
};

static int step_past_value(__u32 index, void *data)
{
	struct step_ctx *c = data;
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (!v)
		return 1;
	((volatile __u8 *)v)[c->i * 4] = 1;
	c->i++;
	return 0;
}

static int step_guarded(__u32 index, void *data)
{
	struct step_ctx *c = data;
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (!v || c->i > 1)
		return 1;
	((volatile __u8 *)v)[c->i * 4] = 1;
	c->i++;
	return 0;
}

/* the third iteration writes at offset 8 of an 8-byte value: each iteration sees what the last one left */
SEC("xdp") int reject_loop_third_iteration_overrun(struct xdp_md *ctx)
{
	struct step_ctx c = {};
	bpf_loop(4, step_past_value, &c, 0);
	return XDP_PASS;
}

/* the same walk, stopped before it leaves the value */
SEC("xdp") int accept_loop_iterations_guarded(struct xdp_md *ctx)
{
	struct step_ctx c = {};
	bpf_loop(4, step_guarded, &c, 0);
	return XDP_PASS;
}

/* two iterations only: the overrun of the third never happens */
SEC("xdp") int accept_loop_two_iterations(struct xdp_md *ctx)
{
	struct step_ctx c = {};
	bpf_loop(2, step_past_value, &c, 0);
	return XDP_PASS;
}

__attribute__((noinline)) int global_cb(__u32 index, void *data)
{
	return 0;
}

static int index_into_value(__u32 index, void *data)
{
	__u32 k = 0;
	__u8 *v = bpf_map_lookup_elem(&counts, &k);
	if (!v)
		return 1;
	return v[index] & 1;
}

static int uses_global(__u32 index, void *data)
{
	return global_cb(index, data) & 1;
}

/* a global function cannot be a callback */
SEC("xdp") int reject_loop_global_callback(struct xdp_md *ctx)
{
	bpf_loop(4, global_cb, 0, 0);
	return XDP_PASS;
}

/* the callback context must be on the stack (or NULL); a map value is refused */
SEC("xdp") int reject_loop_ctx_map_value(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (!v)
		return XDP_PASS;
	bpf_loop(4, add_index, v, 0);
	return XDP_PASS;
}

/* the iteration count may be any number the program computes */
SEC("xdp") int accept_loop_unknown_count(struct xdp_md *ctx)
{
	struct loop_ctx c = {};
	bpf_loop(ctx->ingress_ifindex, add_index, &c, 0);
	return c.sum ? XDP_PASS : XDP_DROP;
}

/* the index is any u32: using it unchecked as an offset into a map value is refused */
SEC("xdp") int reject_loop_index_unchecked(struct xdp_md *ctx)
{
	bpf_loop(4, index_into_value, 0, 0);
	return XDP_PASS;
}

/* a callback may call a global function */
SEC("xdp") int accept_loop_callback_calls_global(struct xdp_md *ctx)
{
	bpf_loop(4, uses_global, 0, 0);
	return XDP_PASS;
}

struct idx_ctx {
	__u32 i;
	__u8 buf[12];
};

static int walk_unchecked(__u32 index, void *data)
{
	struct idx_ctx *c = data;
	c->buf[c->i] = 1;
	c->i++;
	return 0;
}

static int walk_checked(__u32 index, void *data)
{
	struct idx_ctx *c = data;
	if (c->i < sizeof(c->buf))
		c->buf[c->i] = 1;
	c->i++;
	return 0;
}

/* a counter kept in the caller's stack indexes an array with no check: only the 13th of 20 iterations writes past it */
SEC("xdp") int reject_loop_late_overrun(struct xdp_md *ctx)
{
	struct idx_ctx c = {};
	bpf_loop(20, walk_unchecked, &c, 0);
	return c.i;
}

/* the same counter, checked against the array's size before each write: safe in every iteration */
SEC("xdp") int accept_loop_counter_checked(struct xdp_md *ctx)
{
	struct idx_ctx c = {};
	bpf_loop(20, walk_checked, &c, 0);
	return c.i;
}
