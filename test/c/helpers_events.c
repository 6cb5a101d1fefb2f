/* Events to user space: ring buffer reserve/submit/discard/output/query, perf_event_output. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args { __u64 a, b, c, d; };

struct event {
	__u32 pid;
	__u32 seq;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 4); /* libbpf would default this to the CPU count; the VM loader does not (yet) */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

static __always_inline void put(__u32 i, __s64 v)
{
	bpf_map_update_elem(&out, &i, &v, BPF_ANY);
}

/* Reserve an event; submit it when ctx->b is 0, discard it otherwise. */
SEC("kprobe/rb_reserve")
int rb_reserve(struct args *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return -1;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->seq = ctx->a;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (ctx->b)
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Copy ctx->a as a u64 record; out[0..3] = output result, available data, ring size, producer position. */
SEC("kprobe/rb_output")
int rb_output(struct args *ctx)
{
	__u64 v = ctx->a;
	put(0, bpf_ringbuf_output(&rb, &v, sizeof(v), ctx->b));
	put(1, bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA));
	put(2, bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE));
	put(3, bpf_ringbuf_query(&rb, BPF_RB_PROD_POS));
	put(4, bpf_ringbuf_query(&rb, BPF_RB_CONS_POS));
	put(5, bpf_ringbuf_reserve(&rb, 8, 1) != 0);
	return 0;
}

/* Reserve ctx->a bytes; fill and submit; -1 when the ring is full. */
SEC("kprobe/rb_big")
int rb_big(struct args *ctx)
{
	char *p = bpf_ringbuf_reserve(&rb, 1000, 0);
	if (!p)
		return -1;
	p[0] = ctx->a;
	bpf_ringbuf_submit(p, BPF_RB_NO_WAKEUP);
	return 0;
}

/* perf_event_output with index ctx->a (or BPF_F_CURRENT_CPU); returns its result. */
SEC("kprobe/perf_out")
int perf_out(struct args *ctx)
{
	struct event e = {};
	e.pid = bpf_get_current_pid_tgid();
	e.seq = ctx->b;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	return bpf_perf_event_output(ctx, &events, ctx->a, &e, sizeof(e));
}

char LICENSE[] SEC("license") = "GPL";
