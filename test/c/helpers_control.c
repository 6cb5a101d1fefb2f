/* Control helpers: tail calls through a prog_array, bpf_loop, for_each_map_elem, spin locks. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args { __u64 a, b, c, d; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

struct locked {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} guarded SEC(".maps");

static __always_inline void put(__u32 i, __s64 v)
{
	bpf_map_update_elem(&out, &i, &v, BPF_ANY);
}

static __always_inline void bump(__u32 i)
{
	__s64 *v = bpf_map_lookup_elem(&out, &i);
	if (v)
		*v += 1;
}

SEC("kprobe/second")
int second(struct args *ctx)
{
	bump(1);
	return 200;
}

SEC("kprobe/self")
int self(struct args *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
	__array(values, int (void *));
} jump SEC(".maps") = {
	.values = { [1] = (void *)&second, [2] = (void *)&self },
};

/* Tail-call slot ctx->a; return 100 when the tail call does not happen. */
SEC("kprobe/first")
int first(struct args *ctx)
{
	bump(0);
	bpf_tail_call(ctx, &jump, ctx->a);
	return 100;
}

/* Tail-calls itself (slot 2) until the kernel's limit stops it, counting runs in out[2]. */
SEC("kprobe/self")
int self(struct args *ctx)
{
	bump(2);
	bpf_tail_call(ctx, &jump, 2);
	return 33;
}

struct loop_ctx {
	__u64 sum;
	__u64 stop_at;
};

static long add_one(__u32 i, void *data)
{
	struct loop_ctx *c = data;
	c->sum += i;
	return c->stop_at && i == c->stop_at ? 1 : 0;
}

/* Sum 0..ctx->a-1 with bpf_loop (stopping after index ctx->b when non-zero); out[0] = iterations, out[1] = sum. */
SEC("kprobe/loop_sum")
int loop_sum(struct args *ctx)
{
	struct loop_ctx c = { .sum = 0, .stop_at = ctx->b };
	put(0, bpf_loop(ctx->a, add_one, &c, ctx->c));
	put(1, c.sum);
	return 0;
}

struct each_ctx {
	__u64 keys;
	__u64 values;
	__u64 limit;
	__u64 seen;
};

static long visit(void *map, __u32 *key, __u64 *value, struct each_ctx *c)
{
	c->keys += *key;
	c->values += *value;
	*value *= 2;
	c->seen++;
	return c->limit && c->seen >= c->limit ? 1 : 0;
}

static long visit_array(void *map, __u32 *key, __s64 *value, struct each_ctx *c)
{
	c->keys += *key;
	c->values += *value;
	c->seen++;
	return 0;
}

/* Visit every element of table (doubling each value) and of out; stop after ctx->a when non-zero. */
SEC("kprobe/each")
int each(struct args *ctx)
{
	struct each_ctx c = { .limit = ctx->a };
	long n = bpf_for_each_map_elem(&table, visit, &c, 0);
	struct each_ctx d = {};
	long m = bpf_for_each_map_elem(&out, visit_array, &d, 0);
	put(0, n);
	put(1, c.keys);
	put(2, c.values);
	put(3, m);
	put(4, d.seen);
	put(5, bpf_for_each_map_elem(&table, visit, &c, 1));
	return 0;
}

/* Add ctx->a to the guarded value under its lock. */
SEC("kprobe/locked_add")
int locked_add(struct args *ctx)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&guarded, &k);
	if (!v)
		return -1;
	bpf_spin_lock(&v->lock);
	v->value += ctx->a;
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* Lock twice: a deadlock the verifier would refuse. */
SEC("kprobe/lock_twice")
int lock_twice(struct args *ctx)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&guarded, &k);
	if (!v)
		return -1;
	bpf_spin_lock(&v->lock);
	bpf_spin_lock(&v->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
